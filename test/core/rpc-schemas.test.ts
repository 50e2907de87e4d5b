// Every CORE__* method is fully described in rpc.discover, and Core's real results fit the
// schemas it publishes (a mismatch would be logged as a warning by the server).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseOpenRPCDocument } from "@open-rpc/schema-utils-js";
import { connect } from "../support/rpc.ts";
import { startBot } from "../support/bot.ts";

interface Described {
  name: string;
  params: Array<{ name: string; schema: Record<string, unknown> }>;
  result: { schema: Record<string, unknown> };
}

test("every CORE__* method has a schema for each parameter and for its result in rpc.discover", async (t) => {
  const { bot } = await startBot(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  const doc = (await client.call("rpc.discover")).result;
  await parseOpenRPCDocument(doc, { dereference: false });
  const core: Described[] = doc.methods.filter((m: Described) => m.name.startsWith("CORE__"));
  assert.deepEqual(
    core.map((m) => m.name).sort(),
    ["CORE__INVITE_URL", "CORE__LOAD", "CORE__METRICS", "CORE__NAME", "CORE__PREFIXES", "CORE__RELOAD", "CORE__UNLOAD", "CORE__VERSION_INFO"],
  );
  for (const method of core) {
    assert.notDeepEqual(method.result.schema, {}, `${method.name} result`);
    for (const param of method.params) assert.notDeepEqual(param.schema, {}, `${method.name} param ${param.name}`);
  }
  const load = core.find((m) => m.name === "CORE__LOAD")!;
  assert.deepEqual(load.params.map((p) => [p.name, p.schema.type, (p.schema.items as { type: string }).type]), [["pkg_names", "array", "string"]]);
  assert.deepEqual(Object.keys((load.result.schema as { properties: object }).properties), [
    "loaded_packages",
    "failed_packages",
    "invalid_pkg_names",
    "notfound_packages",
    "alreadyloaded_packages",
    "failed_with_reason_packages",
    "repos_with_shared_libs",
  ]);
});

test("Core's results fit their published schemas, and bad params are refused before Core runs", async (t) => {
  const { bot, logger } = await startBot(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  const calls: Array<[string, unknown]> = [
    ["CORE__LOAD", [["economy", "nope", "bad-name!"]]],
    ["CORE__RELOAD", { pkg_names: ["economy"] }],
    ["CORE__UNLOAD", { args: [["economy", "general"]], kwargs: {} }],
    ["CORE__NAME", []],
    ["CORE__NAME", ["Gearbox"]],
    ["CORE__PREFIXES", [["?", "!!"]]],
    ["CORE__PREFIXES", null],
    ["CORE__VERSION_INFO", []],
    ["CORE__INVITE_URL", []],
    ["CORE__METRICS", [true]],
  ];
  for (const [method, params] of calls) {
    const reply = await client.call(method, params);
    assert.equal(reply.error, undefined, `${method} ${JSON.stringify(reply.error)}`);
  }
  assert.deepEqual(logger.entries.filter((e) => e.level === "warn" && String(e.msg).includes("declared schema")), []);
  assert.deepEqual((await client.call("CORE__LOAD", [[1, "general"]])).error, {
    code: -32602,
    message: "Invalid params",
    data: { errors: [{ path: "/pkg_names/0", message: "must be string" }] },
  });
  assert.deepEqual((await client.call("CORE__METRICS", ["yes"])).error.data, {
    errors: [{ path: "/reset", message: "must be boolean or null" }],
  });
});
