// RpcClient keeps Discord ids exact: bigint params go out as digits, big integers in results,
// batches and topic pushes come back as bigints.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startServer } from "../support/rpc.ts";
import { nodeClient, spyWebSocket } from "../support/client.ts";

const GUILD = 123456789012345678n;
const USER = 81384788765712384n;

test("bigint params are sent as digits and big integers in results, batches and pushes arrive as bigints", async (t) => {
  const server = await startServer(t);
  const seen: unknown[] = [];
  server.methods.register("MEMBER", (guildId: unknown, userId: unknown) => {
    seen.push(guildId, userId);
    return { guild_id: guildId, user_id: userId, balance: 10 };
  }, { params: ["guild_id", "user_id"] });
  const topic = server.topics.register("JOINED");
  const spy = spyWebSocket();
  const client = nodeClient(t, server.port, { WebSocket: spy.Ctor });

  assert.deepEqual(await client.call("MEMBER", [GUILD, USER]), { guild_id: GUILD, user_id: USER, balance: 10 });
  assert.deepEqual(seen, [GUILD, USER]);
  assert.equal(spy.sent[0], `{"jsonrpc":"2.0","id":1,"method":"MEMBER","params":[${GUILD},${USER}]}`);

  const [named] = await client.batch([{ method: "MEMBER", params: { guild_id: GUILD, user_id: 5 } }]);
  assert.deepEqual(named, { status: "fulfilled", value: { guild_id: GUILD, user_id: 5, balance: 10 } });

  const pushes: unknown[] = [];
  await client.subscribe("JOINED", (data) => pushes.push(data)).ready;
  topic.publish({ user_id: USER });
  for (let i = 0; i < 100 && pushes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(pushes, [{ user_id: USER }]);
});
