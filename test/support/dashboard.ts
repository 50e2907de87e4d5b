// Helpers for the dashboard package's tests: a real bot (fake or given adapter, RPC on port 0)
// with the package loaded, and a client that calls methods as the web app does (id 0,
// positional params) and returns the parsed `result`, integers beyond 2^53 kept exact.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { Adapter } from "../../src/adapters/types.ts";
import { createBot } from "../../src/app/create-bot.ts";
import type { Bot } from "../../src/bot/bot.ts";
import { parseJson, stringifyJson } from "../../src/protocol/json.ts";
import { COGS, dataDir, fakeAdapter, type FakeAdapter } from "./bot.ts";
import { connect, recordingLogger, type TestClient } from "./rpc.ts";

/** A bot running the dashboard package, and a web-app-style caller. */
export interface Dashboard {
  bot: Bot;
  dir: string;
  adapter: Adapter;
  logger: ReturnType<typeof recordingLogger>;
  client: TestClient;
  /** Calls `method` with positional `params`; returns the result (fails on an RPC error). */
  call(method: string, params?: unknown[]): Promise<any>; // any: tests read arbitrary answer shapes
  /** Calls `method`; returns the whole reply (result or error). */
  raw(method: string, params?: unknown[]): Promise<any>; // any: see call
}

/**
 * Starts a bot on `dir` (fresh by default) with `owners` (besides the adapter's "100"), loads
 * the dashboard package unless `load` is false, and connects a client. Stopped when the test ends.
 */
export async function startDashboard(
  t: TestContext,
  options: { dir?: string; adapter?: Adapter; owners?: string[]; load?: boolean; authToken?: string } = {},
): Promise<Dashboard & { adapter: Adapter | FakeAdapter }> {
  const dir = options.dir ?? dataDir();
  const logger = recordingLogger();
  const adapter = options.adapter ?? fakeAdapter();
  const bot = await createBot({
    dataDir: dir,
    adapter,
    logger,
    bundledCogPath: COGS,
    owners: options.owners,
    rpc: { port: 0, ...(options.authToken === undefined ? {} : { authToken: options.authToken }) },
  });
  t.after(() => bot.stop());
  await bot.start({ listenRpc: true });
  if (options.load !== false) {
    const loaded = await bot.packages.load(["dashboard"]);
    // A bot restarted on the same data dir has loaded it again already (remembered packages).
    assert.deepEqual([...loaded.loaded_packages, ...loaded.alreadyloaded_packages], ["dashboard"], JSON.stringify(loaded));
  }
  const client = await connect(t, bot.rpc, options.authToken === undefined ? {} : { headers: { Authorization: `Bearer ${options.authToken}` } });
  const raw = async (method: string, params: unknown[] = []): Promise<any> => {
    // As the web app: one request at a time, id 0, positional params.
    // Written by the lossless codec: a bigint goes out as bare digits, as Python writes an int.
    client.send(stringifyJson({ jsonrpc: "2.0", id: 0, method, params }));
    return parseJson(await client.next(5000));
  };
  const call = async (method: string, params: unknown[] = []): Promise<any> => {
    const reply = await raw(method, params);
    assert.equal(reply.error, undefined, `${method} answered an error: ${JSON.stringify(reply.error)}`);
    return reply.result;
  };
  return { bot, dir, adapter, logger, client, call, raw };
}

/** The method names the AAA3A web app (1.7.x) calls. */
export const WEB_APP_METHODS = [
  "DASHBOARDRPC__CHECK_VERSION",
  "DASHBOARDRPC__GET_BOT_SETTINGS",
  "DASHBOARDRPC__GET_DASHBOARD_SETTINGS",
  "DASHBOARDRPC__GET_DATA",
  "DASHBOARDRPC__GET_GUILD",
  "DASHBOARDRPC__GET_USER_GUILDS",
  "DASHBOARDRPC__GET_VARIABLES",
  "DASHBOARDRPC__LEAVE_GUILD",
  "DASHBOARDRPC__SET_BOT_PROFILE",
  "DASHBOARDRPC__SET_BOT_SETTINGS",
  "DASHBOARDRPC__SET_CUSTOM_PAGES",
  "DASHBOARDRPC__SET_DASHBOARD_SETTINGS",
  "DASHBOARDRPC__SET_GUILD_SETTINGS",
  "DASHBOARDRPC_DEFAULTCOGS__GET_ALIASES",
  "DASHBOARDRPC_DEFAULTCOGS__GET_CUSTOM_COMMANDS",
  "DASHBOARDRPC_DEFAULTCOGS__SET_ALIASES",
  "DASHBOARDRPC_DEFAULTCOGS__SET_CUSTOM_COMMANDS",
  "DASHBOARDRPC_THIRDPARTIES__DATA_RECEIVE",
  "DASHBOARDRPC_THIRDPARTIES__OAUTH_RECEIVE",
  "DASHBOARDRPC_WEBHOOKS__WEBHOOK_RECEIVE",
] as const;
