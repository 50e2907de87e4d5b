/**
 * The JSON-file driver behind the bucket contract of `bucket-driver.ts`: an in-memory adapter
 * over the whole-namespace {@link ConfigDriver} (SCALE.md §6a), so that the code above the
 * driver can be one path. The files on disk are unchanged: each commit writes the whole
 * namespace document once, through the wrapped driver (temp file, fsync, rename, fsync of the
 * directory), exactly as the store does today.
 *
 * Guarantees:
 * - Versions live in memory only: every bucket loaded from a file or written gets a fresh
 *   number from one counter per adapter, never issued twice (so no ABA, also after a delete
 *   and re-creation); `0` means absent. They are not kept across restarts, which is fine: a
 *   version only has to stay valid while this process holds it.
 * - Commits of one namespace run one at a time. A commit compares every read version, then
 *   builds the next document, writes it, and only once the write resolved (durable) makes the
 *   new data and versions visible and resolves. A stale read applies nothing and returns
 *   `{ok: false, stale}`; a failed write applies nothing in memory and rejects with the write's
 *   error (as a whole-namespace write fails today; the file may hold either document, each
 *   complete).
 * - Loads and listings see committed data only, never a commit whose write is still running.
 * - A file that cannot be read (`ERR_CONFIG_CORRUPT_FILE`) is not cached: the next call reads
 *   it again, so a file fixed by hand is picked up.
 *
 * @module
 */
import type { Disposable } from "../protocol/disposable.ts";
import { checkCommit } from "./bucket-check.ts";
import type { BucketDriver, BucketRead, BucketVersion, BucketWrite, CommitResult, Invalidation, ListedBucket, VersionedBucket } from "./bucket-driver.ts";
import { decodeDocument, encodeDocument, ensureBucket, findBucket, pruneBucket, type Bucket, type NamespaceData } from "./document.ts";
import type { ConfigDriver } from "./driver.ts";
import { ConfigError } from "./errors.ts";
import type { JsonObject } from "./json.ts";
import type { ScopeKind } from "./namespace.ts";
import { bucketKey, rowKey } from "./postgres/keys.ts";
import type { ScopeRef } from "./state.ts";

/** Adapter lifecycle; it never goes back. */
export type JsonBucketsState = "open" | "closing" | "closed";

/** One loaded namespace: its committed data and the version of each stored bucket. */
interface Loaded {
  data: NamespaceData;
  /** bucketKey(ref) → version, for stored (non-empty) buckets only. */
  versions: Map<string, BucketVersion>;
}


/** Values never share containers with the caller: stored data cannot be changed behind our back. */
const copy = (data: JsonObject): JsonObject => structuredClone(data);

/** The JSON driver as a {@link BucketDriver}. Single process: the data dir's lock sees to that. */
export class JsonBucketDriver implements BucketDriver {
  readonly #driver: ConfigDriver;
  readonly #namespaces = new Map<string, Promise<Loaded>>();
  /** Tail of each namespace's commit queue: commits of one namespace never overlap. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #counter = 0;
  #state: JsonBucketsState = "open";
  #closing: Promise<void> | null = null;

  /**
   * @param driver - the whole-namespace driver (the JSON-file driver); closed by {@link close}
   */
  constructor(driver: ConfigDriver) {
    this.#driver = driver;
  }

  /** Where the adapter is in its life. */
  get state(): JsonBucketsState {
    return this.#state;
  }

  /** {@inheritDoc BucketDriver.loadBucket} */
  async loadBucket(namespace: string, ref: ScopeRef): Promise<VersionedBucket | undefined> {
    const loaded = await this.#load(namespace);
    const bucket = findBucket(loaded.data, ref);
    const version = loaded.versions.get(bucketKey(ref));
    if (bucket === undefined || bucket.size === 0 || version === undefined) return undefined;
    return { data: copy(Object.fromEntries(bucket)), version };
  }

  /** {@inheritDoc BucketDriver.listBuckets} */
  async listBuckets(namespace: string, kind: ScopeKind, guildId?: string): Promise<ListedBucket[]> {
    const loaded = await this.#load(namespace);
    const { data } = loaded;
    const found: [ScopeRef, Bucket][] = [];
    if (kind === "global") {
      found.push([{ kind: "global" }, data.global]);
    } else if (kind === "member") {
      for (const [gid, members] of data.member) {
        if (guildId !== undefined && gid !== guildId) continue;
        for (const [userId, bucket] of members) found.push([{ kind: "member", guildId: gid, userId }, bucket]);
      }
    } else {
      for (const [id, bucket] of data[kind]) found.push([{ kind, id }, bucket]);
    }
    const listed: ListedBucket[] = [];
    for (const [ref, bucket] of found) {
      const version = loaded.versions.get(bucketKey(ref));
      if (bucket.size > 0 && version !== undefined) listed.push({ ref, data: copy(Object.fromEntries(bucket)), version });
    }
    // The PostgreSQL driver's order (ORDER BY id1, id2, byte order): by ids, code unit order.
    const ids = (ref: ScopeRef): [string, string] => {
      const key = rowKey(ref);
      return [key.id1, key.id2];
    };
    const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    return listed.sort((a, b) => {
      const [a1, a2] = ids(a.ref);
      const [b1, b2] = ids(b.ref);
      return cmp(a1, b1) || cmp(a2, b2);
    });
  }

  /** {@inheritDoc BucketDriver.commit} */
  commit(namespace: string, reads: readonly BucketRead[], writes: readonly BucketWrite[]): Promise<CommitResult> {
    if (this.#state !== "open") return Promise.reject(this.#closed(namespace));
    let expected: Map<string, BucketRead>;
    let snapshot: BucketWrite[];
    try {
      expected = checkCommit(namespace, reads, writes);
      // Taken now, as the whole-namespace driver takes its document: the caller may reuse objects.
      snapshot = writes.map((w) => ({ ref: w.ref, data: w.data === null ? null : copy(w.data) }));
    } catch (error) {
      return Promise.reject(error);
    }
    const previous = this.#queues.get(namespace) ?? Promise.resolve();
    const result = previous.then(() => this.#commit(namespace, expected, snapshot));
    const tail = result.catch(() => {});
    this.#queues.set(namespace, tail);
    void tail.then(() => {
      if (this.#queues.get(namespace) === tail) this.#queues.delete(namespace);
    });
    return result;
  }

  async #commit(namespace: string, expected: Map<string, BucketRead>, writes: readonly BucketWrite[]): Promise<CommitResult> {
    const loaded = await this.#load(namespace, true);
    const stale = [...expected].filter(([key, read]) => (loaded.versions.get(key) ?? 0) !== read.version).map(([, read]) => read.ref);
    if (stale.length > 0) return { ok: false, stale };
    if (writes.length === 0) return { ok: true, versions: [] };

    // Build the next state aside; it becomes visible only once its document is durable.
    const next = cloneData(loaded.data);
    const versions = new Map(loaded.versions);
    const issued: BucketVersion[] = [];
    for (const write of writes) {
      const key = bucketKey(write.ref);
      const values = write.data === null ? [] : Object.entries(write.data);
      if (values.length === 0) {
        findBucket(next, write.ref)?.clear();
        pruneBucket(next, write.ref);
        versions.delete(key);
        issued.push(0);
      } else {
        const bucket = ensureBucket(next, write.ref);
        bucket.clear();
        for (const [k, v] of values) bucket.set(k, v);
        const version = ++this.#counter;
        versions.set(key, version);
        issued.push(version);
      }
    }
    await this.#driver.write(namespace, encodeDocument(next));
    loaded.data = next;
    loaded.versions = versions;
    return { ok: true, versions: issued };
  }

  /** {@inheritDoc BucketDriver.forget} */
  forget(namespace: string): void {
    if (!this.#queues.has(namespace)) this.#namespaces.delete(namespace);
  }

  /** {@inheritDoc BucketDriver.whereOf} */
  whereOf(namespace: string): { readonly text: string; readonly path?: string } {
    const path = this.#driver.fileOf?.(namespace);
    return path === undefined ? { text: `Config namespace "${namespace}"` } : { text: `Config file ${path}`, path };
  }

  /**
   * Never fires. Only this process writes these files (the data dir's lock keeps a second bot
   * out), and the contract does not require a driver to report its own commits, so there is
   * nothing to invalidate. Hand-edits of a file while the bot runs are not seen, as today.
   *
   * @param _listener - ignored
   * @returns a Disposable (disposing it is harmless)
   */
  onInvalidate(_listener: (invalidation: Invalidation) => void): Disposable {
    return { dispose: () => {} };
  }

  /**
   * Refuses new calls at once, waits for the commits already queued (so every acknowledged or
   * pending write reaches the disk), then closes the wrapped driver. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#state = "closing";
    try {
      while (this.#queues.size > 0) await Promise.all(this.#queues.values());
      await this.#driver.close();
    } finally {
      this.#namespaces.clear();
      this.#state = "closed";
    }
  }

  /**
   * The namespace's committed state, loading it on first use. A failed load is forgotten, so
   * the next call tries again.
   *
   * @param internal - a queued commit (allowed while closing: close() waits for it)
   */
  #load(namespace: string, internal = false): Promise<Loaded> {
    if (this.#state !== "open" && !internal) return Promise.reject(this.#closed(namespace));
    let loading = this.#namespaces.get(namespace);
    if (loading === undefined) {
      loading = this.#driver.load(namespace).then((document) => {
        const data = document === undefined ? decodeDocument(EMPTY) : decodeDocument(document);
        const versions = new Map<string, BucketVersion>();
        const stored = (ref: ScopeRef, bucket: Bucket): void => {
          if (bucket.size > 0) versions.set(bucketKey(ref), ++this.#counter);
        };
        stored({ kind: "global" }, data.global);
        for (const kind of ["guild", "channel", "user"] as const) for (const [id, b] of data[kind]) stored({ kind, id }, b);
        for (const [guildId, members] of data.member) for (const [userId, b] of members) stored({ kind: "member", guildId, userId }, b);
        return { data, versions };
      });
      const attempt = loading;
      this.#namespaces.set(namespace, attempt);
      attempt.catch(() => {
        if (this.#namespaces.get(namespace) === attempt) this.#namespaces.delete(namespace);
      });
    }
    return loading;
  }

  #closed(namespace: string): ConfigError {
    return new ConfigError("ERR_CONFIG_CLOSED", `Config driver is closed (namespace "${namespace}")`);
  }
}

const EMPTY = { version: 1, global: {}, guild: {}, channel: {}, user: {}, member: {} } as const;

/** A copy of the containers (values are never mutated in place, so they are shared). */
function cloneData(data: NamespaceData): NamespaceData {
  const buckets = (m: Map<string, Bucket>) => new Map([...m].map(([id, b]) => [id, new Map(b)]));
  return {
    global: new Map(data.global),
    guild: buckets(data.guild),
    channel: buckets(data.channel),
    user: buckets(data.user),
    member: new Map([...data.member].map(([gid, members]) => [gid, buckets(members)])),
  };
}
