/**
 * Whether Cogwheel's RPC server can be benchmarked. The import is dynamic so that run.ts
 * still runs (peers only) when src/rpc/index.ts is missing or broken.
 */
const COGWHEEL_RPC_URL = new URL("../../src/rpc/index.ts", import.meta.url);

/** Resolves if src/rpc/index.ts imports and exports createRpcServer; else throws a one-line error. */
export async function checkCogwheel(): Promise<void> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(COGWHEEL_RPC_URL.href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot import src/rpc/index.ts: ${(err as Error).message.split("\n")[0]}`);
  }
  if (typeof mod.createRpcServer !== "function") throw new Error("src/rpc/index.ts does not export createRpcServer");
}
