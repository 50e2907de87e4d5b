/**
 * The buckets one batch of changes works on: committed buckets underneath (read-only), the
 * batch's changed copies on top, and a record of every bucket read with the version seen, which
 * becomes the commit's read set. Each operation of the batch runs in its own step: if it throws,
 * its changes alone are undone. A read of a bucket that is not loaded yet is a miss: the batch
 * loads it and runs again (a transaction's function is synchronous, so it cannot wait).
 *
 * Internal: used by the committer.
 *
 * @module
 */
import type { BucketRead, BucketWrite } from "./bucket-driver.ts";
import { keyOf, type Entry } from "./bucket-cache.ts";
import type { Bucket } from "./document.ts";
import type { JsonObject } from "./json.ts";
import type { ScopeRef } from "./state.ts";

/** How scope operations reach buckets in a batch (plain reads take the cached values directly). */
export interface BucketView {
  /** @returns the scope's current values (never mutate them), or `undefined` when none are set */
  read(ref: ScopeRef): Bucket | undefined;
  /** @returns the scope's values to change in place (a private copy), created if needed */
  write(ref: ScopeRef): Bucket;
}

const UNCHANGED = Symbol("unchanged");

/** What an operation's run gave: its value, or what it threw. */
export type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; error: unknown };

/** One operation's run in a working set. */
export interface Step<T = unknown> {
  readonly outcome: Outcome<T>;
  /** Whether it changed a bucket (its changes are part of the commit). */
  readonly wrote: boolean;
  /** The keys of the buckets it read. */
  readonly reads: ReadonlySet<string>;
}

/** The working set of one run of a batch. */
export class WorkingSet implements BucketView {
  readonly #base: (key: string) => Entry | undefined;
  readonly #reads = new Map<string, BucketRead>();
  readonly #changed = new Map<string, { readonly ref: ScopeRef; readonly bucket: Bucket }>();
  /** Buckets read but not loaded: the batch loads them and runs again. */
  readonly misses = new Map<string, ScopeRef>();
  /** The current step's undo log: bucket key → its copy before the step's first change. */
  #journal = new Map<string, Bucket | typeof UNCHANGED>();
  /** The keys the current step read (changes read their bucket first). */
  #stepReads = new Set<string>();

  /**
   * @param base - the committed bucket for a key, if loaded
   */
  constructor(base: (key: string) => Entry | undefined) {
    this.#base = base;
  }

  read(ref: ScopeRef): Bucket | undefined {
    const key = keyOf(ref);
    this.#stepReads.add(key);
    const changed = this.#changed.get(key);
    if (changed !== undefined) return changed.bucket;
    const entry = this.#base(key);
    if (entry === undefined) {
      this.misses.set(key, ref);
      return undefined;
    }
    if (!this.#reads.has(key)) this.#reads.set(key, { ref, version: entry.version });
    return entry.data;
  }

  write(ref: ScopeRef): Bucket {
    const key = keyOf(ref);
    const current = this.read(ref);
    let changed = this.#changed.get(key);
    if (changed === undefined) {
      changed = { ref, bucket: new Map(current ?? []) };
      this.#changed.set(key, changed);
      if (!this.#journal.has(key)) this.#journal.set(key, UNCHANGED);
    } else if (!this.#journal.has(key)) {
      this.#journal.set(key, new Map(changed.bucket));
    }
    return changed.bucket;
  }

  /**
   * Runs one operation as a step: undone if it throws or read a bucket that is not loaded.
   *
   * @returns its outcome, whether it changed anything, and the keys it read; `undefined` after a miss
   */
  step<T>(operation: (view: WorkingSet) => T): Step<T> | undefined {
    this.#journal = new Map();
    this.#stepReads = new Set();
    const missesBefore = this.misses.size;
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: operation(this) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const missed = this.misses.size > missesBefore;
    if (!outcome.ok || missed) this.#undo();
    if (missed) return undefined;
    return { outcome, wrote: outcome.ok && this.#journal.size > 0, reads: this.#stepReads };
  }

  /** @returns the buckets read, with the versions seen: the commit's read set */
  reads(): BucketRead[] {
    return [...this.#reads.values()];
  }

  /** @returns the changed buckets' new values (`null`: now empty, so deleted) */
  writes(): BucketWrite[] {
    return [...this.#changed.values()].map(({ ref, bucket }) => ({
      ref,
      data: bucket.size === 0 ? null : (Object.fromEntries(bucket) as JsonObject),
    }));
  }

  /** @returns each changed bucket as it will be committed, by key */
  changed(): ReadonlyMap<string, { readonly ref: ScopeRef; readonly bucket: Bucket }> {
    return this.#changed;
  }

  #undo(): void {
    for (const [key, before] of this.#journal) {
      if (before === UNCHANGED) {
        this.#changed.delete(key);
      } else {
        const bucket = this.#changed.get(key)!.bucket;
        bucket.clear();
        for (const [k, v] of before) bucket.set(k, v);
      }
    }
    this.#journal = new Map();
  }
}
