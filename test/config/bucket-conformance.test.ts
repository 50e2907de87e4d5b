// The bucket contract's conformance suite (bucket-conformance.ts) against both drivers: the
// JSON files (through the in-memory adapter, in a temp dir) and PostgreSQL (one throwaway
// cluster for the file, a fresh database per test). Then what only the JSON adapter promises:
// its files stay the format the store writes today.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { NamespaceDocument } from "../../src/config/document.ts";
import type { ConfigDriver } from "../../src/config/driver.ts";
import { JsonFileDriver, openConfigStore } from "../../src/config/index.ts";
import { JsonBucketDriver } from "../../src/config/json-buckets.ts";
import { PostgresDriver } from "../../src/config/postgres/driver.ts";
import { startPostgres, type PostgresCluster } from "../support/postgres.ts";
import { tempDir } from "../support/temp.ts";
import { bucketConformance } from "./bucket-conformance.ts";

describe("JSON files (in-memory bucket adapter)", () => {
  bucketConformance(async (t) => new JsonBucketDriver(await JsonFileDriver.open(tempDir(t))));
});

describe("PostgreSQL", () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.destroy());
  bucketConformance(async () => PostgresDriver.open({ url: await cluster.createDatabase() }));
});

describe("JSON adapter only", () => {
  test("the file is byte for byte what the store writes for the same data, and a new adapter reads it back", async (t) => {
    const viaBuckets = tempDir(t);
    const viaStore = tempDir(t);
    const d = new JsonBucketDriver(await JsonFileDriver.open(viaBuckets));
    const refs = {
      global: { kind: "global" } as const,
      guild: { kind: "guild", id: "g1" } as const,
      member: { kind: "member", guildId: "g1", userId: "u1" } as const,
      gone: { kind: "user", id: "u9" } as const,
    };
    const created = await d.commit("Economy", Object.values(refs).map((ref) => ({ ref, version: 0 })), [
      { ref: refs.global, data: { currency: "gold" } },
      { ref: refs.guild, data: { open: true } },
      { ref: refs.member, data: { balance: 5 } },
      { ref: refs.gone, data: { tz: "UTC" } },
    ]);
    assert.ok(created.ok);
    assert.ok((await d.commit("Economy", [{ ref: refs.gone, version: created.versions[3]! }], [{ ref: refs.gone, data: null }])).ok);
    await d.close();

    const store = await openConfigStore({ dir: viaStore });
    const conf = store.namespace("Economy", { global: { currency: "credits" }, guild: { open: false as boolean }, member: { balance: 0 }, user: { tz: "" } });
    await conf.global().set("currency", "gold");
    await conf.guild("g1").set("open", true);
    await conf.member("g1", "u1").set("balance", 5);
    await conf.user("u9").set("tz", "UTC");
    await conf.user("u9").clear();
    await store.close();

    const file = (dir: string) => readFile(join(dir, "config", "Economy.json"), "utf8");
    assert.equal(await file(viaBuckets), await file(viaStore));

    const again = new JsonBucketDriver(await JsonFileDriver.open(viaBuckets));
    t.after(() => again.close());
    assert.deepEqual((await again.loadBucket("Economy", refs.member))?.data, { balance: 5 });
    assert.equal(await again.loadBucket("Economy", refs.gone), undefined);
  });

  test("a corrupt file is ERR_CONFIG_CORRUPT_FILE and is read again once fixed", async (t) => {
    const dir = tempDir(t);
    const files = await JsonFileDriver.open(dir);
    const d = new JsonBucketDriver(files);
    t.after(() => d.close());
    const { writeFile } = await import("node:fs/promises");
    await writeFile(files.fileOf("Bad"), "{");
    await assert.rejects(d.loadBucket("Bad", { kind: "global" }), (e: Error & { code?: string }) => e.code === "ERR_CONFIG_CORRUPT_FILE");
    await assert.rejects(d.commit("Bad", [{ ref: { kind: "global" }, version: 0 }], [{ ref: { kind: "global" }, data: { a: 1 } }]), (e: Error & { code?: string }) => e.code === "ERR_CONFIG_CORRUPT_FILE");
    assert.equal(await readFile(files.fileOf("Bad"), "utf8"), "{", "never overwritten");
    await writeFile(files.fileOf("Bad"), '{"version": 1, "global": {"a": 2}}');
    assert.deepEqual((await d.loadBucket("Bad", { kind: "global" }))?.data, { a: 2 });
  });
});

/** The file driver with its writes held until released (or failed), and its close() counted. */
async function gated(dir: string) {
  const files = await JsonFileDriver.open(dir);
  const held: { release(): void; fail(error: Error): void }[] = [];
  let closes = 0;
  const driver: ConfigDriver = {
    load: (ns) => files.load(ns),
    write: (ns: string, document: NamespaceDocument) =>
      new Promise<void>((resolve, reject) => {
        held.push({ release: () => files.write(ns, document).then(resolve, reject), fail: reject });
      }),
    fileOf: (ns) => files.fileOf(ns),
    close: () => {
      closes++;
      return files.close();
    },
  };
  return { driver, held, closes: () => closes, files };
}

describe("JSON adapter only: durability and lifecycle", () => {
  test("a commit resolves only after its write; until then loads see the old data; a failed write applies nothing", async (t) => {
    const g = await gated(tempDir(t));
    const d = new JsonBucketDriver(g.driver);
    const ref = { kind: "guild", id: "g1" } as const;
    let done = false;
    const first = d.commit("Core", [{ ref, version: 0 }], [{ ref, data: { n: 1 } }]).finally(() => (done = true));
    while (g.held.length === 0) await new Promise((r) => setImmediate(r));
    assert.equal(await d.loadBucket("Core", ref), undefined, "not visible before it is durable");
    assert.deepEqual(await d.listBuckets("Core", "guild"), []);
    assert.equal(done, false, "resolved before the write finished");
    g.held.shift()!.release();
    const v1 = (await first) as { ok: true; versions: number[] };
    assert.ok(v1.ok);
    assert.deepEqual(JSON.parse(await readFile(g.files.fileOf("Core"), "utf8")).guild, { g1: { n: 1 } });

    // The disk refuses the next write: the commit rejects with its error and nothing changes.
    const second = d.commit("Core", [{ ref, version: v1.versions[0]! }], [{ ref, data: { n: 2 } }]);
    while (g.held.length === 0) await new Promise((r) => setImmediate(r));
    g.held.shift()!.fail(Object.assign(new Error("no space left"), { code: "ENOSPC" }));
    await assert.rejects(second, /no space left/);
    assert.deepEqual(await d.loadBucket("Core", ref), { data: { n: 1 }, version: v1.versions[0] });
    // The version read before the failed commit is still the current one.
    const third = d.commit("Core", [{ ref, version: v1.versions[0]! }], [{ ref, data: { n: 3 } }]);
    while (g.held.length === 0) await new Promise((r) => setImmediate(r));
    g.held.shift()!.release();
    assert.ok((await third).ok);

    // close() waits for a held write, and closes the file driver exactly once however often it is called.
    const fourth = d.commit("Core", [{ ref, version: ((await d.loadBucket("Core", ref))!).version }], [{ ref, data: { n: 4 } }]);
    while (g.held.length === 0) await new Promise((r) => setImmediate(r));
    let closed = false;
    const closing = Promise.all([d.close(), d.close()]).then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(closed, false, "close() did not wait for the write in progress");
    g.held.shift()!.release();
    await closing;
    assert.ok((await fourth).ok);
    await d.close();
    assert.equal(g.closes(), 1, "the file driver is closed once (its contract)");
    assert.equal(d.state, "closed");
  });
});
