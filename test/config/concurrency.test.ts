import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import {
  JsonFileDriver,
  openConfigStore,
  type NamespaceDocument,
} from "../../src/config/index.ts";
import { SpyDriver, tempDir } from "../support/config.ts";


test("concurrent updates lose no increments, in memory and on disk", async (t) => {
  const dir = await tempDir(t);
  const store = await openConfigStore({ dir });
  t.after(() => store.close());
  const conf = store.namespace("Economy", { member: { balance: 0, visits: 0 } });
  const balances: Promise<number>[] = [];
  const visits: Promise<number>[] = [];
  for (let i = 0; i < 200; i++) {
    balances.push(conf.member("g1", "u1").update("balance", (b) => b + 1));
    visits.push(conf.member("g1", "u1").update("visits", (v) => v + 2));
    if (i % 10 === 0) await nextTurn(); // spread them over several turns and file writes
  }
  // Each update saw the previous one's result: they returned 1..200 and 2..400, in order.
  assert.deepEqual(await Promise.all(balances), Array.from({ length: 200 }, (_, i) => i + 1));
  assert.deepEqual(await Promise.all(visits), Array.from({ length: 200 }, (_, i) => 2 * (i + 1)));
  assert.equal(await conf.member("g1", "u1").get("balance"), 200);
  assert.equal(await conf.member("g1", "u1").get("visits"), 400);
  await store.close();

  const again = await openConfigStore({ dir });
  t.after(() => again.close());
  const conf2 = again.namespace("Economy", { member: { balance: 0, visits: 0 } });
  assert.deepEqual(await conf2.member("g1", "u1").all(), { balance: 200, visits: 400 });
});

test("sets are coalesced into few file writes and every one of them persists", async (t) => {
  const dir = await tempDir(t);
  const driver = new SpyDriver(await JsonFileDriver.open(dir));
  const store = await openConfigStore({ driver });
  t.after(() => store.close());
  const conf = store.namespace("Economy", { member: { balance: 0 } });
  await conf.member("g0", "warmup").set("balance", 1); // namespace loaded, one write done
  assert.equal(driver.completed.length, 1);

  const first = Array.from({ length: 100 }, (_, i) => conf.member("g1", `u${i}`).set("balance", i));
  while (driver.started < 2) await nextTurn(); // the first write has started
  assert.equal(driver.completed.length, 1, "and is still in flight");
  const second = Array.from({ length: 100 }, (_, i) => conf.member("g2", `u${i}`).set("balance", i + 1000));
  await Promise.all([...first, ...second]);
  assert.equal(driver.completed.length, 3, "200 sets took 2 file writes: one per turn of arrivals");
  assert.equal(Object.keys(driver.completed[1]!.member.g1 ?? {}).length, 100);
  assert.equal(Object.keys(driver.completed[2]!.member.g2 ?? {}).length, 100);
  await store.close();

  const file = JSON.parse(readFileSync(join(dir, "config", "Economy.json"), "utf8")) as NamespaceDocument;
  for (let i = 0; i < 100; i++) {
    assert.deepEqual(file.member.g1?.[`u${i}`], { balance: i });
    assert.deepEqual(file.member.g2?.[`u${i}`], { balance: i + 1000 });
  }
});

test("each set resolves only once a completed file write contains it", async (t) => {
  const dir = await tempDir(t);
  const store = await openConfigStore({ dir });
  t.after(() => store.close());
  const conf = store.namespace("Economy", { member: { balance: 0 } });
  const path = join(dir, "config", "Economy.json");
  const checks: Promise<void>[] = [];
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 20; i++) {
      const user = `u${round}_${i}`;
      checks.push(
        conf.member("g1", user).set("balance", i + 1).then(() => {
          // Read synchronously, the moment the promise settles: it is already on disk.
          const onDisk = JSON.parse(readFileSync(path, "utf8")) as NamespaceDocument;
          assert.deepEqual(onDisk.member.g1?.[user], { balance: i + 1 }, user);
        }),
      );
    }
    await nextTurn();
  }
  await Promise.all(checks);
});

test("a failed write rejects its sets and applies none of them; later writes are unaffected", async (t) => {
  const dir = await tempDir(t);
  const driver = new SpyDriver(await JsonFileDriver.open(dir));
  const store = await openConfigStore({ driver });
  t.after(() => store.close());
  const conf = store.namespace("Economy", { member: { balance: 0 } });
  await conf.member("g1", "u0").set("balance", 1);
  driver.failNext = true;
  await assert.rejects(conf.member("g1", "u1").set("balance", 5), { code: "ENOSPC", message: "disk full" });
  assert.equal(await conf.member("g1", "u1").get("balance"), 0, "not applied in memory either");
  await conf.member("g1", "u2").set("balance", 7);
  await store.close();
  const file = JSON.parse(readFileSync(join(dir, "config", "Economy.json"), "utf8")) as NamespaceDocument;
  assert.deepEqual(file.member.g1, { u0: { balance: 1 }, u2: { balance: 7 } });
});

test("a failed write fails the operations that changed something, or read what they changed; the others of its batch keep their results", async (t) => {
  const dir = await tempDir(t);
  const driver = new SpyDriver(await JsonFileDriver.open(dir));
  const store = await openConfigStore({ driver });
  t.after(() => store.close());
  const conf = store.namespace("Economy", { member: { balance: 0 } });
  await conf.member("g2", "u9").set("balance", 9);
  driver.failNext = true;
  const [set, readsOther, readsChanged, noop] = await Promise.allSettled([
    conf.member("g1", "u1").set("balance", 5),
    conf.transaction((tx) => tx.member("g2", "u9").get("balance")),
    conf.transaction((tx) => tx.member("g1", "u1").get("balance")),
    conf.member("g3", "u3").clear(),
  ]);
  assert.equal(set.status === "rejected" && (set.reason as { code?: string }).code, "ENOSPC");
  assert.deepEqual(readsOther, { status: "fulfilled", value: 9 });
  assert.equal(readsChanged.status, "rejected", "it saw u1 = 5, which was never stored");
  assert.deepEqual(noop, { status: "fulfilled", value: undefined });
});

test("a failed write also fails an operation that threw because of another one's change that was never stored", async (t) => {
  const dir = await tempDir(t);
  const driver = new SpyDriver(await JsonFileDriver.open(dir));
  const store = await openConfigStore({ driver });
  t.after(() => store.close());
  const conf = store.namespace("Economy", { member: { balance: 0 } });
  await conf.member("g1", "u1").set("balance", 100);
  driver.failNext = true;
  const [emptied, withdrawal] = await Promise.allSettled([
    conf.member("g1", "u1").set("balance", 0),
    conf.transaction((tx) => {
      const balance = tx.member("g1", "u1").get("balance");
      if (balance < 10) throw new Error(`insufficient funds: balance ${balance}`);
      tx.member("g1", "u1").set("balance", balance - 10);
    }),
  ]);
  assert.equal(emptied.status === "rejected" && (emptied.reason as { code?: string }).code, "ENOSPC");
  // Its "insufficient funds" came from a balance of 0 that was never stored: the truth is the write error.
  assert.equal(withdrawal.status === "rejected" && (withdrawal.reason as { code?: string }).code, "ENOSPC");
  assert.equal(await conf.member("g1", "u1").get("balance"), 100);
});
