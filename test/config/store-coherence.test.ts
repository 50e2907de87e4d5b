// The shared store's cache against a real PostgreSQL: what it may serve, and when it must go to
// the database. A wrapper around the real driver stands in only for notification latency
// (invalidations held back) or counts loads; everything else is the real driver and server.
import assert from "node:assert/strict";
import { after, before, test, type TestContext } from "node:test";
import type { BucketDriver, Invalidation } from "../../src/config/bucket-driver.ts";
import { openConfigStore, PostgresDriver, type ConfigChange, type ConfigStore, type PostgresDriverOptions } from "../../src/config/index.ts";
import { wrapDriver } from "../support/config.ts";
import { startPostgres, type PostgresCluster } from "../support/postgres.ts";
import { eventually } from "../support/wait.ts";

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

const BANK = { member: { balance: 0 } };

async function open(t: TestContext, url: string, options: Partial<PostgresDriverOptions> = {}, over?: (driver: PostgresDriver) => Partial<BucketDriver>): Promise<{ store: ConfigStore; driver: PostgresDriver }> {
  const driver = await PostgresDriver.open({ url, ...options });
  const store = await openConfigStore({ buckets: over ? wrapDriver(driver, over(driver)) : driver });
  t.after(() => store.close());
  return { store, driver };
}

/** The backend pid of the LISTEN connection of the driver named `applicationName`. */
async function listenerPid(applicationName: string): Promise<number> {
  const rows = await cluster.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN %'", [applicationName]);
  assert.equal(rows.length, 1, `one LISTEN connection for ${applicationName}`);
  return rows[0]!.pid;
}

test("a read-only transaction over two scopes never sees half of another process's transaction, even from a stale cache", async (t) => {
  const url = await cluster.createDatabase();
  const { store: writer } = await open(t, url);
  const bank = writer.namespace("Bank", BANK);
  await bank.member("g1", "u1").set("balance", 100);
  // The reader's notifications are late (held until released): its cached u1 goes stale.
  const held: Invalidation[] = [];
  let deliver: ((invalidation: Invalidation) => void) | undefined;
  const { store } = await open(t, url, {}, (driver) => ({
    onInvalidate: (listener) => {
      deliver = listener;
      return driver.onInvalidate((invalidation) => held.push(invalidation));
    },
  }));
  const reader = store.namespace("Bank", BANK);
  assert.equal(await reader.member("g1", "u1").get("balance"), 100);

  await bank.transaction((tx) => {
    tx.member("g1", "u1").update("balance", (b) => b - 30);
    tx.member("g1", "u2").update("balance", (b) => b + 30);
  });
  let runs = 0;
  const total = await reader.transaction((tx) => {
    runs++;
    return tx.member("g1", "u1").get("balance") + tx.member("g1", "u2").get("balance");
  });
  assert.equal(total, 100, "u1 and u2 from one moment");
  assert.equal(runs, 3, "a run to load u2, one on stale u1 that its check refused, one on fresh data");
  for (const invalidation of held) deliver?.(invalidation);
});

test("a process's own back-to-back commits are never reported as other processes' changes", async (t) => {
  const url = await cluster.createDatabase();
  const { store } = await open(t, url);
  const conf = store.namespace("Bank", BANK);
  const heard: ConfigChange[] = [];
  const listening = conf.onDidChange((change) => heard.push(change));
  t.after(() => listening.dispose());
  for (let i = 0; i < 100; i++) await conf.member("g1", "u1").update("balance", (b) => b + 1);
  await Promise.all(Array.from({ length: 100 }, () => conf.member("g1", "u2").update("balance", (b) => b + 1)));
  await conf.member("g1", "u1").clear();
  await new Promise((resolve) => setTimeout(resolve, 300)); // the last notifications arrive
  assert.deepEqual(heard, []);
  assert.equal(await conf.member("g1", "u2").get("balance"), 100);
});

test("a LISTEN connection that stops answering is noticed by the heartbeat: reads go to the database", async (t) => {
  const url = await cluster.createDatabase();
  const { store: writer } = await open(t, url);
  const { store } = await open(t, url, { applicationName: "frozen-listener", heartbeatMs: 100 });
  const reader = store.namespace("Bank", BANK);
  await writer.namespace("Bank", BANK).member("g1", "u1").set("balance", 1);
  await eventually(async () => (await reader.member("g1", "u1").get("balance")) === 1, 1000, "the reader to cache 1");

  const pid = await listenerPid("frozen-listener");
  process.kill(pid, "SIGSTOP"); // its socket stays open: no reset, no error, no notification
  const thaw = (): void => {
    try {
      process.kill(pid, "SIGCONT");
    } catch {
      // already gone: the driver dropped that connection, and the backend exited once thawed
    }
  };
  t.after(thaw);
  await writer.namespace("Bank", BANK).member("g1", "u1").set("balance", 2);
  await eventually(async () => (await reader.member("g1", "u1").get("balance")) === 2, 1000, "the reader to see 2 without a notification");
  thaw();
});

test("after its LISTEN connection is back, the store caches again", async (t) => {
  const url = await cluster.createDatabase();
  let loads = 0;
  const { store, driver } = await open(t, url, { applicationName: "counted" }, (real) => ({
    loadBucket: (namespace, ref) => {
      loads++;
      return real.loadBucket(namespace, ref);
    },
  }));
  const conf = store.namespace("Bank", BANK);
  await conf.member("g1", "u1").get("balance");
  await conf.member("g1", "u1").get("balance");
  assert.equal(loads, 1, "cached");

  await cluster.query("SELECT pg_terminate_backend($1)", [await listenerPid("counted")]);
  await eventually(() => driver.coherent === false, 1000, "the listener to notice");
  const before = loads;
  await conf.member("g1", "u1").get("balance");
  await conf.member("g1", "u1").get("balance");
  assert.equal(loads, before + 2, "read through while the listener is down");

  await eventually(() => driver.coherent, 5000, "the listener to be back");
  const back = loads;
  await conf.member("g1", "u1").get("balance");
  await conf.member("g1", "u1").get("balance");
  assert.equal(loads, back + 1, "cached again");
});

test("a reader told of a change never gets a load that started before it (a shared, older read)", async (t) => {
  const url = await cluster.createDatabase();
  const { store: writer } = await open(t, url);
  const bank = writer.namespace("Bank", BANK);
  await bank.member("g1", "u1").set("balance", 1);
  // The reader's loads reply late (their data is read at once): a slow network.
  const { store } = await open(t, url, {}, (real) => ({
    loadBucket: async (namespace, ref) => {
      const loaded = await real.loadBucket(namespace, ref);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return loaded;
    },
  }));
  const reader = store.namespace("Bank", BANK);
  const seenByListener: number[] = [];
  const listening = reader.onDidChange(() => void reader.member("g1", "u1").get("balance").then((b) => seenByListener.push(b)));
  t.after(() => listening.dispose());

  const early = reader.member("g1", "u1").get("balance"); // reads 1, replies 300 ms later
  await new Promise((resolve) => setTimeout(resolve, 50));
  await bank.member("g1", "u1").set("balance", 2); // announced to the reader while its load is out
  assert.equal(await early, 1);
  await eventually(() => seenByListener.length > 0, 2000, "the listener's read");
  assert.deepEqual(seenByListener, [2]);
});

test("a check commit that fails rejects the transaction it was checking, never hands out a torn read", async (t) => {
  const url = await cluster.createDatabase();
  const { store: writer } = await open(t, url);
  const bank = writer.namespace("Bank", BANK);
  await bank.member("g1", "u1").set("balance", 100);
  const held: Invalidation[] = [];
  const { store } = await open(t, url, {}, (driver) => ({
    onInvalidate: () => driver.onInvalidate((invalidation) => held.push(invalidation)), // notifications late
    commit: async (namespace, reads, writes) => {
      if (writes.length === 0) throw Object.assign(new Error("connection lost"), { code: "ERR_CONFIG_QUERY_FAILED" });
      return driver.commit(namespace, reads, writes);
    },
  }));
  const reader = store.namespace("Bank", BANK);
  assert.equal(await reader.member("g1", "u1").get("balance"), 100); // cached, soon stale
  await bank.transaction((tx) => {
    tx.member("g1", "u1").update("balance", (b) => b - 30);
    tx.member("g1", "u2").update("balance", (b) => b + 30);
  });
  await assert.rejects(
    reader.transaction((tx) => tx.member("g1", "u1").get("balance") + tx.member("g1", "u2").get("balance")),
    { code: "ERR_CONFIG_QUERY_FAILED" },
  );
});

test("own commits stay recognised when notifications lag many commits behind", async (t) => {
  const url = await cluster.createDatabase();
  const { store } = await open(t, url, {}, (driver) => ({
    // Every notification arrives 60 ms late: dozens of this process's commits are unheard at once.
    onInvalidate: (listener) => driver.onInvalidate((invalidation) => void setTimeout(() => listener(invalidation), 60)),
  }));
  const conf = store.namespace("Bank", BANK);
  const heard: ConfigChange[] = [];
  const listening = conf.onDidChange((change) => heard.push(change));
  t.after(() => listening.dispose());
  for (let i = 0; i < 50; i++) await conf.member("g1", "u1").update("balance", (b) => b + 1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(heard, []);
});
