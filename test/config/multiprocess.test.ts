// Several processes, each with its own config store, on one real PostgreSQL database (issue 13):
// no update lost on a hot key, update/transaction functions re-run under contention, economy
// transfers that keep the total, and a write seen by another process promptly, also after its
// LISTEN connection was killed. One cluster for the file, a fresh database per test; the
// processes are test/support/config-worker.ts.
import assert from "node:assert/strict";
import { after, before, test, type TestContext } from "node:test";
import { openConfigStore, type ConfigStore } from "../../src/config/index.ts";
import { PostgresDriver } from "../../src/config/postgres/driver.ts";
import { type ConfigWorker, startWorkers } from "../support/config-workers.ts";
import { startPostgres, type PostgresCluster } from "../support/postgres.ts";
import { sleep } from "../support/wait.ts";

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

async function openStore(t: TestContext, url: string): Promise<ConfigStore> {
  const store = await openConfigStore({ buckets: await PostgresDriver.open({ url }) });
  t.after(() => store.close());
  return store;
}

/** `n` of Counter's member buckets of g1, straight from the table. */
async function storedCounters(db: string): Promise<Record<string, number>> {
  const rows = await cluster.query<{ id2: string; n: number }>(
    "SELECT id2, (data->>'n')::int AS n FROM cogwheel_config WHERE namespace = 'Counter' AND scope = 'member' AND id1 = 'g1'",
    [],
    db,
  );
  return Object.fromEntries(rows.map((r) => [r.id2, r.n]));
}

interface Increments {
  updates: number;
  calls: number;
  ms: number;
}

/** Runs `count` increments in each worker at once; returns the totals and the wall time. */
async function hammer(workers: ConfigWorker[], args: Record<string, unknown>): Promise<{ updates: number; calls: number; ms: number; each: Increments[] }> {
  const started = performance.now();
  const each = await Promise.all(workers.map((w) => w.call<Increments>("increment", args, 40_000)));
  return {
    updates: each.reduce((s, r) => s + r.updates, 0),
    calls: each.reduce((s, r) => s + r.calls, 0),
    ms: Math.round(performance.now() - started),
    each,
  };
}

test("4 processes × 500 update(n => n + 1) of one key: exactly 2,000, and fn ran at least once per update", { timeout: 45_000 }, async (t) => {
  const db = await cluster.newDatabase();
  const workers = await startWorkers(t, db.url, 4);
  const run = await hammer(workers, { count: 500 });
  t.diagnostic(
    `2,000 updates of one key from 4 processes in ${run.ms} ms (${Math.round((run.updates / run.ms) * 1000)}/s); ` +
      `fn ran ${run.calls} times (${run.calls - run.updates} re-runs); per process: ${run.each.map((r) => `${r.ms} ms/${r.calls} calls`).join(", ")}`,
  );
  assert.equal(run.updates, 2000);
  // Through SQL and through a store that never saw the writes.
  assert.deepEqual(await storedCounters(db.name), { u1: 2000 });
  const store = await openStore(t, db.url);
  assert.equal(await store.namespace("Counter", { member: { n: 0 } }).member("g1", "u1").get("n"), 2000);
  // Four processes on one key conflict: a lost compare-and-set re-runs fn on fresh data.
  assert.ok(run.calls >= run.updates, `fn ran ${run.calls} times for ${run.updates} updates`);
  assert.ok(run.calls > run.updates, `under contention fn must have re-run at least once (${run.calls} calls)`);
});

test("4 processes × 150 transactions incrementing two keys: both exactly 600, fn re-run under contention", { timeout: 45_000 }, async (t) => {
  const db = await cluster.newDatabase();
  const workers = await startWorkers(t, db.url, 4);
  const run = await hammer(workers, { count: 150, twin: "u2" });
  t.diagnostic(`600 two-bucket transactions from 4 processes in ${run.ms} ms; fn ran ${run.calls} times`);
  assert.deepEqual(await storedCounters(db.name), { u1: 600, u2: 600 });
  assert.ok(run.calls > run.updates, `under contention fn must have re-run at least once (${run.calls} calls for ${run.updates})`);
});

test("economy transfers from 4 processes: the total stays, no balance goes negative, every process's view agrees with the database", { timeout: 45_000 }, async (t) => {
  const db = await cluster.newDatabase();
  const members = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"];
  const seeded = await openStore(t, db.url);
  const economy = seeded.namespace("Economy", { member: { balance: 0, lastPayday: 0 } });
  // Small balances and amounts up to 1.5× them: many transfers hit the funds check.
  for (const id of members) await economy.member("g1", id).set("balance", 100);
  const workers = await startWorkers(t, db.url, 4);
  // Each process reads every balance first, so what it has cached goes stale under it.
  for (const w of workers) await w.call("members");
  const started = performance.now();
  const runs = await Promise.all(
    workers.map((w, i) => w.call<{ done: number; refused: number; calls: number }>("transfers", { members, count: 150, maxAmount: 150, seed: 1000 + i }, 40_000)),
  );
  const done = runs.reduce((s, r) => s + r.done, 0);
  const refused = runs.reduce((s, r) => s + r.refused, 0);
  const calls = runs.reduce((s, r) => s + r.calls, 0);
  t.diagnostic(`600 transfers from 4 processes in ${Math.round(performance.now() - started)} ms: ${done} done, ${refused} refused for lack of funds, fn ran ${calls} times`);
  assert.equal(done + refused, 600);
  assert.ok(done > 0 && refused > 0, "both outcomes happened");

  const rows = await cluster.query<{ id2: string; balance: number }>(
    "SELECT id2, (data->>'balance')::int AS balance FROM cogwheel_config WHERE namespace = 'Economy' AND scope = 'member' AND id1 = 'g1' ORDER BY id2",
    [],
    db.name,
  );
  const inDatabase = Object.fromEntries(rows.map((r) => [r.id2, r.balance]));
  const balances = Object.values(inDatabase);
  assert.equal(balances.reduce((s, b) => s + b, 0), 800, `total in ${JSON.stringify(inDatabase)}`);
  assert.ok(balances.every((b) => Number.isInteger(b) && b >= 0), `no negative balance: ${JSON.stringify(inDatabase)}`);
  // A member whose balance went to 0 may be stored as an absent bucket: compare with defaults.
  const expected = Object.fromEntries(members.map((id) => [id, inDatabase[id] ?? 0]));

  await sleep(200); // let the last invalidations arrive
  for (const [i, w] of workers.entries()) {
    const view = await w.call<Record<string, number>>("members");
    assert.deepEqual(Object.fromEntries(members.map((id) => [id, view[id] ?? 0])), expected, `process ${i}'s view`);
    // And member by member, as commands read them: through the process's cache.
    assert.deepEqual(await w.call<Record<string, number>>("balances", { members }), expected, `process ${i}'s cached balances`);
  }
  const mine = await economy.allMembers("g1");
  assert.deepEqual(Object.fromEntries(members.map((id) => [id, mine.get(id)?.balance ?? 0])), expected, "the seeding process's view");
});

/** Polls `worker`'s get until it returns `value`; resolves with how long that took. */
async function seen(worker: ConfigWorker, value: number, ms: number, what: string): Promise<number> {
  const started = performance.now();
  let last: number | undefined;
  while (performance.now() - started < ms) {
    last = await worker.call<number>("get");
    if (last === value) return performance.now() - started;
    await sleep(5);
  }
  assert.fail(`${what}: process B still read ${last} ${ms} ms after A wrote ${value}`);
}

/** The pid of the LISTEN connection of the store whose application_name is `name`. */
async function listenerPid(name: string): Promise<number | undefined> {
  const rows = await cluster.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN %'",
    [name],
  );
  assert.ok(rows.length <= 1, `one LISTEN connection for ${name}, got ${rows.length}`);
  return rows[0]?.pid;
}

test("a write in process A is read by process B, which had cached the old value, within 1 s; also after B's LISTEN connection was killed", { timeout: 30_000 }, async (t) => {
  const db = await cluster.newDatabase();
  const [a, b] = await startWorkers(t, db.url, 2, "visibility");
  await a!.call("set", { value: 1 });
  assert.equal(await b!.call("get"), 1); // B now holds the value (and its version) in its cache
  await a!.call("set", { value: 2 });
  const first = await seen(b!, 2, 1000, "with B's listener up");

  // Kill only B's LISTEN connection (its pool connections share its application_name, but
  // only the listener's last query is LISTEN), and keep it from coming back for a while:
  // the database takes no new connection; open ones (both pools') go on working.
  const old = await listenerPid("visibility-1");
  assert.ok(old !== undefined, "B has a LISTEN connection");
  await cluster.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
  t.after(() => cluster.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`));
  assert.deepEqual(await cluster.query("SELECT pg_terminate_backend($1) AS ok", [old]), [{ ok: true }]);
  await sleep(100);
  assert.equal(await listenerPid("visibility-1"), undefined, "B's listener cannot reconnect yet");
  // While B hears nothing, its reads go to the database (a change made now would go unheard),
  // so it reads A's 3 at once; and once its listener is back it caches again.
  assert.equal(await b!.call("get"), 2);
  await a!.call("set", { value: 3 });
  const during = await b!.call<number>("get");
  assert.equal(during, 3, "B reads through while its listener is down");
  await cluster.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
  // Bounded by B's reconnection back-off (a few hundred ms after ~100 ms of refusals).
  const afterOutage = await seen(b!, 3, 2000, "the write made while B's listener was down");

  const deadline = Date.now() + 5000;
  let renewed: number | undefined;
  while ((renewed = await listenerPid("visibility-1")) === undefined) {
    assert.ok(Date.now() < deadline, "B re-established its LISTEN connection within 5 s");
    await sleep(20);
  }
  assert.notEqual(renewed, old);
  await a!.call("set", { value: 4 });
  const second = await seen(b!, 4, 1000, "with B's new listener");
  t.diagnostic(
    `B read A's write after ${first.toFixed(1)} ms; during the outage B read ${during} after A wrote 3, ` +
      `and 3 ${afterOutage.toFixed(0)} ms after connections were allowed again; A's next write after ${second.toFixed(1)} ms`,
  );
});
