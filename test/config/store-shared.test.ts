// The store over a shared, versioned driver (PostgreSQL, real server): conflicts re-run the
// caller's function, caches follow other stores' changes, batches keep one operation's failure
// to itself, and the store's own options. One cluster for the file, a database per test.
import assert from "node:assert/strict";
import { after, before, test, type TestContext } from "node:test";
import type { BucketDriver, BucketRead, BucketWrite } from "../../src/config/bucket-driver.ts";
import { openConfigStore, PostgresDriver, type ConfigChange, type ConfigStore } from "../../src/config/index.ts";
import { databaseName, startPostgres, type PostgresCluster } from "../support/postgres.ts";
import { eventually } from "../support/wait.ts";
import { tempDir } from "../support/temp.ts";

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

const BANK = { member: { balance: 0 }, global: { name: "bot", tags: [] as string[] } };

async function shared(t: TestContext, url: string, wrap?: (driver: PostgresDriver) => BucketDriver): Promise<ConfigStore> {
  const driver = await PostgresDriver.open({ url });
  const store = await openConfigStore({ buckets: wrap ? wrap(driver) : driver });
  t.after(() => store.close());
  return store;
}

/** The real driver, with a hook that runs before each commit is passed on. */
function beforeCommit(driver: PostgresDriver, hook: (writes: readonly BucketWrite[]) => Promise<void>): BucketDriver {
  return {
    loadBucket: (ns, ref) => driver.loadBucket(ns, ref),
    listBuckets: (ns, kind, guildId) => driver.listBuckets(ns, kind, guildId),
    commit: async (ns: string, reads: readonly BucketRead[], writes: readonly BucketWrite[]) => {
      await hook(writes);
      return driver.commit(ns, reads, writes);
    },
    onInvalidate: (listener) => driver.onInvalidate(listener),
    close: () => driver.close(),
  };
}

test("an update whose bucket another store changed meanwhile runs its function again, on the new value", async (t) => {
  const url = await cluster.createDatabase();
  const other = (await shared(t, url)).namespace("Bank", BANK);
  let interfere = true;
  const store = await shared(t, url, (driver) =>
    beforeCommit(driver, async () => {
      if (!interfere) return;
      interfere = false;
      await other.member("g1", "u1").update("balance", (b) => b + 100); // lands between read and commit
    }),
  );
  const conf = store.namespace("Bank", BANK);
  const seen: number[] = [];
  const result = await conf.member("g1", "u1").update("balance", (b) => {
    seen.push(b);
    return b + 1;
  });
  assert.deepEqual(seen, [0, 100], "fn ran twice: on the value read, then on the other store's");
  assert.equal(result, 101);
  await eventually(async () => (await other.member("g1", "u1").get("balance")) === 101, 1000, "the other store to see 101");
  assert.equal(store.stats().conflicts, 1);
});

test("a transaction re-runs after a conflict: only its last run counts, and the other change is kept", async (t) => {
  const url = await cluster.createDatabase();
  const other = (await shared(t, url)).namespace("Bank", BANK);
  await other.member("g1", "a").set("balance", 10);
  let interfere = true;
  const store = await shared(t, url, (driver) =>
    beforeCommit(driver, async () => {
      if (!interfere) return;
      interfere = false;
      await other.member("g1", "a").set("balance", 3); // a's funds drop before the transfer commits
    }),
  );
  const conf = store.namespace("Bank", BANK);
  // Both cached: the first run needs no load (a bucket not loaded yet is another reason to run again).
  await conf.member("g1", "a").get("balance");
  await conf.member("g1", "b").get("balance");
  let runs = 0;
  await assert.rejects(
    conf.transaction((tx) => {
      runs++;
      const from = tx.member("g1", "a");
      if (from.get("balance") < 5) throw new Error("not enough");
      from.update("balance", (b) => b - 5);
      tx.member("g1", "b").update("balance", (b) => b + 5);
    }),
    { message: "not enough" },
  );
  assert.equal(runs, 2);
  assert.equal(await (await shared(t, url)).namespace("Bank", BANK).member("g1", "a").get("balance"), 3);
  assert.equal(await other.member("g1", "b").get("balance"), 0);
});

test("a cached value follows another store's change, and onDidChange names the scope; not for own changes", async (t) => {
  const url = await cluster.createDatabase();
  const a = (await shared(t, url)).namespace("Bank", BANK);
  const b = (await shared(t, url)).namespace("Bank", BANK);
  assert.equal(await b.global().get("name"), "bot"); // cached in b
  const heard: ConfigChange[] = [];
  const listening = b.onDidChange((change) => heard.push(change));
  t.after(() => listening.dispose());
  const mine: ConfigChange[] = [];
  const own = a.onDidChange((change) => mine.push(change));
  t.after(() => own.dispose());

  await a.global().set("name", "renamed");
  await eventually(async () => (await b.global().get("name")) === "renamed", 1000, "b to see the new name");
  assert.deepEqual(heard, [{ kind: "bucket", ref: { kind: "global" } }]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(mine, [], "a's own commit is not another process's change");
  listening.dispose();
  await a.member("g1", "u1").set("balance", 1);
  await eventually(async () => (await b.member("g1", "u1").get("balance")) === 1, 1000, "b to see the balance");
  assert.equal(heard.length, 1, "a disposed listener hears nothing more");
});

test("in one batch, an operation that throws changes nothing and the others are stored", async (t) => {
  const url = await cluster.createDatabase();
  const conf = (await shared(t, url)).namespace("Bank", BANK);
  const results = await Promise.allSettled([
    conf.member("g1", "u1").set("balance", 1),
    conf.member("g1", "u1").update("balance", () => {
      throw new Error("no");
    }),
    conf.transaction((tx) => {
      tx.member("g1", "u2").set("balance", 2);
      throw new Error("abort");
    }),
    conf.member("g1", "u3").update("balance", (b) => b + 3),
  ]);
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "rejected", "fulfilled"]);
  const fresh = (await shared(t, url)).namespace("Bank", BANK);
  const members = await fresh.allMembers("g1");
  assert.deepEqual(Object.fromEntries([...members].map(([id, v]) => [id, v.balance])), { u1: 1, u3: 3 });
});

test("two stores hammering one key lose nothing", async (t) => {
  const url = await cluster.createDatabase();
  const stores = [await shared(t, url), await shared(t, url)];
  const handles = stores.map((s) => s.namespace("Bank", BANK).member("g1", "hot"));
  await Promise.all(
    handles.map(async (h) => {
      for (let i = 0; i < 100; i++) await h.update("balance", (b) => b + 1);
    }),
  );
  assert.equal(await (await shared(t, url)).namespace("Bank", BANK).member("g1", "hot").get("balance"), 200);
  const stats = stores.map((s) => s.stats());
  t.diagnostic(`conflicts ${stats.map((s) => s.conflicts).join("+")}, locked updates ${stats.map((s) => s.lockedUpdates).join("+")}`);
});

test("openConfigStore takes exactly one of dir, driver or buckets, and no unknown option", async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(openConfigStore({ dir, buckets: {} } as never), { code: "ERR_CONFIG_INVALID_OPTIONS" });
  await assert.rejects(openConfigStore({ dir, cache: 1 } as never), {
    code: "ERR_CONFIG_INVALID_OPTIONS",
    message: "openConfigStore needs exactly one of { dir } (a non-empty path), { driver } or { buckets }; unknown option cache",
  });
});

test("thousands of new scopes set in one turn are all stored: batches are bounded, so no commit exhausts the lock table", async (t) => {
  const url = await cluster.createDatabase();
  const conf = (await shared(t, url)).namespace("Bank", BANK);
  const started = performance.now();
  await Promise.all(Array.from({ length: 12_000 }, (_, i) => conf.member("g1", `u${i}`).set("balance", i)));
  t.diagnostic(`12,000 sets in one turn: ${Math.round(performance.now() - started)} ms`);
  const rows = await cluster.query<{ n: string }>("SELECT count(*)::text AS n FROM cogwheel_config WHERE namespace = 'Bank'", [], databaseName(url));
  assert.equal(rows[0]!.n, "12000");
});

test("text PostgreSQL cannot hold is refused before any SQL; surrogate pairs (emoji) are stored", async (t) => {
  const url = await cluster.createDatabase();
  const conf = (await shared(t, url)).namespace("Bank", BANK);
  await assert.rejects(conf.global().set("name", "a\u0000b"), { code: "ERR_CONFIG_INVALID_VALUE" });
  await assert.rejects(conf.global().set("tags", ["\udc00"]), { code: "ERR_CONFIG_INVALID_VALUE" });
  await conf.global().set("name", "bot 😀");
  const fresh = (await shared(t, url)).namespace("Bank", BANK);
  assert.equal(await fresh.global().get("name"), "bot 😀");
});
