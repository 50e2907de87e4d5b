/**
 * Applies one namespace's changes through the versioned driver: operations that arrive in the
 * same event-loop turn form a batch, run together on a working set and are stored by one commit
 * (for the JSON files: one file write, as before). A commit is a compare-and-set against the
 * versions the batch read; when another process changed one of those buckets first, the stale
 * buckets are re-read and the batch runs again. So an `update`'s or a `transaction`'s function
 * may run more than once; only its last run counts.
 *
 * Progress under contention: after {@link SPLIT_AFTER} conflicts a batch is split into single
 * operations (one hot bucket cannot hold the others back); a single operation on one bucket
 * that keeps conflicting switches to the driver's locked update, which cannot conflict; other
 * retries back off with jitter, and {@link MAX_CONFLICTS} ends the attempts with
 * `ERR_CONFIG_CONTENDED` (nothing changed).
 *
 * Internal: used by the namespace state.
 *
 * @module
 */
import type { BucketDriver, CommitResult } from "./bucket-driver.ts";
import { keyOf, type BucketCache, type Entry } from "./bucket-cache.ts";
import { ConfigError } from "./errors.ts";
import type { ScopeRef } from "./state.ts";
import { WorkingSet } from "./working-set.ts";

/** Conflicts after which a batch of several operations runs them one by one. */
const SPLIT_AFTER = 2;
/** Conflicts after which a single-bucket operation takes the driver's locked path. */
const LOCK_AFTER = 3;
/** Conflicts after which an operation gives up. */
const MAX_CONFLICTS = 64;
/**
 * Most operations in one batch. Bounds one commit's size: PostgreSQL takes a lock per new
 * bucket, and tens of thousands in one transaction exhaust its lock table.
 */
const MAX_BATCH = 1000;

/** One operation waiting for the next batch. */
interface Operation {
  /** Buckets it is known to use, loaded before its first run (a transaction's are found by running it). */
  readonly refs: readonly ScopeRef[];
  /** Reads and changes buckets through the view; synchronous. May run more than once. */
  run(view: WorkingSet): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The committer of one namespace. */
export class Committer {
  readonly #namespace: string;
  readonly #driver: BucketDriver;
  readonly #cache: BucketCache;
  #queue: Operation[] = [];
  #draining: Promise<void> | undefined;
  /** Conflicts met so far (for tests and the benchmark). */
  conflicts = 0;
  /** Operations that took the locked path. */
  lockedUpdates = 0;

  constructor(namespace: string, driver: BucketDriver, cache: BucketCache) {
    this.#namespace = namespace;
    this.#driver = driver;
    this.#cache = cache;
  }

  /**
   * Queues an operation for the next batch.
   *
   * @param refs - buckets it is known to use
   * @param run - reads and changes buckets through the view; its value resolves the promise
   * @returns its last run's value once its batch is durably committed (or its error)
   */
  submit<T>(refs: readonly ScopeRef[], run: (view: WorkingSet) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ refs, run, resolve: resolve as (value: unknown) => void, reject });
      // Started on the next turn, so that the changes made in this turn share one commit.
      this.#draining ??= new Promise<void>((done) => setImmediate(done)).then(() => this.#drain());
    });
  }

  /** @returns a promise that settles once no batch is running or queued */
  async idle(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.length <= MAX_BATCH ? this.#queue : this.#queue.slice(0, MAX_BATCH);
        this.#queue = batch === this.#queue ? [] : this.#queue.slice(MAX_BATCH);
        await this.#batch(batch);
      }
    } finally {
      this.#draining = undefined;
    }
  }

  /** Runs a batch until it commits, fails, or is split; settles every operation in it. */
  async #batch(operations: Operation[]): Promise<void> {
    const loaded = new Map<string, Entry>();
    let wanted: ScopeRef[] = operations.flatMap((op) => op.refs);
    let conflicts = 0;
    for (;;) {
      try {
        await this.#load(wanted, loaded);
      } catch (error) {
        for (const op of operations) op.reject(error);
        return;
      }
      const work = new WorkingSet((key) => loaded.get(key) ?? this.#cache.peekKey(key));
      const outcomes: Outcome[] = [];
      for (const op of operations) {
        const outcome = work.step((view) => op.run(view));
        if (outcome === undefined) break; // a miss: load, then run again
        outcomes.push(outcome);
      }
      if (work.misses.size > 0) {
        wanted = [...work.misses.values()];
        continue;
      }
      const writes = work.writes();
      if (writes.length === 0) return settle(operations, outcomes);

      let result: CommitResult;
      const started = this.#cache.begin(writes.map((write) => write.ref));
      try {
        result = await this.#driver.commit(this.#namespace, work.reads(), writes);
        if (result.ok) {
          writes.forEach((write, i) => {
            const version = result.ok ? result.versions[i]! : 0;
            const data = work.changed().get(keyOf(write.ref))!.bucket;
            this.#cache.store({ ref: write.ref, data: data.size === 0 ? undefined : data, version }, started);
          });
        }
      } catch (error) {
        // Nothing changed (or, ERR_CONFIG_OUTCOME_UNKNOWN, nobody can tell): the operations that
        // would have changed something fail with the driver's error; none of them is applied.
        for (const write of writes) this.#cache.evict(write.ref);
        settle(operations, outcomes.map((o) => (o.ok ? { ok: false, error } : o)));
        return;
      } finally {
        this.#cache.done(started);
      }
      if (result.ok) return settle(operations, outcomes);

      this.conflicts++;
      conflicts++;
      for (const ref of result.stale) {
        this.#cache.evict(ref);
        loaded.delete(keyOf(ref));
      }
      wanted = result.stale.slice();
      if (operations.length > 1 && conflicts >= SPLIT_AFTER) {
        for (const op of operations) await this.#batch([op]);
        return;
      }
      if (operations.length === 1 && conflicts >= LOCK_AFTER && this.#driver.lockedUpdate !== undefined) {
        const only = work.changed().size === 1 && work.reads().length === 1 ? work.reads()[0]!.ref : undefined;
        if (only !== undefined && (await this.#locked(operations[0]!, only))) return;
      }
      if (conflicts >= MAX_CONFLICTS) {
        const error = new ConfigError(
          "ERR_CONFIG_CONTENDED",
          `Gave up changing namespace "${this.#namespace}" after ${conflicts} conflicts with other processes' changes; nothing was changed`,
        );
        for (const op of operations) op.reject(error);
        return;
      }
      await backOff(conflicts);
    }
  }

  /**
   * Runs a single-bucket operation under the driver's lock on that bucket.
   *
   * @returns false if the operation now needs another bucket (back to the optimistic path)
   */
  async #locked(op: Operation, ref: ScopeRef): Promise<boolean> {
    let outcome: Outcome | undefined;
    let work: WorkingSet | undefined;
    const started = this.#cache.begin([ref]);
    try {
      const stored = await this.#driver.lockedUpdate!(this.#namespace, ref, (current) => {
        const entry: Entry = current === undefined
          ? { ref, data: undefined, version: 0 }
          : { ref, data: new Map(Object.entries(current.data)), version: current.version };
        work = new WorkingSet((key) => (key === keyOf(ref) ? entry : undefined));
        outcome = work.step((view) => op.run(view));
        const write = work.writes()[0];
        // Unchanged (the operation failed or needs another bucket): store the current values again.
        if (outcome === undefined || !outcome.ok || write === undefined) return current?.data ?? null;
        return write.data;
      });
      this.lockedUpdates++;
      this.#cache.store({ ref, data: stored.data === null ? undefined : new Map(Object.entries(stored.data)), version: stored.version }, started);
    } catch (error) {
      this.#cache.evict(ref);
      op.reject(error);
      return true;
    } finally {
      this.#cache.done(started);
    }
    if (outcome === undefined) return false;
    settle([op], [outcome]);
    return true;
  }

  /** Loads the wanted buckets that are neither loaded by this batch nor cached. */
  async #load(wanted: readonly ScopeRef[], loaded: Map<string, Entry>): Promise<void> {
    const missing = wanted.filter((ref) => !loaded.has(keyOf(ref)) && this.#cache.peek(ref) === undefined);
    const entries = await Promise.all(missing.map((ref) => this.#cache.get(ref)));
    for (const entry of entries) loaded.set(keyOf(entry.ref), entry);
  }
}

function settle(operations: readonly Operation[], outcomes: readonly Outcome[]): void {
  operations.forEach((op, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) op.resolve(outcome.value);
    else op.reject(outcome.error);
  });
}

/** A short random pause that grows with the conflicts, so that competing writers spread out. */
function backOff(conflicts: number): Promise<void> {
  if (conflicts < 2) return Promise.resolve();
  const ms = Math.random() * Math.min(50, 2 ** conflicts);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
