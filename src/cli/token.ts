import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { atomicWriteFile } from "../config/index.ts";

/** Where `--rpc-auth token` puts the token, inside the data dir. */
export const TOKEN_FILE = "rpc.token";

/**
 * Creates a fresh 256-bit token for this run and writes it to `<dataDir>/rpc.token`:
 * a new file created with mode 0600 and renamed into place (so an older file with looser
 * rights is replaced, never chmod-ed after the secret is in it), fsynced.
 * @returns the token and a function that removes the file if it still holds this token.
 */
export async function createTokenFile(dataDir: string): Promise<{ token: string; path: string; remove(): Promise<void> }> {
  const token = randomBytes(32).toString("hex");
  const path = join(dataDir, TOKEN_FILE);
  await atomicWriteFile(path, `${token}\n`, 0o600);
  return {
    token,
    path,
    async remove() {
      // Another bot on the same data dir may have written its own token since; leave that one.
      const current = await readFile(path, "utf8").catch(() => "");
      if (current.trim() === token) await rm(path, { force: true });
    },
  };
}
