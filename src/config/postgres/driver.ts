/**
 * The PostgreSQL config driver: the bucket contract of `bucket-driver.ts` on one table shared
 * by every process (SCALE.md §6a). Writes are compare-and-set against the versions the caller
 * read, inside one SQL transaction each; {@link PostgresDriver.lockedUpdate} is the pessimistic
 * path for hot keys. Durable as the JSON driver: a commit resolves only after COMMIT returned
 * on a server with `fsync` and `synchronous_commit` on, and a commit whose connection was lost
 * is resolved through its transaction id, never guessed.
 *
 * @module
 */
import pg from "pg";
import type { BucketDriver, BucketRead, BucketWrite, CommitResult, Invalidation, ListedBucket, VersionedBucket } from "../bucket-driver.ts";
import { checkCommit } from "../bucket-check.ts";
import { ConfigError, ConfigTypeError } from "../errors.ts";
import type { JsonObject } from "../json.ts";
import type { ScopeKind } from "../namespace.ts";
import type { ScopeRef } from "../state.ts";
import type { Disposable } from "../../protocol/disposable.ts";
import { dbError, isConnectionError, refOf, rowKey, where } from "./keys.ts";
import { endWithin, InvalidationListener } from "./listener.ts";
import { resolvePostgresOptions, withPasswordFile, type PostgresDriverOptions, type ResolvedPostgresOptions } from "./options.ts";
import type { PgpassLookup } from "./pgpass.ts";
import { ensureSchema } from "./schema.ts";
import { compareAndSet, isEmpty, KEY_HASH, lockAndCheck, Stale, TABLE, writeBuckets } from "./writes.ts";
import { resolveOutcome } from "./outcome.ts";
import { clientConfig } from "./client-config.ts";

/** How long close() waits, after cutting the connections, before settling what is left. */
const CUT_OFF_MS = 250;

/** Driver lifecycle; it never goes back. */
export type PostgresDriverState = "open" | "closing" | "closed";


/**
 * A failed connection says where a password could have come from when none was used: pg's own
 * words for it ("client password must be a string") do not tell a bot owner what to do, and a
 * password file ignored for its permissions is otherwise silent.
 */
function explainPassword(error: unknown, lookup: PgpassLookup | null): unknown {
  if (!(error instanceof ConfigError) || error.code !== "ERR_CONFIG_CONNECT_FAILED" || lookup === null || lookup.kind === "found") return error;
  const why = lookup.kind === "ignored" ? `; the password file ${lookup.file} was ignored: ${lookup.reason}` : "";
  const message = /client password must be a string|: no password given$/.test(error.message)
    ? `${error.message.replace(/: (SASL: .*|no password given)$/, "")}: the server asks for a password and none was given (in the URL, PGPASSWORD or ${lookup.file})${why}`
    : `${error.message}${why}`;
  return why === "" && message === error.message ? error : new ConfigError(error.code, message, { cause: error.cause });
}

/** The PostgreSQL implementation of {@link BucketDriver}. Create with {@link PostgresDriver.open}. */
export class PostgresDriver implements BucketDriver {
  readonly #options: ResolvedPostgresOptions;
  /** The client configuration of every connection (see client-config.ts). */
  readonly #config: pg.ClientConfig;
  readonly #pool: pg.Pool;
  readonly #listener: InvalidationListener;
  readonly #subscribers = new Set<(invalidation: Invalidation) => void>();
  /** Checked-out connections, so that close() can cut them off when the server is gone. */
  readonly #busy = new Set<pg.PoolClient>();
  #state: PostgresDriverState = "open";
  /** Rejecters of the operations in progress: close() settles those it gave up waiting for. */
  readonly #pending = new Set<() => void>();
  #closing: Promise<void> | null = null;

  private constructor(options: ResolvedPostgresOptions, pool: pg.Pool, config: pg.ClientConfig) {
    this.#options = options;
    this.#config = config;
    this.#pool = pool;
    this.#listener = new InvalidationListener(config, (inv) => this.#emit(inv), options.maxReconnectDelayMs, options.heartbeatMs);
  }

  /**
   * Connects, refuses a non-durable server, creates or checks the schema and starts listening.
   *
   * @param options - see {@link PostgresDriverOptions}; validated first
   * @returns an open driver
   * @throws ConfigError `ERR_CONFIG_INVALID_OPTIONS` / `ERR_CONFIG_INVALID_URL` (before any
   *   connection), `ERR_CONFIG_CONNECT_FAILED`, `ERR_CONFIG_NOT_DURABLE`,
   *   `ERR_CONFIG_SCHEMA_TOO_NEW`; every message names the database without its password
   */
  static async open(options: PostgresDriverOptions): Promise<PostgresDriver> {
    // The password file is read here, not by pg (whose reading of it prints a DeprecationWarning).
    const { options: resolved, lookup } = withPasswordFile(resolvePostgresOptions(options));
    const config = clientConfig(resolved, {
      application_name: resolved.applicationName,
      connectionTimeoutMillis: resolved.connectTimeoutMs,
      statement_timeout: resolved.statementTimeoutMs,
      // Client-side bound: a server that vanished without closing the socket cannot stall a call.
      query_timeout: resolved.statementTimeoutMs + 2_000,
      keepAlive: true,
    });
    const pool = new pg.Pool({ ...config, max: resolved.poolSize, idleTimeoutMillis: 30_000 });
    // An idle client's error is emitted on the pool and, unheard, would crash the process
    // (node-postgres #1790); the next checkout simply gets a new connection.
    pool.on("error", () => {});
    const driver = new PostgresDriver(resolved, pool, config);
    try {
      await driver.#setUp();
      await driver.#listener.ready().catch((error: unknown) => {
        throw dbError("ERR_CONFIG_CONNECT_FAILED", `Cannot listen for config changes on PostgreSQL ${resolved.target}`, error, resolved.secret);
      });
    } catch (error) {
      await driver.close();
      throw explainPassword(error, lookup);
    }
    return driver;
  }

  /** Where the driver is in its life. */
  get state(): PostgresDriverState {
    return this.#state;
  }

  /** {@inheritDoc BucketDriver.coherent} */
  get coherent(): boolean {
    return this.#listener.state === "listening";
  }

  /** {@inheritDoc BucketDriver.whereOf} */
  whereOf(namespace: string): { readonly text: string } {
    return { text: `Config namespace "${namespace}" on PostgreSQL ${this.#options.target}` };
  }

  /** The database, for messages: `postgres://user@host:port/db`, never with a password. */
  get target(): string {
    return this.#options.target;
  }

  async #setUp(): Promise<void> {
    const { target, secret } = this.#options;
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw dbError("ERR_CONFIG_CONNECT_FAILED", `Cannot connect to PostgreSQL ${target}`, error, secret);
    }
    try {
      const settings = await client.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'server_version_num')",
      );
      const version = Number(settings.rows.find((row) => row.name === "server_version_num")?.setting ?? 0);
      if (version < 130000) {
        // pg_current_xact_id() and pg_xact_status(xid8), which resolve a lost COMMIT, are 13+.
        throw new ConfigError("ERR_CONFIG_CONNECT_FAILED", `PostgreSQL ${target} is version ${Math.floor(version / 10000)}; the config store needs PostgreSQL 13 or later`);
      }
      for (const { name, setting } of settings.rows) {
        // Off, a COMMIT can return before its WAL is on disk: an acknowledged write could be
        // lost in a crash, which the JSON driver never allows.
        if (setting === "off") {
          throw new ConfigError(
            "ERR_CONFIG_NOT_DURABLE",
            `PostgreSQL ${target} has ${name}=off, so acknowledged config writes could be lost in a crash; turn it on (ALTER SYSTEM / ALTER DATABASE / ALTER ROLE … SET ${name} = on, or remove it from the URL's options)`,
          );
        }
      }
      await ensureSchema(client, target);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw dbError("ERR_CONFIG_CONNECT_FAILED", `Cannot set up the config schema on PostgreSQL ${target}`, error, secret);
    } finally {
      client.release();
    }
  }

  /** {@inheritDoc BucketDriver.loadBucket} */
  async loadBucket(namespace: string, ref: ScopeRef): Promise<VersionedBucket | undefined> {
    const key = rowKey(ref);
    const rows = await this.#query<{ data: JsonObject; version: string }>(
      `SELECT data, version::text FROM ${TABLE} WHERE namespace = $1 AND scope = $2 AND id1 = $3 AND id2 = $4`,
      [namespace, key.scope, key.id1, key.id2],
      () => `Cannot read ${where(this.target, namespace, [ref])}`,
    );
    const row = rows[0];
    return row === undefined ? undefined : { data: row.data, version: Number(row.version) };
  }

  /** {@inheritDoc BucketDriver.listBuckets} */
  async listBuckets(namespace: string, kind: ScopeKind, guildId?: string): Promise<ListedBucket[]> {
    const byGuild = kind === "member" && guildId !== undefined;
    const rows = await this.#query<{ id1: string; id2: string; data: JsonObject; version: string }>(
      `SELECT id1, id2, data, version::text FROM ${TABLE} WHERE namespace = $1 AND scope = $2${byGuild ? " AND id1 = $3" : ""} ORDER BY id1, id2`,
      byGuild ? [namespace, kind, guildId] : [namespace, kind],
      () => `Cannot list the ${kind} buckets of ${where(this.target, namespace)}`,
    );
    return rows.map((row) => ({ ref: refOf(kind, row.id1, row.id2)!, data: row.data, version: Number(row.version) }));
  }

  /** {@inheritDoc BucketDriver.commit} */
  async commit(namespace: string, reads: readonly BucketRead[], writes: readonly BucketWrite[]): Promise<CommitResult> {
    const expected = checkCommit(namespace, reads, writes);
    const refs = [...expected.values()].map((r) => r.ref);
    try {
      const versions = await this.#transaction(namespace, refs, async (client) => {
        if (writes.length === 1 && expected.size === 1) return [await compareAndSet(client, namespace, writes[0]!, reads[0]!.version)];
        await lockAndCheck(client, namespace, expected);
        return writeBuckets(client, namespace, writes);
      });
      return { ok: true, versions };
    } catch (error) {
      if (error instanceof Stale) return { ok: false, stale: error.refs };
      throw error;
    }
  }

  /**
   * The pessimistic path, for a hot bucket where compare-and-set keeps losing: locks the
   * bucket (its row, or its key while it is absent) until COMMIT, so `fn` sees the latest data
   * and its result is stored without any chance of conflict. `fn` runs once per call, while the
   * lock is held: keep it short and synchronous.
   *
   * @param namespace - the namespace
   * @param ref - the bucket
   * @param fn - gets the current bucket (`undefined` if absent), returns the new values
   *   (`null` or `{}`: delete)
   * @returns the stored values and their version (`{data: null, version: 0}` after a delete)
   */
  async lockedUpdate(
    namespace: string,
    ref: ScopeRef,
    fn: (current: VersionedBucket | undefined) => JsonObject | null,
  ): Promise<{ data: JsonObject | null; version: number }> {
    let result: { data: JsonObject | null; version: number } = { data: null, version: 0 };
    await this.#transaction(namespace, [ref], async (client) => {
      const key = rowKey(ref);
      const params = [namespace, key.scope, key.id1, key.id2];
      const select = `SELECT data, version::text FROM ${TABLE} WHERE namespace = $1 AND scope = $2 AND id1 = $3 AND id2 = $4 FOR UPDATE`;
      let row = (await client.query<{ data: JsonObject; version: string }>(select, params)).rows[0];
      if (row === undefined) {
        // No row to lock: take the key's advisory lock (as every creator does), then look again.
        await client.query(`SELECT pg_advisory_xact_lock(${KEY_HASH}) FROM (SELECT $2::text s, $3::text a, $4::text b) k`, params);
        row = (await client.query<{ data: JsonObject; version: string }>(select, params)).rows[0];
      }
      const current = row === undefined ? undefined : { data: row.data, version: Number(row.version) };
      const next = fn(current);
      const [version] = await writeBuckets(client, namespace, [{ ref, data: next }]);
      result = { data: isEmpty(next) ? null : next, version: version! };
      return [];
    });
    return result;
  }

  /** {@inheritDoc BucketDriver.onInvalidate} */
  onInvalidate(listener: (invalidation: Invalidation) => void): Disposable {
    this.#subscribers.add(listener);
    return { dispose: () => void this.#subscribers.delete(listener) };
  }

  /** {@inheritDoc BucketDriver.close} */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#state = "closing";
    const ms = this.#options.closeTimeoutMs;
    const ended = this.#pool.end().catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
    // One deadline for both: the whole close is bounded by closeTimeoutMs + CUT_OFF_MS.
    const done = Promise.all([ended, this.#listener.close(ms)]);
    if ((await Promise.race([done, late])) === "late") {
      // The server is gone or frozen, or a call is stuck: cut every connection. Calls on them
      // reject; pool.end() finishes once they are released. Idle ones are only reachable
      // through pg-pool's private list (read defensively: absent in another version, no harm).
      const idle = (this.#pool as unknown as { _clients?: pg.PoolClient[] })._clients ?? [];
      for (const client of new Set([...this.#busy, ...idle])) void endWithin(client, 0);
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, CUT_OFF_MS))]);
    }
    for (const abandon of [...this.#pending]) abandon();
    clearTimeout(timer);
    this.#subscribers.clear();
    this.#state = "closed";
  }

  #emit(invalidation: Invalidation): void {
    for (const listener of [...this.#subscribers]) {
      try {
        listener(invalidation);
      } catch {
        // one subscriber's bug must not stop the others from dropping stale data
      }
    }
  }

  #closed(): ConfigError {
    return new ConfigError("ERR_CONFIG_CLOSED", `Config driver for PostgreSQL ${this.target} is closed`);
  }

  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[], what: () => string): Promise<R[]> {
    return this.#use(async (client) => (await client.query<R>(sql, params)).rows, (error) => {
      throw dbError("ERR_CONFIG_QUERY_FAILED", what(), error, this.#options.secret);
    });
  }

  /**
   * Checks a connection out for `fn` and back in (destroyed if it broke). Tracked, so that
   * close() can cut it off; and raced against close(), so that the caller's promise settles
   * even if `pg` never answers for a connection whose server vanished.
   */
  #use<T>(fn: (client: pg.PoolClient) => Promise<T>, fail: (error: unknown) => never, abandoned?: () => ConfigError): Promise<T> {
    if (this.#state !== "open") return Promise.reject(this.#closed());
    const run = async (): Promise<T> => {
      let client: pg.PoolClient;
      try {
        client = await this.#pool.connect();
      } catch (error) {
        return fail(error);
      }
      this.#busy.add(client);
      let broken = false;
      // pg-pool listens for errors of idle clients only: a checked-out client whose socket
      // drops emits 'error', which, unheard, would crash the process.
      const onError = (): void => void (broken = true);
      client.on("error", onError);
      try {
        return await fn(client);
      } catch (error) {
        broken = isConnectionError(error);
        if (error instanceof Stale || error instanceof ConfigError || error instanceof ConfigTypeError) throw error;
        return fail(error);
      } finally {
        this.#busy.delete(client);
        client.off("error", onError);
        client.release(broken); // a broken connection is destroyed, not reused
      }
    };
    return new Promise<T>((resolve, reject) => {
      const abandon = (): void => reject(abandoned?.() ?? this.#closed());
      this.#pending.add(abandon);
      run().then(resolve, reject).finally(() => this.#pending.delete(abandon));
    });
  }

  /**
   * Runs `body` in one SQL transaction and commits it; resolves with `body`'s result once
   * COMMIT returned. A lost COMMIT is resolved by the transaction's id (see outcome.ts).
   */
  async #transaction<T>(namespace: string, refs: readonly ScopeRef[], body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const { secret, target } = this.#options;
    const place = (): string => where(target, namespace, refs);
    let committing = false;
    return this.#use(async (client) => {
      let xid = "";
      try {
        const begun = (await client.query("BEGIN; SELECT pg_current_xact_id()::text AS xid")) as unknown as pg.QueryResult<{ xid: string }>[];
        xid = begun[1]!.rows[0]!.xid;
        const result = await body(client);
        committing = true;
        try {
          await client.query("COMMIT");
        } catch (error) {
          if (!isConnectionError(error)) throw error; // the server answered: it did not commit
          await resolveOutcome(this.#options, this.#config, xid, place(), error);
        }
        return result;
      } catch (error) {
        if (!isConnectionError(error)) await client.query("ROLLBACK").catch(() => {});
        // A deadlock the server broke: report it as a conflict, so the caller re-reads and retries.
        if ((error as { code?: unknown } | null)?.code === "40P01") throw new Stale(refs);
        throw error;
      }
    }, (error) => {
      throw dbError("ERR_CONFIG_QUERY_FAILED", `Cannot write ${place()} (nothing changed)`, error, secret);
    }, () => committing
      ? new ConfigError("ERR_CONFIG_OUTCOME_UNKNOWN", `Write to ${place()}: the driver was closed during COMMIT, whose outcome is unknown; read the value again before relying on it`)
      : this.#closed());
  }
}
