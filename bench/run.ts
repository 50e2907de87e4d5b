/**
 * `npm run bench` — Cogwheel's RPC server side by side with its peers, in one run.
 *
 *   1. Throughput: echo replies/s, 16 connections × 32 in flight, each server in its own child
 *      pinned to core 0, the load generator (bench/loadgen.ts) pinned to core 1; servers
 *      measured in rotation (A B C D E A B C D E …), median per server. Servers: Cogwheel,
 *      rpc-websockets, json-rpc-2.0 over ws, bare ws echo, and bare ws echo with replies
 *      corked per event-loop turn (the write coalescing Cogwheel does). Cogwheel also answers the
 *      same echo through `echo_typed`, whose parameter and result have declared JSON Schemas:
 *      typed ÷ undeclared is what validation costs (target ≥ 0.85).
 *  1b. Throughput with ten snowflakes (integers above 2^53) per request, same method: Cogwheel
 *      (exact) against a corked bare ws echo that parses and stringifies with JSON.parse /
 *      JSON.stringify (rounds them) and with lossless-json and json-bigint (exact).
 *  1c. JSON codecs in process (bench/codec.ts): ns per parse and stringify, Cogwheel's
 *      parseJson / stringifyJson against JSON, lossless-json and json-bigint.
 *   2. Fan-out: one publish to 1,000 subscribers, Cogwheel's topic vs a naive
 *      stringify-and-send loop (bench/fanout.ts).
 *   3. Memory per idle connection at 1,000 connections (bench/memory.ts).
 *   4. Config store (bench/config.ts, workers bench/config-worker.ts): durable config updates/s
 *      through Cogwheel's store on the JSON files (1 process) and on a throwaway PostgreSQL
 *      started like the tests' (1 and 4 processes, distinct keys and one hot key), with the final
 *      count checked against the updates acknowledged; as the control, the lost updates of the
 *      whole-document and Red-like approaches on the same server; and the p50/p99 delay of
 *      cross-process cache invalidation (LISTEN/NOTIFY, target p99 ≤ 50 ms).
 *
 * `--quick` shortens every window for a smoke run; `--only=throughput,snowflakes,codec,fanout,memory,config`
 * runs a subset. Everything listens on 127.0.0.1; every child is killed at the end, on error, and on
 * Ctrl-C; a hard deadline ends the run if anything hangs.
 */
import os from "node:os";
import { fileURLToPath } from "node:url";
import { formatCodecReport, type CodecJob, type CodecReport } from "./codec.ts";
import { CONFIG_FULL, CONFIG_QUICK, configFailed, configPhase, formatConfigReport, type ConfigReport } from "./config.ts";
import type { FanoutJob, FanoutKind, FanoutSample } from "./fanout.ts";
import type { ReplyCheck, ThroughputJob, ThroughputResult } from "./loadgen.ts";
import type { MemoryJob, MemoryKind, MemorySample } from "./memory.ts";
import { int, kib, median, mib, packageVersion as version, pct, ratio, table } from "./lib/format.ts";
import { canPin, Child, fdLimits, killAllChildren, spawnScript } from "./lib/proc.ts";
import type { Workload } from "./lib/workloads.ts";
import { checkCogwheel } from "./servers/cogwheel-api.ts";

const quick = process.argv.includes("--quick");
const onlyArg = process.argv.find((a) => a.startsWith("--only="));
const PHASES = ["throughput", "snowflakes", "codec", "fanout", "memory", "config"];
const only = new Set(onlyArg ? onlyArg.slice(7).split(",") : PHASES);
for (const name of only) {
  if (!PHASES.includes(name)) {
    console.error(`bench: unknown --only=${name}; choose from ${PHASES.join(", ")}`);
    process.exit(2);
  }
}
const CFG = quick
  ? { rounds: 2, warmupMs: 300, windowMs: 1000, codecReps: 3, codecBatchMs: 40, fanRounds: 1, fanWarmupMs: 200, fanWindowMs: 600, memRounds: 1, deadlineMs: 180_000 }
  : { rounds: 3, warmupMs: 1000, windowMs: 3000, codecReps: 7, codecBatchMs: 100, fanRounds: 2, fanWarmupMs: 500, fanWindowMs: 2000, memRounds: 3, deadlineMs: 360_000 };
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
  check: ReplyCheck;
  /** The workload of this row when it is not the phase's (the typed echo). */
  workload?: Workload;
}

const COGWHEEL: ServerDef = { key: "cogwheel", label: "Cogwheel", script: "./servers/cogwheel.ts", check: "jsonrpc" };
const COGWHEEL_TYPED: ServerDef = { ...COGWHEEL, key: "cogwheel-typed", label: "Cogwheel, echo_typed (declared schema)", workload: "hello_typed" };
const RPCWS: ServerDef = { key: "rpc-websockets", label: `rpc-websockets ${version("rpc-websockets")}`, script: "./servers/rpc-websockets.ts", check: "jsonrpc" };
const JSONRPC2: ServerDef = { key: "json-rpc-2.0", label: `json-rpc-2.0 ${version("json-rpc-2.0")} + ws`, script: "./servers/json-rpc-2.0.ts", check: "jsonrpc" };
const BAREWS: ServerDef = { key: "bare-ws", label: `bare ws ${version("ws")} echo (floor)`, script: "./servers/bare-ws.ts", check: "echo" };
const BAREWS_CORK: ServerDef = { key: "bare-ws-cork", label: `bare ws ${version("ws")} echo, corked`, script: "./servers/bare-ws.ts", args: ["--cork"], check: "echo" };

// 1b: the same echo with ten snowflakes per request. "jsonrpc" checks the digits exactly;
// the JSON.parse server rounds them, so it is held to Number(digits) instead.
const SF_COGWHEEL: ServerDef = { ...COGWHEEL, label: "Cogwheel (exact)" };
const SF_JSON: ServerDef = { key: "ws-json", label: `bare ws ${version("ws")} + JSON.parse/stringify, corked (rounds)`, script: "./servers/ws-json-echo.ts", args: ["--codec=json"], check: "jsonrpc-rounding" };
const SF_LOSSLESS: ServerDef = { key: "ws-lossless-json", label: `lossless-json ${version("lossless-json")} + ws, corked (exact)`, script: "./servers/ws-json-echo.ts", args: ["--codec=lossless-json"], check: "jsonrpc" };
const SF_BIGINT: ServerDef = { key: "ws-json-bigint", label: `json-bigint ${version("json-bigint")} + ws, corked (exact)`, script: "./servers/ws-json-echo.ts", args: ["--codec=json-bigint"], check: "jsonrpc" };

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

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

// ---------------------------------------------------------------- 1. throughput

interface ThroughputRow {
  def: ServerDef;
  samples: ThroughputResult[];
  error: string | null;
}

async function throughputPhase(defs: ServerDef[], workload: Workload, tag: string): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = defs.map((def) => ({ def, samples: [], error: null }));
  const width = Math.max(30, ...defs.map((d) => d.label.length));
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
          type: "throughput", port: s.port, serverPid: s.child.pid, workload: row.def.workload ?? workload, check: row.def.check,
          conns: CONNS, depth: DEPTH, warmupMs: CFG.warmupMs, windowMs: CFG.windowMs,
        };
        const r = (await loadgen.ask(job as unknown as { type: string }, "result", CFG.warmupMs + CFG.windowMs + 30_000)) as unknown as ThroughputResult;
        if (!r.ok) {
          row.error = `round ${round}: ${r.error ?? "failed"}`;
          log(`  ${tag}  round ${round}  ${row.def.label.padEnd(width)} FAILED: ${r.error}`);
          continue;
        }
        row.samples.push(r);
        log(
          `  ${tag}  round ${round}  ${row.def.label.padEnd(width)} ${int(r.perSecond).padStart(9)} replies/s` +
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

/** The server table of a throughput phase, and the medians (replies/s, replies per server CPU-s) by server key. */
function throughputTable(rows: ThroughputRow[]): { text: string; m: (key: string) => number; c: (key: string) => number } {
  const med = new Map<string, number>();
  const medCpu = new Map<string, number>();
  const text = table(
    ["server", "replies/s (median)", "each round", "server CPU", "replies per server CPU-s", "loadgen CPU"],
    rows.map((row) => {
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
  );
  return { text, m: (key) => med.get(key) ?? Number.NaN, c: (key) => medCpu.get(key) ?? Number.NaN };
}

// ---------------------------------------------------------------- 1c. codecs

async function codecPhase(): Promise<CodecReport | { error: string }> {
  const child = spawnScript("codec micro-benchmark", benchPath("./codec.ts"), { core: 0, nodeFlags: ["--expose-gc"] });
  try {
    await child.next("ready", 30_000);
    const job: CodecJob = { type: "codec", reps: CFG.codecReps, batchMs: CFG.codecBatchMs };
    // 16 cells × (warm-up ≈ 3 batches + reps batches), plus slack.
    const r = (await child.ask(job as unknown as { type: string }, "result", 16 * (CFG.codecReps + 6) * CFG.codecBatchMs + 60_000)) as unknown as CodecReport;
    for (const c of r.codecs) log(`  codec       ${c.label.padEnd(40)} ${c.error === null ? "ok" : `NOT MEASURED: ${c.error}`}`);
    return r;
  } catch (err) {
    const error = (err as Error).message.split("\n")[0]!;
    log(`  codec       FAILED: ${error}`);
    return { error };
  } finally {
    await child.stop();
  }
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

  const defs = [...(cogwheelError === null ? [COGWHEEL, COGWHEEL_TYPED] : []), RPCWS, JSONRPC2, BAREWS, BAREWS_CORK];
  const tp = only.has("throughput") ? await throughputPhase(defs, "hello", "throughput") : [];
  const sfDefs = [...(cogwheelError === null ? [SF_COGWHEEL] : []), SF_JSON, SF_LOSSLESS, SF_BIGINT];
  const sf = only.has("snowflakes") ? await throughputPhase(sfDefs, "snowflakes", "snowflakes") : [];
  const codec = only.has("codec") ? await codecPhase() : null;

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

  const conf: ConfigReport | null = only.has("config") ? await configPhase(quick ? CONFIG_QUICK : CONFIG_FULL, log) : null;

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
    const { text, m, c } = throughputTable(tp);
    out.push(text);
    out.push("");
    const target = m("cogwheel") / m("rpc-websockets");
    const verdict = Number.isFinite(target) ? (target >= 1.15 ? "meets the ≥ 1.15× target" : "BELOW the ≥ 1.15× target") : "not measured";
    const typed = m("cogwheel-typed") / m("cogwheel");
    const typedVerdict = Number.isFinite(typed) ? (typed >= 0.85 ? "meets the ≥ 0.85× target (validation's cost)" : "BELOW the ≥ 0.85× target") : "not measured";
    out.push(
      table(
        ["ratio", "replies/s", "per server CPU-s", ""],
        [
          ["Cogwheel ÷ rpc-websockets", ratio(m("cogwheel"), m("rpc-websockets")), ratio(c("cogwheel"), c("rpc-websockets")), verdict],
          ["Cogwheel ÷ json-rpc-2.0", ratio(m("cogwheel"), m("json-rpc-2.0")), ratio(c("cogwheel"), c("json-rpc-2.0")), ""],
          ["bare ws ÷ Cogwheel", ratio(m("bare-ws"), m("cogwheel")), ratio(c("bare-ws"), c("cogwheel")), "bare ws writes each reply separately; Cogwheel coalesces them"],
          ["bare ws corked ÷ Cogwheel", ratio(m("bare-ws-cork"), m("cogwheel")), ratio(c("bare-ws-cork"), c("cogwheel")), "same write coalescing: the cost of JSON-RPC above the transport"],
          ["Cogwheel typed ÷ undeclared echo", ratio(m("cogwheel-typed"), m("cogwheel")), ratio(c("cogwheel-typed"), c("cogwheel")), typedVerdict],
        ],
        [false, true, true, false],
      ),
    );
  }
  out.push("");
  out.push(`### 1b. Throughput — ten snowflakes per request, ${CONNS} connections × ${DEPTH} in flight, ${CFG.rounds} interleaved rounds of ${CFG.warmupMs / 1000} s warm-up + ${CFG.windowMs / 1000} s window`);
  out.push("");
  if (!only.has("snowflakes")) out.push("not run (--only)");
  else {
    out.push("`params: [[s1,…,s10]]`, ten distinct integers above 2^53 (17–19 digits) per request; exact servers must echo the digits, the JSON.parse one rounds them.");
    out.push("");
    const { text, m, c } = throughputTable(sf);
    out.push(text);
    out.push("");
    const judge = (key: string, meets: (r: number) => boolean, yes: string, no: string): string => {
      const r = m("cogwheel") / m(key);
      return Number.isFinite(r) ? (meets(r) ? yes : no) : "not measured";
    };
    out.push(
      table(
        ["ratio", "replies/s", "per server CPU-s", ""],
        [
          [`Cogwheel ÷ ${SF_JSON.label}`, ratio(m("cogwheel"), m(SF_JSON.key)), ratio(c("cogwheel"), c(SF_JSON.key)), judge(SF_JSON.key, (r) => r >= 0.8, "meets the ≥ 0.80× target", "BELOW the ≥ 0.80× target")],
          [`Cogwheel ÷ ${SF_LOSSLESS.label}`, ratio(m("cogwheel"), m(SF_LOSSLESS.key)), ratio(c("cogwheel"), c(SF_LOSSLESS.key)), judge(SF_LOSSLESS.key, (r) => r > 1, "meets the > 1× target", "NOT above the > 1× target")],
          [`Cogwheel ÷ ${SF_BIGINT.label}`, ratio(m("cogwheel"), m(SF_BIGINT.key)), ratio(c("cogwheel"), c(SF_BIGINT.key)), judge(SF_BIGINT.key, (r) => r > 1, "meets the > 1× target", "NOT above the > 1× target")],
        ],
        [false, true, true, false],
      ),
    );
  }
  out.push("");
  out.push("### 1c. JSON codecs — in process, ns per operation (lower is better)");
  out.push("");
  if (codec === null) out.push("not run (--only)");
  else if ("error" in codec) out.push(`FAILED: ${codec.error}`);
  else out.push(...formatCodecReport(codec));
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
  out.push("### 4. Config store — durable updates/s, lost-update controls, invalidation delay");
  out.push("");
  if (conf === null) out.push("not run (--only)");
  else out.push(...formatConfigReport(conf));
  out.push("");
  out.push(`total time ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
  console.log(out.join("\n"));

  const failed =
    [...tp, ...sf].some((r) => r.error !== null) ||
    (codec !== null && ("error" in codec || !codec.ok)) ||
    fan.some((s) => !s.ok) ||
    mem.some((s) => !s.ok) ||
    (conf !== null && configFailed(conf));
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
