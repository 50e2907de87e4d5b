// Messages on the wire: ids, notifications, results, errors, concurrency, isolation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RpcError } from "../../src/rpc/index.ts";
import { connect, deferred, recordingLogger, startServer } from "../support/rpc.ts";

test("ids are echoed exactly as sent: 0, empty string, null, negative, huge and fractional numbers", async (t) => {
  const server = await startServer(t);
  server.methods.register("ping", () => "pong");
  const client = await connect(t, server);
  for (const id of ['0', '""', "null", "-7", '"abc"', "12345678901234567890", "1.10", "1e400000000000000000001"]) {
    client.send(`{"jsonrpc":"2.0","method":"ping","id":${id}}`);
    const raw = await client.next();
    if (id.startsWith("1e4")) {
      // Infinity after parsing: not a legal id, so the error carries id null.
      assert.equal(raw, '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request","data":{"reason":"id must be a string, a number or null"}}}');
      continue;
    }
    assert.equal(raw, `{"jsonrpc":"2.0","id":${id},"result":"pong"}`);
  }
});

test("the raw id of a huge number is found inside a batch, past nested values", async (t) => {
  const server = await startServer(t);
  server.methods.register("ping", () => "pong");
  const client = await connect(t, server);
  client.send('[{"jsonrpc":"2.0","method":"ping","params":[{"id":[1,{"id":2}],"s":"}]\\""}],"id":98765432109876543210}, {"id":1.50,"jsonrpc":"2.0","method":"ping"}]');
  const raw = await client.next();
  assert.ok(raw.includes('"id":98765432109876543210,"result":"pong"'), raw);
  assert.ok(raw.includes('"id":1.50,"result":"pong"'), raw);
});

test("an invalid id type is an Invalid Request answered with id null", async (t) => {
  const server = await startServer(t);
  const client = await connect(t, server);
  for (const id of ["true", "[1]", '{"a":1}']) {
    client.send(`{"jsonrpc":"2.0","method":"GET_METHODS","id":${id}}`);
    const reply = await client.nextJson();
    assert.deepEqual([reply.id, reply.error.code], [null, -32600]);
  }
});

test("a wrong jsonrpc version is an Invalid Request that keeps the id", async (t) => {
  const server = await startServer(t);
  const client = await connect(t, server);
  client.send('{"jsonrpc":"1.0","method":"GET_METHODS","id":5}');
  assert.deepEqual(await client.nextJson(), {
    jsonrpc: "2.0",
    id: 5,
    error: { code: -32600, message: "Invalid Request", data: { reason: 'jsonrpc must be exactly "2.0"' } },
  });
  client.send('{"method":"GET_METHODS","id":6}');
  assert.equal((await client.nextJson()).error.code, -32600);
});

test("notifications are never answered, even when they fail", async (t) => {
  const logger = recordingLogger();
  const server = await startServer(t, { logger });
  let ran = 0;
  server.methods.register("boom", () => {
    ran++;
    throw new Error("kaboom");
  });
  server.methods.register("typed", () => {
    ran++;
    throw new RpcError(-32001, "nope");
  });
  server.methods.register("strict", (a: number) => a, { params: ["a"] });
  const client = await connect(t, server);
  client.send({ jsonrpc: "2.0", method: "boom" });
  client.send({ jsonrpc: "2.0", method: "typed" });
  client.send({ jsonrpc: "2.0", method: "missing_method" });
  client.send({ jsonrpc: "2.0", method: "strict", params: { nope: 1 } });
  client.send({ jsonrpc: "2.0", method: "boom", params: [] });
  assert.equal(await client.nothingWithin(150), true);
  assert.equal(ran, 3);
  assert.equal(logger.entries.filter((e) => e.level === "error" && e.obj.method === "BOOM").length, 2);
});

test("a handler's unexpected exception is -32603 with nothing leaked, logged with the method's name", async (t) => {
  const logger = recordingLogger();
  const server = await startServer(t, { logger });
  server.methods.register("leaky", () => {
    throw new Error("password=hunter2 at /secret/path.ts:12");
  });
  server.methods.register("leaky_async", async () => {
    throw new Error("async secret");
  });
  const client = await connect(t, server);
  for (const method of ["leaky", "leaky_async"]) {
    const raw = JSON.stringify(await client.call(method));
    assert.equal(raw, `{"jsonrpc":"2.0","id":${method === "leaky" ? 1 : 2},"error":{"code":-32603,"message":"Internal error"}}`);
  }
  const errors = logger.entries.filter((e) => e.level === "error");
  assert.deepEqual(errors.map((e) => [e.obj.method, (e.obj.err as Error).message]), [
    ["LEAKY", "password=hunter2 at /secret/path.ts:12"],
    ["LEAKY_ASYNC", "async secret"],
  ]);
});

test("a typed RpcError is sent as is, with its own code, message and data", async (t) => {
  const server = await startServer(t);
  server.methods.register("deny", () => {
    throw new RpcError(-32010, "Not enough credits", { balance: 3 });
  });
  server.methods.register("positive", async () => {
    throw new RpcError(404, "No such member");
  });
  const client = await connect(t, server);
  assert.deepEqual(await client.call("deny"), {
    jsonrpc: "2.0",
    id: 1,
    error: { code: -32010, message: "Not enough credits", data: { balance: 3 } },
  });
  assert.deepEqual((await client.call("positive")).error, { code: 404, message: "No such member" });
  assert.throws(() => new RpcError(-32500, "reserved"), RangeError);
});

test("results must be JSON: undefined is null; cycles, functions and symbols are -32603 and logged", async (t) => {
  const logger = recordingLogger();
  const server = await startServer(t, { logger });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  server.methods.register("nothing", () => undefined);
  server.methods.register("cycle", () => cyclic);
  server.methods.register("fn", () => ({ a: 1, f: () => 1 }));
  server.methods.register("topfn", () => () => 1);
  server.methods.register("sym", () => [Symbol("x")]);
  server.methods.register("date", () => new Date(0));
  const client = await connect(t, server);
  assert.deepEqual(await client.call("nothing"), { jsonrpc: "2.0", id: 1, result: null });
  for (const method of ["cycle", "fn", "topfn", "sym"]) {
    assert.deepEqual((await client.call(method)).error, { code: -32603, message: "Internal error" }, method);
  }
  assert.equal((await client.call("date")).result, "1970-01-01T00:00:00.000Z");
  const logged = logger.entries.filter((e) => e.level === "error").map((e) => e.obj.method);
  assert.deepEqual(logged, ["CYCLE", "FN", "TOPFN", "SYM"]);
});

test("requests on one connection run concurrently and replies come in completion order", async (t) => {
  const server = await startServer(t);
  const gates = new Map<string, ReturnType<typeof deferred<string>>>();
  server.methods.register("wait", (name: string) => {
    const gate = deferred<string>();
    gates.set(name, gate);
    return gate.promise;
  });
  const client = await connect(t, server);
  client.send({ jsonrpc: "2.0", id: "slow", method: "wait", params: ["slow"] });
  client.send({ jsonrpc: "2.0", id: "fast", method: "wait", params: ["fast"] });
  for (let i = 0; i < 50 && gates.size < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(gates.size, 2, "both calls started before either finished");
  gates.get("fast")!.resolve("F");
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: "fast", result: "F" });
  gates.get("slow")!.resolve("S");
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: "slow", result: "S" });
});

test("a batch with async members answers once, with every reply", async (t) => {
  const server = await startServer(t);
  server.methods.register("later", async (x: number) => {
    await new Promise((r) => setTimeout(r, 30 - x * 10));
    return x;
  });
  const client = await connect(t, server);
  client.send([1, 2, 0].map((x) => ({ jsonrpc: "2.0", id: x, method: "later", params: [x] })));
  const reply = await client.nextJson();
  assert.deepEqual(
    reply.sort((a: { id: number }, b: { id: number }) => a.id - b.id),
    [0, 1, 2].map((x) => ({ jsonrpc: "2.0", id: x, result: x })),
  );
  assert.equal(await client.nothingWithin(50), true);
});

test("a batch of one still returns an array", async (t) => {
  const server = await startServer(t);
  const client = await connect(t, server);
  client.send([{ jsonrpc: "2.0", id: 1, method: "GET_TOPICS" }]);
  assert.deepEqual(await client.nextJson(), [{ jsonrpc: "2.0", id: 1, result: [] }]);
});

test("bad frames, throwing handlers and bad requests leave the connection working", async (t) => {
  const server = await startServer(t);
  server.methods.register("boom", () => {
    throw new Error("x");
  });
  server.methods.register("ok", () => "fine");
  const client = await connect(t, server);
  client.send("{{{");
  assert.equal((await client.nextJson()).error.code, -32700);
  client.send('"just a string"');
  assert.equal((await client.nextJson()).error.code, -32600);
  assert.equal((await client.call("boom")).error.code, -32603);
  assert.deepEqual(await client.call("ok"), { jsonrpc: "2.0", id: 2, result: "fine" });
});

test("the method table is live for open connections: registered and disposed methods are seen at once", async (t) => {
  const server = await startServer(t);
  const client = await connect(t, server);
  assert.equal((await client.call("late")).error.code, -32601);
  const registration = server.methods.register("late", () => "here");
  assert.equal((await client.call("LATE")).result, "here");
  assert.ok((await client.call("GET_METHODS")).result.includes("LATE"));
  registration.dispose();
  registration.dispose();
  assert.equal((await client.call("late")).error.code, -32601);
  assert.ok(!(await client.call("GET_METHODS")).result.includes("LATE"));
});

test("a batch of many odd ids is scanned once, not once per element", async (t) => {
  const server = await startServer(t);
  server.methods.register("ping", () => "pong");
  const client = await connect(t, server);
  const batch = (suffix: string): string => {
    const big = `{"jsonrpc":"2.0","method":"ping","params":["${"x".repeat(3 * 1024 * 1024)}"],"id":0${suffix}}`;
    const rest = Array.from({ length: 99 }, (_, i) => `{"jsonrpc":"2.0","method":"ping","id":${i + 1}${suffix}}`);
    return `[${big},${rest.join(",")}]`;
  };
  const time = async (frame: string): Promise<number> => {
    const started = performance.now();
    client.send(frame);
    assert.equal((JSON.parse(await client.next(10000)) as unknown[]).length, 100);
    return performance.now() - started;
  };
  const plain = batch("");
  const odd = batch(".5"); // every id needs its source text
  await time(plain); // warm-up
  const ratios: number[] = [];
  for (let i = 0; i < 3; i++) ratios.push((await time(odd)) / (await time(plain)));
  // Ratio within one run, not absolute times: one pass per element was about 28 times slower.
  const best = Math.min(...ratios);
  assert.ok(best < 5, `odd ids cost ${best.toFixed(1)}x integer ids`);
});
