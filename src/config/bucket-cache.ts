/**
 * One namespace's per-process cache of committed buckets, each with its version, kept coherent
 * with the driver's invalidations (SCALE.md §6a). Only committed data ever enters it: what the
 * driver loaded, and what this process's own commits stored. A cached copy may be a little old
 * (another process's change not yet notified); every change is still checked against the
 * version it read, so a stale copy can cost a retry, never a lost update.
 *
 * Internal: used by the namespace state.
 *
 * @module
 */
import type { BucketDriver, BucketVersion, Invalidation } from "./bucket-driver.ts";
import type { Bucket } from "./document.ts";
import { bucketKey } from "./postgres/keys.ts";
import type { ScopeRef } from "./state.ts";

/** A cached bucket: its committed values (`undefined`: absent) and their version (`0`: absent). */
export interface Entry {
  readonly ref: ScopeRef;
  /** Never mutated: a change builds a new Map. */
  readonly data: Bucket | undefined;
  readonly version: BucketVersion;
}

/** A commit in flight, from {@link BucketCache.begin}. */
export interface Commit {
  /** The invalidation sequence number when it started. */
  readonly started: number;
  /** Keys of the buckets it writes. */
  readonly keys: readonly string[];
  /** Key → the version it stored (filled by {@link BucketCache.store}). */
  readonly stored: Map<string, BucketVersion>;
}

/** A change another process made, as the namespace's `onDidChange` reports it. */
export type ConfigChange = { readonly kind: "bucket"; readonly ref: ScopeRef } | { readonly kind: "all" };

/** A bucket's key in the cache: the config code's one bucket key. */
export const keyOf = bucketKey;

/**
 * Most buckets kept per namespace; past it the oldest are dropped (they are re-read on use).
 * Bounds memory for a big guild's members on PostgreSQL; the JSON adapter keeps the whole file
 * in memory anyway.
 */
const MAX_ENTRIES = 50_000;

/**
 * Own versions remembered until heard, over all buckets of a namespace. More unheard at once than
 * this only costs a spurious onDidChange and an extra load.
 */
const MAX_OWN = 4096;

/** The cache of one namespace. */
export class BucketCache {
  readonly #namespace: string;
  readonly #driver: BucketDriver;
  readonly #entries = new Map<string, Entry>();
  /** Loads in flight, with {@link seq} when each started. */
  readonly #loads = new Map<string, { readonly promise: Promise<Entry>; readonly started: number }>();
  readonly #listeners = new Set<(change: ConfigChange) => void>();
  /**
   * Invalidation bookkeeping, so that a load or commit that raced an invalidation does not put
   * old data back: every invalidation bumps `#seq`; a namespace-wide one is remembered in
   * `#allAt`, a bucket's in `#keyAt` (with the version it announced). An operation notes `seq`
   * when it starts and may cache its result only if nothing newer was announced since.
   */
  #seq = 0;
  #allAt = 0;
  readonly #keyAt = new Map<string, { seq: number; version: BucketVersion }>();
  /** Loads and commits in flight; `#keyAt` is only needed while there are some. */
  #busy = 0;
  /** Buckets this process is committing (key → commits in flight). */
  readonly #committing = new Map<string, number>();
  /** Invalidations of buckets being committed, applied by {@link done}. */
  readonly #held = new Map<string, { ref: ScopeRef; versions: BucketVersion[] }>();
  /**
   * Versions this process committed whose notification has not been heard yet, as
   * `key + "\0" + version` (versions are never reused), oldest first: when one comes, it is
   * recognised as this process's own, also after later commits of the bucket. Bounded overall
   * ({@link MAX_OWN}) and cleared by a namespace-wide invalidation, so a driver that announces
   * nothing (the JSON files) or notifications lost while disconnected cannot make it grow.
   */
  readonly #own = new Map<string, true>();

  /**
   * @param namespace - the namespace's name
   * @param driver - where its buckets live
   */
  constructor(namespace: string, driver: BucketDriver) {
    this.#namespace = namespace;
    this.#driver = driver;
  }

  /** The current invalidation sequence number: give it back to {@link store}. */
  get seq(): number {
    return this.#seq;
  }

  /** @returns the cached bucket, if any (no I/O); none while invalidations are not delivered */
  peek(ref: ScopeRef): Entry | undefined {
    return this.peekKey(keyOf(ref));
  }

  /** @returns the cached bucket with this key ({@link keyOf}), if any (no I/O) */
  peekKey(key: string): Entry | undefined {
    if (this.#driver.coherent === false) return undefined; // a change made now would go unheard
    return this.#entries.get(key);
  }

  /**
   * @returns the bucket from the cache, else loaded (concurrent loads of one bucket share one
   *   read); a load that raced an invalidation is returned but not cached
   */
  get(ref: ScopeRef): Promise<Entry> {
    const key = keyOf(ref);
    const cached = this.peekKey(key);
    if (cached !== undefined) return Promise.resolve(cached);
    const shared = this.#loads.get(key);
    // A load that started before the latest change was announced may return the older data: a
    // reader who asks after the announcement (an onDidChange listener) needs a load of its own.
    if (shared !== undefined && !this.#outdated(key, shared.started)) return shared.promise;
    const started = this.#seq;
    this.#busy++;
    const promise: Promise<Entry> = this.#driver
      .loadBucket(this.#namespace, ref)
      .then((stored) => {
        const entry: Entry = stored === undefined
          ? { ref, data: undefined, version: 0 }
          : { ref, data: new Map(Object.entries(stored.data)), version: stored.version };
        this.store(entry, started);
        return entry;
      })
      .finally(() => {
        if (this.#loads.get(key)?.promise === promise) this.#loads.delete(key);
        this.#idle();
      });
    this.#loads.set(key, { promise, started });
    return promise;
  }

  /** Whether a change of `key` was announced after `started` ({@link seq} at the start of a load). */
  #outdated(key: string, started: number): boolean {
    return this.#allAt > started || (this.#keyAt.get(key)?.seq ?? 0) > started;
  }

  /**
   * Marks the start of a commit of `refs` (pair with {@link done}). Meanwhile invalidations are
   * tracked, and those of `refs` are held back: the notification of this process's own commit
   * often arrives before the commit's reply, and only then can it be told from another's.
   *
   * @returns what {@link store} and {@link done} need
   */
  begin(refs: readonly ScopeRef[]): Commit {
    this.#busy++;
    const keys = refs.map(keyOf);
    for (const key of keys) this.#committing.set(key, (this.#committing.get(key) ?? 0) + 1);
    return { started: this.#seq, keys, stored: new Map() };
  }

  /**
   * Marks the end of a commit: the invalidations held back for its buckets are applied now,
   * except the one announcing the version this commit stored (its own).
   */
  done(commit: Commit): void {
    for (const key of commit.keys) {
      const left = this.#committing.get(key)! - 1;
      if (left > 0) {
        this.#committing.set(key, left);
        continue;
      }
      this.#committing.delete(key);
      const held = this.#held.get(key);
      if (held === undefined) continue;
      this.#held.delete(key);
      // The version this commit stored is its own (so is one of an earlier own commit); a delete's
      // version is 0 for everyone, so only this commit's own delete is recognised.
      const foreign = held.versions.filter((version) => {
        const own = this.#heardOwn(key, version);
        return !own && version !== commit.stored.get(key);
      });
      if (foreign.length > 0) {
        this.#entries.delete(key);
        this.#tell({ kind: "bucket", ref: held.ref });
      }
    }
    this.#idle();
  }

  /**
   * Caches a committed bucket, unless an invalidation announced since `started` says it is
   * already out of date.
   *
   * @param entry - the bucket as committed (by a load or by this process's commit)
   * @param started - {@link seq} when the load started, or the commit from {@link begin}
   */
  store(entry: Entry, started: number | Commit): void {
    const key = keyOf(entry.ref);
    if (typeof started !== "number") {
      started.stored.set(key, entry.version);
      started = started.started;
      if (entry.version !== 0) {
        this.#own.set(`${key}\0${entry.version}`, true);
        if (this.#own.size > MAX_OWN) this.#own.delete(this.#own.keys().next().value as string);
      }
      // Announced as a change, so that a load that read before this commit is not cached over it.
      this.#keyAt.set(key, { seq: ++this.#seq, version: entry.version });
    }
    if (this.#driver.coherent === false) return; // read through until the listener is back (then "all" clears)
    const announced = this.#keyAt.get(key);
    if (this.#allAt > started || (announced !== undefined && announced.seq > started && announced.version !== entry.version)) {
      this.#entries.delete(key);
      return;
    }
    this.#entries.delete(key); // re-inserted last: the Map's order is the eviction order
    this.#entries.set(key, entry);
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  /** Drops one bucket (a commit found it stale). */
  evict(ref: ScopeRef): void {
    this.#entries.delete(keyOf(ref));
  }

  /** Drops everything (e.g. a file refused by `ready()`, to be read again once fixed). */
  clear(): void {
    this.#entries.clear();
    this.#allAt = ++this.#seq;
  }

  /**
   * Applies an invalidation of this namespace from the driver, and tells the `onDidChange`
   * listeners when another process changed something (not for this process's own commits,
   * whose announced version is the one cached).
   */
  invalidate(invalidation: Invalidation): void {
    const seq = ++this.#seq;
    if (invalidation.kind !== "bucket") {
      this.#entries.clear();
      this.#own.clear();
      this.#allAt = seq;
      this.#tell({ kind: "all" });
      return;
    }
    const key = keyOf(invalidation.ref);
    if (this.#busy > 0) this.#keyAt.set(key, { seq, version: invalidation.version });
    if (this.#committing.has(key)) {
      // Decided when the commit ends (done): ours, or another process's.
      const held = this.#held.get(key);
      if (held === undefined) this.#held.set(key, { ref: invalidation.ref, versions: [invalidation.version] });
      else held.versions.push(invalidation.version);
      return;
    }
    if (this.#heardOwn(key, invalidation.version)) return; // this process's own commit
    const cached = this.#entries.get(key);
    if (cached !== undefined && cached.version === invalidation.version) return; // already have it
    this.#entries.delete(key);
    this.#tell({ kind: "bucket", ref: invalidation.ref });
  }

  /** Whether `version` of `key` was committed by this process (forgotten once heard). */
  #heardOwn(key: string, version: BucketVersion): boolean {
    return this.#own.delete(`${key}\0${version}`);
  }

  /**
   * @param listener - called after another process changed the namespace
   * @returns a function that removes this listener only
   */
  listen(listener: (change: ConfigChange) => void): () => void {
    const own = (change: ConfigChange): void => listener(change); // a distinct entry per call
    this.#listeners.add(own);
    return () => void this.#listeners.delete(own);
  }

  #tell(change: ConfigChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {
        // a listener's bug must not keep the others from hearing about the change
      }
    }
  }

  #idle(): void {
    if (--this.#busy === 0) this.#keyAt.clear();
  }
}
