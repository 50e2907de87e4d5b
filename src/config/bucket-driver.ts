/**
 * The bucket-level, versioned driver contract (SCALE.md §6a). The whole-namespace contract of
 * `driver.ts` (load everything, write everything) is right for one process and JSON files but
 * cannot be shared: two processes writing whole documents lose each other's updates. Here the
 * unit is one bucket (the values of one scope of one namespace), each with a version, and every
 * change is a compare-and-set against the versions the caller read, so a driver shared by many
 * processes never loses an update: a stale write is refused and the caller re-reads and retries.
 *
 * Implemented by the PostgreSQL driver (`postgres/driver.ts`) and, for the JSON files, by the
 * in-memory adapter `json-buckets.ts`, so that the code above the driver (the store) is one path.
 * Both are checked by one suite, `test/config/bucket-conformance.ts`.
 *
 * @module
 */
import type { Disposable } from "../protocol/disposable.ts";
import type { JsonObject } from "./json.ts";
import type { ScopeKind } from "./namespace.ts";
import type { ScopeRef } from "./state.ts";

export type { ScopeKind, ScopeRef };

/**
 * A bucket's version. `0` means "absent" (never stored, or deleted). Any other value is issued
 * by the driver on each write and is never issued again for that bucket, even after it was
 * deleted and created anew, so an equal version always means unchanged data (no ABA).
 * Versions of one bucket are not necessarily consecutive, and versions of different buckets are
 * unrelated: compare them for equality only.
 */
export type BucketVersion = number;

/** A stored bucket: its values (key → value, never empty) and its version. */
export interface VersionedBucket {
  readonly data: JsonObject;
  readonly version: BucketVersion;
}

/** One bucket of a listing. */
export interface ListedBucket extends VersionedBucket {
  readonly ref: ScopeRef;
}

/** A bucket the caller read, and the version it saw (`0`: it was absent). */
export interface BucketRead {
  readonly ref: ScopeRef;
  readonly version: BucketVersion;
}

/** A bucket's new values; `null` (or `{}`) deletes it. */
export interface BucketWrite {
  readonly ref: ScopeRef;
  readonly data: JsonObject | null;
}

/** The outcome of {@link BucketDriver.commit}. */
export type CommitResult =
  /** Applied, durably; `versions[i]` is the new version of `writes[i]` (`0` for a delete). */
  | { readonly ok: true; readonly versions: readonly BucketVersion[] }
  /**
   * Nothing was applied: these reads were stale (their bucket changed since), or could not be
   * checked without waiting on another writer (a deadlock the server broke). Re-read them and
   * retry. Not an error: conflicts are expected when processes share a store.
   */
  | { readonly ok: false; readonly stale: readonly ScopeRef[] };

/**
 * What changed elsewhere, so cached buckets can be dropped.
 * - `bucket`: that bucket now has `version` (0: deleted); a cached copy with another version
 *   is stale.
 * - `namespace`: anything in the namespace may have changed.
 * - `all`: notifications may have been lost (the listener's connection dropped or was
 *   re-established): drop every cached bucket before the next read.
 */
export type Invalidation =
  | { readonly kind: "bucket"; readonly namespace: string; readonly ref: ScopeRef; readonly version: BucketVersion }
  | { readonly kind: "namespace"; readonly namespace: string }
  | { readonly kind: "all" };

/**
 * A versioned, bucket-level config driver. Safe for several processes (and several drivers in
 * one process) on one store. Namespace names and ids are validated by the caller as for
 * `ConfigDriver` (identifier-like names, non-empty string ids).
 *
 * Errors are ConfigErrors naming the namespace and bucket: `ERR_CONFIG_QUERY_FAILED` (nothing
 * changed), `ERR_CONFIG_OUTCOME_UNKNOWN` (a commit whose fate could not be learned: it may or
 * may not have been applied), `ERR_CONFIG_CLOSED` after {@link close}.
 */
export interface BucketDriver {
  /**
   * Reads one bucket, as committed (never a half-applied commit).
   *
   * @param namespace - the namespace
   * @param ref - the scope
   * @returns its values and version, or `undefined` when it is absent (version 0)
   */
  loadBucket(namespace: string, ref: ScopeRef): Promise<VersionedBucket | undefined>;

  /**
   * Lists the stored buckets of one scope kind, for `allGuilds()`, `allMembers(guildId)`…
   * One consistent snapshot.
   *
   * @param namespace - the namespace
   * @param kind - the scope kind
   * @param guildId - for `member` only: just that guild's members (else every member)
   * @returns every stored bucket of that kind, with its ref, values and version
   */
  listBuckets(namespace: string, kind: ScopeKind, guildId?: string): Promise<ListedBucket[]>;

  /**
   * Applies `writes` all together if, and only if, every bucket in `reads` still has the
   * version read; else applies nothing and reports the stale reads. Every written bucket must
   * be in `reads` (a write is always based on what was read: a blind whole-bucket write would
   * undo others' changes). Reads that are not written are checked and held still until the
   * commit ends, so a decision based on them stays valid.
   *
   * Resolves only once the writes are durable (COMMIT returned, with `fsync` and
   * `synchronous_commit` on). If the connection is lost during COMMIT, the driver finds out
   * whether it happened: it did → resolves as usual; it did not → rejects with
   * `ERR_CONFIG_QUERY_FAILED`; cannot tell → rejects with `ERR_CONFIG_OUTCOME_UNKNOWN`. Never
   * a silent success.
   *
   * @param namespace - the namespace
   * @param reads - the buckets the change is based on, with the versions seen
   * @param writes - new values of buckets in `reads` (`null`/`{}`: delete)
   * @returns `{ok: true, versions}` or `{ok: false, stale}`
   * @throws ConfigTypeError `ERR_CONFIG_INVALID_VALUE` for a write outside `reads`, a ref
   *   written twice, or a read listed twice with different versions
   */
  commit(namespace: string, reads: readonly BucketRead[], writes: readonly BucketWrite[]): Promise<CommitResult>;

  /**
   * Subscribes to invalidations caused by other drivers (other processes); a driver's own
   * commits may be reported too. Delivery is prompt but asynchronous; when delivery cannot be
   * guaranteed (connection lost, re-established) an `all` invalidation is sent.
   *
   * @param listener - called for each invalidation; exceptions are caught and ignored
   * @returns a Disposable that unsubscribes
   */
  onInvalidate(listener: (invalidation: Invalidation) => void): Disposable;

  /**
   * Optional: whether invalidations are being delivered right now. While `false` (the
   * PostgreSQL listener lost its connection and is re-establishing it) the store caches
   * nothing and reads every bucket from the driver, since a change made meanwhile would go
   * unheard. Absent: always delivered (the JSON adapter has no other writer).
   */
  readonly coherent?: boolean;

  /**
   * Optional pessimistic path for a hot bucket: locks it (also when absent), calls `fn` with its
   * current values, stores what `fn` returns and commits, so it cannot conflict. The store uses
   * it after repeated conflicts on one bucket, so that every writer makes progress. `fn` must not
   * throw (a throw rolls back and rejects as `ERR_CONFIG_QUERY_FAILED`).
   *
   * @returns the stored values and their version (`{data: null, version: 0}` after a delete)
   */
  lockedUpdate?(
    namespace: string,
    ref: ScopeRef,
    fn: (current: VersionedBucket | undefined) => JsonObject | null,
  ): Promise<{ data: JsonObject | null; version: BucketVersion }>;

  /**
   * Optional: drops whatever the driver keeps of a namespace, so that the next read goes back
   * to the source (the JSON adapter re-reads the file a person fixed by hand). A no-op while
   * commits of the namespace are queued.
   */
  forget?(namespace: string): void;

  /**
   * Optional: where a namespace is kept, for messages (the JSON adapter: `Config file <path>`;
   * PostgreSQL: `Config namespace "X" on postgres://user@host:port/db`).
   *
   * @returns the description, and the file when there is one
   */
  whereOf?(namespace: string): { readonly text: string; readonly path?: string };

  /**
   * Releases every connection. Idempotent; later operations reject with `ERR_CONFIG_CLOSED`.
   * Never hangs: bounded even when the server is gone (operations still running are cut off
   * and reject).
   */
  close(): Promise<void>;
}
