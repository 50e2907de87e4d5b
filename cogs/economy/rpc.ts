import { type PackageScope, RpcError } from "cogwheel";
import { type Economy, GLOBAL_GUILD, MAX_BALANCE } from "./bank.ts";

/**
 * Economy's RPC methods and topic:
 * ECONOMY__BALANCE, ECONOMY__SET_BALANCE, ECONOMY__LEADERBOARD, ECONOMY__BALANCE_CHANGED.
 * Parameters are checked here; a bad one is `-32602 Invalid params` with `data` naming it.
 */
export function registerRpc(bot: PackageScope, cog: Economy): void {
  bot.registerRpcHandler(cog, (member_id: unknown, guild_id?: unknown) => cog.balance(guild(guild_id), id(member_id, "member_id")), {
    name: "balance",
    params: ["member_id", "guild_id?"],
    doc: `Returns a member's balance (a number). guild_id defaults to "${GLOBAL_GUILD}", the console/DM bank.`,
  });
  bot.registerRpcHandler(
    cog,
    (member_id: unknown, amount: unknown, guild_id?: unknown) =>
      cog.setBalance(guild(guild_id), id(member_id, "member_id"), wholeNumber(amount, "amount", 0, MAX_BALANCE)),
    {
      name: "set_balance",
      params: ["member_id", "amount", "guild_id?"],
      doc: "Sets a member's balance to amount (a whole number >= 0) and returns it. Publishes ECONOMY__BALANCE_CHANGED.",
    },
  );
  bot.registerRpcHandler(
    cog,
    (guild_id?: unknown, limit?: unknown) =>
      cog.leaderboard(guild(guild_id), limit === undefined || limit === null ? 10 : wholeNumber(limit, "limit", 1, 100)),
    {
      name: "leaderboard",
      params: ["guild_id?", "limit?"],
      doc: "Returns the richest members as [{member_id, balance}], richest first. limit: 1 to 100, default 10.",
    },
  );
  cog.changed = bot.registerRpcTopic(cog, "balance_changed", {
    doc: "Pushed on every balance change (payday, transfer, set_balance): {guild_id, member_id, balance}.",
  });
}

function id(value: unknown, param: string): string {
  if (typeof value !== "string" || value === "" || value.length > 64) {
    throw RpcError.invalidParams({ param, reason: "must be a non-empty string of at most 64 characters" });
  }
  return value;
}

function guild(value: unknown): string {
  return value === undefined || value === null ? GLOBAL_GUILD : id(value, "guild_id");
}

function wholeNumber(value: unknown, param: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw RpcError.invalidParams({ param, reason: `must be a whole number from ${min} to ${max}` });
  }
  return value;
}
