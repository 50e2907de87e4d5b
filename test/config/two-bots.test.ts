// Two real `cogwheel start` bots (console mode, RPC on) with their own data dirs on one
// PostgreSQL database (issue 13): the economy package loaded in both, ECONOMY__* calls through
// both at once, balances that agree whichever bot is asked, and a payday claimed from both
// bots at the same instant paid once (its cool-down check and the pay are one transaction).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type BotProcess, runCli, tempDir } from "../support/cli.ts";
import { startPostgres, type PostgresCluster } from "../support/postgres.ts";
import { connectTo, type TestClient } from "../support/rpc.ts";
import { sleep } from "../support/wait.ts";

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

/** ECONOMY__BALANCE of `id` in guild g1 through `client`. */
async function balance(client: TestClient, id: string): Promise<number> {
  const reply = await client.call("ECONOMY__BALANCE", { member_id: id, guild_id: "g1" });
  assert.equal(reply.error, undefined, JSON.stringify(reply));
  return reply.result as number;
}

test("two bots on one database: ECONOMY__* through both at once, the balances agree and the totals are right", { timeout: 50_000 }, async (t) => {
  const url = await cluster.createDatabase("twobots");
  const dirs = [tempDir(t), tempDir(t)];
  const bots: BotProcess[] = dirs.map((dir) => runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-auth", "none", "--data-dir", dir, "--config", url]));
  const clients = await Promise.all(bots.map(async (bot) => connectTo(t, await bot.rpcPort(30_000))));
  const [a, b] = clients as [TestClient, TestClient];

  const loads = await Promise.all(clients.map((c) => c.call("CORE__LOAD", [["economy"]])));
  for (const load of loads) assert.deepEqual(load.result.loaded_packages, ["economy"], JSON.stringify(load));

  // At once: each bot sets ten members of its own, and both set one shared member 20 times.
  const expected = new Map<string, number>();
  const calls: Array<Promise<{ error?: unknown }>> = [];
  for (let i = 1; i <= 10; i++) {
    expected.set(`a${i}`, 10 * i);
    expected.set(`b${i}`, 1000 + i);
    calls.push(a.call("ECONOMY__SET_BALANCE", { member_id: `a${i}`, amount: 10 * i, guild_id: "g1" }));
    calls.push(b.call("ECONOMY__SET_BALANCE", { member_id: `b${i}`, amount: 1000 + i, guild_id: "g1" }));
  }
  for (let i = 0; i < 20; i++) {
    calls.push(a.call("ECONOMY__SET_BALANCE", { member_id: "shared", amount: 500 + i, guild_id: "g1" }));
    calls.push(b.call("ECONOMY__SET_BALANCE", { member_id: "shared", amount: 700 + i, guild_id: "g1" }));
  }
  for (const reply of await Promise.all(calls)) assert.equal(reply.error, undefined, JSON.stringify(reply));

  // Each bot reads every balance (its own cached writes included) and sees what the table holds:
  // for the shared member, whichever set committed last (bounded: invalidation is async).
  const stored = await cluster.query<{ balance: number }>(
    "SELECT (data->>'balance')::int AS balance FROM cogwheel_config WHERE namespace = 'Economy' AND scope = 'member' AND id1 = 'g1' AND id2 = 'shared'",
    [],
    "twobots",
  );
  const shared = stored[0]!.balance;
  // A bot runs concurrent calls concurrently, so any of the 40 sets may be the last one.
  assert.ok((shared >= 500 && shared < 520) || (shared >= 700 && shared < 720), `the shared member holds one of the sets, got ${shared}`);
  expected.set("shared", shared);
  const deadline = Date.now() + 1000;
  for (const [id, value] of expected) {
    for (const [name, client] of [["A", a], ["B", b]] as const) {
      let seen = await balance(client, id);
      while (seen !== value && Date.now() < deadline) {
        await sleep(10);
        seen = await balance(client, id);
      }
      assert.equal(seen, value, `${id} through bot ${name}`);
    }
  }
  const boards = await Promise.all(clients.map((c) => c.call("ECONOMY__LEADERBOARD", { guild_id: "g1", limit: 100 })));
  assert.deepEqual(boards[0].result, boards[1].result, "both bots rank the same members");
  const total = [...expected.values()].reduce((s, v) => s + v, 0);
  assert.equal((boards[0].result as Array<{ balance: number }>).reduce((s, e) => s + e.balance, 0), total);
  assert.equal((boards[0].result as unknown[]).length, 21);

  // The console owner claims a payday from both bots at the same instant: paid once.
  const replies = (await Promise.all(bots.map((bot) => bot.say("!payday")))).map(([line]) => line);
  const paid = replies.filter((r) => r === "Here is your pay: 120 credits. You now have 120 credits.");
  const refused = replies.filter((r) => /^Too soon: wait \d+ s for your next payday\.$/.test(r ?? ""));
  assert.equal(paid.length, 1, JSON.stringify(replies));
  assert.equal(refused.length, 1, JSON.stringify(replies));
  for (const client of clients) assert.equal((await client.call("ECONOMY__BALANCE", { member_id: "console" })).result, 120);

  for (const bot of bots) assert.deepEqual(await bot.stop(), { code: 0, signal: null });
  // Each bot kept its own data dir, but no config in it: that lives in the database.
  for (const dir of dirs) assert.equal(existsSync(join(dir, "config", "Economy.json")), false);
});
