/**
 * One process of the config-store benchmark (a child of bench/config.ts, started through
 * bench/lib/proc.ts). It does one job at a time, sent over IPC:
 *
 * - `store`: durable `update("n", n => n + 1)` of one member key, awaited one after another
 *   (concurrency 1 per process), through Cogwheel's store on the JSON files or on PostgreSQL, or
 *   through bare baselines (`pg-driver`: PostgresDriver.commit with reload-and-retry on a stale
 *   read; `pg-raw`: one `UPDATE … n + 1` statement per increment on one connection, the floor
 *   of a durable PostgreSQL write). Warm-up, then `armed`; the timed window starts on `go`, so
 *   all processes of a row start together.
 * - `control`: the two naive approaches of issue 13, `n` increments of one shared value with no
 *   version check: `whole-doc` (read the whole namespace document, increment in memory, write
 *   the whole document back) and `red` (read the value, then `jsonb_set` it, under an
 *   in-process lock, as Red-DiscordBot's PostgreSQL driver does).
 * - `invalidation`: in this one process, driver A commits and driver B (its own pool and
 *   LISTEN connection) records when the invalidation arrives; one monotonic clock measures
 *   "A's commit resolved" → "B's listener called".
 * - `json-read`: reopens a JSON store and reads a value, to check the final count.
 *
 * Every figure is sent back as a `result`; errors become `fatal` (childLifecycle).
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { openConfigStore, PostgresDriver, type ConfigStore, type Invalidation } from "../src/config/index.ts";
import { childLifecycle, sleep, type Msg } from "./lib/proc.ts";

/** The store and baseline modes of a `store` job. */
export type StoreBackend = "json" | "pg" | "pg-driver" | "pg-raw";

export interface StoreJob {
  type: "store";
  backend: StoreBackend;
  /** JSON: the data directory. */
  dir?: string;
  /** PostgreSQL: the database URL. */
  url?: string;
  namespace: string;
  guild: string;
  user: string;
  warmupMs: number;
  windowMs: number;
}

export interface StoreResult {
  type: "result";
  /** Updates acknowledged in the window. */
  count: number;
  /** Updates acknowledged during warm-up (they count towards the final value too). */
  warm: number;
  elapsedMs: number;
  /** Times the update function ran in the window (> count: re-runs after conflicts). */
  fnRuns: number;
  /**
   * Stale commits retried: the store's `stats().conflicts` in the window (a batch that ran
   * again), or the driver loop's own count.
   */
  retries: number;
  /** Updates that took the store's locked fallback (`stats().lockedUpdates`); NaN: not a store. */
  locked: number;
  /** Latency of one update, ms. */
  p50: number;
  p99: number;
}

export type ControlApproach = "whole-doc" | "red";

export interface ControlJob {
  type: "control";
  approach: ControlApproach;
  url: string;
  /** The row to increment (bench_doc.name / bench_red.id). */
  row: string;
  n: number;
}

export interface InvalidationJob {
  type: "invalidation";
  url: string;
  namespace: string;
  samples: number;
  gapMs: number;
}

export interface InvalidationResult {
  type: "result";
  /** ms from A's commit resolving to B's listener being called, one per commit; NaN: never arrived. */
  delays: number[];
  /** Invalidations of kind "all" or "namespace" seen (each would drop the whole cache). */
  broad: number;
  /** The same through two stores: A's `set` resolved → B's `namespace.onDidChange` listener called. */
  storeDelays: number[];
  /** `{kind: "all"}` changes B's store reported. */
  storeBroad: number;
}

/** The parent's `go`, which starts a timed window. */
let go: (() => void) | null = null;
const waitGo = (): Promise<void> => new Promise((resolve) => (go = resolve));

/**
 * Whether the job in progress has said `armed`. Jobs that arm always answer exactly one
 * `armed` and one `result`, with an `error` when they failed, so that a failure in one worker
 * never leaves a stray message behind to be taken for the answer to the next job.
 */
let armed = false;
const arm = (): void => {
  armed = true;
  process.send!({ type: "armed" });
};

const quantile = (xs: Float64Array, n: number, q: number): number => {
  if (n === 0) return Number.NaN;
  const s = xs.slice(0, n).sort();
  return s[Math.min(n - 1, Math.floor(q * n))]!;
};

/** Runs `step` until the time is up, first as warm-up, then (after `go`) timed. */
async function timed(job: StoreJob, step: () => Promise<void>, onWindow: () => void): Promise<Omit<StoreResult, "type" | "fnRuns" | "retries" | "locked">> {
  let warm = 0;
  const warmEnd = performance.now() + job.warmupMs;
  while (warm === 0 || performance.now() < warmEnd) {
    await step();
    warm++;
  }
  arm();
  await waitGo();
  onWindow();
  const lat = new Float64Array(1 << 20);
  let count = 0;
  const start = performance.now();
  const end = start + job.windowMs;
  let now = start;
  while (now < end && count < lat.length) {
    const t0 = now;
    await step();
    now = performance.now();
    lat[count++] = now - t0;
  }
  return { count, warm, elapsedMs: now - start, p50: quantile(lat, count, 0.5), p99: quantile(lat, count, 0.99) };
}

async function storeJob(job: StoreJob): Promise<StoreResult> {
  if (job.backend === "pg-raw") return rawJob(job);
  if (job.backend === "pg-driver") return driverJob(job);
  let store: ConfigStore;
  if (job.backend === "json") store = await openConfigStore({ dir: job.dir! });
  else {
    const driver = await PostgresDriver.open({ url: job.url!, applicationName: "cogwheel-bench" });
    try {
      store = await openConfigStore({ buckets: driver });
    } catch (error) {
      await driver.close(); // the store owns it only once open
      throw error;
    }
  }
  try {
    const scope = store.namespace(job.namespace, { member: { n: 0 } }).member(job.guild, job.user);
    let fnRuns = 0;
    const inc = (n: number): number => {
      fnRuns++;
      return n + 1;
    };
    let before = store.stats();
    const r = await timed(job, async () => void (await scope.update("n", inc)), () => {
      fnRuns = 0;
      before = store.stats();
    });
    const after = store.stats();
    return { type: "result", ...r, fnRuns, retries: after.conflicts - before.conflicts, locked: after.lockedUpdates - before.lockedUpdates };
  } finally {
    await store.close();
  }
}

/** The driver alone: compare-and-set from the last version seen; on a stale read, reload and retry. */
async function driverJob(job: StoreJob): Promise<StoreResult> {
  const driver = await PostgresDriver.open({ url: job.url!, applicationName: "cogwheel-bench" });
  try {
    const ref = { kind: "member", guildId: job.guild, userId: job.user } as const;
    let seen = await driver.loadBucket(job.namespace, ref);
    let fnRuns = 0;
    let retries = 0;
    const step = async (): Promise<void> => {
      for (;;) {
        fnRuns++;
        const n = typeof seen?.data.n === "number" ? seen.data.n : 0;
        const data = { ...(seen?.data ?? {}), n: n + 1 };
        const r = await driver.commit(job.namespace, [{ ref, version: seen?.version ?? 0 }], [{ ref, data }]);
        if (r.ok) {
          seen = { data, version: r.versions[0]! };
          return;
        }
        retries++;
        seen = await driver.loadBucket(job.namespace, ref);
      }
    };
    const r = await timed(job, step, () => {
      fnRuns = 0;
      retries = 0;
    });
    return { type: "result", ...r, fnRuns, retries, locked: Number.NaN };
  } finally {
    await driver.close();
  }
}

/** The floor: one autocommitted `UPDATE … SET n = n + 1` per increment (no read, no version). */
async function rawJob(job: StoreJob): Promise<StoreResult> {
  const client = new pg.Client({ connectionString: job.url!, application_name: "cogwheel-bench" });
  await client.connect();
  try {
    await client.query("INSERT INTO bench_raw (id, n) VALUES ($1, 0) ON CONFLICT DO NOTHING", [job.namespace]);
    const r = await timed(job, async () => void (await client.query("UPDATE bench_raw SET n = n + 1 WHERE id = $1", [job.namespace])), () => {});
    return { type: "result", ...r, fnRuns: r.count, retries: 0, locked: Number.NaN };
  } finally {
    await client.end();
  }
}

/** A promise-chain mutex: what an in-process lock (asyncio.Lock in Red) gives. */
function mutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => {});
    return run;
  };
}

async function controlJob(job: ControlJob): Promise<{ type: "result"; done: number; elapsedMs: number }> {
  // Autocommit statements: each one durable on its own (fsync, synchronous_commit on).
  const client = new pg.Client({ connectionString: job.url, application_name: "cogwheel-bench" });
  await client.connect();
  try {
    const locked = mutex();
    const step =
      job.approach === "whole-doc"
        ? async (): Promise<void> => {
            const { rows } = await client.query<{ data: { n: number; [k: string]: unknown } }>("SELECT data FROM bench_doc WHERE name = $1", [job.row]);
            const doc = rows[0]!.data;
            doc.n += 1;
            await client.query("UPDATE bench_doc SET data = $2::jsonb WHERE name = $1", [job.row, JSON.stringify(doc)]);
          }
        : (): Promise<void> =>
            locked(async () => {
              const { rows } = await client.query<{ n: number }>("SELECT (data->>'n')::int AS n FROM bench_red WHERE id = $1", [job.row]);
              await client.query("UPDATE bench_red SET data = jsonb_set(data, '{n}', to_jsonb($2::int)) WHERE id = $1", [job.row, rows[0]!.n + 1]);
            });
    arm();
    await waitGo();
    const start = performance.now();
    for (let i = 0; i < job.n; i++) await step();
    return { type: "result", done: job.n, elapsedMs: performance.now() - start };
  } finally {
    await client.end();
  }
}

/** Resolves when `heard()` is true, re-checked by `poke`; gives up after 2 s (reported as NaN). */
function arrival(): { poke: () => void; wait: (heard: () => boolean) => Promise<void> } {
  let pending: { heard: () => boolean; resolve: () => void } | null = null;
  return {
    poke: () => {
      if (pending?.heard()) pending.resolve();
    },
    wait: (heard) =>
      heard()
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(done, 2000);
            function done(): void {
              clearTimeout(timer);
              pending = null;
              resolve();
            }
            pending = { heard, resolve: done };
          }),
  };
}

async function invalidationJob(job: InvalidationJob): Promise<InvalidationResult> {
  const driverSide = await driverInvalidation(job);
  const storeSide = await storeInvalidation(job);
  return { type: "result", ...driverSide, ...storeSide };
}

/** Driver A commits, driver B's onInvalidate hears it; matched by the version A's commit got. */
async function driverInvalidation(job: InvalidationJob): Promise<{ delays: number[]; broad: number }> {
  const a = await PostgresDriver.open({ url: job.url, applicationName: "cogwheel-bench-a" });
  const b = await PostgresDriver.open({ url: job.url, applicationName: "cogwheel-bench-b" });
  try {
    const ref = { kind: "member", guildId: "1", userId: "1" } as const;
    // version → when B heard of it (the notification may come before A's commit resolves).
    const heard = new Map<number, number>();
    const arrived = arrival();
    let broad = 0;
    b.onInvalidate((inv: Invalidation) => {
      const t = performance.now();
      if (inv.kind !== "bucket") broad++;
      else if (inv.namespace === job.namespace) heard.set(inv.version, t);
      arrived.poke();
    });
    let version = (await a.loadBucket(job.namespace, ref))?.version ?? 0;
    const delays: number[] = [];
    for (let i = 0; i < job.samples; i++) {
      const r = await a.commit(job.namespace, [{ ref, version }], [{ ref, data: { n: i + 1 } }]);
      const committed = performance.now();
      if (!r.ok) throw new Error("invalidation job: a commit was stale, but only this driver writes");
      const v = r.versions[0]!;
      version = v;
      await arrived.wait(() => heard.has(v));
      const t = heard.get(v);
      delays.push(t === undefined ? Number.NaN : t - committed);
      await sleep(job.gapMs);
    }
    return { delays, broad };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/**
 * The same as a bot sees it: store A's `set` resolved → store B's `onDidChange` listener called.
 * One writer and one change in flight at a time, so the n-th change heard is the n-th set.
 */
async function storeInvalidation(job: InvalidationJob): Promise<{ storeDelays: number[]; storeBroad: number }> {
  const open = async (name: string): Promise<ConfigStore> => {
    const driver = await PostgresDriver.open({ url: job.url, applicationName: name });
    try {
      return await openConfigStore({ buckets: driver });
    } catch (error) {
      await driver.close();
      throw error;
    }
  };
  const a = await open("cogwheel-bench-a");
  let b: ConfigStore | null = null;
  try {
    b = await open("cogwheel-bench-b");
    const namespace = `${job.namespace}_store`;
    const scopeA = a.namespace(namespace, { member: { n: 0 } }).member("1", "1");
    const nsB = b.namespace(namespace, { member: { n: 0 } });
    const scopeB = nsB.member("1", "1");
    await scopeA.set("n", 0);
    await sleep(100); // let B hear of that first write before listening
    const heard: number[] = [];
    const arrived = arrival();
    let storeBroad = 0;
    nsB.onDidChange((change) => {
      if (change.kind === "all") storeBroad++;
      else heard.push(performance.now());
      arrived.poke();
    });
    const storeDelays: number[] = [];
    for (let i = 0; i < job.samples; i++) {
      // B reads first, so it holds the bucket in its cache as a bot would.
      await scopeB.get("n");
      heard.length = 0;
      await scopeA.set("n", i + 1);
      const committed = performance.now();
      await arrived.wait(() => heard.length > 0);
      storeDelays.push(heard.length > 0 ? heard[0]! - committed : Number.NaN);
      await sleep(job.gapMs);
    }
    return { storeDelays, storeBroad };
  } finally {
    await Promise.all([a.close(), b?.close()]);
  }
}

async function jsonRead(m: Msg): Promise<{ type: "result"; n: unknown }> {
  const store = await openConfigStore({ dir: String(m.dir) });
  try {
    const n = await store.namespace(String(m.namespace), { member: { n: 0 } }).member(String(m.guild), String(m.user)).get("n");
    return { type: "result", n };
  } finally {
    await store.close();
  }
}

childLifecycle();
process.on("message", (raw: unknown) => {
  const m = raw as Msg;
  if (m.type === "go") {
    go?.();
    go = null;
    return;
  }
  // [job, whether it arms]
  const jobs: Record<string, [(m: Msg) => Promise<Msg>, boolean]> = {
    store: [(j) => storeJob(j as unknown as StoreJob) as unknown as Promise<Msg>, true],
    control: [(j) => controlJob(j as unknown as ControlJob), true],
    invalidation: [(j) => invalidationJob(j as unknown as InvalidationJob) as unknown as Promise<Msg>, false],
    "json-read": [jsonRead, false],
  };
  const job = jobs[m.type];
  if (job === undefined) return;
  armed = false;
  job[0](m).then(
    (r) => process.send!(r),
    (err: unknown) => {
      const error = String((err as Error)?.message ?? err).split("\n")[0];
      if (job[1] && !armed) process.send!({ type: "armed", error });
      process.send!({ type: "result", error });
    },
  );
});
process.send!({ type: "ready" });
