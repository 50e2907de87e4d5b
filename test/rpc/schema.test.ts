// Typed methods: JSON Schema per parameter and result, compiled at registration, checked
// before the handler runs; snowflakes of any size reach the handler as strings.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { parseOpenRPCDocument } from "@open-rpc/schema-utils-js";
import {
  any,
  array,
  boolean,
  enumOf,
  integer,
  nullable,
  number,
  object,
  optional,
  record,
  snowflake,
  string,
  type RpcServer,
} from "../../src/rpc/index.ts";
import { SNOWFLAKE_MESSAGE } from "../../src/rpc/schema-keywords.ts";
import { connect, recordingLogger, startServer, type TestClient } from "../support/rpc.ts";

const SNOWFLAKE_ERROR = JSON.stringify(SNOWFLAKE_MESSAGE);

/** Registers ECHO_ARGS, which answers with the list of arguments its handler received. */
function echoArgs(server: RpcServer, params: Parameters<RpcServer["methods"]["register"]>[2]): void {
  server.methods.register("ECHO_ARGS", (...args: unknown[]) => args.map((a) => (a === undefined ? "<undefined>" : a)), params);
}

/** Sends raw frame text (so literals beyond 2^53 stay exact) and returns the reply's text. */
async function raw(client: TestClient, text: string): Promise<string> {
  client.send(text);
  return client.next();
}

const request = (params: string, id = 1): string => `{"jsonrpc":"2.0","id":${id},"method":"ECHO_ARGS","params":${params}}`;
const result = (value: string, id = 1): string => `{"jsonrpc":"2.0","id":${id},"result":${value}}`;
const invalid = (errors: string, id = 1): string =>
  `{"jsonrpc":"2.0","id":${id},"error":{"code":-32602,"message":"Invalid params","data":{"errors":${errors}}}}`;

async function typedServer(t: TestContext): Promise<TestClient> {
  const server = await startServer(t);
  echoArgs(server, {
    params: { member_id: snowflake(), amount: integer({ minimum: 1 }), "note?": string({ maxLength: 5 }) },
    result: array(any()),
  });
  return connect(t, server);
}

test("declared schemas accept good params in every form: positional, named, {args, kwargs} both spellings", async (t) => {
  const client = await typedServer(t);
  const expected = result(`["42",5,"hi"]`);
  assert.equal(await raw(client, request(`[42,5,"hi"]`)), expected);
  assert.equal(await raw(client, request(`{"note":"hi","amount":5,"member_id":42}`)), expected);
  assert.equal(await raw(client, request(`{"args":[42],"kwargs":{"amount":5,"note":"hi"}}`)), expected);
  assert.equal(await raw(client, request(`[{"args":[42,5],"kwargs":{"note":"hi"}}]`)), expected);
  // The optional parameter left out is not checked and arrives as undefined.
  assert.equal(await raw(client, request(`{"member_id":"7","amount":1}`)), result(`["7",1]`));
});

test("bad params are -32602 with data.errors listing every failing path, in every form", async (t) => {
  const client = await typedServer(t);
  const errors = `[{"path":"/member_id","message":${SNOWFLAKE_ERROR}},{"path":"/amount","message":"must be >= 1"},{"path":"/note","message":"must NOT have more than 5 characters"}]`;
  assert.equal(await raw(client, request(`[-1,0,"toolong"]`)), invalid(errors));
  assert.equal(await raw(client, request(`{"member_id":-1,"amount":0,"note":"toolong"}`)), invalid(errors));
  assert.equal(await raw(client, request(`{"args":[-1],"kwargs":{"amount":0,"note":"toolong"}}`)), invalid(errors));
  assert.equal(
    await raw(client, request(`["1","2"]`)),
    invalid(`[{"path":"/amount","message":"must be integer"}]`),
    "a digit string is not an integer: only snowflakes read strings",
  );
  // Binding errors come first and keep their shape.
  assert.equal(
    await raw(client, request(`{"amount":1}`)),
    `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params","data":{"missing":["member_id"]}}}`,
  );
  // A notification with bad params is not answered.
  client.send(`{"jsonrpc":"2.0","method":"ECHO_ARGS","params":[-1,0]}`);
  assert.equal(await client.nothingWithin(100), true);
});

test("a snowflake from a small number, a literal beyond 2^53 or a digit string reaches the handler as the same string", async (t) => {
  const server = await startServer(t);
  echoArgs(server, { params: { id: snowflake() } });
  const client = await connect(t, server);
  assert.equal(await raw(client, request(`[42]`)), result(`["42"]`));
  assert.equal(await raw(client, request(`[0]`)), result(`["0"]`));
  assert.equal(await raw(client, request(`[123456789012345678]`)), result(`["123456789012345678"]`));
  assert.equal(await raw(client, request(`{"id":123456789012345678}`)), result(`["123456789012345678"]`));
  assert.equal(await raw(client, request(`["123456789012345678"]`)), result(`["123456789012345678"]`));
  assert.equal(await raw(client, request(`[18446744073709551615]`)), result(`["18446744073709551615"]`), "2^64 - 1");
  assert.equal(await raw(client, request(`["18446744073709551615"]`)), result(`["18446744073709551615"]`));
});

test("negative, fractional, oversized, non-digit or non-numeric snowflakes are refused", async (t) => {
  const server = await startServer(t);
  echoArgs(server, { params: { id: snowflake() } });
  const client = await connect(t, server);
  const bad = ["-1", "1.5", "-123456789012345678", "18446744073709551616", `"18446744073709551616"`, `"12a"`, `"007"`, `""`, `"-1"`, `" 1"`, "true", "null", "[1]", `{"x":1}`, "9007199254740993.0"];
  for (const value of bad) {
    assert.equal(await raw(client, request(`[${value}]`)), invalid(`[{"path":"/id","message":${SNOWFLAKE_ERROR}}]`), value);
  }
});

test("nested snowflakes are coerced; nested objects name the missing or refused key in the path", async (t) => {
  const server = await startServer(t);
  echoArgs(server, {
    params: {
      ids: array(snowflake(), { maxItems: 3 }),
      user: object({ id: snowflake(), nick: optional(nullable(string())) }),
    },
  });
  const client = await connect(t, server);
  assert.equal(
    await raw(client, request(`[[1,"2",123456789012345678],{"id":18446744073709551615,"nick":null}]`)),
    result(`[["1","2","123456789012345678"],{"id":"18446744073709551615","nick":null}]`),
  );
  assert.equal(
    await raw(client, request(`[[1,-2],{"nick":"x","extra":1}]`)),
    invalid(
      `[{"path":"/ids/1","message":${SNOWFLAKE_ERROR}},{"path":"/user/id","message":"is required"},{"path":"/user/extra","message":"is not allowed"}]`,
    ),
  );
});

test("integer and number schemas take bigints within their bounds, and refuse them outside", async (t) => {
  const server = await startServer(t);
  echoArgs(server, {
    params: { big: integer({ minimum: 0, maximum: 2n ** 63n - 1n }), x: number({ exclusiveMaximum: 2 ** 60 }), "m?": integer({ multipleOf: 10 }) },
  });
  const client = await connect(t, server);
  assert.equal(await raw(client, request(`[9223372036854775807,1.5]`)), result(`[9223372036854775807,1.5]`));
  assert.equal(await raw(client, request(`[5,9007199254740993,123456789012345678900]`)), result(`[5,9007199254740993,123456789012345678900]`));
  assert.equal(
    await raw(client, request(`[9223372036854775808,1152921504606846977,123456789012345678901]`)),
    invalid(
      `[{"path":"/big","message":"must be <= 9223372036854775807"},{"path":"/x","message":"must be < 1152921504606846976"},{"path":"/m","message":"must be multiple of 10"}]`,
    ),
  );
  assert.equal(
    await raw(client, request(`[-9223372036854775809,"1"]`)),
    invalid(`[{"path":"/big","message":"must be >= 0"},{"path":"/x","message":"must be number"}]`),
  );
});

test("a rest parameter checks each item; by name it takes a list", async (t) => {
  const server = await startServer(t);
  echoArgs(server, { params: { mode: enumOf("ban", "kick"), "...ids": snowflake() } });
  const client = await connect(t, server);
  assert.equal(await raw(client, request(`["ban",1,"2",123456789012345678]`)), result(`["ban","1","2","123456789012345678"]`));
  assert.equal(await raw(client, request(`{"mode":"kick","ids":[3,4]}`)), result(`["kick","3","4"]`));
  assert.equal(await raw(client, request(`["kick"]`)), result(`["kick"]`));
  assert.equal(
    await raw(client, request(`["mute",1,"x"]`)),
    invalid(`[{"path":"/mode","message":"must be equal to one of the allowed values"},{"path":"/ids/1","message":${SNOWFLAKE_ERROR}}]`),
  );
});

test("at most 20 failures are listed; data.more counts the rest", async (t) => {
  const server = await startServer(t);
  echoArgs(server, { params: { flags: array(boolean()) } });
  const client = await connect(t, server);
  const reply = JSON.parse(await raw(client, request(`[[${Array(25).fill("0").join(",")}]]`)));
  assert.equal(reply.error.code, -32602);
  assert.deepEqual(reply.error.data.errors, Array.from({ length: 20 }, (_, i) => ({ path: `/flags/${i}`, message: "must be boolean" })));
  assert.equal(reply.error.data.more, 5);
});

test("a bad schema or option is refused at registration, with a stable code", async (t) => {
  const server = await startServer(t);
  const register = (options: object) => server.methods.register("BAD", () => 0, options as never);
  const code = "ERR_RPC_INVALID_SCHEMA";
  assert.throws(() => register({ params: { a: { type: "strnig" } } }), { code, message: /^BAD param a: invalid schema: \/type: unknown type "strnig"$/ });
  assert.throws(() => register({ params: { a: { type: "string", minLenght: 3 } } }), { code, message: /^method BAD: invalid schema: strict mode: unknown keyword: "minLenght"/ });
  assert.throws(() => register({ params: { a: { type: "string", pattern: "(" } } }), { code });
  assert.throws(() => register({ params: { a: { anyOf: {} } } }), { code, message: "BAD param a: invalid schema: /anyOf must be an array of schemas" });
  assert.throws(() => register({ params: { a: { $id: "x", type: "string" } } }), { code });
  assert.throws(() => register({ params: { a: { allOf: [{ $ref: "#/definitions/x" }], definitions: { x: string() } } } }), {
    code,
    message: "BAD param a: invalid schema: /allOf/0: $ref and $id are not supported (write the schema out)",
  });
  assert.throws(() => register({ params: { a: integer({ minimum: "0" as never }) } }), { code, message: "BAD param a: invalid schema: /minimum must be a number" });
  assert.throws(() => register({ result: { type: "object", properties: { f: { fn: () => 0 } } } }), { code });
  const cyclic: Record<string, unknown> = { type: "array" };
  cyclic.items = cyclic;
  assert.throws(() => register({ params: { a: cyclic } }), { code, message: /^BAD param a: invalid schema: a schema must be plain JSON data/ });
  assert.throws(() => register({ params: { a: "string" } }), { name: "TypeError", message: 'params "a" must be a JSON Schema object' });
  assert.throws(() => register({ params: { a: optional(string()), b: string() } }), {
    name: "TypeError",
    message: 'params: required "b" cannot follow an optional parameter',
  });
  assert.throws(() => register({ params: { "...a": string(), b: string() } }), { name: "TypeError" });
  assert.throws(() => register({ schema: {} }), { name: "TypeError", message: 'method BAD: unknown option "schema"' });
  assert.throws(() => register({ contextual: true }), { name: "TypeError", message: 'method BAD: unknown option "contextual"' });
  assert.deepEqual(server.methods.names().includes("BAD"), false, "nothing was registered");
});

test("the published schema is a copy: changing the caller's object later changes neither check nor document", async (t) => {
  const server = await startServer(t);
  const schema: Record<string, unknown> = { type: "string" };
  echoArgs(server, { params: { s: schema } });
  schema.type = "integer";
  const client = await connect(t, server);
  assert.equal(await raw(client, request(`["a"]`)), result(`["a"]`));
  const doc = (await client.call("rpc.discover")).result;
  assert.deepEqual(doc.methods.find((m: { name: string }) => m.name === "ECHO_ARGS").params[0].schema, { type: "string" });
});

test("a result that fails its schema is still sent, and logged once as a warning", async (t) => {
  const logger = recordingLogger();
  const server = await startServer(t, { logger });
  server.methods.register("COUNT", (n: unknown) => n, { params: ["n"], result: integer({ minimum: 0 }) });
  const client = await connect(t, server);
  assert.deepEqual((await client.call("COUNT", [3])).result, 3);
  assert.deepEqual(logger.entries.filter((e) => e.level === "warn"), []);
  assert.deepEqual((await client.call("COUNT", [-1])).result, -1);
  assert.deepEqual((await client.call("COUNT", ["x"])).result, "x");
  assert.deepEqual(
    logger.entries.filter((e) => e.level === "warn"),
    [
      {
        level: "warn",
        obj: { method: "COUNT", errors: [{ path: "", message: "must be >= 0" }] },
        msg: "RPC method returned a result that does not match its declared schema",
      },
    ],
  );
});

test("a snowflake result is checked, never rewritten", async (t) => {
  const logger = recordingLogger();
  const server = await startServer(t, { logger });
  server.methods.register("OWNER", () => ({ id: 123456789012345678901n }), { result: object({ id: snowflake() }) });
  server.methods.register("OWNER_OK", () => ({ id: 123456789012345678n }), { result: object({ id: snowflake() }) });
  const client = await connect(t, server);
  assert.equal(await raw(client, `{"jsonrpc":"2.0","id":1,"method":"OWNER_OK"}`), result(`{"id":123456789012345678}`));
  assert.equal(await raw(client, `{"jsonrpc":"2.0","id":2,"method":"OWNER"}`), result(`{"id":123456789012345678901}`, 2));
  assert.deepEqual(logger.entries.filter((e) => e.level === "warn").map((e) => e.obj), [
    { method: "OWNER", errors: [{ path: "/id", message: SNOWFLAKE_MESSAGE }] },
  ]);
});

test("rpc.discover publishes every parameter and result schema, in a valid OpenRPC document", async (t) => {
  const server = await startServer(t);
  server.methods.register("ECONOMY__PAY", () => 0, {
    params: { member_id: snowflake(), amount: integer({ minimum: 1, maximum: 2n ** 63n - 1n }), "reason?": string(), "...tags": string() },
    result: record(integer()),
    doc: "Pays a member.",
  });
  server.methods.register("FREE", () => 0, { params: ["a", "b?"] });
  const client = await connect(t, server);
  const text = await raw(client, `{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}`);
  assert.match(text, /"maximum":9223372036854775807[,}]/, "a bigint bound is written exactly");
  const doc = JSON.parse(text).result;
  await parseOpenRPCDocument(doc, { dereference: false });
  const pay = doc.methods.find((m: { name: string }) => m.name === "ECONOMY__PAY");
  assert.deepEqual(pay.params, [
    { name: "member_id", required: true, schema: snowflake() },
    { name: "amount", required: true, schema: { type: "integer", minimum: 1, maximum: 9223372036854776000 } },
    { name: "reason", required: false, schema: { type: "string" } },
    { name: "tags", schema: { type: "string" }, description: "takes every remaining positional argument; the schema is that of each one" },
  ]);
  assert.deepEqual(pay.result, { name: "result", schema: { type: "object", additionalProperties: { type: "integer" } } });
  assert.deepEqual(snowflake()["x-cogwheel"], "snowflake");
  const free = doc.methods.find((m: { name: string }) => m.name === "FREE");
  assert.deepEqual(free.params, [
    { name: "a", required: true, schema: {} },
    { name: "b", required: false, schema: {} },
  ]);
  assert.deepEqual(free.result, { name: "result", schema: {} });
});

test("undeclared and name-only methods behave exactly as before", async (t) => {
  const server = await startServer(t);
  server.methods.register("ANY", (...args: unknown[]) => args);
  server.methods.register("NAMED", (a: unknown, b: unknown) => [a, b], { params: ["a", "b?"] });
  const client = await connect(t, server);
  assert.equal(
    await raw(client, `{"jsonrpc":"2.0","id":1,"method":"ANY","params":[-1,"x",123456789012345678]}`),
    result(`[-1,"x",123456789012345678]`),
  );
  assert.equal(await raw(client, `{"jsonrpc":"2.0","id":1,"method":"NAMED","params":{"b":1.5,"a":null}}`), result(`[null,1.5]`));
  assert.equal(
    await raw(client, `{"jsonrpc":"2.0","id":1,"method":"ANY","params":{"a":1}}`),
    `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params","data":{"reason":"this method takes positional parameters only","unknown":["a"]}}}`,
  );
});

test("a failed nullable(…) says what it wanted in one line, or keeps the specific error", async (t) => {
  const server = await startServer(t);
  echoArgs(server, { params: { nick: nullable(string({ minLength: 2 })), "user?": nullable(object({ id: snowflake() })) } });
  const client = await connect(t, server);
  assert.equal(await raw(client, request(`[null,null]`)), result(`[null,null]`));
  assert.equal(await raw(client, request(`[5]`)), invalid(`[{"path":"/nick","message":"must be string or null"}]`));
  assert.equal(
    await raw(client, request(`["x",{}]`)),
    invalid(`[{"path":"/nick","message":"must NOT have fewer than 2 characters"},{"path":"/user/id","message":"is required"}]`),
  );
});

test("hand-written schemas are rewritten everywhere a schema may sit (allOf, if/then, dependencies)", async (t) => {
  const server = await startServer(t);
  echoArgs(server, {
    params: {
      a: { allOf: [snowflake()] },
      b: { type: "object", if: { required: ["x"] }, then: { properties: { x: integer({ maximum: 2n ** 64n }) } }, dependencies: { y: { properties: { y: snowflake() } } } },
    },
  });
  const client = await connect(t, server);
  assert.equal(await raw(client, request(`[1,{"x":18446744073709551616,"y":5}]`)), result(`["1",{"x":18446744073709551616,"y":"5"}]`));
  assert.equal(
    await raw(client, request(`[-1,{"x":18446744073709551617,"y":-5}]`)),
    invalid(
      `[{"path":"/a","message":${SNOWFLAKE_ERROR}},{"path":"/b/x","message":"must be <= 18446744073709551616"},{"path":"/b","message":"must match \\"then\\" schema"},{"path":"/b/y","message":${SNOWFLAKE_ERROR}}]`,
    ),
  );
});
