import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import {
  JsonFileDriver,
  openConfigStore,
  type ConfigStore,
  type NamespaceDocument,
} from "../../src/config/index.ts";
import { SpyDriver, tempDir } from "../support/config.ts";

const BANK = {
  global: { currency: "credits", rates: { daily: 100 } },
  guild: { payday: 50 },
  channel: { muted: false },
  user: { tags: [] as string[] },
  member: { balance: 0, lastPayday: 0 },
};


async function open(t: TestContext): Promise<{ dir: string; store: ConfigStore; driver: SpyDriver }> {
  const dir = await tempDir(t);
  const driver = new SpyDriver(await JsonFileDriver.open(dir));
  const store = await openConfigStore({ driver });
  t.after(() => store.close());
  return { dir, store, driver };
}

function fileOf(dir: string, name = "Bank"): NamespaceDocument {
  return JSON.parse(readFileSync(join(dir, "config", `${name}.json`), "utf8")) as NamespaceDocument;
}

test("a transaction changes several scopes and keys, in one file write, visible to later reads", async (t) => {
  const { dir, store, driver } = await open(t);
  const conf = store.namespace("Bank", BANK);
  await conf.member("g1", "u1").set("balance", 100);
  const writes = driver.completed.length;

  const result = await conf.transaction((tx) => {
    const from = tx.member("g1", "u1");
    const to = tx.member("g1", "u2");
    const balance = from.get("balance");
    from.set("balance", balance - 30);
    const credited = to.update("balance", (b) => b + 30);
    assert.equal(from.get("balance"), 70, "a transaction reads its own changes");
    tx.global().set("currency", "coins");
    tx.guild("g1").set("payday", 75);
    tx.channel("c1").set("muted", true);
    tx.user("u2").update("tags", (tags) => [...tags, "vip"]);
    return { from: from.get("balance"), to: credited };
  });
  assert.deepEqual(result, { from: 70, to: 30 }, "resolves with fn's result");

  // Durable the moment it resolves, in exactly one write holding every change.
  assert.equal(driver.completed.length, writes + 1, "one file write");
  const file = fileOf(dir);
  assert.deepEqual(file.member, { g1: { u1: { balance: 70 }, u2: { balance: 30 } } });
  assert.deepEqual(file.global, { currency: "coins" });
  assert.deepEqual(file.guild, { g1: { payday: 75 } });
  assert.deepEqual(file.channel, { c1: { muted: true } });
  assert.deepEqual(file.user, { u2: { tags: ["vip"] } });

  // Later reads, through handles and through another transaction, see it.
  assert.equal(await conf.member("g1", "u2").get("balance"), 30);
  assert.deepEqual(await conf.global().all(), { currency: "coins", rates: { daily: 100 } });
  assert.deepEqual([...(await conf.allMembers("g1")).keys()], ["u1", "u2"]);
  assert.deepEqual(await conf.transaction((tx) => tx.member("g1", "u1").all()), { balance: 70, lastPayday: 0 });
});

test("if fn throws, nothing changes: every set, update and clear before the throw is undone", async (t) => {
  const { dir, store, driver } = await open(t);
  const conf = store.namespace("Bank", BANK);
  await conf.transaction((tx) => {
    tx.member("g1", "u1").set("balance", 10);
    tx.member("g1", "u2").set("balance", 20);
    tx.member("g1", "u2").set("lastPayday", 5);
    tx.global().set("currency", "coins");
    tx.user("u1").set("tags", ["a"]);
  });
  const writes = driver.completed.length;
  const before = readFileSync(join(dir, "config", "Bank.json"), "utf8");

  const boom = new Error("changed my mind");
  await assert.rejects(
    conf.transaction((tx) => {
      tx.member("g1", "u1").set("balance", 999); // an existing key
      tx.member("g1", "u1").update("lastPayday", () => 1); // a new key in an existing scope
      tx.member("g1", "u3").set("balance", 5); // a new scope
      tx.member("g9", "u1").set("balance", 5); // a new guild of members
      tx.member("g1", "u2").clear(); // a whole scope reset
      tx.user("u1").clear("tags");
      tx.global().set("currency", "gold");
      tx.global().set("rates", { daily: 1 });
      tx.channel("c1").set("muted", true);
      assert.equal(tx.member("g1", "u2").get("balance"), 0, "cleared, within the transaction");
      throw boom;
    }),
    (error) => error === boom,
  );

  // In memory: exactly as before, including which scopes exist and their order.
  assert.deepEqual(await conf.member("g1", "u1").all(), { balance: 10, lastPayday: 0 });
  assert.deepEqual(await conf.member("g1", "u2").all(), { balance: 20, lastPayday: 5 });
  assert.deepEqual([...(await conf.allMembers("g1")).keys()], ["u1", "u2"]);
  assert.deepEqual(await conf.allMembers("g9"), new Map());
  assert.deepEqual(await conf.allChannels(), new Map());
  assert.deepEqual(await conf.user("u1").get("tags"), ["a"]);
  assert.deepEqual(await conf.global().all(), { currency: "coins", rates: { daily: 100 } });
  // Nothing written; and the next write stores the same document as before.
  assert.equal(driver.completed.length, writes, "a rolled-back transaction writes nothing");
  await conf.member("g0", "x").set("balance", 1);
  await conf.member("g0", "x").clear();
  assert.equal(readFileSync(join(dir, "config", "Bank.json"), "utf8"), before);

  // A throw from inside a tx update rolls back the sets made before it, too.
  await assert.rejects(
    conf.transaction((tx) => {
      tx.member("g1", "u1").set("balance", 0);
      tx.member("g1", "u2").update("balance", () => {
        throw new RangeError("no");
      });
    }),
    RangeError,
  );
  assert.equal(await conf.member("g1", "u1").get("balance"), 10);
});

test("validation inside a transaction: same error codes as the handles, and an uncaught one rolls back", async (t) => {
  const { store, driver } = await open(t);
  const conf = store.namespace("Bank", BANK);
  const codes = await conf.transaction((tx) => {
    const code = (f: () => unknown) => {
      try {
        f();
        return "no error";
      } catch (error) {
        return `${(error as Error).name} ${(error as { code?: string }).code}`;
      }
    };
    const m = tx.member("g1", "u1") as unknown as {
      get(k: string): unknown;
      set(k: string, v: unknown): void;
      update(k: string, f: unknown): unknown;
      clear(k: string): void;
    };
    return {
      unknownGet: code(() => m.get("nope")),
      unknownSet: code(() => m.set("nope", 1)),
      unknownUpdate: code(() => m.update("nope", () => 1)),
      unknownClear: code(() => m.clear("nope")),
      fnValue: code(() => m.set("balance", () => 1)),
      undefinedValue: code(() => m.set("balance", undefined)),
      nan: code(() => m.set("balance", NaN)),
      date: code(() => m.set("balance", new Date())),
      updateToBigInt: code(() => m.update("balance", () => 1n)),
      updateNotFn: code(() => m.update("balance", 5)),
      badId: code(() => tx.member("", "u1")),
      badGuild: code(() => tx.guild(7 as unknown as string)),
      undeclaredScope: code(() => (tx.channel("c1") as unknown as { set(k: string, v: unknown): void }).set("x", 1)),
      after: m.get("balance"), // caught errors changed nothing
    };
  });
  assert.deepEqual(codes, {
    unknownGet: "ConfigTypeError ERR_CONFIG_UNKNOWN_KEY",
    unknownSet: "ConfigTypeError ERR_CONFIG_UNKNOWN_KEY",
    unknownUpdate: "ConfigTypeError ERR_CONFIG_UNKNOWN_KEY",
    unknownClear: "ConfigTypeError ERR_CONFIG_UNKNOWN_KEY",
    fnValue: "ConfigTypeError ERR_CONFIG_INVALID_VALUE",
    undefinedValue: "ConfigTypeError ERR_CONFIG_INVALID_VALUE",
    nan: "ConfigTypeError ERR_CONFIG_INVALID_VALUE",
    date: "ConfigTypeError ERR_CONFIG_INVALID_VALUE",
    updateToBigInt: "ConfigTypeError ERR_CONFIG_INVALID_VALUE",
    updateNotFn: "ConfigTypeError ERR_CONFIG_INVALID_VALUE",
    badId: "ConfigTypeError ERR_CONFIG_INVALID_ID",
    badGuild: "ConfigTypeError ERR_CONFIG_INVALID_ID",
    undeclaredScope: "ConfigTypeError ERR_CONFIG_UNKNOWN_KEY",
    after: 0,
  });
  assert.equal(driver.completed.length, 0, "a transaction that changed nothing writes nothing");

  // An uncaught validation error rejects the transaction and undoes the sets before it.
  await assert.rejects(
    conf.transaction((tx) => {
      tx.member("g1", "u1").set("balance", 5);
      tx.member("g1", "u2").set("balance", { toJSON: () => 1, when: new Date() } as unknown as number);
    }),
    { name: "ConfigTypeError", code: "ERR_CONFIG_INVALID_VALUE" },
  );
  assert.deepEqual(await conf.allMembers("g1"), new Map());

  // fn must be a synchronous function; an async one changes nothing.
  await assert.rejects(conf.transaction(42 as unknown as () => void), { code: "ERR_CONFIG_INVALID_VALUE" });
  let later: unknown;
  await assert.rejects(
    conf.transaction(async (tx) => {
      tx.member("g1", "u1").set("balance", 7);
      await nextTurn();
      try {
        tx.member("g1", "u1").set("balance", 8);
      } catch (error) {
        later = error;
      }
    }),
    { name: "ConfigTypeError", code: "ERR_CONFIG_INVALID_VALUE", message: /must be synchronous/ },
  );
  while (later === undefined) await nextTurn();
  assert.equal((later as { code?: string }).code, "ERR_CONFIG_TRANSACTION_ENDED");
  assert.equal(await conf.member("g1", "u1").get("balance"), 0);

  // The handle is dead once fn has returned.
  let kept: Parameters<Parameters<typeof conf.transaction>[0]>[0] | undefined;
  await conf.transaction((tx) => void (kept = tx));
  assert.throws(() => kept!.global(), { name: "ConfigError", code: "ERR_CONFIG_TRANSACTION_ENDED" });
  await store.close();
  await assert.rejects(conf.transaction(() => 1), { code: "ERR_CONFIG_CLOSED" });
});

test("a transaction copies values in and out like the handles do", async (t) => {
  const { store } = await open(t);
  const conf = store.namespace("Bank", BANK);
  await conf.transaction((tx) => {
    const tags = ["a"]; // made inside fn: fn may run more than once (here: u1 is loaded first)
    tx.user("u1").set("tags", tags);
    tags.push("leaked?");
    const read = tx.user("u1").get("tags");
    read.push("leaked?");
    const rates = tx.global().get("rates");
    (rates as { daily: number }).daily = 0; // a copy of the default
    const all = tx.global().all();
    (all.rates as { daily: number }).daily = 0;
    const updated = tx.user("u2").update("tags", (t) => [...t, "b"]);
    updated.push("leaked?");
  });
  assert.deepEqual(await conf.user("u1").get("tags"), ["a"]);
  assert.deepEqual(await conf.user("u2").get("tags"), ["b"]);
  assert.deepEqual(await conf.global().get("rates"), { daily: 100 });
});

test("transactions and updates interleaved lose no increments, and every transaction sees a consistent state", async (t) => {
  const { dir, store } = await open(t);
  const conf = store.namespace("Bank", BANK);
  await conf.transaction((tx) => {
    tx.member("g1", "a").set("balance", 1000);
    tx.member("g1", "b").set("balance", 1000);
  });
  const pending: Promise<unknown>[] = [];
  const sums: number[] = [];
  for (let i = 0; i < 300; i++) {
    // An increment by update and one by transaction, on the same key.
    pending.push(conf.member("g1", "c").update("balance", (n) => n + 1));
    pending.push(conf.transaction((tx) => tx.member("g1", "c").update("balance", (n) => n + 1)));
    // A transfer between a and b, in either direction, racing with plain updates of a.
    const [from, to] = i % 2 === 0 ? ["a", "b"] : ["b", "a"];
    pending.push(
      conf.transaction((tx) => {
        const src = tx.member("g1", from);
        src.set("balance", src.get("balance") - 3);
        tx.member("g1", to).update("balance", (n) => n + 3);
        // Only the last run of fn counts (it may run again after a conflict or a load).
        sums[i] = tx.member("g1", "a").get("balance") + tx.member("g1", "b").get("balance") - tx.member("g1", "d").get("balance");
      }),
    );
    pending.push(
      conf.transaction((tx) => {
        tx.member("g1", "a").update("balance", (n) => n + 1);
        tx.member("g1", "d").update("balance", (n) => n + 1);
      }),
    );
    if (i % 25 === 0) await nextTurn(); // spread them over several file writes
  }
  await Promise.all(pending);
  assert.equal(await conf.member("g1", "c").get("balance"), 600);
  assert.deepEqual(sums, Array.from({ length: 300 }, () => 2000), "a + b - d is the same in every transaction");
  const members = await conf.allMembers("g1");
  assert.equal(members.get("a")!.balance + members.get("b")!.balance, 2300);
  assert.equal(members.get("d")!.balance, 300);
  await store.close();
  const file = fileOf(dir);
  assert.deepEqual(file.member.g1?.c, { balance: 600 });
  assert.equal((file.member.g1?.a?.balance as number) + (file.member.g1?.b?.balance as number), 2300);
});

test("a failed write rejects the transaction and changes nothing, in memory or on disk", async (t) => {
  const { dir, store, driver } = await open(t);
  const conf = store.namespace("Bank", BANK);
  await conf.member("g1", "u0").set("balance", 1);
  driver.failNext = true;
  await assert.rejects(
    conf.transaction((tx) => {
      tx.member("g1", "u1").set("balance", 5);
      tx.member("g1", "u2").set("balance", 6);
    }),
    { code: "ENOSPC" },
  );
  assert.equal(await conf.member("g1", "u2").get("balance"), 0, "not applied: a change is visible only once stored");
  await conf.member("g1", "u3").set("balance", 7);
  assert.deepEqual(fileOf(dir).member.g1, { u0: { balance: 1 }, u3: { balance: 7 } });
});
