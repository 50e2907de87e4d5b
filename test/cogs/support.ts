// Transitional: moved to test/support/bot.ts (removed once nothing imports it).
export * from "../support/bot.ts";
