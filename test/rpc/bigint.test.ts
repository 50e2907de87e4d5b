// Integers beyond 2^53 (every Discord snowflake) through the server, exactly, both ways: into
// handlers as bigints in every params form and in batches, out of results, topic pushes and error
// data as bare digits. Replies are compared as text, since JSON.parse here would round them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RpcError } from "../../src/rpc/index.ts";
import { connect, startServer } from "../support/rpc.ts";

const GUILD = "123456789012345678";
const USER = "81384788765712384";
const HUGE = "-1180591620717411303424"; // beyond 64 bits too: "at any size"

test("snowflakes reach handlers as exact bigints in every params form and come back as the same digits", async (t) => {
  const server = await startServer(t);
  const seen: unknown[][] = [];
  server.methods.register("PROBE__ECHO", (...args: unknown[]) => {
    seen.push(args);
    return args;
  });
  server.methods.register("PROBE__MEMBER", (guildId: unknown, userId: unknown) => {
    seen.push([guildId, userId]);
    return { guild_id: guildId, user_id: userId };
  }, { params: ["guild_id", "user_id"] });
  const client = await connect(t, server);
  const ask = async (params: string, method = "PROBE__ECHO"): Promise<string> => {
    client.send(`{"jsonrpc":"2.0","id":7,"method":"${method}","params":${params}}`);
    return client.next();
  };

  // The probe: today this answered [123456789012345680].
  assert.equal(await ask(`[${GUILD}]`), `{"jsonrpc":"2.0","id":7,"result":[${GUILD}]}`);
  assert.deepEqual(seen.pop(), [BigInt(GUILD)]);
  assert.equal(await ask(`[${HUGE}, 9007199254740993]`), `{"jsonrpc":"2.0","id":7,"result":[${HUGE},9007199254740993]}`);
  assert.deepEqual(seen.pop(), [BigInt(HUGE), 9007199254740993n]);

  const member = `{"jsonrpc":"2.0","id":7,"result":{"guild_id":${GUILD},"user_id":${USER}}}`;
  for (const params of [
    `{"guild_id": ${GUILD}, "user_id": ${USER}}`, // named
    `{"args": [${GUILD}], "kwargs": {"user_id": ${USER}}}`, // Red's envelope
    `[{"args": [${GUILD}, ${USER}], "kwargs": {}}]`, // Red's envelope in a list
  ]) {
    assert.equal(await ask(params, "PROBE__MEMBER"), member, params);
    assert.deepEqual(seen.pop(), [BigInt(GUILD), BigInt(USER)], params);
  }

  // Nested in objects and arrays, beside what must stay as it is.
  const nested = `[{"guild":{"id":${GUILD},"members":[${USER},[${HUGE}]]},"safe":9007199254740991,"float":12345678901234567.5,"exp":1e20,"text":"${GUILD}"}]`;
  assert.equal(
    await ask(nested),
    `{"jsonrpc":"2.0","id":7,"result":[{"guild":{"id":${GUILD},"members":[${USER},[${HUGE}]]},"safe":9007199254740991,"float":12345678901234568,"exp":100000000000000000000,"text":"${GUILD}"}]}`,
  );
  assert.deepEqual(seen.pop(), [
    { guild: { id: BigInt(GUILD), members: [BigInt(USER), [BigInt(HUGE)]] }, safe: 9007199254740991, float: 12345678901234568, exp: 1e20, text: GUILD },
  ]);
});

test("in a batch every element's snowflakes are exact, and so are integer ids beyond 2^53", async (t) => {
  const server = await startServer(t);
  server.methods.register("echo", (x: unknown) => x);
  const client = await connect(t, server);
  client.send(
    `[{"jsonrpc":"2.0","id":1,"method":"echo","params":[${GUILD}]},` +
      `{"jsonrpc":"2.0","id":${USER}0,"method":"echo","params":[[${USER},"x"]]},` +
      `{"jsonrpc":"2.0","method":"echo","params":[${HUGE}]}]`,
  );
  const replies = (await client.next()).slice(1, -1).split(/,(?=\{"jsonrpc")/).sort();
  assert.deepEqual(replies, [
    `{"jsonrpc":"2.0","id":${USER}0,"result":[${USER},"x"]}`,
    `{"jsonrpc":"2.0","id":1,"result":${GUILD}}`,
  ].sort());
});

test("a string that holds digits, or U+000B, is never taken for a number", async (t) => {
  const server = await startServer(t);
  const seen: unknown[] = [];
  server.methods.register("echo", (x: unknown) => {
    seen.push(x);
    return x;
  });
  const client = await connect(t, server);
  // \u000b is what the reader marks big literals with internally: a client's own must survive.
  client.send(`{"jsonrpc":"2.0","id":1,"method":"echo","params":[["\\u000b${GUILD}","${USER}",${GUILD},"\\u000B1"]]}`);
  assert.equal(await client.next(), `{"jsonrpc":"2.0","id":1,"result":["\\u000b${GUILD}","${USER}",${GUILD},"\\u000b1"]}`);
  assert.deepEqual(seen, [[`\u000b${GUILD}`, USER, BigInt(GUILD), "\u000b1"]]);
  // Text that is not JSON stays a parse error, whatever digits it holds.
  for (const bad of [`[0${GUILD}]`, `{"id":1,"params":[${GUILD},]}`, `["${GUILD}]`, `[--${GUILD}]`]) {
    client.send(bad);
    assert.equal(await client.next(), `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}`, bad);
  }
});

test("bigints in results, topic pushes and error data are written as bare digits", async (t) => {
  const server = await startServer(t);
  server.methods.register("guild", () => ({ id: BigInt(GUILD), owner_ids: [BigInt(USER)], members: 3 }));
  server.methods.register("refuse", () => {
    throw new RpcError(-32001, "Unknown member", { user_id: BigInt(USER) });
  });
  const topic = server.topics.register("GUILD_JOINED");
  const client = await connect(t, server);
  client.send('{"jsonrpc":"2.0","id":1,"method":"guild"}');
  assert.equal(await client.next(), `{"jsonrpc":"2.0","id":1,"result":{"id":${GUILD},"owner_ids":[${USER}],"members":3}}`);
  client.send('{"jsonrpc":"2.0","id":2,"method":"refuse"}');
  assert.equal(await client.next(), `{"jsonrpc":"2.0","id":2,"error":{"code":-32001,"message":"Unknown member","data":{"user_id":${USER}}}}`);
  client.send('{"jsonrpc":"2.0","id":3,"method":"SUBSCRIBE","params":["GUILD_JOINED"]}');
  assert.equal(await client.next(), '{"jsonrpc":"2.0","id":3,"result":["GUILD_JOINED"]}');
  topic.publish({ guild_id: BigInt(GUILD) });
  assert.equal(await client.next(), `{"jsonrpc":"2.0","method":"GUILD_JOINED","params":{"guild_id":${GUILD}}}`);
});
