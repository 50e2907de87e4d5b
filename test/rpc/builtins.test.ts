// Red's built-in methods, case-insensitive look-up, and rpc.discover validated as OpenRPC.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseOpenRPCDocument } from "@open-rpc/schema-utils-js";
import { cogMethodName, createRpcServer, NO_DOC } from "../../src/rpc/index.ts";
import { connect, recordingLogger, startServer } from "../support/rpc.ts";

const BUILTINS = ["GET_METHODS", "GET_METHOD_INFO", "GET_TOPICS", "GET_TOPIC", "GET_SUBSCRIPTIONS", "SUBSCRIBE", "UNSUBSCRIBE", "rpc.discover"];

test("GET_METHODS lists built-ins and registered methods, upper-case", async (t) => {
  const server = await startServer(t);
  server.methods.register(cogMethodName("Economy", "balance"), () => 0);
  const client = await connect(t, server);
  assert.deepEqual((await client.call("GET_METHODS")).result, [...BUILTINS, "ECONOMY__BALANCE"]);
});

test("GET_METHOD_INFO returns the registered doc, and Red's text for unknown or undocumented methods", async (t) => {
  const server = await startServer(t);
  server.methods.register("ECONOMY__BALANCE", () => 0, { doc: "Returns a member's balance." });
  server.methods.register("bare", () => 0);
  const client = await connect(t, server);
  assert.equal((await client.call("GET_METHOD_INFO", ["ECONOMY__BALANCE"])).result, "Returns a member's balance.");
  assert.equal((await client.call("GET_METHOD_INFO", ["economy__balance"])).result, "Returns a member's balance.");
  assert.equal((await client.call("GET_METHOD_INFO", ["nope"])).result, "No docstring available.");
  assert.equal((await client.call("GET_METHOD_INFO", ["bare"])).result, NO_DOC);
  assert.equal((await client.call("GET_METHOD_INFO", { method: "bare" })).result, NO_DOC);
  assert.deepEqual((await client.call("GET_METHOD_INFO", [])).error, { code: -32602, message: "Invalid params", data: { missing: ["method"] } });
});

test("look-up is case-insensitive: Red's documented GET_METHOD_INFO [\"get_methods\"] works", async (t) => {
  const server = await startServer(t);
  const client = await connect(t, server);
  assert.equal((await client.call("get_method_info", ["get_methods"])).result, "Returns the names of every method, built-ins included.");
  assert.deepEqual((await client.call("Get_Topics")).result, []);
});

test("look-up folds ASCII letters only: a name with ſ or ı (which upper-case to S and I) is Method not found, and no topic", async (t) => {
  const server = await startServer(t);
  server.topics.register("CORE__STATUS");
  const client = await connect(t, server);
  const notFound = { code: -32601, message: "Method not found" };
  // ſ (long s, U+017F) and ı (dotless i, U+0131): toUpperCase turns them into S and I.
  for (const method of ["get_methodſ", "rpc.diſcover", "GET_METHOD_ınFO", "ſubscribe"]) {
    const reply = await client.call(method);
    assert.deepEqual(reply, { jsonrpc: "2.0", id: reply.id, error: notFound }, method);
  }
  assert.equal((await client.call("GET_METHOD_INFO", ["get_methodſ"])).result, NO_DOC);
  assert.deepEqual((await client.call("SUBSCRIBE", ["CORE__STATUſ", "core__ſtatus"])).result, []);
  assert.deepEqual((await client.call("GET_SUBSCRIPTIONS")).result, []);
  // The ASCII spellings, any case, still work.
  assert.ok((await client.call("get_methods")).result.includes("GET_METHODS"));
  assert.equal((await client.call("rpc.discover")).result.info.title, "Cogwheel RPC");
  assert.deepEqual((await client.call("SUBSCRIBE", ["core__status"])).result, ["CORE__STATUS"]);
});

test("a cog or method name with a non-ASCII letter is invalid, not folded into an ASCII name", () => {
  const server = createRpcServer({ port: 0 });
  assert.equal(cogMethodName("Caſh", "balance"), "CAſH__BALANCE");
  assert.equal(cogMethodName("Cash", "ſum"), "CASH__ſUM");
  for (const name of [cogMethodName("Caſh", "balance"), "get_methodſ"]) {
    assert.throws(() => server.methods.register(name, () => 0), { code: "ERR_RPC_INVALID_NAME" }, name);
  }
});

test("GET_TOPICS and GET_TOPIC list topics; SUBSCRIBE/UNSUBSCRIBE return the connection's subscriptions as a plain list", async (t) => {
  const server = await startServer(t);
  server.topics.register("ECONOMY__BALANCE_CHANGED", { doc: "A balance changed." });
  server.topics.register("core__status");
  const client = await connect(t, server);
  assert.deepEqual((await client.call("GET_TOPICS")).result, ["ECONOMY__BALANCE_CHANGED", "CORE__STATUS"]);
  assert.deepEqual((await client.call("GET_TOPIC")).result, ["ECONOMY__BALANCE_CHANGED", "CORE__STATUS"]);
  assert.deepEqual((await client.call("SUBSCRIBE", ["economy__balance_changed", "NOT_A_TOPIC"])).result, ["ECONOMY__BALANCE_CHANGED"]);
  assert.deepEqual((await client.call("SUBSCRIBE", [["CORE__STATUS"]])).result, ["ECONOMY__BALANCE_CHANGED", "CORE__STATUS"]);
  assert.deepEqual((await client.call("GET_SUBSCRIPTIONS")).result, ["ECONOMY__BALANCE_CHANGED", "CORE__STATUS"]);
  assert.deepEqual((await client.call("UNSUBSCRIBE", ["ECONOMY__BALANCE_CHANGED"])).result, ["CORE__STATUS"]);
  assert.deepEqual((await client.call("SUBSCRIBE", [5])).error.code, -32602);
  const other = await connect(t, server);
  assert.deepEqual((await other.call("GET_SUBSCRIPTIONS")).result, [], "subscriptions are per connection");
});

test("rpc.discover returns a valid OpenRPC document with params, docs and topics", async (t) => {
  const server = await startServer(t, { info: { title: "Test bot", version: "1.2.3" } });
  server.methods.register("ECONOMY__TRANSFER", () => 0, { params: ["from", "to", "amount?"], doc: "Moves credits." });
  server.methods.register("free", () => 0);
  server.topics.register("ECONOMY__BALANCE_CHANGED", { doc: "A balance changed." });
  const client = await connect(t, server);
  const doc = (await client.call("rpc.discover")).result;
  await parseOpenRPCDocument(doc, { dereference: false }); // throws on an invalid document
  assert.deepEqual(doc.info, { title: "Test bot", version: "1.2.3" });
  const transfer = doc.methods.find((m: { name: string }) => m.name === "ECONOMY__TRANSFER");
  assert.deepEqual(transfer.params.map((p: { name: string; required: boolean }) => [p.name, p.required]), [
    ["from", true],
    ["to", true],
    ["amount", false],
  ]);
  assert.equal(transfer.description, "Moves credits.");
  assert.deepEqual(doc["x-topics"], [{ name: "ECONOMY__BALANCE_CHANGED", description: "A balance changed." }]);
  assert.deepEqual(doc.methods.map((m: { name: string }) => m.name), [...BUILTINS, "ECONOMY__TRANSFER", "FREE"]);
});

test("an invalid document is rejected by the validator (so the check above can fail)", async () => {
  await assert.rejects(parseOpenRPCDocument({ openrpc: "1.3.2", info: { title: "x" }, methods: [{ name: 1 }] } as never, { dereference: false }));
});

test("registration errors: bad names, taken names, non-functions, reserved rpc. prefix", async (t) => {
  const server = await startServer(t);
  server.methods.register("ECONOMY__BALANCE", () => 0, { owner: "Economy" });
  assert.throws(() => server.methods.register("economy__balance", () => 0, { owner: "Other" }), {
    code: "ERR_RPC_NAME_TAKEN",
    message: 'method ECONOMY__BALANCE is already registered by "Economy"',
  });
  assert.throws(() => server.methods.register("get_methods", () => 0), { code: "ERR_RPC_NAME_TAKEN" });
  assert.throws(() => server.methods.register("bad name", () => 0), { code: "ERR_RPC_INVALID_NAME" });
  assert.throws(() => server.methods.register("rpc.mine", () => 0), { code: "ERR_RPC_INVALID_NAME" });
  assert.throws(() => server.methods.register("x", "nope" as never), { code: "ERR_RPC_INVALID_HANDLER" });
  assert.throws(() => server.topics.register("GET_METHODS2 x"), { code: "ERR_RPC_INVALID_NAME" });
});

test("a Disposable removes only its own registration; removeOwner drops a whole owner", async (t) => {
  const server = await startServer(t);
  const first = server.methods.register("A", () => 1, { owner: "Cog" });
  server.methods.removeOwner("Cog"); // removed behind the back of `first`
  const second = server.methods.register("A", () => 2, { owner: "Cog" });
  first.dispose(); // must not remove the newer registration of the same name
  const client = await connect(t, server);
  assert.equal((await client.call("A")).result, 2);
  server.methods.register("B", () => 3, { owner: "Cog" });
  server.methods.register("C", () => 4, { owner: "Keep" });
  server.topics.register("T", { owner: "Cog" });
  assert.equal(server.methods.removeOwner("Cog"), 2);
  assert.equal(server.topics.removeOwner("Cog"), 1);
  assert.deepEqual((await client.call("GET_METHODS")).result, [...BUILTINS, "C"]);
  assert.deepEqual((await client.call("GET_TOPICS")).result, []);
  second.dispose();
});

test("cog method names follow Red's rule", () => {
  assert.equal(cogMethodName("Economy", "balance"), "ECONOMY__BALANCE");
  assert.equal(cogMethodName("Core", "load"), "CORE__LOAD");
  assert.equal(cogMethodName("Dash", "getVariables"), "DASH__GET_VARIABLES");
  assert.equal(cogMethodName("Dash", "_private_thing_"), "DASH__PRIVATE_THING");
  assert.equal(cogMethodName("Dash", "HTTPServer"), "DASH__HTTP_SERVER");
});

test("a throwing change listener is logged and does not undo or break the registration", async (t) => {
  const logger = recordingLogger();
  const server = await startServer(t, { logger });
  server.methods.onDidChange(() => {
    throw new Error("listener bug");
  });
  const registration = server.methods.register("X", () => 1);
  const client = await connect(t, server);
  assert.equal((await client.call("X")).result, 1);
  registration.dispose();
  assert.equal((await client.call("X")).error.code, -32601);
  assert.equal(logger.entries.filter((e) => e.msg === "a registry change listener threw").length, 2);
});

test("options are checked up front: an unknown option is an error, not a silent default", () => {
  assert.throws(() => createRpcServer({ maxInflight: 4 } as never), { code: "ERR_RPC_INVALID_OPTION", message: "unknown option maxInflight" });
  assert.throws(() => createRpcServer({ info: null } as never), { code: "ERR_RPC_INVALID_OPTION" });
  assert.throws(() => createRpcServer({ logger: null } as never), { code: "ERR_RPC_INVALID_OPTION" });
});
