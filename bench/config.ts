/**
 * The `config` phase of `npm run bench`: durable config updates per second through Cogwheel's
 * store, on the JSON files and on a shared PostgreSQL, the lost updates of the two naive
 * approaches issue 13 quoted (measured in the same run, on the same server, as the control),
 * and the delay of cross-process cache invalidation.
 *
 * PostgreSQL is a throwaway cluster started as the tests start theirs (test/support/postgres.ts:
 * initdb into a temp dir, 127.0.0.1 on a free port, fsync and synchronous_commit on, as they are
 * by default and as the driver demands). Workers (bench/config-worker.ts) are four child
 * processes, unpinned: PostgreSQL's backends need the same two cores. Every update is awaited
 * before the next one in each process (concurrency 1 per process), so one process measures the
 * latency of a durable write and four measure how those writes share the server.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres, type PostgresCluster } from "../test/support/postgres.ts";
import type { ControlApproach, InvalidationResult, StoreBackend, StoreJob, StoreResult } from "./config-worker.ts";
import { int, median, table } from "./lib/format.ts";
import { Child, spawnScript, type Msg } from "./lib/proc.ts";

export interface ConfigCfg {
  rounds: number;
  warmupMs: number;
  windowMs: number;
  /** Increments per process in each control. */
  controlN: number;
  invSamples: number;
  invGapMs: number;
}

export const CONFIG_QUICK: ConfigCfg = { rounds: 1, warmupMs: 200, windowMs: 1000, controlN: 200, invSamples: 100, invGapMs: 2 };
export const CONFIG_FULL: ConfigCfg = { rounds: 2, warmupMs: 400, windowMs: 2500, controlN: 500, invSamples: 300, invGapMs: 3 };

const PROCS = 4;

interface RowDef {
  key: string;
  label: string;
  backend: StoreBackend;
  procs: number;
  /** One member for every process (true) or one each (false). */
  hot: boolean;
}

const ROWS: RowDef[] = [
  { key: "json_1", label: "JSON files — store `{ dir }`", backend: "json", procs: 1, hot: true },
  { key: "pg_1", label: "PostgreSQL — store `{ buckets }`", backend: "pg", procs: 1, hot: true },
  { key: "pg_4_distinct", label: "PostgreSQL — store `{ buckets }`", backend: "pg", procs: PROCS, hot: false },
  { key: "pg_4_hot", label: "PostgreSQL — store `{ buckets }`", backend: "pg", procs: PROCS, hot: true },
  { key: "raw_1", label: "floor: bare `UPDATE … SET n = n + 1`, 1 connection", backend: "pg-raw", procs: 1, hot: true },
  { key: "drv_1", label: "reference: PostgresDriver.commit without the store (reload and retry when stale)", backend: "pg-driver", procs: 1, hot: true },
  { key: "drv_4_hot", label: "reference: PostgresDriver.commit without the store (reload and retry when stale)", backend: "pg-driver", procs: PROCS, hot: true },
];

export interface RowSample {
  perSecond: number;
  p50: number;
  p99: number;
  fnRunsPerUpdate: number;
  retriesPerUpdate: number;
  /** Updates that took the store's locked fallback, per update; NaN: not through the store. */
  lockedPerUpdate: number;
  final: number;
  expected: number;
}

export interface ControlSample {
  approach: ControlApproach;
  final: number;
  expected: number;
  elapsedMs: number;
}

export interface ConfigReport {
  cfg: ConfigCfg;
  server: string;
  rows: Array<{ def: RowDef; samples: RowSample[]; error: string | null }>;
  /** Why the PostgreSQL part was skipped (not installed: not a failure of the bench), or null. */
  pgSkipped: string | null;
  controls: ControlSample[];
  invalidation: Omit<InvalidationResult, "type"> | null;
  loadStart: number;
  loadEnd: number;
  seconds: number;
  errors: string[];
}

const benchPath = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

/** Filesystem type of a path (`ext4`, `tmpfs`…): fsync on tmpfs costs nothing, so say which. */
function fsType(path: string): string {
  const out = spawnSync("df", ["-T", path], { encoding: "utf8" }).stdout?.trim().split("\n")[1];
  return out?.split(/\s+/)[1] ?? "?";
}

/** A worker's answer, or the error it reported (workers answer every job, also when it failed). */
async function answer(child: Child, type: string, timeoutMs: number): Promise<Msg> {
  const m = await child.next(type, timeoutMs);
  if (typeof m.error === "string") throw new Error(`${child.name}: ${m.error}`);
  return m;
}

/**
 * Sends a job to each worker, waits until all are warmed up, starts them together, collects.
 * Every worker's answers are awaited even when one fails, so none is left for the next job.
 */
async function together<R>(jobs: Array<[Child, Msg]>, timeoutMs: number): Promise<R[]> {
  for (const [child, job] of jobs) child.send(job);
  const armed = await Promise.allSettled(jobs.map(([child]) => answer(child, "armed", 30_000)));
  for (const [i, [child]] of jobs.entries()) if (armed[i]!.status === "fulfilled") child.send({ type: "go" });
  const results = await Promise.allSettled(jobs.map(([child]) => answer(child, "result", timeoutMs)));
  const failed = [...armed, ...results].find((r) => r.status === "rejected");
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  return results.map((r) => (r as PromiseFulfilledResult<Msg>).value) as unknown as R[];
}

async function runRow(def: RowDef, round: number, workers: Child[], url: string, dir: string, pgc: PostgresCluster | null, cfg: ConfigCfg): Promise<RowSample> {
  const namespace = `B${round}_${def.key}`;
  const users = Array.from({ length: def.procs }, (_, i) => (def.hot ? "1" : String(i + 1)));
  const jobs: Array<[Child, Msg]> = users.map((user, i) => {
    const job: StoreJob = { type: "store", backend: def.backend, dir, url, namespace, guild: "1", user, warmupMs: cfg.warmupMs, windowMs: cfg.windowMs };
    return [workers[i]!, job as unknown as Msg];
  });
  const rs = await together<StoreResult>(jobs, cfg.windowMs + 30_000);
  // Final values, read back independently of the writers: the store's rows by SQL, the JSON
  // file through a fresh store.
  let finals: Map<string, number>;
  if (def.backend === "json") {
    workers[0]!.send({ type: "json-read", dir, namespace, guild: "1", user: "1" });
    const v = await answer(workers[0]!, "result", 10_000);
    finals = new Map([["1", Number(v.n)]]);
  } else if (pgc === null) {
    throw new Error("no PostgreSQL");
  } else if (def.backend === "pg-raw") {
    const rows = await pgc.query<{ n: string }>("SELECT n::text FROM bench_raw WHERE id = $1", [namespace], "bench");
    finals = new Map([["1", Number(rows[0]?.n ?? Number.NaN)]]);
  } else {
    const rows = await pgc.query<{ id2: string; n: string }>(
      "SELECT id2, data->>'n' AS n FROM cogwheel_config WHERE namespace = $1 AND scope = 'member' AND id1 = '1'",
      [namespace],
      "bench",
    );
    finals = new Map(rows.map((r) => [r.id2, Number(r.n)]));
  }
  const expectedOf = new Map<string, number>();
  rs.forEach((r, i) => expectedOf.set(users[i]!, (expectedOf.get(users[i]!) ?? 0) + r.warm + r.count));
  let final = 0;
  let expected = 0;
  for (const [user, n] of expectedOf) {
    expected += n;
    final += finals.get(user) ?? Number.NaN;
  }
  const count = rs.reduce((s, r) => s + r.count, 0);
  return {
    perSecond: rs.reduce((s, r) => s + (r.count * 1000) / r.elapsedMs, 0),
    p50: median(rs.map((r) => r.p50)),
    p99: Math.max(...rs.map((r) => r.p99)),
    fnRunsPerUpdate: rs.reduce((s, r) => s + r.fnRuns, 0) / count,
    retriesPerUpdate: rs.reduce((s, r) => s + r.retries, 0) / count,
    lockedPerUpdate: rs.reduce((s, r) => s + r.locked, 0) / count,
    final,
    expected,
  };
}

async function runControl(approach: ControlApproach, workers: Child[], url: string, pgc: PostgresCluster, cfg: ConfigCfg): Promise<ControlSample> {
  const table = approach === "whole-doc" ? "bench_doc" : "bench_red";
  const key = approach === "whole-doc" ? "name" : "id";
  const row = `control_${approach}`;
  await pgc.query(`INSERT INTO ${table} (${key}, data) VALUES ($1, '{"n": 0}') ON CONFLICT (${key}) DO UPDATE SET data = excluded.data`, [row], "bench");
  const start = performance.now();
  await together(
    workers.map((w) => [w, { type: "control", approach, url, row, n: cfg.controlN }]),
    120_000,
  );
  const elapsedMs = performance.now() - start;
  const rows = await pgc.query<{ n: string }>(`SELECT data->>'n' AS n FROM ${table} WHERE ${key} = $1`, [row], "bench");
  return { approach, final: Number(rows[0]?.n), expected: cfg.controlN * workers.length, elapsedMs };
}

/**
 * Interleaved rounds of every row that is not skipped, in forward order in odd rounds and in
 * reverse in even ones, so that no row always follows the same other row (a row that leaves
 * dead tuples or WAL behind slows the next one down) and a drift in the machine's load
 * hits every row alike.
 */
async function measureRows(report: ConfigReport, workers: Child[], url: string, dir: string, pgc: PostgresCluster | null, log: (s: string) => void): Promise<void> {
  for (let round = 1; round <= report.cfg.rounds; round++) {
    for (const row of round % 2 === 1 ? report.rows : [...report.rows].reverse()) {
      if (row.error !== null) continue;
      try {
        const sample = await runRow(row.def, round, workers, url, dir, pgc, report.cfg);
        row.samples.push(sample);
        log(
          `  config      round ${round}  ${row.def.key.padEnd(14)} ${int(sample.perSecond).padStart(7)} updates/s  p50 ${sample.p50.toFixed(2)} ms  p99 ${sample.p99.toFixed(2)} ms` +
            `  fn runs/update ${sample.fnRunsPerUpdate.toFixed(2)}  final ${sample.final}/${sample.expected}${sample.final !== sample.expected ? "  LOST UPDATES" : ""}`,
        );
      } catch (err) {
        row.error = (err as Error).message.split("\n")[0]!;
        log(`  config      round ${round}  ${row.def.key} FAILED: ${row.error}`);
      }
    }
  }
}

/** The controls and the invalidation delay, on the PostgreSQL the rows used. */
async function measureShared(report: ConfigReport, workers: Child[], url: string, pgc: PostgresCluster, log: (s: string) => void): Promise<void> {
  for (const approach of ["whole-doc", "red"] as const) {
    try {
      const c = await runControl(approach, workers, url, pgc, report.cfg);
      report.controls.push(c);
      log(`  config      control ${approach.padEnd(9)} kept ${c.final} of ${c.expected}`);
    } catch (err) {
      report.errors.push(`control ${approach}: ${(err as Error).message.split("\n")[0]}`);
      log(`  config      control ${approach} FAILED: ${report.errors.at(-1)}`);
    }
  }
  try {
    const job = { type: "invalidation", url, namespace: "Inval", samples: report.cfg.invSamples, gapMs: report.cfg.invGapMs };
    workers[0]!.send(job);
    const r = (await answer(workers[0]!, "result", 120_000)) as unknown as InvalidationResult;
    report.invalidation = { delays: r.delays, broad: r.broad, storeDelays: r.storeDelays, storeBroad: r.storeBroad };
    log(`  config      invalidation ${r.delays.length} + ${r.storeDelays.length} samples`);
  } catch (err) {
    report.errors.push(`invalidation: ${(err as Error).message.split("\n")[0]}`);
    log(`  config      invalidation FAILED: ${report.errors.at(-1)}`);
  }
}

/**
 * Runs the phase: starts PostgreSQL and the workers, measures, and stops everything (also on
 * failure; if the hard deadline strikes, run.ts's exit handlers kill the workers and
 * test/support/postgres.ts's kills the server). Without PostgreSQL installed, only the JSON row
 * runs and the report says why.
 */
export async function configPhase(cfg: ConfigCfg, log: (s: string) => void): Promise<ConfigReport> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(os.tmpdir(), "cogwheel-bench-config-"));
  const report: ConfigReport = {
    cfg, server: "", rows: ROWS.map((def) => ({ def, samples: [], error: null })), pgSkipped: null, controls: [], invalidation: null,
    loadStart: os.loadavg()[0]!, loadEnd: Number.NaN, seconds: 0, errors: [],
  };
  let pgc: PostgresCluster | null = null;
  const workers: Child[] = [];
  // Ctrl-C and the hard deadline end the process with process.exit(): remove the server and the
  // files then too (destroy() kills by PID and removes its dir synchronously, before any await).
  const onExit = (): void => {
    void pgc?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  try {
    for (let i = 0; i < PROCS; i++) workers.push(spawnScript(`config worker ${i + 1}`, benchPath("./config-worker.ts"), { core: null }));
    try {
      pgc = await startPostgres();
    } catch (err) {
      // Not installed, or cannot start: the JSON row still runs, and the report says why not the rest.
      report.pgSkipped = (err as Error).message.split("\n")[0]!;
      log(`  config      PostgreSQL rows SKIPPED: ${report.pgSkipped}`);
      for (const row of report.rows) if (row.def.backend !== "json") row.error = "skipped (no PostgreSQL)";
    }
    let url = "";
    if (pgc !== null) {
      url = await pgc.createDatabase("bench");
      await pgc.query(
        "CREATE TABLE bench_doc (name text PRIMARY KEY, data jsonb NOT NULL); CREATE TABLE bench_red (id text PRIMARY KEY, data jsonb NOT NULL); CREATE TABLE bench_raw (id text PRIMARY KEY, n bigint NOT NULL)",
        [],
        "bench",
      );
      const settings = await pgc.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'wal_sync_method') ORDER BY name",
      );
      const s = Object.fromEntries(settings.map((r) => [r.name, r.setting]));
      report.server = `PostgreSQL ${s.server_version} on ${fsType(dir)}, fsync=${s.fsync}, synchronous_commit=${s.synchronous_commit}, wal_sync_method=${s.wal_sync_method}`;
      log(`  config      ${report.server}`);
    }
    await Promise.all(workers.map((w) => w.next("ready", 30_000)));
    await measureRows(report, workers, url, dir, pgc, log);
    if (pgc !== null) await measureShared(report, workers, url, pgc, log);
  } catch (err) {
    report.errors.push((err as Error).message.split("\n")[0]!);
    log(`  config      FAILED: ${report.errors.at(-1)}`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await pgc?.destroy();
    rmSync(dir, { recursive: true, force: true });
    process.off("exit", onExit);
  }
  report.loadEnd = os.loadavg()[0]!;
  report.seconds = (Date.now() - t0) / 1000;
  return report;
}

/** True when something failed or the store lost an update (the controls are meant to lose). */
export function configFailed(r: ConfigReport): boolean {
  const skipped = (row: ConfigReport["rows"][number]): boolean => r.pgSkipped !== null && row.def.backend !== "json";
  return r.errors.length > 0 || r.rows.some((row) => (row.error !== null && !skipped(row)) || row.samples.some((s) => s.final !== s.expected));
}

const keyLabel = (def: RowDef): string => (def.procs === 1 ? "one" : def.hot ? "one, shared (hot)" : "one each");
const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)} ms` : "—");

function quantile(xs: number[], q: number): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** The report's Markdown lines. */
export function formatConfigReport(r: ConfigReport): string[] {
  const { cfg } = r;
  const out: string[] = [];
  out.push(`${r.server || `PostgreSQL SKIPPED (${r.pgSkipped ?? "did not start"})`}; ${PROCS} worker processes, unpinned; load average (1 min) ${r.loadStart.toFixed(2)} at the start of the phase, ${r.loadEnd.toFixed(2)} at the end; ${r.seconds.toFixed(0)} s`);
  out.push("");
  out.push(
    `Durable \`update("n", n => n + 1)\` of a member key, awaited one after another in each process (concurrency 1 per process); ${cfg.rounds} interleaved round(s) (rows in forward, then reverse order) of ${cfg.warmupMs / 1000} s warm-up + ${cfg.windowMs / 1000} s window; final value read back by SQL (JSON: by a fresh store) and compared with the updates acknowledged.`,
  );
  out.push("");
  const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "—");
  out.push(
    table(
      ["how", "processes", "key", "updates/s (median)", "each round", "latency p50 / p99", "fn runs per update", "conflicts / locked fallbacks per update", "final / acknowledged (all rounds)"],
      r.rows.map(({ def, samples, error }) => {
        if (samples.length === 0) return [def.label, String(def.procs), keyLabel(def), "NOT MEASURED", error ?? "not run", "", "", "", ""];
        const sum = (f: (s: RowSample) => number): number => samples.reduce((t, s) => t + f(s), 0);
        const last = `${int(sum((s) => s.final))} / ${int(sum((s) => s.expected))}`;
        const med = (f: (s: RowSample) => number): number => median(samples.map(f));
        return [
          def.label,
          String(def.procs),
          keyLabel(def),
          error === null ? int(med((s) => s.perSecond)) : "FAILED",
          error === null ? samples.map((s) => int(s.perSecond)).join(" / ") : error,
          `${ms(med((s) => s.p50))} / ${ms(Math.max(...samples.map((s) => s.p99)))}`,
          def.backend === "pg-raw" ? "—" : f2(med((s) => s.fnRunsPerUpdate)),
          def.backend === "pg-raw" ? "—" : `${f2(med((s) => s.retriesPerUpdate))} / ${f2(med((s) => s.lockedPerUpdate))}`,
          samples.some((s) => s.final !== s.expected) ? `LOST: ${last}` : `${last} (0 lost)`,
        ];
      }),
      [false, true, false, true, false, true, true, true, false],
    ),
  );
  out.push("");
  out.push(`Controls, same server, ${PROCS} processes × ${cfg.controlN} increments of one value, no version check (issue 13 quoted 531 / 2,000 and 775 / 2,000 kept):`);
  out.push("");
  const controlLabel: Record<ControlApproach, string> = {
    "whole-doc": "whole document: read the namespace's jsonb row, increment in memory, write it all back",
    red: "Red-like: read the value, `UPDATE … SET data = jsonb_set(data, '{n}', to_jsonb($new))`, in-process lock",
  };
  if (r.controls.length === 0) out.push(r.pgSkipped !== null ? "skipped (no PostgreSQL)" : "NOT MEASURED");
  else out.push(
    table(
      ["approach", "kept", "lost", "time"],
      r.controls.map((c) => [controlLabel[c.approach], `${int(c.final)} / ${int(c.expected)}`, `${int(c.expected - c.final)} (${Math.round((100 * (c.expected - c.final)) / c.expected)}%)`, `${(c.elapsedMs / 1000).toFixed(1)} s`]),
      [false, true, true, true],
    ),
  );
  out.push("");
  const inv = r.invalidation;
  if (inv === null) out.push(`Invalidation delay: ${r.pgSkipped !== null ? "skipped (no PostgreSQL)" : "NOT MEASURED"}`);
  else {
    out.push(
      `Invalidation delay, in one process (one monotonic clock), ${inv.delays.length} writes ${cfg.invGapMs} ms apart, each awaited and heard before the next: writer A's write resolved → listener B called. A and B each have their own pool and LISTEN connection. Negative: B heard of it before A's own COMMIT reply was processed.`,
    );
    out.push("");
    const row = (label: string, delays: number[], broad: number): string[] => {
      const got = delays.filter(Number.isFinite);
      const p99 = quantile(got, 0.99);
      const lost = delays.length - got.length;
      const met = Number.isFinite(p99) && p99 <= 50 && lost === 0;
      return [label, ms(quantile(got, 0.5)), ms(p99), ms(got.length > 0 ? Math.max(...got) : Number.NaN), String(got.filter((d) => d < 0).length), String(lost), String(broad), met ? "met" : "NOT MET"];
    };
    out.push(
      table(
        ["path", "p50", "p99", "max", "negative", "never heard (2 s)", "whole-cache drops", "target p99 ≤ 50 ms"],
        [
          row("driver: A `commit` → B `onInvalidate`", inv.delays, inv.broad),
          row("store: A `set` → B `namespace.onDidChange`", inv.storeDelays, inv.storeBroad),
        ],
        [false, true, true, true, true, true, true, false],
      ),
    );
  }
  for (const e of r.errors) out.push("", `FAILED: ${e}`);
  return out;
}
