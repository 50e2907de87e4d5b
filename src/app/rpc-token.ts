import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { atomicWriteFile } from "../config/index.ts";
import { TOKEN_FILE } from "../protocol/constants.ts";

/** Where `--rpc-auth token` puts the token, inside the data dir (the client reads the same name). */
export { TOKEN_FILE };

/** This run's RPC token and its file. */
export interface RpcToken {
  readonly value: string;
  readonly path: string;
  /**
   * Writes the file: created with mode 0600 under a temporary name, fsynced and renamed into
   * place, so an older file with looser rights is replaced, never chmod-ed after the secret is
   * in it. Call it once the server listens: a start that fails (port in use) must not replace
   * the token of a bot already running on this data dir.
   */
  write(): Promise<void>;
  /** Removes the file if it was written by this run and still holds this token. Synchronous, for exit paths. */
  remove(): void;
}

/** A fresh 256-bit token for this run (nothing written yet). */
export function newToken(dataDir: string): RpcToken {
  const value = randomBytes(32).toString("hex");
  const path = join(dataDir, TOKEN_FILE);
  let written = false;
  return {
    value,
    path,
    async write() {
      await atomicWriteFile(path, `${value}\n`, 0o600);
      written = true;
    },
    remove() {
      if (!written) return;
      let current = "";
      try {
        current = readFileSync(path, "utf8");
      } catch {
        return;
      }
      // Another bot on the same data dir may have written its own token since; leave that one.
      if (current.trim() === value) rmSync(path, { force: true });
    },
  };
}
