// The examples of the JSON-RPC 2.0 specification, section 7, each as its own test, sent as
// raw text over a real socket and compared with the specification's expected replies.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import type { RpcServer } from "../../src/rpc/index.ts";
import { connect, startServer, type TestClient } from "../support/rpc.ts";

async function specServer(t: TestContext): Promise<{ server: RpcServer; client: TestClient; calls: string[] }> {
  const server = await startServer(t);
  const calls: string[] = [];
  server.methods.register("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend, {
    params: ["minuend", "subtrahend"],
  });
  server.methods.register("update", (...args: unknown[]) => void calls.push(`update ${JSON.stringify(args)}`));
  server.methods.register("sum", (...xs: number[]) => xs.reduce((a, b) => a + b, 0));
  server.methods.register("notify_hello", (x: number) => void calls.push(`notify_hello ${x}`));
  server.methods.register("get_data", () => ["hello", 5]);
  server.methods.register("notify_sum", (...xs: number[]) => void calls.push(`notify_sum ${xs.join(",")}`));
  const client = await connect(t, server);
  return { server, client, calls };
}

/** Batch replies may come in any order; compare them sorted by id. */
function byId<T extends { id: unknown }>(replies: T[]): T[] {
  return [...replies].sort((a, b) => JSON.stringify(a.id).localeCompare(JSON.stringify(b.id)));
}

test("spec 7: rpc call with positional parameters", async (t) => {
  const { client } = await specServer(t);
  client.send('{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}');
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", result: 19, id: 1 });
  client.send('{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}');
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", result: -19, id: 2 });
});

test("spec 7: rpc call with named parameters", async (t) => {
  const { client } = await specServer(t);
  client.send('{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}');
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", result: 19, id: 3 });
  client.send('{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}');
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", result: 19, id: 4 });
});

test("spec 7: a notification", async (t) => {
  const { client, calls } = await specServer(t);
  client.send('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}');
  client.send('{"jsonrpc": "2.0", "method": "foobar"}');
  assert.equal(await client.nothingWithin(150), true);
  assert.deepEqual(calls, ["update [1,2,3,4,5]"]);
});

test("spec 7: rpc call of non-existent method", async (t) => {
  const { client } = await specServer(t);
  client.send('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}');
  assert.deepEqual(await client.nextJson(), {
    jsonrpc: "2.0",
    error: { code: -32601, message: "Method not found" },
    id: "1",
  });
});

test("spec 7: rpc call with invalid JSON", async (t) => {
  const { client } = await specServer(t);
  client.send('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]');
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
});

test("spec 7: rpc call with invalid Request object", async (t) => {
  const { client } = await specServer(t);
  client.send('{"jsonrpc": "2.0", "method": 1, "params": "bar"}');
  const reply = await client.nextJson();
  assert.equal(reply.id, null);
  assert.deepEqual(reply.error.code, -32600);
  assert.deepEqual(reply.error.message, "Invalid Request");
});

test("spec 7: rpc call Batch, invalid JSON", async (t) => {
  const { client } = await specServer(t);
  client.send(`[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`);
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
});

test("spec 7: rpc call with an empty Array", async (t) => {
  const { client } = await specServer(t);
  client.send("[]");
  const reply = await client.nextJson();
  assert.equal(Array.isArray(reply), false);
  assert.deepEqual([reply.id, reply.error.code, reply.error.message], [null, -32600, "Invalid Request"]);
});

test("spec 7: rpc call with an invalid Batch (but not empty)", async (t) => {
  const { client } = await specServer(t);
  client.send("[1]");
  const reply = await client.nextJson();
  assert.equal(reply.length, 1);
  assert.deepEqual([reply[0].id, reply[0].error.code, reply[0].error.message], [null, -32600, "Invalid Request"]);
});

test("spec 7: rpc call with invalid Batch", async (t) => {
  const { client } = await specServer(t);
  client.send("[1,2,3]");
  const reply = await client.nextJson();
  assert.equal(reply.length, 3);
  for (const item of reply) assert.deepEqual([item.jsonrpc, item.id, item.error.code, item.error.message], ["2.0", null, -32600, "Invalid Request"]);
});

test("spec 7: rpc call Batch", async (t) => {
  const { client, calls } = await specServer(t);
  client.send(`[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`);
  const reply = await client.nextJson();
  assert.equal(reply.length, 5);
  const invalid = reply.find((r: { id: unknown }) => r.id === null);
  assert.deepEqual([invalid.error.code, invalid.error.message], [-32600, "Invalid Request"]);
  assert.deepEqual(
    byId(reply.filter((r: { id: unknown }) => r.id !== null)),
    byId([
      { jsonrpc: "2.0", result: 7, id: "1" },
      { jsonrpc: "2.0", result: 19, id: "2" },
      { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: "5" },
      { jsonrpc: "2.0", result: ["hello", 5], id: "9" },
    ]),
  );
  assert.deepEqual(calls, ["notify_hello 7"]);
});

test("spec 7: rpc call Batch (all notifications)", async (t) => {
  const { client, calls } = await specServer(t);
  client.send(`[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]`);
  assert.equal(await client.nothingWithin(150), true);
  assert.deepEqual(calls, ["notify_sum 1,2,4", "notify_hello 7"]);
});
