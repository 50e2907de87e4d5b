// Transitional: moved to test/support/rpc.ts (removed once nothing imports it).
export * from "../support/rpc.ts";
