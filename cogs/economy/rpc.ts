import { array, integer, object, optional, nullable, type JsonSchema, type PackageScope } from "cogwheel";
import { type Economy, GLOBAL_GUILD, MAX_BALANCE } from "./bank.ts";

/**
 * A member or guild id: a Discord snowflake as a JSON number of any size (Red's clients send
 * ints) or any id as a string (console mode, other platforms). The handler gets a string.
 */
const ID: JsonSchema = {
  type: ["string", "integer"],
  minLength: 1,
  maxLength: 64,
  minimum: 0,
  description: "A member or guild id: a non-negative integer (a Discord snowflake) or a string of 1 to 64 characters.",
};
const GUILD: JsonSchema = { ...ID, description: `A guild id; absent or null: "${GLOBAL_GUILD}", the console/DM bank.` };
const BALANCE = integer({ minimum: 0, maximum: MAX_BALANCE });

/**
 * Economy's RPC methods and topic:
 * ECONOMY__BALANCE, ECONOMY__SET_BALANCE, ECONOMY__LEADERBOARD, ECONOMY__BALANCE_CHANGED.
 * Parameters are declared with JSON Schemas, checked before the handlers run (`-32602` with
 * the failing paths) and published by rpc.discover.
 */
export function registerRpc(bot: PackageScope, cog: Economy): void {
  bot.registerRpcHandler(cog, (member_id: unknown, guild_id?: unknown) => cog.balance(guild(guild_id), String(member_id)), {
    name: "balance",
    params: { member_id: ID, guild_id: optional(nullable(GUILD)) },
    result: BALANCE,
    doc: `Returns a member's balance (a number). guild_id defaults to "${GLOBAL_GUILD}", the console/DM bank.`,
  });
  bot.registerRpcHandler(
    cog,
    (member_id: unknown, amount: number, guild_id?: unknown) => cog.setBalance(guild(guild_id), String(member_id), amount),
    {
      name: "set_balance",
      params: { member_id: ID, amount: BALANCE, guild_id: optional(nullable(GUILD)) },
      result: BALANCE,
      doc: "Sets a member's balance to amount (a whole number >= 0) and returns it. Publishes ECONOMY__BALANCE_CHANGED.",
    },
  );
  bot.registerRpcHandler(
    cog,
    (guild_id?: unknown, limit?: number | null) => cog.leaderboard(guild(guild_id), limit ?? 10),
    {
      name: "leaderboard",
      params: { guild_id: optional(nullable(GUILD)), limit: optional(nullable(integer({ minimum: 1, maximum: 100 }))) },
      result: array(object({ member_id: { type: "string" }, balance: BALANCE })),
      doc: "Returns the richest members as [{member_id, balance}], richest first. limit: 1 to 100, default 10.",
    },
  );
  cog.changed = bot.registerRpcTopic(cog, "balance_changed", {
    doc: "Pushed on every balance change (payday, transfer, set_balance): {guild_id, member_id, balance}.",
  });
}

function guild(value: unknown): string {
  return value === undefined || value === null ? GLOBAL_GUILD : String(value);
}
