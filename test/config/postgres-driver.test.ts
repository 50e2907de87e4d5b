// The PostgreSQL bucket driver against a real server (test/support/postgres.ts): one cluster
// for the file, a fresh database per test.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer, connect, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import type { Invalidation, ScopeRef } from "../../src/config/bucket-driver.ts";
import { PostgresDriver } from "../../src/config/postgres/driver.ts";
import type { PostgresDriverOptions } from "../../src/config/postgres/options.ts";
import { startPostgres, type PostgresCluster } from "../support/postgres.ts";
import { tempDir } from "../support/temp.ts";
import { eventually } from "../support/wait.ts";

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

const global: ScopeRef = { kind: "global" };
const guild = (id: string): ScopeRef => ({ kind: "guild", id });
const member = (guildId: string, userId: string): ScopeRef => ({ kind: "member", guildId, userId });

async function open(t: { after(fn: () => unknown): void }, options: Partial<PostgresDriverOptions> & { url: string }): Promise<PostgresDriver> {
  const driver = await PostgresDriver.open(options);
  t.after(() => driver.close());
  return driver;
}

function rejectsWith(code: string, check: (e: Error) => void = () => {}) {
  return (e: Error & { code?: string }) => {
    assert.equal(e.code, code, e.message);
    check(e);
    return true;
  };
}

test("contract: load, create, compare-and-set, conflicts naming the stale buckets, deletes, listings", async (t) => {
  const driver = await open(t, { url: await cluster.createDatabase() });
  assert.equal(await driver.loadBucket("Economy", global), undefined);

  const created = await driver.commit("Economy", [{ ref: global, version: 0 }], [{ ref: global, data: { currency: "gold" } }]);
  assert.equal(created.ok, true);
  const v1 = created.ok ? created.versions[0]! : 0;
  assert.ok(v1 > 0);
  assert.deepEqual(await driver.loadBucket("Economy", global), { data: { currency: "gold" }, version: v1 });

  // Creating again from "absent" is stale now; so is an update from a version never seen.
  assert.deepEqual(await driver.commit("Economy", [{ ref: global, version: 0 }], [{ ref: global, data: { currency: "x" } }]), { ok: false, stale: [global] });
  assert.deepEqual(await driver.commit("Economy", [{ ref: global, version: v1 + 1000 }], [{ ref: global, data: { currency: "x" } }]), { ok: false, stale: [global] });
  const updated = await driver.commit("Economy", [{ ref: global, version: v1 }], [{ ref: global, data: { currency: "coins" } }]);
  assert.ok(updated.ok && updated.versions[0]! !== v1);

  // Several buckets: all or nothing; every stale read is named, read-only ones included.
  const m1 = member("g1", "u1");
  const m2 = member("g1", "u2");
  const m3 = member("g2", "u1");
  const seeded = await driver.commit("Economy", [{ ref: m1, version: 0 }, { ref: m2, version: 0 }, { ref: m3, version: 0 }], [
    { ref: m1, data: { balance: 10 } },
    { ref: m2, data: { balance: 5 } },
    { ref: m3, data: { balance: 1 } },
  ]);
  assert.ok(seeded.ok);
  const [b1, b2, b3] = seeded.versions;
  const conflict = await driver.commit("Economy", [{ ref: m1, version: b1! }, { ref: m2, version: b2! + 1 }, { ref: m3, version: b3! + 1 }, { ref: guild("g1"), version: 0 }], [
    { ref: m1, data: { balance: 0 } },
    { ref: guild("g1"), data: { open: true } },
  ]);
  assert.deepEqual(conflict, { ok: false, stale: [m2, m3] });
  assert.deepEqual((await driver.loadBucket("Economy", m1))?.data, { balance: 10 }, "nothing of a conflicting commit is applied");
  assert.equal(await driver.loadBucket("Economy", guild("g1")), undefined);
  // A read-only bucket that changed makes the commit stale too (its decision was based on it).
  assert.deepEqual(await driver.commit("Economy", [{ ref: m1, version: b1! }, { ref: m3, version: 0 }], [{ ref: m1, data: { balance: 1 } }]), { ok: false, stale: [m3] });

  // A transfer: both or neither; then a delete ({} or null) and a re-creation with a fresh version.
  const transfer = await driver.commit("Economy", [{ ref: m1, version: b1! }, { ref: m2, version: b2! }], [
    { ref: m1, data: { balance: 7 } },
    { ref: m2, data: {} },
  ]);
  assert.ok(transfer.ok);
  assert.equal(transfer.versions[1], 0);
  assert.equal(await driver.loadBucket("Economy", m2), undefined);
  const again = await driver.commit("Economy", [{ ref: m2, version: 0 }], [{ ref: m2, data: { balance: 5 } }]);
  assert.ok(again.ok && again.versions[0] !== b2, "a re-created bucket never gets an old version back (no ABA)");
  const gone = await driver.commit("Economy", [{ ref: m3, version: b3! }], [{ ref: m3, data: null }]);
  assert.deepEqual(gone, { ok: true, versions: [0] });

  assert.deepEqual((await driver.listBuckets("Economy", "member", "g1")).map((b) => [b.ref, b.data]), [
    [m1, { balance: 7 }],
    [m2, { balance: 5 }],
  ]);
  assert.deepEqual((await driver.listBuckets("Economy", "member")).length, 2);
  assert.deepEqual(await driver.listBuckets("Economy", "guild"), []);
  assert.deepEqual(await driver.listBuckets("Other", "member"), [], "namespaces are apart");

  // A write not based on a read would undo others' changes: refused before any SQL.
  await assert.rejects(driver.commit("Economy", [], [{ ref: m1, data: { balance: 0 } }]), (e: Error & { code?: string }) => {
    assert.ok(e instanceof TypeError);
    assert.equal(e.code, "ERR_CONFIG_INVALID_VALUE");
    return true;
  });
});

/** Increments `n` in one bucket: compare-and-set, and after 3 lost races the locked path. */
async function increment(driver: PostgresDriver, ref: ScopeRef, stats: { retries: number; locked: number }): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await driver.loadBucket("Hot", ref);
    const n = typeof current?.data.n === "number" ? current.data.n : 0;
    const result = await driver.commit("Hot", [{ ref, version: current?.version ?? 0 }], [{ ref, data: { n: n + 1 } }]);
    if (result.ok) return;
    stats.retries++;
  }
  stats.locked++;
  await driver.lockedUpdate("Hot", ref, (current) => ({ n: (typeof current?.data.n === "number" ? current.data.n : 0) + 1 }));
}

test("4 connections × 100 increments of one key total exactly 400; a naive read-then-write loses some", async (t) => {
  const url = await cluster.createDatabase();
  const drivers = await Promise.all([0, 1, 2, 3].map(() => open(t, { url, poolSize: 1 })));
  const ref = member("g1", "hot");
  const stats = { retries: 0, locked: 0 };
  const N = 100;
  const started = Date.now();
  await Promise.all(drivers.map(async (driver) => {
    for (let i = 0; i < N; i++) await increment(driver, ref, stats);
  }));
  const ms = Date.now() - started;
  assert.deepEqual((await drivers[0]!.loadBucket("Hot", ref))?.data, { n: 4 * N });
  t.diagnostic(`hot key: ${4 * N} updates in ${ms} ms (${Math.round((4 * N * 1000) / ms)}/s), ${stats.retries} CAS retries, ${stats.locked} locked fallbacks`);

  // Control: the same loop without the version check (read, then write what was computed).
  await cluster.query("CREATE TABLE naive (k int PRIMARY KEY, n int NOT NULL); INSERT INTO naive VALUES (1, 0)", [], url.slice(url.lastIndexOf("/") + 1));
  const clients = await Promise.all([0, 1, 2, 3].map(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.after(() => client.end());
    return client;
  }));
  await Promise.all(clients.map(async (client) => {
    for (let i = 0; i < N; i++) {
      const { rows } = await client.query<{ n: number }>("SELECT n FROM naive WHERE k = 1");
      await client.query("UPDATE naive SET n = $1 WHERE k = 1", [rows[0]!.n + 1]);
    }
  }));
  const naive = (await clients[0]!.query<{ n: number }>("SELECT n FROM naive WHERE k = 1")).rows[0]!.n;
  t.diagnostic(`naive read-then-write kept ${naive} of ${4 * N}`);
  assert.ok(naive < 4 * N, `the control lost nothing (${naive}): the test would not see lost updates`);
});

test("a commit in one driver invalidates the bucket in another within 1 s", async (t) => {
  const url = await cluster.createDatabase();
  const writer = await open(t, { url });
  const reader = await open(t, { url, applicationName: "cogwheel-reader" });
  const heard: Invalidation[] = [];
  const subscription = reader.onInvalidate((inv) => heard.push(inv));
  t.after(() => subscription.dispose());
  const ref = guild("g1");
  const result = await writer.commit("Core", [{ ref, version: 0 }], [{ ref, data: { prefix: "!" } }]);
  assert.ok(result.ok);
  await eventually(() => heard.length > 0, 1000, "the invalidation");
  assert.deepEqual(heard[0], { kind: "bucket", namespace: "Core", ref, version: result.versions[0] });
});

test("the listener's connection killed: 'drop everything', then it listens again by itself", async (t) => {
  const url = await cluster.createDatabase();
  const writer = await open(t, { url });
  const reader = await open(t, { url, applicationName: "cogwheel-victim", maxReconnectDelayMs: 100 });
  const heard: Invalidation[] = [];
  reader.onInvalidate((inv) => heard.push(inv));
  assert.ok((await cluster.terminateBackends("cogwheel-victim")) >= 1);
  await eventually(() => heard.some((inv) => inv.kind === "all"), 1000, "the drop-everything invalidation");
  // Reconnected: a later commit is heard again (retry while the listener comes back).
  const ref = guild("g2");
  let version = 0;
  for (let i = 0; i < 30 && !heard.some((inv) => inv.kind === "bucket"); i++) {
    // Until the listener is back, commits go unheard; each try waits 100 ms.
    const result = await writer.commit("Core", [{ ref, version }], [{ ref, data: { i } }]);
    if (result.ok) version = result.versions[0]!;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(heard.some((inv) => inv.kind === "bucket"), "no notification after the listener reconnected");
  // Dropped once when the connection went, and again once it was back (what came in between is lost).
  const firstBucket = heard.findIndex((inv) => inv.kind === "bucket");
  assert.equal(heard.slice(0, firstBucket).filter((inv) => inv.kind === "all").length, 2, JSON.stringify(heard));
  assert.ok((await reader.loadBucket("Core", ref)) !== undefined, "the pool's terminated connections were replaced");
});

test("refuses a database with synchronous_commit off, naming it without the password", async (t) => {
  const url = await cluster.createDatabase("nodurable");
  await cluster.query("ALTER DATABASE nodurable SET synchronous_commit = off");
  await assert.rejects(PostgresDriver.open({ url }), rejectsWith("ERR_CONFIG_NOT_DURABLE", (e) => {
    assert.match(e.message, /synchronous_commit=off/);
    assert.ok(e.message.includes(`postgres://cogwheel@127.0.0.1:${cluster.port}/nodurable`), e.message);
    assert.ok(!e.message.includes(cluster.password), e.message);
    assert.equal(e.message.split("\n").length, 1);
  }));
  // The same server with the setting back on is accepted.
  await cluster.query("ALTER DATABASE nodurable SET synchronous_commit = on");
  await open(t, { url });
});

test("the password is never in an error; PGPASSWORD and .pgpass are used as pg uses them", async (t) => {
  const wrong = "wrong-Secret-1";
  await assert.rejects(PostgresDriver.open({ url: cluster.urlOf("postgres", wrong) }), rejectsWith("ERR_CONFIG_CONNECT_FAILED", (e) => {
    assert.match(e.message, /password authentication failed/);
    assert.ok(e.message.includes(`postgres://cogwheel@127.0.0.1:${cluster.port}/postgres`), e.message);
    for (const text of [e.message, e.stack ?? "", String((e as { cause?: unknown }).cause), JSON.stringify(e)]) {
      assert.ok(!text.includes(wrong) && !text.includes(cluster.password), text);
    }
  }));
  await assert.rejects(PostgresDriver.open({ url: `mysql://cogwheel:${wrong}@127.0.0.1/db` }), rejectsWith("ERR_CONFIG_INVALID_URL", (e) => {
    assert.ok(!e.message.includes(wrong), e.message);
  }));
  await assert.rejects(PostgresDriver.open({ url: `postgres://cogwheel:${wrong}@127.0.0.1:${cluster.port}/` }), rejectsWith("ERR_CONFIG_INVALID_URL"));
  await assert.rejects(PostgresDriver.open({ url: "postgres://127.0.0.1/db", poolsize: 2 } as PostgresDriverOptions), rejectsWith("ERR_CONFIG_INVALID_OPTIONS"));

  const bare = `postgres://cogwheel@127.0.0.1:${cluster.port}/postgres`;
  const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE };
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  process.env.PGPASSWORD = cluster.password;
  await (await PostgresDriver.open({ url: bare })).close();
  delete process.env.PGPASSWORD;
  const file = join(tempDir(t), "pgpass");
  writeFileSync(file, `127.0.0.1:${cluster.port}:*:cogwheel:${cluster.password}\n`, { mode: 0o600 });
  process.env.PGPASSFILE = file;
  await (await PostgresDriver.open({ url: bare })).close();
});

test("close() takes under 2 s after the server was SIGKILLed, with a call in flight", async (t) => {
  const own = await startPostgres(); // killed here, so not the file's shared cluster
  t.after(() => own.destroy());
  const driver = await PostgresDriver.open({ url: own.url });
  await driver.loadBucket("Core", global);
  own.kill();
  const inflight = driver.loadBucket("Core", global).then(() => "resolved", (e: Error & { code?: string }) => String(e.code));
  const started = Date.now();
  await driver.close();
  const ms = Date.now() - started;
  t.diagnostic(`close() after kill -9: ${ms} ms`);
  assert.ok(ms < 2000, `close() took ${ms} ms`);
  assert.equal(driver.state, "closed");
  // Which comes first, the reset connection or close(), is a race; either way it settles.
  assert.ok(["ERR_CONFIG_QUERY_FAILED", "ERR_CONFIG_CLOSED"].includes(await inflight));
  await assert.rejects(driver.loadBucket("Core", global), rejectsWith("ERR_CONFIG_CLOSED"));
  await driver.close(); // idempotent
});

test("close() takes under 2 s when the server hangs without closing its sockets; the call in flight is settled", async (t) => {
  const own = await startPostgres();
  t.after(() => own.destroy());
  const driver = await PostgresDriver.open({ url: own.url, closeTimeoutMs: 500 });
  const ref = guild("g1");
  await driver.commit("Core", [{ ref, version: 0 }], [{ ref, data: { a: 1 } }]);
  own.freeze(); // SIGSTOP: every socket stays open, nothing answers (a partition looks the same)
  t.after(() => own.thaw());
  const inflight = driver.loadBucket("Core", ref).then(() => "resolved", (e: Error & { code?: string }) => e.code);
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  await driver.close();
  const ms = Date.now() - started;
  t.diagnostic(`close() with a frozen server: ${ms} ms`);
  assert.ok(ms < 2000, `close() took ${ms} ms`);
  assert.equal(await inflight, "ERR_CONFIG_QUERY_FAILED", "close() cut its connection");
});

/** A TCP relay to the cluster whose connections can be cut (and new ones refused). */
async function relay(t: { after(fn: () => unknown): void }, port: number) {
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  const server = createServer((socket) => {
    if (refusing) return void socket.destroy();
    const upstream = connect(port, "127.0.0.1");
    const pair: [Socket, Socket] = [socket, upstream];
    pairs.add(pair);
    socket.pipe(upstream).pipe(socket);
    const drop = () => {
      socket.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    socket.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return {
    port: (server.address() as { port: number }).port,
    /** Cuts every open connection; with `refuse`, new ones too. */
    cut(refuse = false) {
      refusing = refuse;
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
  };
}

test("a connection lost during COMMIT: committed → success, rolled back → nothing changed, unknowable → ERR_CONFIG_OUTCOME_UNKNOWN", async (t) => {
  const url = await cluster.createDatabase("slowcommit");
  const proxy = await relay(t, cluster.port);
  const viaProxy = url.replace(`:${cluster.port}/`, `:${proxy.port}/`);
  const driver = await open(t, { url: viaProxy, applicationName: "cogwheel-slow", outcomeTimeoutMs: 800 });
  // A deferred trigger makes COMMIT itself take 0.6 s in namespace Slow: time to cut it.
  await cluster.query(
    `CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.namespace = 'Slow' THEN PERFORM pg_sleep(0.6); END IF; RETURN NULL; END $$;
     CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT OR UPDATE ON cogwheel_config DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();`,
    [],
    "slowcommit",
  );
  const ref = member("g1", "u1");
  const later = (ms: number, fn: () => unknown) => new Promise((r) => setTimeout(() => r(fn()), ms));

  // 1. The answer is lost, the server commits anyway: the driver finds out and succeeds.
  const [first] = await Promise.all([driver.commit("Slow", [{ ref, version: 0 }], [{ ref, data: { n: 1 } }]), later(250, () => proxy.cut())]);
  assert.ok(first.ok, "a commit that happened is reported as done");
  assert.deepEqual(await driver.loadBucket("Slow", ref), { data: { n: 1 }, version: first.versions[0] });

  // 2. The server rolls back (its backend is terminated mid-COMMIT): nothing changed, and said so.
  await assert.rejects(
    Promise.all([driver.commit("Slow", [{ ref, version: first.versions[0]! }], [{ ref, data: { n: 2 } }]), later(250, () => cluster.terminateBackends("cogwheel-slow"))]),
    rejectsWith("ERR_CONFIG_QUERY_FAILED", (e) => assert.match(e.message, /namespace "Slow" member\("g1", "u1"\).*did not happen: nothing changed/)),
  );
  assert.deepEqual((await driver.loadBucket("Slow", ref))?.data, { n: 1 });

  // 3. The database cannot be reached to ask: outcome unknown, naming namespace and bucket.
  const current = (await driver.loadBucket("Slow", ref))!.version;
  await assert.rejects(
    Promise.all([driver.commit("Slow", [{ ref, version: current }], [{ ref, data: { n: 3 } }]), later(250, () => proxy.cut(true))]),
    rejectsWith("ERR_CONFIG_OUTCOME_UNKNOWN", (e) => assert.match(e.message, /namespace "Slow" member\("g1", "u1"\)/)),
  );
});
