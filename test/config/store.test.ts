import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { openConfigStore, type ConfigStore } from "../../src/config/index.ts";
import { tempDir } from "../support/config.ts";

const ECONOMY = {
  global: { currency: "credits", rates: { daily: 100 } },
  guild: { payday: 50 },
  channel: { muted: false },
  user: { tags: [] as string[] },
  member: { balance: 0, lastPayday: 0 },
};

async function open(t: import("node:test").TestContext, dir?: string): Promise<{ dir: string; store: ConfigStore }> {
  const d = dir ?? (await tempDir(t));
  const store = await openConfigStore({ dir: d });
  t.after(() => store.close());
  return { dir: d, store };
}

test("defaults are returned for every scope before anything is set", async (t) => {
  const { store } = await open(t);
  const conf = store.namespace("Economy", ECONOMY);
  assert.equal(await conf.global().get("currency"), "credits");
  assert.deepEqual(await conf.global().get("rates"), { daily: 100 });
  assert.equal(await conf.guild("g1").get("payday"), 50);
  assert.equal(await conf.channel("c1").get("muted"), false);
  assert.deepEqual(await conf.user("u1").get("tags"), []);
  assert.deepEqual(await conf.member("g1", "u1").all(), { balance: 0, lastPayday: 0 });
  assert.deepEqual(await conf.allMembers("g1"), new Map());
});

test("set then get works in each scope, and all() fills in defaults", async (t) => {
  const { store } = await open(t);
  const conf = store.namespace("Economy", ECONOMY);
  await conf.global().set("currency", "coins");
  await conf.guild("g1").set("payday", 75);
  await conf.channel("c1").set("muted", true);
  await conf.user("u1").set("tags", ["vip"]);
  await conf.member("g1", "u1").set("balance", 10);
  assert.equal(await conf.global().get("currency"), "coins");
  assert.equal(await conf.guild("g1").get("payday"), 75);
  assert.equal(await conf.channel("c1").get("muted"), true);
  assert.deepEqual(await conf.user("u1").get("tags"), ["vip"]);
  assert.equal(await conf.member("g1", "u1").get("balance"), 10);
  assert.deepEqual(await conf.member("g1", "u1").all(), { balance: 10, lastPayday: 0 });
  assert.deepEqual(await conf.global().all(), { currency: "coins", rates: { daily: 100 } });
});

test("scopes are isolated from each other", async (t) => {
  const { store } = await open(t);
  const conf = store.namespace("Economy", ECONOMY);
  await conf.member("g1", "u1").set("balance", 10);
  await conf.guild("g1").set("payday", 99);
  assert.equal(await conf.member("g1", "u2").get("balance"), 0, "other user, same guild");
  assert.equal(await conf.member("g2", "u1").get("balance"), 0, "same user, other guild");
  assert.equal(await conf.guild("g2").get("payday"), 50, "other guild");
  // The same id in different scope kinds does not collide.
  const shared = store.namespace("Shared", { guild: { n: 0 }, channel: { n: 0 }, user: { n: 0 } });
  await shared.guild("1").set("n", 1);
  await shared.channel("1").set("n", 2);
  await shared.user("1").set("n", 3);
  assert.deepEqual(
    [await shared.guild("1").get("n"), await shared.channel("1").get("n"), await shared.user("1").get("n")],
    [1, 2, 3],
  );
});

test("namespaces are isolated and each has its own file", async (t) => {
  const { dir, store } = await open(t);
  const economy = store.namespace("Economy", { global: { name: "eco" } });
  const core = store.namespace("Core", { global: { name: "Cogwheel" } });
  await economy.global().set("name", "bank");
  assert.equal(await core.global().get("name"), "Cogwheel");
  await core.global().set("name", "Bot");
  assert.equal(await economy.global().get("name"), "bank");
  const coreFile = JSON.parse(await readFile(join(dir, "config", "Core.json"), "utf8"));
  const ecoFile = JSON.parse(await readFile(join(dir, "config", "Economy.json"), "utf8"));
  assert.deepEqual(coreFile.global, { name: "Bot" });
  assert.deepEqual(ecoFile.global, { name: "bank" });
});

test("allMembers / allGuilds / allUsers / allChannels list stored scopes with defaults filled in", async (t) => {
  const { store } = await open(t);
  const conf = store.namespace("Economy", ECONOMY);
  await conf.member("g1", "u1").set("balance", 10);
  await conf.member("g1", "u2").set("lastPayday", 5);
  await conf.member("g2", "u3").set("balance", 7);
  await conf.guild("g1").set("payday", 1);
  await conf.user("u9").set("tags", ["a"]);
  await conf.channel("c9").set("muted", true);
  assert.deepEqual(
    await conf.allMembers("g1"),
    new Map([
      ["u1", { balance: 10, lastPayday: 0 }],
      ["u2", { balance: 0, lastPayday: 5 }],
    ]),
  );
  assert.deepEqual(await conf.allMembers("g2"), new Map([["u3", { balance: 7, lastPayday: 0 }]]));
  assert.deepEqual(await conf.allGuilds(), new Map([["g1", { payday: 1 }]]));
  assert.deepEqual(await conf.allUsers(), new Map([["u9", { tags: ["a"] }]]));
  assert.deepEqual(await conf.allChannels(), new Map([["c9", { muted: true }]]));
  // Cleared members disappear from the listing.
  await conf.member("g1", "u1").clear();
  assert.deepEqual([...(await conf.allMembers("g1")).keys()], ["u2"]);
});

test("clear(key) resets one key; clear() resets the scope", async (t) => {
  const { store } = await open(t);
  const conf = store.namespace("Economy", ECONOMY);
  const m = conf.member("g1", "u1");
  await m.set("balance", 10);
  await m.set("lastPayday", 3);
  await m.clear("balance");
  assert.deepEqual(await m.all(), { balance: 0, lastPayday: 3 });
  await m.clear();
  assert.deepEqual(await m.all(), { balance: 0, lastPayday: 0 });
  assert.deepEqual(await conf.allMembers("g1"), new Map());
});

test("values persist across close and reopen", async (t) => {
  const { dir, store } = await open(t);
  const conf = store.namespace("Economy", ECONOMY);
  await conf.member("g1", "u1").set("balance", 10);
  await conf.global().set("rates", { daily: 5, weekly: [1, 2] } as unknown as { daily: number });
  await conf.user("__proto__").set("tags", ["odd id"]);
  await store.close();
  await store.close(); // safe twice

  const again = await openConfigStore({ dir });
  t.after(() => again.close());
  const conf2 = again.namespace("Economy", ECONOMY);
  assert.equal(await conf2.member("g1", "u1").get("balance"), 10);
  assert.deepEqual(await conf2.global().get("rates"), { daily: 5, weekly: [1, 2] });
  assert.deepEqual(await conf2.user("__proto__").get("tags"), ["odd id"]);
  assert.deepEqual([...(await conf2.allUsers()).keys()], ["__proto__"]);
});

test("unknown keys are rejected with ERR_CONFIG_UNKNOWN_KEY", async (t) => {
  const { store } = await open(t);
  const conf = store.namespace("Economy", ECONOMY);
  const unknown = { name: "ConfigTypeError", code: "ERR_CONFIG_UNKNOWN_KEY" };
  const m = conf.member("g1", "u1") as unknown as {
    get(k: string): Promise<unknown>;
    set(k: string, v: unknown): Promise<void>;
    update(k: string, f: (v: unknown) => unknown): Promise<unknown>;
    clear(k: string): Promise<void>;
  };
  await assert.rejects(m.get("wallet"), (e: Error & { code?: string }) => {
    assert.ok(e instanceof TypeError);
    assert.equal(e.code, "ERR_CONFIG_UNKNOWN_KEY");
    assert.match(e.message, /"wallet".*member scope.*"Economy".*balance, lastPayday/);
    return true;
  });
  await assert.rejects(m.set("wallet", 1), unknown);
  await assert.rejects(m.update("wallet", (v) => v), unknown);
  await assert.rejects(m.clear("wallet"), unknown);
  await assert.rejects(m.get("toString"), unknown, "inherited properties are not keys");
  // A key declared in another scope is unknown here.
  await assert.rejects((conf.guild("g1") as unknown as typeof m).get("balance"), unknown);
  assert.deepEqual(await conf.allMembers("g1"), new Map(), "nothing was stored");
});

test("non-JSON values are rejected with ERR_CONFIG_INVALID_VALUE and nothing is stored", async (t) => {
  const { store } = await open(t);
  const conf = store.namespace("Any", { global: { v: null as unknown as import("../../src/config/index.ts").JsonValue } });
  const set = (v: unknown) => conf.global().set("v", v as never);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const cases: [unknown, RegExp][] = [
    [() => 1, /is a function/],
    [10n, /is a BigInt/],
    [undefined, /is undefined/],
    [{ a: undefined }, / at \.a is undefined/],
    [[1, , 3], / at \[1\] is an array hole/],
    [Number.NaN, /the number NaN/],
    [Number.POSITIVE_INFINITY, /the number Infinity/],
    [Symbol("s"), /is a symbol/],
    [new Date(0), /an instance of Date/],
    [new Map(), /an instance of Map/],
    [cyclic, / at \.self is a circular reference/],
    [{ [Symbol("k")]: 1 }, /symbol keys/],
    [Promise.resolve(1), /Promise/],
    // Refused by every store because PostgreSQL's jsonb cannot hold them.
    ["a\u0000b", /is a string holding U\+0000 or an unpaired surrogate; PostgreSQL's jsonb cannot hold them/],
    [["ok", "\ud800"], / at \[1\] is a string holding U\+0000 or an unpaired surrogate/],
    [{ "k\u0000": 1 }, / at \."k\\u0000" is a key holding U\+0000/],
  ];
  for (const [value, message] of cases) {
    await assert.rejects(set(value), (e: Error & { code?: string }) => {
      assert.ok(e instanceof TypeError, String(value));
      assert.equal(e.code, "ERR_CONFIG_INVALID_VALUE");
      assert.match(e.message, message);
      assert.match(e.message, /key "v" \(global scope of namespace "Any"\)/);
      return true;
    });
  }
  await assert.rejects(
    conf.global().update("v", () => (() => 0) as never),
    { code: "ERR_CONFIG_INVALID_VALUE" },
  );
  assert.equal(await conf.global().get("v"), null, "nothing was stored");
  // Acceptable JSON round-trips, including null-prototype objects and a "__proto__" key.
  const ok = JSON.parse('{"__proto__": {"x": 1}, "n": [1, "a", true, null, {"d": -0.5}], "emoji": "\\ud83d\\ude00"}');
  await set(ok);
  assert.deepEqual(await conf.global().get("v"), ok);
  await set(Object.assign(Object.create(null), { a: 1 }));
  assert.deepEqual({ ...((await conf.global().get("v")) as object) }, { a: 1 });
});

test("defaults and stored values are deep-copied: callers cannot mutate them", async (t) => {
  const { store } = await open(t);
  const defaults = { global: { list: [1, 2], nested: { a: { b: 1 } } } };
  const conf = store.namespace("Copy", defaults);
  defaults.global.list.push(99); // mutating the declaration afterwards changes nothing
  const list = await conf.global().get("list");
  assert.deepEqual(list, [1, 2]);
  list.push(3);
  const nested = await conf.global().get("nested");
  nested.a.b = 42;
  assert.deepEqual(await conf.global().all(), { list: [1, 2], nested: { a: { b: 1 } } });

  const value = [1];
  const pending = conf.global().set("list", value);
  value.push(2); // after the call, before it settles
  await pending;
  const got = await conf.global().get("list");
  got.push(5);
  assert.deepEqual(await conf.global().get("list"), [1]);
  const all = await conf.global().all();
  all.list.push(7);
  assert.deepEqual(await conf.global().get("list"), [1]);
});

test("update is an atomic read-modify-write that returns the new value", async (t) => {
  const { store } = await open(t);
  const conf = store.namespace("Economy", ECONOMY);
  assert.equal(await conf.member("g1", "u1").update("balance", (b) => b + 5), 5);
  assert.equal(await conf.member("g1", "u1").get("balance"), 5);
  await assert.rejects(
    conf.member("g1", "u1").update("balance", () => {
      throw new Error("boom");
    }),
    { message: "boom" },
  );
  assert.equal(await conf.member("g1", "u1").get("balance"), 5, "a throwing updater changes nothing");
});

test("namespace names and ids are validated", async (t) => {
  const { store } = await open(t);
  for (const name of ["", "../etc", "a/b", "has space", "1abc", "x".repeat(101), "Eco.json"]) {
    assert.throws(() => store.namespace(name), { name: "ConfigTypeError", code: "ERR_CONFIG_INVALID_NAME" }, name);
  }
  assert.throws(() => store.namespace(42 as unknown as string), { code: "ERR_CONFIG_INVALID_NAME" });
  const conf = store.namespace("Economy", ECONOMY);
  assert.throws(() => conf.guild(""), { name: "ConfigTypeError", code: "ERR_CONFIG_INVALID_ID" });
  assert.throws(() => conf.member("g1", 5 as unknown as string), { code: "ERR_CONFIG_INVALID_ID" });
  await assert.rejects(conf.allMembers(""), { code: "ERR_CONFIG_INVALID_ID" });
  // Text PostgreSQL cannot hold is refused in ids as in values, by every store.
  assert.throws(() => conf.user("u\u0000"), { code: "ERR_CONFIG_INVALID_ID", message: 'Invalid userId "u\\u0000": U+0000 and unpaired surrogates cannot be stored' });
  assert.throws(() => conf.member("g1", "\ud800"), { code: "ERR_CONFIG_INVALID_ID" });
  assert.throws(() => store.namespace("Bad", { guilds: { a: 1 } } as never), {
    code: "ERR_CONFIG_INVALID_VALUE",
    message: /unknown scope "guilds"/,
  });
  assert.throws(() => store.namespace("Bad", { global: { f: () => 1 } } as never), {
    code: "ERR_CONFIG_INVALID_VALUE",
  });
});

test("openConfigStore needs exactly one of dir or driver", async () => {
  await assert.rejects(openConfigStore({} as never), { code: "ERR_CONFIG_INVALID_OPTIONS" });
  await assert.rejects(openConfigStore({ dir: "" }), { code: "ERR_CONFIG_INVALID_OPTIONS" });
});

test("a new handle for a namespace (e.g. after a cog reload) sees the same data with new defaults", async (t) => {
  const { store } = await open(t);
  const v1 = store.namespace("Economy", { member: { balance: 0 } });
  await v1.member("g1", "u1").set("balance", 3);
  const v2 = store.namespace("Economy", { member: { balance: 0, bonus: 1 } });
  assert.deepEqual(await v2.member("g1", "u1").all(), { balance: 3, bonus: 1 });
  await v2.member("g1", "u1").set("bonus", 2);
  assert.deepEqual(await v1.member("g1", "u1").all(), { balance: 3 }, "old handle keeps its declared keys");
});

test("close waits for pending writes, then operations fail with ERR_CONFIG_CLOSED", async (t) => {
  const { dir, store } = await open(t);
  const conf = store.namespace("Economy", ECONOMY);
  const pending = [1, 2, 3].map((n) => conf.member("g1", `u${n}`).set("balance", n));
  await store.close();
  // Read synchronously, the moment close() has resolved: the writes are already on disk.
  const file = JSON.parse(readFileSync(join(dir, "config", "Economy.json"), "utf8"));
  assert.deepEqual(file.member.g1, { u1: { balance: 1 }, u2: { balance: 2 }, u3: { balance: 3 } });
  await Promise.all(pending);
  await assert.rejects(conf.global().get("currency"), { name: "ConfigError", code: "ERR_CONFIG_CLOSED" });
  await assert.rejects(conf.member("g1", "u1").set("balance", 1), { code: "ERR_CONFIG_CLOSED" });
  assert.throws(() => store.namespace("Core"), { code: "ERR_CONFIG_CLOSED" });
});

test("ready(): loads now and holds stored values to their defaults' JSON types, naming file, scope and key", async (t) => {
  const { dir, store } = await open(t);
  await store.namespace("Economy", ECONOMY).ready(); // nothing stored: nothing to check
  const file = join(dir, "config", "Other.json");
  const { writeFileSync } = await import("node:fs");
  const cases: Array<[object, string]> = [
    [{ channel: { c1: { muted: "no" } } }, `channel "c1" key "muted" is "no", not a boolean`],
    [{ user: { u1: { tags: { a: 1 } } } }, `user "u1" key "tags" is {"a":1}, not an array`],
    [{ global: { rates: [1] } }, `global key "rates" is [1], not an object`],
    [{ guild: { g1: { payday: null } } }, `guild "g1" key "payday" is null, not a number`],
  ];
  for (const [stored, where] of cases) {
    const text = JSON.stringify({ version: 1, ...stored });
    writeFileSync(file, text);
    // A fresh read each time: a refused namespace is read again by the next namespace() call.
    await assert.rejects(store.namespace("Other", ECONOMY).ready(), {
      name: "ConfigError",
      code: "ERR_CONFIG_WRONG_TYPE",
      path: file,
      message: `Config file ${file}: ${where}; fix or remove it by hand, it will not be overwritten`,
    });
    assert.equal(readFileSync(file, "utf8"), text);
  }
  // Undeclared keys and null defaults declare no type to hold a value to.
  writeFileSync(file, JSON.stringify({ version: 1, global: { extra: "x", anything: [1] } }));
  await store.namespace("Other", { global: { anything: null } }).ready();
});
