// Parameter binding: every form a Red client sends, and exact -32602 data for bad calls.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bindParams, compileParams } from "../../src/rpc/params.ts";
import { connect, startServer } from "../support/rpc.ts";

const transfer = compileParams(["from", "to", "amount?"]);

function bindError(spec: ReturnType<typeof compileParams>, params: unknown): unknown {
  try {
    bindParams(spec, params);
  } catch (error) {
    const e = error as { code: number; message: string; data: unknown };
    return { code: e.code, message: e.message, data: e.data };
  }
  assert.fail("expected -32602");
}

test("positional, named, envelope (both spellings), null/absent and bare scalar all bind", () => {
  assert.deepEqual(bindParams(transfer, ["a", "b", 5]), ["a", "b", 5]);
  assert.deepEqual(bindParams(transfer, { to: "b", from: "a", amount: 5 }), ["a", "b", 5]);
  assert.deepEqual(bindParams(transfer, { args: ["a"], kwargs: { to: "b" } }), ["a", "b"]);
  assert.deepEqual(bindParams(transfer, [{ args: ["a", "b"], kwargs: { amount: 1 } }]), ["a", "b", 1]);
  assert.deepEqual(bindParams(transfer, { kwargs: { from: "a", to: "b" } }), ["a", "b"]);
  const any = compileParams(undefined);
  assert.deepEqual(bindParams(any, null), []);
  assert.deepEqual(bindParams(any, undefined), []);
  assert.deepEqual(bindParams(any, "general"), ["general"]);
  assert.deepEqual(bindParams(any, 42), [42]);
  assert.deepEqual(bindParams(any, { args: [["general"]], kwargs: {} }), [["general"]]);
});

test("an optional parameter skipped by name arrives as undefined so JS defaults apply", () => {
  const spec = compileParams(["a", "b?", "c?"]);
  const args = bindParams(spec, { a: 1, c: 3 });
  assert.deepEqual(args, [1, undefined, 3]);
  const f = (a: number, b = 10, c = 20) => a + b + c;
  assert.equal(f(...(args as [number, number, number])), 14);
});

test("missing, unknown, duplicate and surplus parameters are -32602 with data naming them", () => {
  assert.deepEqual(bindError(transfer, ["a"]), { code: -32602, message: "Invalid params", data: { missing: ["to"] } });
  assert.deepEqual(bindError(transfer, { from: "a", to: "b", amout: 1 }), {
    code: -32602,
    message: "Invalid params",
    data: { unknown: ["amout"] },
  });
  assert.deepEqual(bindError(transfer, { args: ["a", "b"], kwargs: { from: "x" } }), {
    code: -32602,
    message: "Invalid params",
    data: { duplicate: ["from"] },
  });
  assert.deepEqual(bindError(transfer, ["a", "b", 1, 2]), {
    code: -32602,
    message: "Invalid params",
    data: { reason: "too many positional parameters", expected: ["from", "to", "amount"], received: 4 },
  });
  assert.deepEqual(bindError(compileParams(undefined), { pkg_names: ["x"] }), {
    code: -32602,
    message: "Invalid params",
    data: { reason: "this method takes positional parameters only", unknown: ["pkg_names"] },
  });
  assert.deepEqual(bindError(transfer, { args: "a" }), { code: -32602, message: "Invalid params", data: { reason: '"args" must be an array' } });
  assert.deepEqual(bindError(transfer, { args: [], kwargs: [1] }), { code: -32602, message: "Invalid params", data: { reason: '"kwargs" must be an object' } });
});

test("a rest parameter takes every remaining positional argument", () => {
  const spec = compileParams(["first", "...more"]);
  assert.deepEqual(bindParams(spec, [1, 2, 3]), [1, 2, 3]);
  assert.deepEqual(bindError(spec, []), { code: -32602, message: "Invalid params", data: { missing: ["first"] } });
  assert.deepEqual(bindParams(spec, { first: 1, more: [2, 3] }), [1, 2, 3], "a rest parameter may be passed by name as a list");
  assert.deepEqual(bindParams(compileParams(["...topics"]), { topics: ["A", "B"] }), ["A", "B"]);
});

test("bad declarations throw at registration", () => {
  assert.throws(() => compileParams(["a", "a"]), /declared twice/);
  assert.throws(() => compileParams(["a?", "b"]), /cannot follow an optional/);
  assert.throws(() => compileParams(["...r", "b"]), /must be the last/);
  assert.throws(() => compileParams(["a", "...a"]), /declared twice/);
  assert.throws(() => compileParams(["no spaces"]), /not a valid name/);
});

test("over the wire: Red's seed-style envelope, by-name and positional calls reach the handler alike", async (t) => {
  const server = await startServer(t);
  const seen: unknown[] = [];
  server.methods.register("load", (pkgNames: string[]) => (seen.push(pkgNames), pkgNames.length), { params: ["pkg_names"] });
  const client = await connect(t, server);
  const forms = [
    [["general", "economy"]],
    { pkg_names: ["general", "economy"] },
    { args: [["general", "economy"]], kwargs: {} },
    [{ args: [["general", "economy"]], kwargs: {} }],
    { args: [], kwargs: { pkg_names: ["general", "economy"] } },
  ];
  for (const params of forms) assert.deepEqual((await client.call("LOAD", params)).result, 2, JSON.stringify(params));
  assert.deepEqual(seen, forms.map(() => ["general", "economy"]));
  const reply = await client.call("load", { pkg_name: ["x"] });
  assert.deepEqual(reply.error, { code: -32602, message: "Invalid params", data: { missing: ["pkg_names"], unknown: ["pkg_name"] } });
});
