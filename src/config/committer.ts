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
import { describeRef } from "./postgres/keys.ts";
import { WorkingSet, type Step } from "./working-set.ts";

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
/** Most new values in one commit: a batch that would write more is halved. */
const MAX_WRITES = 2000;

/** One operation waiting for the next batch. */
interface Operation {
  /** Buckets it is known to use, loaded before its first run (a transaction's are found by running it). */
  readonly refs: readonly ScopeRef[];
  /** Reads and changes buckets through the view; synchronous. May run more than once. */
  run(view: WorkingSet): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}


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
      const steps: Step[] = [];
      for (const op of operations) {
        const step = work.step((view) => op.run(view));
        if (step === undefined) break; // a miss: load, then run again
        steps.push(step);
      }
      if (work.misses.size > 0) {
        wanted = [...work.misses.values()];
        continue;
      }
      const writes = work.writes();
      const reads = work.reads();
      // Reads of several buckets may come from different moments (one cached, one just loaded)
      // and show half of another process's transaction; so may what made an operation throw.
      // With nothing to store they are still checked, by a commit that only reads.
      const check = writes.length > 0 || reads.length > 1 || (reads.length > 0 && steps.some((step) => !step.outcome.ok));
      if (!check) return settle(operations, steps);
      if (writes.length > MAX_WRITES && operations.length > 1) {
        // Past what one SQL transaction can lock: halves, each its own commit.
        const half = Math.ceil(operations.length / 2);
        await this.#batch(operations.slice(0, half));
        await this.#batch(operations.slice(half));
        return;
      }

      let result: CommitResult;
      const started = this.#cache.begin(writes.map((write) => write.ref));
      try {
        result = await this.#driver.commit(this.#namespace, reads, writes);
        if (result.ok) {
          writes.forEach((write, i) => {
            const version = result.ok ? result.versions[i]! : 0;
            const data = work.changed().get(keyOf(write.ref))!.bucket;
            this.#cache.store({ ref: write.ref, data: data.size === 0 ? undefined : data, version }, started);
          });
        }
      } catch (error) {
        // Nothing changed (or, ERR_CONFIG_OUTCOME_UNKNOWN, nobody can tell). An operation keeps
        // its outcome only if it needed neither this commit nor its check: it changed nothing,
        // read nothing another one changed, and read at most one bucket (a single read needs no
        // check), and it did not fail after reading. The others fail with the driver's error.
        for (const write of writes) this.#cache.evict(write.ref);
        const changed = new Set(work.changed().keys());
        const independent = (step: Step): boolean =>
          !step.wrote &&
          ![...step.reads].some((key) => changed.has(key)) &&
          (step.reads.size === 0 || (step.reads.size === 1 && step.outcome.ok));
        settle(operations, steps.map((step) => (independent(step) ? step : { ...step, outcome: { ok: false, error } })));
        return;
      } finally {
        this.#cache.done(started);
      }
      if (result.ok) return settle(operations, steps);

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
        const only = writes.length === 1 && reads.length === 1 ? reads[0]!.ref : undefined;
        if (only !== undefined && (await this.#locked(operations[0]!, only))) return;
      }
      if (conflicts >= MAX_CONFLICTS) {
        const error = new ConfigError(
          "ERR_CONFIG_CONTENDED",
          `Gave up changing namespace "${this.#namespace}" (${result.stale.map(describeRef).join(", ")}) after ${conflicts} ` +
            "conflicts with other processes' changes; nothing was changed",
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
    let step: Step | undefined;
    // Thrown inside the locked update to roll it back when there is nothing to store: the
    // driver passes a ConfigError through unchanged, so it is recognised by identity.
    const nothing = new ConfigError("ERR_CONFIG_CONTENDED", `locked update of namespace "${this.#namespace}" ${describeRef(ref)} rolled back: nothing to store`);
    const started = this.#cache.begin([ref]);
    try {
      const stored = await this.#driver.lockedUpdate!(this.#namespace, ref, (current) => {
        const entry: Entry = current === undefined
          ? { ref, data: undefined, version: 0 }
          : { ref, data: new Map(Object.entries(current.data)), version: current.version };
        const work = new WorkingSet((key) => (key === keyOf(ref) ? entry : undefined));
        step = work.step((view) => op.run(view));
        const write = work.writes()[0];
        if (step === undefined || !step.outcome.ok || write === undefined) throw nothing;
        return write.data;
      });
      this.lockedUpdates++;
      this.#cache.store({ ref, data: stored.data === null ? undefined : new Map(Object.entries(stored.data)), version: stored.version }, started);
    } catch (error) {
      if (error !== nothing) {
        this.#cache.evict(ref);
        op.reject(error);
        return true;
      }
    } finally {
      this.#cache.done(started);
    }
    if (step === undefined) return false; // it needs another bucket now
    settle([op], [step]);
    return true;
  }

  /** Loads the wanted buckets that are neither loaded by this batch nor cached. */
  async #load(wanted: readonly ScopeRef[], loaded: Map<string, Entry>): Promise<void> {
    const missing = wanted.filter((ref) => !loaded.has(keyOf(ref)) && this.#cache.peek(ref) === undefined);
    const entries = await Promise.all(missing.map((ref) => this.#cache.get(ref)));
    for (const entry of entries) loaded.set(keyOf(entry.ref), entry);
  }
}

function settle(operations: readonly Operation[], steps: readonly Step[]): void {
  operations.forEach((op, i) => {
    const { outcome } = steps[i]!;
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
