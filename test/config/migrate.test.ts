// `cogwheel config migrate` (src/config/migrate.ts, src/cli/config.ts) against a real
// PostgreSQL: every bucket of a JSON data dir lands in the database, a rerun writes nothing, a
// bucket that differs in the database is kept and reported (replaced only with --overwrite), a
// difference after writing is reported, and the CLI refuses to copy a data dir a running bot holds.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test, type TestContext } from "node:test";
import { acquireDataDirLock } from "../../src/app/data-dir-lock.ts";
import type { BucketDriver, ScopeRef } from "../../src/config/bucket-driver.ts";
import { migrateConfig } from "../../src/config/migrate.ts";
import { PostgresDriver } from "../../src/config/postgres/driver.ts";
import { runCli } from "../support/cli.ts";
import { databaseName, startPostgres, type PostgresCluster } from "../support/postgres.ts";
import { tempDir } from "../support/temp.ts";

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

/** Namespace files in the JSON driver's format (version 1), all five scopes. */
const FILES = {
  Core: {
    version: 1,
    global: { name: "Robo", prefixes: ["!", "?"], packages: ["general", "economy"] },
    guild: { "100": { prefixes: [">"] } },
    channel: {},
    user: {},
    member: {},
  },
  Economy: {
    version: 1,
    global: { currency: "coins", bank: { name: "Central", rate: 0.05 } },
    guild: { "100": { payday: 50 }, "200": { payday: 75 }, "300": {} },
    channel: { "555": { muted: true } },
    user: { "7": { badges: ["early", "owner"] }, "8": { badges: [] } },
    member: {
      "100": { "7": { balance: 125 }, "8": { balance: 0, history: [{ at: "2026-01-01", amount: -5 }] } },
      "200": { "7": { balance: 99.5 } },
      "300": {},
    },
  },
  Trivia: {
    version: 1,
    global: {},
    guild: {},
    channel: { "900": { topic: "maths", unicode: "π ≈ 3.14 \u00e9" } },
    user: {},
    member: {},
  },
};

/** Buckets of FILES, as refs and data (empty ones are not stored). */
function expectedBuckets(files: typeof FILES): Array<[string, ScopeRef, object]> {
  const out: Array<[string, ScopeRef, object]> = [];
  for (const [ns, doc] of Object.entries(files)) {
    const add = (ref: ScopeRef, data: object) => Object.keys(data).length > 0 && out.push([ns, ref, data]);
    add({ kind: "global" }, doc.global);
    for (const kind of ["guild", "channel", "user"] as const) for (const [id, data] of Object.entries(doc[kind])) add({ kind, id }, data);
    for (const [guildId, members] of Object.entries(doc.member)) for (const [userId, data] of Object.entries(members)) add({ kind: "member", guildId, userId }, data);
  }
  return out;
}

function writeDataDir(t: TestContext, files: object = FILES): string {
  const dir = tempDir(t);
  mkdirSync(join(dir, "config"));
  for (const [ns, doc] of Object.entries(files)) writeFileSync(join(dir, "config", `${ns}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  return dir;
}

async function openDriver(t: TestContext, url: string): Promise<PostgresDriver> {
  const driver = await PostgresDriver.open({ url });
  t.after(() => driver.close());
  return driver;
}

test("every bucket of every namespace and scope lands in PostgreSQL, equal; files that are not namespaces are left alone", async (t) => {
  const dir = writeDataDir(t);
  writeFileSync(join(dir, "config", "not-a-namespace.json"), "{}");
  writeFileSync(join(dir, "config", "notes.txt"), "hello");
  const driver = await openDriver(t, await cluster.createDatabase());

  const report = await migrateConfig({ dataDir: dir, target: driver });
  assert.equal(report.ok, true);
  assert.deepEqual(report.skipped, ["not-a-namespace.json"]);
  assert.deepEqual(
    report.namespaces.map((n) => [n.namespace, n.buckets, n.written, n.unchanged, n.onlyInTarget, n.mismatches]),
    [
      ["Core", { global: 1, guild: 1, channel: 0, user: 0, member: 0 }, 2, 0, 0, []],
      ["Economy", { global: 1, guild: 2, channel: 1, user: 2, member: 3 }, 9, 0, 0, []],
      ["Trivia", { global: 0, guild: 0, channel: 1, user: 0, member: 0 }, 1, 0, 0, []],
    ],
  );
  // Read back through another connection: each bucket is exactly the JSON data.
  const reader = await openDriver(t, driver.target.replace(`${cluster.user}@`, `${cluster.user}:${cluster.password}@`));
  const expected = expectedBuckets(FILES);
  assert.equal(expected.length, 12);
  for (const [ns, ref, data] of expected) assert.deepEqual((await reader.loadBucket(ns, ref))?.data, data, `${ns} ${JSON.stringify(ref)}`);
  const rows = await cluster.query<{ n: string }>("SELECT count(*)::text AS n FROM cogwheel_config", [], databaseName(driver.target));
  assert.equal(rows[0]!.n, "12", "nothing else was written (no empty buckets)");
});

test("a rerun writes nothing; buckets only in the database are kept", async (t) => {
  const dir = writeDataDir(t);
  const driver = await openDriver(t, await cluster.createDatabase());
  await migrateConfig({ dataDir: dir, target: driver });
  const before = await driver.loadBucket("Economy", { kind: "member", guildId: "100", userId: "7" });

  const again = await migrateConfig({ dataDir: dir, target: driver });
  assert.equal(again.ok, true);
  assert.deepEqual(again.namespaces.map((n) => [n.namespace, n.written, n.unchanged, n.kept]), [["Core", 0, 2, []], ["Economy", 0, 9, []], ["Trivia", 0, 1, []]]);
  assert.deepEqual(await driver.loadBucket("Economy", { kind: "member", guildId: "100", userId: "7" }), before, "not even rewritten: same version");

  // Another bot on this database added a bucket.
  const extra: ScopeRef = { kind: "guild", id: "999" };
  assert.ok((await driver.commit("Economy", [{ ref: extra, version: 0 }], [{ ref: extra, data: { payday: 1 } }])).ok);
  const third = await migrateConfig({ dataDir: dir, target: driver });
  assert.equal(third.ok, true);
  assert.deepEqual(third.namespaces.map((n) => [n.namespace, n.written, n.unchanged, n.onlyInTarget]), [["Core", 0, 2, 0], ["Economy", 0, 9, 1], ["Trivia", 0, 1, 0]]);
  assert.deepEqual((await driver.loadBucket("Economy", extra))?.data, { payday: 1 }, "kept");
});

/**
 * A migrated database the bots then changed (name, a balance), and a bucket lost from it, with
 * the old JSON data dir migrated again: the situation that reverted live config.
 */
async function migratedThenChangedByBots(t: TestContext): Promise<{ dir: string; driver: PostgresDriver; url: string }> {
  const dir = writeDataDir(t);
  const url = await cluster.createDatabase();
  const driver = await openDriver(t, url);
  assert.equal((await migrateConfig({ dataDir: dir, target: driver })).ok, true);
  const set = async (ns: string, ref: ScopeRef, data: object | null) => {
    const version = (await driver.loadBucket(ns, ref))?.version ?? 0;
    assert.ok((await driver.commit(ns, [{ ref, version }], [{ ref, data: data as never }])).ok);
  };
  await set("Core", { kind: "global" }, { name: "Live", prefixes: ["$"], packages: ["general", "economy"] });
  await set("Economy", { kind: "member", guildId: "100", userId: "7" }, { balance: 900 });
  await set("Trivia", { kind: "channel", id: "900" }, null);
  return { dir, driver, url };
}

test("a bucket that differs in the database is kept as the database has it by default, reported, and not a mismatch; absent ones are written; a rerun writes nothing", async (t) => {
  const { dir, driver } = await migratedThenChangedByBots(t);
  const liveMember = await driver.loadBucket("Economy", { kind: "member", guildId: "100", userId: "7" });

  for (const run of [1, 2]) {
    const report = await migrateConfig({ dataDir: dir, target: driver });
    assert.equal(report.ok, true, `run ${run}`);
    assert.deepEqual(
      report.namespaces.map((n) => [n.namespace, n.written, n.unchanged, n.kept, n.mismatches]),
      [
        ["Core", 0, 1, [{ kind: "global" }], []],
        ["Economy", 0, 8, [{ kind: "member", guildId: "100", userId: "7" }], []],
        ["Trivia", run === 1 ? 1 : 0, run === 1 ? 0 : 1, [], []],
      ],
      `run ${run}`,
    );
  }
  assert.deepEqual((await driver.loadBucket("Core", { kind: "global" }))?.data, { name: "Live", prefixes: ["$"], packages: ["general", "economy"] });
  assert.deepEqual(await driver.loadBucket("Economy", { kind: "member", guildId: "100", userId: "7" }), liveMember, "not even rewritten: same version");
  assert.deepEqual((await driver.loadBucket("Trivia", { kind: "channel", id: "900" }))?.data, FILES.Trivia.channel["900"], "the absent bucket was written");
});

test("with overwrite, a bucket that differs in the database is replaced by the JSON data", async (t) => {
  const { dir, driver } = await migratedThenChangedByBots(t);
  const report = await migrateConfig({ dataDir: dir, target: driver, overwrite: true });
  assert.equal(report.ok, true);
  assert.deepEqual(report.namespaces.map((n) => [n.namespace, n.written, n.unchanged, n.kept]), [["Core", 1, 1, []], ["Economy", 1, 8, []], ["Trivia", 1, 0, []]]);
  assert.deepEqual((await driver.loadBucket("Core", { kind: "global" }))?.data, FILES.Core.global);
  assert.deepEqual((await driver.loadBucket("Economy", { kind: "member", guildId: "100", userId: "7" }))?.data, { balance: 125 });
  const again = await migrateConfig({ dataDir: dir, target: driver, overwrite: true });
  assert.deepEqual(again.namespaces.map((n) => n.written), [0, 0, 0], "a rerun writes nothing");
});

for (const overwrite of [false, true]) test(`a bucket created by another process between the listing and the commit: re-read and committed again, never overwritten blind; then ${overwrite ? "replaced (overwrite)" : "kept (default)"}`, async (t) => {
  const dir = writeDataDir(t, { Economy: FILES.Economy });
  const url = await cluster.createDatabase();
  const driver = await openDriver(t, url);
  const other = await openDriver(t, url);
  const ref: ScopeRef = { kind: "guild", id: "100" };
  let commits = 0;
  // The first commit is preceded by another bot creating a bucket the migration also writes.
  const racing: BucketDriver = {
    loadBucket: (ns, r) => driver.loadBucket(ns, r),
    listBuckets: (ns, kind, g) => driver.listBuckets(ns, kind, g),
    onInvalidate: (fn) => driver.onInvalidate(fn),
    close: () => driver.close(),
    commit: async (ns, reads, writes) => {
      if (++commits === 1) assert.ok((await other.commit(ns, [{ ref, version: 0 }], [{ ref, data: { payday: 1 } }])).ok);
      return driver.commit(ns, reads, writes);
    },
  };
  const report = await migrateConfig({ dataDir: dir, target: racing, overwrite });
  assert.equal(commits, 2, "the stale commit was retried once");
  assert.equal(report.ok, true);
  if (overwrite) {
    assert.deepEqual(report.namespaces.map((n) => [n.written, n.unchanged, n.kept]), [[9, 0, []]]);
    assert.deepEqual((await driver.loadBucket("Economy", ref))?.data, { payday: 50 }, "the JSON data won");
  } else {
    assert.deepEqual(report.namespaces.map((n) => [n.written, n.unchanged, n.kept]), [[8, 0, [ref]]]);
    assert.deepEqual((await driver.loadBucket("Economy", ref))?.data, { payday: 1 }, "the other process's data was kept");
  }
});

test("a namespace too large for one transaction's locks (20,000 new buckets) is written in parts, all of it", async (t) => {
  const member: Record<string, Record<string, object>> = {};
  for (let i = 0; i < 20_000; i++) (member[`g${i % 20}`] ??= {})[`u${i}`] = { balance: i };
  const dir = writeDataDir(t, { Economy: { version: 1, global: {}, guild: {}, channel: {}, user: {}, member } });
  const driver = await openDriver(t, await cluster.createDatabase());
  const report = await migrateConfig({ dataDir: dir, target: driver });
  assert.equal(report.ok, true);
  assert.deepEqual(report.namespaces.map((n) => [n.buckets.member, n.written]), [[20_000, 20_000]]);
  assert.equal((await driver.listBuckets("Economy", "member")).length, 20_000);
  assert.deepEqual((await driver.loadBucket("Economy", { kind: "member", guildId: "g19", userId: "u19999" }))?.data, { balance: 19_999 });
});

test("the check after writing reports a bucket that did not arrive, by namespace and scope kind", async (t) => {
  const dir = writeDataDir(t);
  const driver = await openDriver(t, await cluster.createDatabase());
  // A target that acknowledges but drops Economy's member writes.
  const lossy: BucketDriver = {
    loadBucket: (ns, r) => driver.loadBucket(ns, r),
    listBuckets: (ns, kind, g) => driver.listBuckets(ns, kind, g),
    onInvalidate: (fn) => driver.onInvalidate(fn),
    close: () => driver.close(),
    commit: (ns, reads, writes) => driver.commit(ns, reads, ns === "Economy" ? writes.filter((w) => w.ref.kind !== "member") : writes),
  };
  const report = await migrateConfig({ dataDir: dir, target: lossy });
  assert.equal(report.ok, false);
  assert.deepEqual(report.namespaces.filter((n) => n.mismatches.length > 0).map((n) => [n.namespace, n.mismatches]), [
    ["Economy", ["member: 3 bucket(s) in the JSON file, 0 in the target"]],
  ]);
});

test("the check after writing: a bucket another process changed after it was written is fine by default and a mismatch with overwrite; other data than acknowledged is a mismatch either way", async (t) => {
  for (const overwrite of [false, true]) {
    const dir = writeDataDir(t, { Economy: FILES.Economy });
    const url = await cluster.createDatabase();
    const driver = await openDriver(t, url);
    const other = await openDriver(t, url);
    // After each commit, a bot changes guild 100 (newer data); and the target stores another
    // balance for member 100/7 than it was given, yet acknowledges it.
    const target: BucketDriver = {
      loadBucket: (ns, r) => driver.loadBucket(ns, r),
      listBuckets: (ns, kind, g) => driver.listBuckets(ns, kind, g),
      onInvalidate: (fn) => driver.onInvalidate(fn),
      close: () => driver.close(),
      commit: async (ns, reads, writes) => {
        const result = await driver.commit(ns, reads, writes.map((w) => (w.ref.kind === "member" && w.ref.userId === "7" && w.ref.guildId === "100" ? { ref: w.ref, data: { balance: -1 } } : w)));
        const ref: ScopeRef = { kind: "guild", id: "100" };
        const version = (await other.loadBucket(ns, ref))?.version ?? 0;
        assert.ok((await other.commit(ns, [{ ref, version }], [{ ref, data: { payday: 1 } }])).ok);
        return result;
      },
    };
    const report = await migrateConfig({ dataDir: dir, target, overwrite });
    assert.equal(report.ok, false, `overwrite: ${overwrite}`);
    assert.deepEqual(
      report.namespaces.map((n) => n.mismatches),
      [overwrite ? ['guild("100") differs', 'member("100", "7") differs'] : ['member("100", "7") differs']],
      `overwrite: ${overwrite}`,
    );
  }
});

test("a corrupt namespace file stops the migration before anything is written", async (t) => {
  const dir = writeDataDir(t);
  writeFileSync(join(dir, "config", "Zed.json"), "{ not json");
  const url = await cluster.createDatabase();
  const driver = await openDriver(t, url);
  await assert.rejects(migrateConfig({ dataDir: dir, target: driver }), (e: Error & { code?: string }) => {
    assert.equal(e.code, "ERR_CONFIG_CORRUPT_FILE");
    assert.match(e.message, /Zed\.json is not valid JSON/);
    return true;
  });
  assert.deepEqual(await driver.listBuckets("Core", "global"), []);
  await assert.rejects(migrateConfig({ dataDir: tempDir(t), target: driver }), { code: "ERR_CONFIG_INVALID_OPTIONS" });
});

test("text PostgreSQL cannot hold (U+0000 in an old file) stops the migration before anything is written, naming file, scope and key", async (t) => {
  const dir = writeDataDir(t);
  writeFileSync(join(dir, "config", "Zed.json"), JSON.stringify({ version: 1, member: { g1: { u1: { note: "a\u0000b" } } } }));
  const url = await cluster.createDatabase();
  const driver = await openDriver(t, url);
  await assert.rejects(migrateConfig({ dataDir: dir, target: driver }), (e: Error & { code?: string }) => {
    assert.equal(e.code, "ERR_CONFIG_INVALID_VALUE");
    assert.match(e.message, /^Config value for member\("g1", "u1"\) in \S+Zed\.json at \.note is a string holding U\+0000/);
    return true;
  });
  assert.deepEqual(await driver.listBuckets("Core", "global"), []);
});

test("CLI: summary per namespace, a rerun says it is already migrated, the password is never printed", async (t) => {
  const dir = writeDataDir(t);
  const url = await cluster.createDatabase();
  const target = url.replace(`:${encodeURIComponent(cluster.password)}@`, "@");
  const first = runCli(t, ["config", "migrate", "--to", url, "--data-dir", dir]);
  assert.deepEqual(await first.exited, { code: 0, signal: null }, first.stderrText);
  assert.deepEqual(first.stdout, [
    `Copying the config of ${dir} into ${target}`,
    "  Core: 2 buckets (global 1, guild 1): 2 written, 0 unchanged",
    "  Economy: 9 buckets (global 1, guild 2, channel 1, user 2, member 3): 9 written, 0 unchanged",
    "  Trivia: 1 bucket (channel 1): 1 written, 0 unchanged",
    "Done: 3 namespaces, 12 buckets written, 0 unchanged; every bucket checked",
  ]);
  // The URL from the environment, as `cogwheel start` takes it.
  const second = runCli(t, ["config", "migrate", "--data-dir", dir], { COGWHEEL_DATABASE_URL: url });
  assert.deepEqual(await second.exited, { code: 0, signal: null }, second.stderrText);
  assert.equal(second.stdout.at(-1), "Done: 3 namespaces, nothing to write: 12 buckets were already equal (already migrated)");
  const empty = tempDir(t);
  mkdirSync(join(empty, "config"));
  const third = runCli(t, ["config", "migrate", "--to", url, "--data-dir", empty]);
  assert.deepEqual(await third.exited, { code: 0, signal: null }, third.stderrText);
  assert.equal(third.stdout.at(-1), `Nothing to copy: ${join(empty, "config")} holds no namespace file`);
  for (const run of [first, second, third]) {
    assert.equal(run.stderrText, "");
    assert.ok(!run.stdout.join("\n").includes(cluster.password));
  }
});

test("CLI: buckets that differ in the database are kept and named, exit 0, with a line about --overwrite; --overwrite replaces them and is in --help", async (t) => {
  const { dir, driver, url } = await migratedThenChangedByBots(t);
  const set = async (ns: string, ref: ScopeRef, data: object) => {
    const version = (await driver.loadBucket(ns, ref))?.version ?? 0;
    assert.ok((await driver.commit(ns, [{ ref, version }], [{ ref, data: data as never }])).ok);
  };
  // Three more in Economy, so that the line names three and says how many more.
  await set("Economy", { kind: "guild", id: "200" }, { payday: 80 });
  await set("Economy", { kind: "member", guildId: "100", userId: "8" }, { balance: 3 });
  await set("Economy", { kind: "member", guildId: "200", userId: "7" }, { balance: 1 });
  const target = url.replace(`:${encodeURIComponent(cluster.password)}@`, "@");

  const kept = runCli(t, ["config", "migrate", "--to", url, "--data-dir", dir]);
  assert.deepEqual(await kept.exited, { code: 0, signal: null }, kept.stderrText);
  assert.deepEqual(kept.stdout, [
    `Copying the config of ${dir} into ${target}`,
    `  Core: 2 buckets (global 1, guild 1): 0 written, 1 unchanged, 1 differs: kept the database's (global())`,
    `  Economy: 9 buckets (global 1, guild 2, channel 1, user 2, member 3): 0 written, 5 unchanged, 4 differ: kept the database's (guild("200"), member("100", "7"), member("100", "8") and 1 more)`,
    "  Trivia: 1 bucket (channel 1): 1 written, 0 unchanged",
    "Done: 3 namespaces, 1 bucket written, 6 unchanged, 5 differ: kept the database's; every bucket checked",
    "5 buckets differ from the JSON files: kept the database's, which may be newer (listed above); --overwrite replaces them with the JSON files' values",
  ]);
  assert.equal(kept.stderrText, "");
  assert.deepEqual((await driver.loadBucket("Core", { kind: "global" }))?.data?.name, "Live");

  const replaced = runCli(t, ["config", "migrate", "--to", url, "--data-dir", dir, "--overwrite"]);
  assert.deepEqual(await replaced.exited, { code: 0, signal: null }, replaced.stderrText);
  assert.deepEqual(replaced.stdout.slice(1), [
    "  Core: 2 buckets (global 1, guild 1): 1 written, 1 unchanged",
    "  Economy: 9 buckets (global 1, guild 2, channel 1, user 2, member 3): 4 written, 5 unchanged",
    "  Trivia: 1 bucket (channel 1): 0 written, 1 unchanged",
    "Done: 3 namespaces, 5 buckets written, 7 unchanged; every bucket checked",
  ]);
  assert.deepEqual((await driver.loadBucket("Core", { kind: "global" }))?.data, FILES.Core.global);

  const help = runCli(t, ["config", "migrate", "--help"]);
  assert.deepEqual(await help.exited, { code: 0, signal: null });
  // Commander wraps the help at 80 columns: compared with runs of white space made one.
  assert.match(help.stdout.join("\n").replace(/\s+/g, " "), /--overwrite replace buckets that differ in the database with the JSON files' values \(default: keep the database's, which may be newer\)/);
});

test("CLI: refused while a bot holds the data dir, and for a bad URL or missing data dir: one line, exit 1, nothing written", async (t) => {
  const dir = writeDataDir(t);
  const url = await cluster.createDatabase();
  const lock = await acquireDataDirLock(dir); // as a running bot does (this process is alive)
  t.after(() => lock.release());
  const refused = runCli(t, ["config", "migrate", "--to", url, "--data-dir", dir]);
  assert.deepEqual(await refused.exited, { code: 1, signal: null });
  assert.equal(
    refused.stderrText,
    `cogwheel config migrate: data dir ${dir} is in use by a running Cogwheel bot (pid ${process.pid}): stop it first, so that no config file changes while it is copied\n`,
  );
  assert.deepEqual(refused.stdout, []);
  const driver = await openDriver(t, url);
  assert.deepEqual(await driver.listBuckets("Core", "global"), [], "nothing was copied");
  lock.release();

  const cases: Array<[string[], RegExp]> = [
    [["--to", "mysql://root:hunter2@localhost/db"], /^cogwheel config migrate: PostgreSQL URL must start with postgres:\/\/ or postgresql:\/\/ \(not mysql:\/\/\)\n$/],
    [["--to", "postgres://u:hunter2@[bad/db"], /^cogwheel config migrate: PostgreSQL URL is not a URL: expected postgres:\/\/user@host:port\/database\n$/],
    [["--to", ""], /^cogwheel config migrate: --to must not be empty\n$/],
    [[], /^cogwheel config migrate: --to is missing: give the PostgreSQL URL \(postgres:\/\/user@host:port\/database\) or set COGWHEEL_DATABASE_URL\n$/],
    [["--to", url, "--data-dir", join(dir, "nope")], /^cogwheel config migrate: data dir .*nope does not exist\n$/],
    [["--to", url.replace(/\/[^/]+$/, "/no_such_db")], /^cogwheel config migrate: Cannot connect to PostgreSQL postgres:\/\/cogwheel@127\.0\.0\.1:\d+\/no_such_db: database "no_such_db" does not exist \(SQLSTATE 3D000\)\n$/],
  ];
  await Promise.all(cases.map(async ([args, expected]) => {
    const run = runCli(t, ["config", "migrate", "--data-dir", dir, ...args], { COGWHEEL_DATABASE_URL: "" });
    assert.deepEqual(await run.exited, { code: 1, signal: null }, args.join(" "));
    assert.match(run.stderrText, expected);
    assert.ok(!run.stderrText.includes("hunter2") && !run.stderrText.includes(cluster.password));
  }));
});
