/**
 * What happened to a commit whose connection was lost during COMMIT. The server may have
 * committed (and only the answer was lost), may have rolled back, or may still be finishing.
 * PostgreSQL can say which for a transaction id (`pg_xact_status`), so the driver asks on a
 * fresh connection instead of guessing: committed → the commit succeeded; aborted → it did not
 * (nothing changed); no answer within the bound → `ERR_CONFIG_OUTCOME_UNKNOWN`, never a
 * silent success or a silent failure.
 *
 * The transaction id covers inserts and deletes too, which a re-read of the bucket's version
 * could not tell apart from another process's change.
 *
 * @module
 */
import pg from "pg";
import { ConfigError } from "../errors.ts";
import { dbError } from "./keys.ts";
import { scrub, type ResolvedPostgresOptions } from "./options.ts";

/**
 * Resolves if transaction `xid` committed; rejects otherwise.
 *
 * @param options - the driver's options (to connect)
 * @param xid - the transaction's id, read inside it (`pg_current_xact_id()`)
 * @param place - the namespace and buckets, for messages
 * @param lost - the error that interrupted COMMIT
 * @throws ConfigError `ERR_CONFIG_QUERY_FAILED` (it did not commit: nothing changed) or
 *   `ERR_CONFIG_OUTCOME_UNKNOWN` (could not find out)
 */
export async function resolveOutcome(options: ResolvedPostgresOptions, config: pg.ClientConfig, xid: string, place: string, lost: unknown): Promise<void> {
  // Keep asking for a while: the server may be restarting, or still finishing the transaction.
  const deadline = Date.now() + options.outcomeTimeoutMs;
  let last: unknown = lost;
  while (Date.now() < deadline) {
    const left = Math.max(100, deadline - Date.now());
    const client = new pg.Client({
      ...config,
      application_name: `${options.applicationName}-resolve`,
      connectionTimeoutMillis: Math.min(left, options.connectTimeoutMs),
      query_timeout: left,
    });
    client.on("error", () => {});
    try {
      await client.connect();
      const status = (await client.query<{ s: string | null }>("SELECT pg_xact_status($1::xid8) AS s", [xid])).rows[0]?.s;
      if (status === "committed") return;
      if (status === "aborted") {
        throw dbError("ERR_CONFIG_QUERY_FAILED", `Cannot write ${place} (the connection was lost during COMMIT, which did not happen: nothing changed)`, lost, options.secret);
      }
      if (status == null) break; // too old to know: cannot happen for a moment-old id, but never guess
      // "in progress": the server has not finished with it yet
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      last = error;
    } finally {
      await client.end().catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const reason = scrub(last instanceof Error ? last.message : String(last), options.secret);
  throw new ConfigError(
    "ERR_CONFIG_OUTCOME_UNKNOWN",
    `Write to ${place}: the connection was lost during COMMIT and whether it was applied could not be found out (${reason}); read the value again before relying on it`,
    { cause: lost },
  );
}
