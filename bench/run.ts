/**
 * `npm run bench` — Cogwheel's RPC server side by side with its peers, in one run.
 *
 *   1. Throughput: echo replies/s, 16 connections × 32 in flight, each server in its own child
 *      pinned to core 0, the load generator (bench/loadgen.ts) pinned to core 1; servers
 *      measured in rotation (A B C D E A B C D E …), median per server. Servers: Cogwheel,
 *      rpc-websockets, json-rpc-2.0 over ws, bare ws echo, and bare ws echo with replies
 *      corked per event-loop turn (the write coalescing Cogwheel does).
 *   2. Fan-out: one publish to 1,000 subscribers, Cogwheel's topic vs a naive
 *      stringify-and-send loop (bench/fanout.ts).
 *   3. Memory per idle connection at 1,000 connections (bench/memory.ts).
 *
 * `--quick` shortens every window for a smoke run; `--only=throughput,fanout,memory` runs a
 * subset. Everything listens on 127.0.0.1; every child is killed at the end, on error, and on
 * Ctrl-C; a hard deadline ends the run if anything hangs.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { FanoutJob, FanoutKind, FanoutSample } from "./fanout.ts";
import type { ThroughputJob, ThroughputResult } from "./loadgen.ts";
import type { MemoryJob, MemoryKind, MemorySample } from "./memory.ts";
import { canPin, Child, fdLimits, killAllChildren, spawnScript } from "./lib/proc.ts";
import { checkCogwheel } from "./servers/cogwheel-api.ts";

const quick = process.argv.includes("--quick");
const onlyArg = process.argv.find((a) => a.startsWith("--only="));
const only = new Set(onlyArg ? onlyArg.slice(7).split(",") : ["throughput", "fanout", "memory"]);
const CFG = quick
  ? { rounds: 2, warmupMs: 300, windowMs: 1000, fanRounds: 1, fanWarmupMs: 200, fanWindowMs: 600, memRounds: 1, deadlineMs: 150_000 }
  : { rounds: 3, warmupMs: 1000, windowMs: 3000, fanRounds: 2, fanWarmupMs: 500, fanWindowMs: 2000, memRounds: 3, deadlineMs: 300_000 };
const CONNS = 16;
const DEPTH = 32;
const SUBSCRIBERS = 1000;
const FAN_BATCH = 10;
const IDLE_CONNS = 1000;
const FD_NEEDED = SUBSCRIBERS + 200;

interface ServerDef {
  key: string;
  label: string;
  script: string; // relative to bench/
  args?: string[];
  check: ThroughputJob["check"];
}

const version = (pkg: string): string => {
  try {
    const json = JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), "utf8")) as { version: string };
    return json.version;
  } catch {
    return "?";
  }
};

const COGWHEEL: ServerDef = { key: "cogwheel", label: "Cogwheel", script: "./servers/cogwheel.ts", check: "jsonrpc" };
const RPCWS: ServerDef = { key: "rpc-websockets", label: `rpc-websockets ${version("rpc-websockets")}`, script: "./servers/rpc-websockets.ts", check: "jsonrpc" };
const JSONRPC2: ServerDef = { key: "json-rpc-2.0", label: `json-rpc-2.0 ${version("json-rpc-2.0")} + ws`, script: "./servers/json-rpc-2.0.ts", check: "jsonrpc" };
const BAREWS: ServerDef = { key: "bare-ws", label: `bare ws ${version("ws")} echo (floor)`, script: "./servers/bare-ws.ts", check: "echo" };
const BAREWS_CORK: ServerDef = { key: "bare-ws-cork", label: `bare ws ${version("ws")} echo, corked`, script: "./servers/bare-ws.ts", args: ["--cork"], check: "echo" };

const benchPath = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

// ---------------------------------------------------------------- safety nets

const deadline = setTimeout(() => {
  console.error(`\nbench: hard deadline of ${CFG.deadlineMs / 1000} s reached; killing every child and giving up.`);
  killAllChildren();
  process.exit(2);
}, CFG.deadlineMs);
deadline.unref();
process.on("exit", killAllChildren);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}

// ---------------------------------------------------------------- formatting

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");
const pct = (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : "—");
const kib = (n: number): string => (Number.isFinite(n) ? `${(n / 1024).toFixed(1)} KiB` : "—");
const mib = (n: number): string => (Number.isFinite(n) ? `${(n / 1048576).toFixed(1)} MiB` : "—");
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : "n/a");
const median = (xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function table(head: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string =>
    "| " + cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ") + " |";
  const sep = "|" + widths.map((w, i) => (rightAlign[i] ? "-".repeat(w + 1) + ":" : ":" + "-".repeat(w + 1))).join("|") + "|";
  return [line(head), sep, ...rows.map(line)].join("\n");
}

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

// ---------------------------------------------------------------- 1. throughput

interface ThroughputRow {
  def: ServerDef;
  samples: ThroughputResult[];
  error: string | null;
}

async function throughputPhase(defs: ServerDef[]): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = defs.map((def) => ({ def, samples: [], error: null }));
  const loadgen = spawnScript("load generator", benchPath("./loadgen.ts"), { core: 1 });
  const servers = new Map<string, { child: Child; port: number }>();
  try {
    await loadgen.next("ready", 30_000);
    await Promise.all(
      rows.map(async (row) => {
        const child = spawnScript(`${row.def.key} server`, benchPath(row.def.script), { core: 0, args: row.def.args ?? [] });
        try {
          const ready = await child.next("ready", 30_000);
          servers.set(row.def.key, { child, port: Number(ready.port) });
        } catch (err) {
          row.error = `did not start: ${(err as Error).message.split("\n")[0]}`;
          child.kill();
        }
      }),
    );
    for (let round = 1; round <= CFG.rounds; round++) {
      for (const row of rows) {
        const s = servers.get(row.def.key);
        if (row.error !== null || s === undefined) continue;
        const job: ThroughputJob = {
          type: "throughput", port: s.port, serverPid: s.child.pid, check: row.def.check,
          conns: CONNS, depth: DEPTH, warmupMs: CFG.warmupMs, windowMs: CFG.windowMs,
        };
        const r = (await loadgen.ask(job as unknown as { type: string }, "result", CFG.warmupMs + CFG.windowMs + 30_000)) as unknown as ThroughputResult;
        if (!r.ok) {
          row.error = `round ${round}: ${r.error ?? "failed"}`;
          log(`  throughput  round ${round}  ${row.def.label.padEnd(30)} FAILED: ${r.error}`);
          continue;
        }
        row.samples.push(r);
        log(
          `  throughput  round ${round}  ${row.def.label.padEnd(30)} ${int(r.perSecond).padStart(9)} replies/s` +
            `  server CPU ${pct(r.serverCpu)}  loadgen CPU ${pct(r.loadgenCpu)}  per-conn ${int(r.minConn)}…${int(r.maxConn)}`,
        );
        if (!s.child.alive) row.error = `server died after round ${round}`;
      }
    }
  } finally {
    await Promise.all([loadgen.stop(), ...[...servers.values()].map((s) => s.child.stop())]);
  }
  return rows;
}

// ---------------------------------------------------------------- 2 & 3. fan-out, memory

async function collect<T>(script: string, job: { type: string }, expect: number, timeoutMs: number): Promise<T[]> {
  const child = spawnScript(script, benchPath(script), { core: 1 });
  const out: T[] = [];
  try {
    await child.next("ready", 30_000);
    child.send(job);
    for (let i = 0; i < expect; i++) {
      const m = await child.next("sample", timeoutMs);
      out.push(m.sample as T);
      const s = m.sample as { key: string; ok: boolean; error?: string };
      log(`  ${script.replace(/^\.\/|\.ts$/g, "").padEnd(10)}  ${s.key.padEnd(16)} ${s.ok ? "ok" : `FAILED: ${s.error}`}`);
    }
    await child.next("done", 10_000);
  } finally {
    await child.stop();
  }
  return out;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = new Date();
  const loadStart = os.loadavg()[0]!;
  const pinned = canPin();
  const fd = fdLimits();
  let cogwheelError: string | null = null;
  try {
    await checkCogwheel();
  } catch (err) {
    cogwheelError = (err as Error).message;
  }

  const cpus = os.cpus();
  log(`Cogwheel RPC benchmark${quick ? " (--quick)" : ""} — ${started.toISOString()}`);
  log(`node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "?"}, ${os.platform()} ${os.release()}`);
  log(
    pinned
      ? "pinning: servers on core 0, load generators on core 1 (taskset -c)"
      : "pinning: OFF — `taskset` is missing or fewer than 2 CPUs are allowed; servers and load generators share cores, figures are noisier",
  );
  const fdOk = fd.raised >= FD_NEEDED;
  log(`file descriptors: soft ${fd.soft}, hard ${fd.hard}; children get ${fd.raised}${fdOk ? "" : ` — TOO LOW: the 1,000-connection tests need ≥ ${FD_NEEDED}; run \`ulimit -n 4096\` (or raise the hard limit) and retry; they are skipped`}`);
  if (cogwheelError !== null) log(`Cogwheel: NOT MEASURED — ${cogwheelError}. Peers only.`);
  log("");

  const defs = [...(cogwheelError === null ? [COGWHEEL] : []), RPCWS, JSONRPC2, BAREWS, BAREWS_CORK];
  const tp = only.has("throughput") ? await throughputPhase(defs) : [];

  let fan: FanoutSample[] = [];
  const fanKinds: FanoutKind[] = [
    ...(cogwheelError === null ? [{ key: "cogwheel", label: "Cogwheel topic.publish (encode once)", script: "./servers/cogwheel.ts" }] : []),
    { key: "naive", label: "naive loop: JSON.stringify + ws.send per subscriber", script: "./servers/naive-fanout.ts" },
  ];
  if (fdOk && only.has("fanout")) {
    const job: FanoutJob = { type: "fanout", kinds: fanKinds, subscribers: SUBSCRIBERS, rounds: CFG.fanRounds, warmupMs: CFG.fanWarmupMs, windowMs: CFG.fanWindowMs, batch: FAN_BATCH };
    fan = await collect<FanoutSample>("./fanout.ts", job as unknown as { type: string }, fanKinds.length * CFG.fanRounds, 120_000);
  }

  let mem: MemorySample[] = [];
  const memKinds: MemoryKind[] = [
    ...(cogwheelError === null ? [{ key: "cogwheel", label: COGWHEEL.label, script: COGWHEEL.script }] : []),
    { key: "rpc-websockets", label: RPCWS.label, script: RPCWS.script },
    { key: "bare-ws", label: BAREWS.label, script: BAREWS.script },
  ];
  if (fdOk && only.has("memory")) {
    const job: MemoryJob = { type: "memory", kinds: memKinds, conns: IDLE_CONNS, settleMs: quick ? 300 : 700, rounds: CFG.memRounds };
    mem = await collect<MemorySample>("./memory.ts", job as unknown as { type: string }, memKinds.length * CFG.memRounds, 120_000);
  }

  // ------------------------------------------------------------ report
  const out: string[] = [];
  out.push("");
  out.push(`## Cogwheel RPC benchmark — ${started.toISOString().slice(0, 19).replace("T", " ")} UTC${quick ? " (--quick: short windows, indicative only)" : ""}`);
  out.push("");
  out.push(`node ${process.version} · ${cpus.length} × ${cpus[0]?.model ?? "?"} · ${pinned ? "servers pinned to core 0, load generator to core 1" : "NOT pinned (no taskset)"}`);
  out.push(`load average (1 min) at start ${loadStart.toFixed(2)}, at end ${os.loadavg()[0]!.toFixed(2)} (the bench itself accounts for about 2; more means other processes shared the cores, absolute figures drop and the ratios and per-CPU-second columns are the robust part)`);
  out.push("");
  const skipped = (what: string): string | null =>
    !only.has(what) ? "not run (--only)" : what !== "throughput" && !fdOk ? `skipped: file-descriptor limit ${fd.raised} < ${FD_NEEDED}` : null;
  out.push(`### 1. Throughput — echo, ${CONNS} connections × ${DEPTH} in flight, ${CFG.rounds} interleaved rounds of ${CFG.warmupMs / 1000} s warm-up + ${CFG.windowMs / 1000} s window`);
  out.push("");
  if (!only.has("throughput")) out.push("not run (--only)");
  else {
    const med = new Map<string, number>();
    const medCpu = new Map<string, number>();
    out.push(
      table(
        ["server", "replies/s (median)", "each round", "server CPU", "replies per server CPU-s", "loadgen CPU"],
        tp.map((row) => {
          const m = row.error === null ? median(row.samples.map((s) => s.perSecond)) : Number.NaN;
          med.set(row.def.key, m);
          medCpu.set(row.def.key, row.error === null ? median(row.samples.map((s) => s.perSecond / s.serverCpu)) : Number.NaN);
          return [
            row.def.label,
            row.error === null ? int(m) : "FAILED",
            row.error === null ? row.samples.map((s) => int(s.perSecond)).join(" / ") : row.error,
            pct(median(row.samples.map((s) => s.serverCpu))),
            int(median(row.samples.map((s) => s.perSecond / s.serverCpu))),
            pct(median(row.samples.map((s) => s.loadgenCpu))),
          ];
        }),
        [false, true, false, true, true, true],
      ),
    );
    out.push("");
    const m = (key: string): number => med.get(key) ?? Number.NaN;
    const c = (key: string): number => medCpu.get(key) ?? Number.NaN;
    const target = m("cogwheel") / m("rpc-websockets");
    const verdict = Number.isFinite(target) ? (target >= 1.15 ? "meets the ≥ 1.15× target" : "BELOW the ≥ 1.15× target") : "not measured";
    out.push(
      table(
        ["ratio", "replies/s", "per server CPU-s", ""],
        [
          ["Cogwheel ÷ rpc-websockets", ratio(m("cogwheel"), m("rpc-websockets")), ratio(c("cogwheel"), c("rpc-websockets")), verdict],
          ["Cogwheel ÷ json-rpc-2.0", ratio(m("cogwheel"), m("json-rpc-2.0")), ratio(c("cogwheel"), c("json-rpc-2.0")), ""],
          ["bare ws ÷ Cogwheel", ratio(m("bare-ws"), m("cogwheel")), ratio(c("bare-ws"), c("cogwheel")), "bare ws writes each reply separately; Cogwheel coalesces them"],
          ["bare ws corked ÷ Cogwheel", ratio(m("bare-ws-cork"), m("cogwheel")), ratio(c("bare-ws-cork"), c("cogwheel")), "same write coalescing: the cost of JSON-RPC above the transport"],
        ],
        [false, true, true, false],
      ),
    );
  }
  out.push("");
  out.push(`### 2. Fan-out — one publish to ${int(SUBSCRIBERS)} subscribed connections, ${CFG.fanRounds} round(s) of ${CFG.fanWindowMs / 1000} s per side, batches of ${FAN_BATCH} publishes`);
  out.push("");
  if (skipped("fanout") !== null) out.push(skipped("fanout")!);
  else {
    const fmed = new Map<string, { pub: number; del: number; perCpu: number }>();
    out.push(
      table(
        ["publisher", "publishes/s", "deliveries/s", "each round (publishes/s)", "server CPU", "deliveries per server CPU-s", "clients CPU"],
        fanKinds.map((k) => {
          const ss = fan.filter((s) => s.key === k.key);
          const good = ss.filter((s) => s.ok);
          const bad = ss.find((s) => !s.ok);
          const pub = bad ? Number.NaN : median(good.map((s) => s.publishesPerSec));
          const del = bad ? Number.NaN : median(good.map((s) => s.deliveriesPerSec));
          fmed.set(k.key, { pub, del, perCpu: bad ? Number.NaN : median(good.map((s) => s.deliveriesPerSec / s.serverCpu)) });
          return [k.label, bad ? "FAILED" : int(pub), bad ? "FAILED" : int(del), bad ? bad.error ?? "" : good.map((s) => int(s.publishesPerSec)).join(" / "), pct(median(good.map((s) => s.serverCpu))), int(median(good.map((s) => s.deliveriesPerSec / s.serverCpu))), pct(median(good.map((s) => s.clientCpu)))];
        }),
        [false, true, true, false, true, true, true],
      ),
    );
    out.push("");
    out.push(
      `Cogwheel ÷ naive: ${ratio(fmed.get("cogwheel")?.pub ?? Number.NaN, fmed.get("naive")?.pub ?? Number.NaN)} publishes/s, ` +
        `${ratio(fmed.get("cogwheel")?.perCpu ?? Number.NaN, fmed.get("naive")?.perCpu ?? Number.NaN)} per server CPU-s`,
    );
  }

  out.push("");
  out.push(`### 3. Memory per idle connection — ${int(IDLE_CONNS)} idle connections, after forced GC in the server, median of ${CFG.memRounds} fresh server(s)`);
  out.push("");
  if (skipped("memory") !== null) out.push(skipped("memory")!);
  else {
    const rssMed = new Map<string, number>();
    out.push(
      table(
        ["server", "RSS before", "RSS / conn (median)", "each round", "heap used / conn", "external / conn"],
        memKinds.map((k) => {
          const ss = mem.filter((x) => x.key === k.key);
          const bad = ss.find((x) => !x.ok);
          if (bad || ss.length === 0) return [k.label, "FAILED", bad?.error ?? "not run", "", "", ""];
          const rss = median(ss.map((x) => x.rssPerConn));
          rssMed.set(k.key, rss);
          return [
            k.label,
            mib(median(ss.map((x) => x.before?.rss ?? Number.NaN))),
            kib(rss),
            ss.map((x) => kib(x.rssPerConn)).join(" / "),
            kib(median(ss.map((x) => x.heapPerConn))),
            kib(median(ss.map((x) => x.externalPerConn))),
          ];
        }),
        [false, true, true, false, true, true],
      ),
    );
    out.push("", `Cogwheel ÷ rpc-websockets (RSS per connection): ${ratio(rssMed.get("cogwheel") ?? Number.NaN, rssMed.get("rpc-websockets") ?? Number.NaN)} (lower is better)`);
  }
  out.push("");
  out.push(`total time ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
  console.log(out.join("\n"));

  const failed = tp.some((r) => r.error !== null) || fan.some((s) => !s.ok) || mem.some((s) => !s.ok);
  if (failed) process.exitCode = 1;
}

main().then(
  () => {
    killAllChildren();
  },
  (err: unknown) => {
    console.error(`bench failed: ${(err as Error)?.stack ?? String(err)}`);
    killAllChildren();
    process.exit(1);
  },
);
