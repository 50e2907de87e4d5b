/**
 * `npm run soak [-- --seconds N] [-- --connections N]` — a bounded soak of the real bot.
 *
 * Starts `cogwheel start --rpc --rpc-port 0 --data-dir <temp>` as a child process (logs: JSON
 * on its stderr), then for N seconds (default 60), all on 127.0.0.1:
 * - 50 worker connections call CORE__VERSION_INFO, GET_METHODS, GET_TOPICS,
 *   ECONOMY__SET_BALANCE / ECONOMY__BALANCE (-32601 while economy is unloaded: expected),
 *   send small batches with notifications, subscribe and unsubscribe CORE__PACKAGES,
 *   CORE__METHODS and ECONOMY__BALANCE_CHANGED, and sprinkle bad frames (invalid JSON, wrong
 *   types, a batch over the size limit);
 * - an admin connection unloads and loads `general` and `economy` about every second;
 * - slow readers subscribe, stop reading and keep asking (cut off with 1008: expected), then
 *   come back; churn clients connect, call, subscribe and leave;
 * - a probe connection sends one GET_TOPICS every 100 ms, lock-step, and records the round trip
 *   (RPC latency under load: an upper bound of the bot's event-loop delay);
 * - the bot's RSS is read from /proc/<pid>/status every 2 s; after the warm-up (the first third of
 *   the run) the last third's median must be within +20% or +8 MiB of the first third's.
 * At the end: drain, count lost requests (pending on a connection that stayed open), print the
 * table, SIGTERM the bot and time its exit. Exit 0 only if every check passes.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bump, newTally, SoakConn } from "./soak/conn.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const inline = process.argv.find((a) => a.startsWith(`--${name}=`));
  const raw = inline !== undefined ? inline.slice(name.length + 3) : i >= 0 ? process.argv[i + 1] : undefined;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

const SECONDS = flag("seconds", 60);
const WORKERS = flag("connections", 50);
const SLOW_READERS = 3;
const CHURNERS = 4;
// V8 keeps growing its heap for the first tens of seconds under this load (a 60 s run peaks
// around 30–40 s, then a major GC settles it), so the warm-up is the first third of the run.
const WARMUP_MS = Math.max(2_000, Math.round((SECONDS * 1000) / 3));
const RSS_EVERY_MS = 2_000;
const PROBE_EVERY_MS = 100;
const HARD_DEADLINE_MS = SECONDS * 1000 + 90_000;
const TOPICS = ["CORE__PACKAGES", "CORE__METHODS", "ECONOMY__BALANCE_CHANGED"];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const MiB = (kib: number): string => (kib / 1024).toFixed(1);

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const median = (values: readonly number[]): number => percentile(values, 50);

// ---------------------------------------------------------------------------------------------
// The bot.

const dataDir = mkdtempSync(join(tmpdir(), "cogwheel-soak-"));
const bot = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "start", "--rpc", "--rpc-port", "0", "--data-dir", dataDir], {
  cwd: ROOT,
  env: { ...process.env, DISCORD_TOKEN: "" },
  stdio: ["pipe", "pipe", "pipe"],
});
const botLogs = { byLevel: new Map<number, number>(), errors: new Map<string, number>(), lines: 0 };
let botExit: { code: number | null; signal: NodeJS.Signals | null; at: number } | null = null;
const botExited = new Promise<void>((resolve) =>
  bot.once("exit", (code, signal) => {
    botExit = { code, signal, at: Date.now() };
    resolve();
  }),
);
let portResolve!: (port: number) => void;
const portReady = new Promise<number>((resolve) => (portResolve = resolve));
let stderrTail = "";
let partial = "";
bot.stderr.on("data", (chunk: Buffer) => {
  stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  partial += chunk.toString();
  const lines = partial.split("\n");
  partial = lines.pop()!;
  for (const line of lines) {
    let entry: { level?: number; msg?: string; port?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    botLogs.lines++;
    bump(botLogs.byLevel, entry.level ?? 0);
    if ((entry.level ?? 0) >= 50) bump(botLogs.errors, entry.msg ?? "?");
    if (entry.msg === "RPC server listening on 127.0.0.1" && typeof entry.port === "number") portResolve(entry.port);
  }
});
bot.stdout.resume(); // console-mode output: not needed

function cleanup(): void {
  if (bot.exitCode === null && bot.signalCode === null) bot.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
}
const hardDeadline = setTimeout(() => {
  console.error(`soak: hard deadline of ${HARD_DEADLINE_MS / 1000} s reached; killing the bot`);
  cleanup();
  process.exit(2);
}, HARD_DEADLINE_MS);
hardDeadline.unref();
process.once("SIGINT", () => {
  cleanup();
  process.exit(130);
});

function rssKiB(): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${bot.pid}/status`, "utf8"));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// The load.

const tally = newTally();
const conns = new Set<SoakConn>();
let running = true;
const churn = { packagesLoaded: 0, packagesUnloaded: 0, adminCalls: 0, slowCycles: 0, churnCycles: 0 };
const latencies: number[] = [];
const rss: Array<{ t: number; kib: number }> = [];

async function connect(port: number, kind: string): Promise<SoakConn | null> {
  const conn = new SoakConn(port, tally, kind);
  conns.add(conn);
  void conn.closed.then(() => conns.delete(conn));
  return (await conn.opened) ? conn : null;
}

async function worker(port: number, n: number): Promise<void> {
  const conn = await connect(port, "worker");
  if (conn === null) return;
  const member = `m${n}`;
  while (running && conn.open) {
    const r = Math.random();
    if (r < 0.2) await conn.call("ECONOMY__SET_BALANCE", { member_id: member, amount: Math.floor(Math.random() * 1000) });
    else if (r < 0.4) await conn.call("ECONOMY__BALANCE", [member]);
    else if (r < 0.55) await conn.call("CORE__VERSION_INFO");
    else if (r < 0.65) await conn.call("GET_METHODS");
    else if (r < 0.72) await conn.call("GET_TOPICS");
    else if (r < 0.8) await conn.call("SUBSCRIBE", [pick(TOPICS), pick(TOPICS)]);
    else if (r < 0.88) await conn.call("UNSUBSCRIBE", [pick(TOPICS)]);
    else if (r < 0.95) {
      conn.batch([
        { method: "GET_TOPICS" },
        { method: "ECONOMY__BALANCE", params: { member_id: member } },
        { method: "CORE__VERSION_INFO", notify: true },
        { method: "GET_SUBSCRIPTIONS" },
      ]);
      await sleep(5);
    } else if (r < 0.97) conn.sendBad(pick(["{not json", '{"jsonrpc":"2.0","id":', "[1,2", "\u00ff\u00fe garbage"]));
    else if (r < 0.985) conn.sendWrongTypes();
    else {
      // One over the default batch limit (100): a single -32600 with id null, nothing runs.
      conn.sendBad(JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ jsonrpc: "2.0", id: `over-${i}`, method: "GET_TOPICS" }))));
    }
    await sleep(Math.random() * 20);
  }
}

async function admin(port: number): Promise<void> {
  const conn = await connect(port, "admin");
  if (conn === null) return;
  let i = 0;
  while (running && conn.open) {
    await sleep(800 + Math.random() * 400);
    if (!running) break;
    const names = pick([["general", "economy"], ["economy"], ["general"]]);
    const unload = i++ % 2 === 0;
    const reply = await conn.call(unload ? "CORE__UNLOAD" : "CORE__LOAD", [names]);
    churn.adminCalls++;
    const result = reply.result as { unloaded_packages?: string[]; loaded_packages?: string[] } | undefined;
    churn.packagesUnloaded += result?.unloaded_packages?.length ?? 0;
    churn.packagesLoaded += result?.loaded_packages?.length ?? 0;
  }
  // Leave economy loaded, as at the start.
  if (conn.open) await conn.call("CORE__LOAD", [["general", "economy"]]);
}

async function slowReader(port: number): Promise<void> {
  while (running) {
    const conn = await connect(port, "slow-reader");
    if (conn === null) return;
    churn.slowCycles++;
    await conn.call("SUBSCRIBE", [TOPICS]);
    conn.ws.pause(); // stop reading: replies and pushes pile up on the server
    const until = Date.now() + 8000 + Math.random() * 4000;
    while (running && conn.open && Date.now() < until) {
      for (let k = 0; k < 20; k++) conn.request("rpc.discover");
      await sleep(50);
    }
    conn.ws.resume(); // read what is there: the replies, or the 1008 close
    await Promise.race([conn.closed, sleep(3000)]);
    if (conn.open) {
      // Not cut off: then every reply must come (counted as lost otherwise, at the end).
      await sleep(500);
    }
  }
}

async function churner(port: number): Promise<void> {
  while (running) {
    const conn = await connect(port, "churn");
    if (conn === null) {
      await sleep(100);
      continue;
    }
    churn.churnCycles++;
    await conn.call("GET_METHODS");
    await conn.call("SUBSCRIBE", [TOPICS]);
    await conn.call("CORE__VERSION_INFO");
    conn.close();
    await conn.closed;
    await sleep(Math.random() * 200);
  }
}

/** The bot's own event-loop delay histogram (CORE__METRICS), reset when the warm-up ends. */
let loopDelay: { p50: number; p99: number; max: number; samples: number } | null = null;

async function probe(port: number, warmupEnds: number): Promise<void> {
  const conn = await connect(port, "probe");
  if (conn === null) return;
  let reset = false;
  while (running && conn.open) {
    if (!reset && Date.now() >= warmupEnds) {
      await conn.call("CORE__METRICS", [true]);
      reset = true;
    }
    const started = performance.now();
    const reply = await conn.call("GET_TOPICS");
    const took = performance.now() - started;
    if (!("abandoned" in reply) && Date.now() >= warmupEnds) latencies.push(took);
    await sleep(Math.max(0, PROBE_EVERY_MS - took));
  }
}

async function sampleRss(started: number): Promise<void> {
  while (running) {
    const kib = rssKiB();
    if (kib !== null) rss.push({ t: Date.now() - started, kib });
    await sleep(RSS_EVERY_MS);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const port = await Promise.race([
    portReady,
    botExited.then(() => Promise.reject(new Error(`the bot exited before listening:\n${stderrTail}`))),
    sleep(30_000).then(() => Promise.reject(new Error(`the bot did not start listening in 30 s:\n${stderrTail}`))),
  ]);
  // Economy (and general) loaded before the load starts.
  const setup = await connect(port, "setup");
  if (setup === null) throw new Error("cannot connect to the bot");
  const loaded = await setup.call("CORE__LOAD", [["general", "economy"]]);
  if (!("result" in loaded)) throw new Error(`CORE__LOAD failed: ${JSON.stringify(loaded)}`);
  setup.close();
  await setup.closed;

  const started = Date.now();
  const warmupEnds = started + WARMUP_MS;
  console.error(`soak: bot pid ${bot.pid} on 127.0.0.1:${port}; ${SECONDS} s, ${WORKERS} workers, warm-up ${WARMUP_MS / 1000} s`);
  const tasks: Array<Promise<void>> = [sampleRss(started), probe(port, warmupEnds), admin(port)];
  for (let i = 0; i < WORKERS; i++) tasks.push(worker(port, i));
  for (let i = 0; i < SLOW_READERS; i++) tasks.push(slowReader(port));
  for (let i = 0; i < CHURNERS; i++) tasks.push(churner(port));
  const progress = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    console.error(`soak: ${s} s, ${tally.sent} sent, ${tally.answered} answered, ${conns.size} open, RSS ${MiB(rss.at(-1)?.kib ?? 0)} MiB`);
  }, 10_000);
  await sleep(SECONDS * 1000);
  const metrics = await connect(port, "metrics");
  const measured = metrics === null ? null : await metrics.call("CORE__METRICS");
  if (measured !== null && "result" in measured) {
    loopDelay = (measured.result as { event_loop_delay_ms: NonNullable<typeof loopDelay> }).event_loop_delay_ms;
  }
  metrics?.close();
  running = false;
  clearInterval(progress);

  // Drain: every open connection must get every reply it is owed.
  for (const conn of conns) conn.ws.resume();
  const drainStarted = Date.now();
  while (Date.now() - drainStarted < 15_000 && [...conns].some((c) => c.open && c.pending > 0)) await sleep(50);
  const drainMs = Date.now() - drainStarted;
  let lost = 0;
  for (const conn of conns) if (conn.open) lost += conn.pending;
  await Promise.race([Promise.all(tasks), sleep(10_000)]);
  const rssEnd = rssKiB();
  for (const conn of conns) conn.close();
  await Promise.race([Promise.all([...conns].map((c) => c.closed)), sleep(3000)]);

  // Shutdown.
  const termAt = Date.now();
  bot.kill("SIGTERM");
  await Promise.race([botExited, sleep(20_000)]);
  const exit = botExit as { code: number | null; signal: NodeJS.Signals | null; at: number } | null;
  const exitMs = exit === null ? null : exit.at - termAt;

  // Figures.
  const elapsed = SECONDS;
  const afterWarmup = rss.filter((s) => s.t >= WARMUP_MS);
  const third = Math.max(1, Math.floor(afterWarmup.length / 3));
  const firstThird = median(afterWarmup.slice(0, third).map((s) => s.kib));
  const lastThird = median(afterWarmup.slice(-third).map((s) => s.kib));
  const growthKiB = lastThird - firstThird;
  const growthPct = (growthKiB / firstThird) * 100;
  const rssOkPct = growthPct <= 20;
  const rssOkAbs = growthKiB <= 8 * 1024;
  const rssStart = afterWarmup[0]?.kib ?? Number.NaN;
  const unanswered = tally.sent - tally.answered - tally.abandoned;
  const internal = tally.errors.get(-32603) ?? 0;
  const errorLogs = [...botLogs.byLevel].filter(([level]) => level >= 50).reduce((a, [, n]) => a + n, 0);

  const checks: Array<[string, boolean, string]> = [
    ["lost requests (pending on a connection that stayed open)", lost === 0, String(lost)],
    ["replies to ids never sent (strays)", tally.strays === 0, String(tally.strays)],
    ["-32603 Internal error replies", internal === 0, String(internal)],
    ["bot log lines at error level or above", errorLogs === 0, String(errorLogs)],
    [
      "RSS trend after warm-up (last-third vs first-third median)",
      rssOkPct || rssOkAbs,
      `${MiB(firstThird)} → ${MiB(lastThird)} MiB (${growthKiB >= 0 ? "+" : ""}${MiB(growthKiB)} MiB, ${growthPct >= 0 ? "+" : ""}${growthPct.toFixed(1)}%; limit +20% or +8 MiB: ${rssOkPct ? "within +20%" : rssOkAbs ? "within +8 MiB" : "EXCEEDED"})`,
    ],
    ["bot exit after SIGTERM", exit !== null && exit.code === 0, exit === null ? "did not exit in 20 s" : `code ${exit.code}${exit.signal ? ` signal ${exit.signal}` : ""} in ${exitMs} ms`],
  ];

  const rows: Array<[string, string]> = [
    ["date", new Date().toISOString()],
    ["command", `npm run soak -- --seconds ${SECONDS} --connections ${WORKERS}`],
    ["node / cores", `${process.version} / ${(await import("node:os")).availableParallelism()}`],
    ["duration (load)", `${elapsed} s (+ drain ${drainMs} ms)`],
    ["requests sent", String(tally.sent)],
    ["requests answered", `${tally.answered} (${Math.round(tally.answered / elapsed)}/s)`],
    ["requests abandoned (their connection closed first: slow readers cut off)", String(tally.abandoned)],
    ["requests lost (incl. id-null replies owed)", String(lost)],
    ["unanswered, all causes", String(unanswered)],
    ["bad frames answered with id null (parse error, oversized batch)", `${tally.nullReplies} of ${tally.nullExpected}`],
    ["errors by code", [...tally.errors].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}: ${n}`).join(", ") || "none"],
    ["closes by code (client kind, code)", [...tally.closes].sort().map(([c, n]) => `${c}: ${n}`).join(", ") || "none"],
    [
      "slow readers cut off by the server",
      `${(tally.closes.get("slow-reader 1008") ?? 0) + (tally.closes.get("slow-reader 1006") ?? 0)} of ${churn.slowCycles} (1008 is queued behind the output they never read, so most see 1006 when the socket is destroyed closeTimeoutMs later)`,
    ],
    ["pushes received by topic", [...tally.pushes].sort().map(([t, n]) => `${t}: ${n}`).join(", ") || "none"],
    ["package operations", `${churn.adminCalls} (${churn.packagesLoaded} loads, ${churn.packagesUnloaded} unloads)`],
    ["slow-reader cycles / churn connections", `${churn.slowCycles} / ${churn.churnCycles}`],
    ["RSS at start (after warm-up) / end", `${MiB(rssStart)} / ${MiB(rssEnd ?? Number.NaN)} MiB`],
    ["RSS samples every 2 s (MiB)", rss.map((s) => MiB(s.kib)).join(" ")],
    [
      "RPC round trip under load (GET_TOPICS every 100 ms, lock-step)",
      `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${percentile(latencies, 100).toFixed(2)} ms (n=${latencies.length})`,
    ],
    [
      "bot event-loop delay after warm-up (CORE__METRICS, 10 ms resolution)",
      loopDelay === null
        ? "not available"
        : `p50 ${loopDelay.p50} ms, p99 ${loopDelay.p99} ms, max ${loopDelay.max} ms (${loopDelay.samples} samples)`,
    ],
    ["bot log lines by level", [...botLogs.byLevel].sort((a, b) => a[0] - b[0]).map(([l, n]) => `${l}: ${n}`).join(", ")],
  ];
  if (botLogs.errors.size > 0) rows.push(["bot error messages", [...botLogs.errors].map(([m, n]) => `${m} ×${n}`).join("; ")]);

  const width = Math.max(...rows.map(([k]) => k.length), ...checks.map(([k]) => k.length));
  console.log("\nCogwheel soak");
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log("\nChecks");
  for (const [k, ok, v] of checks) console.log(`  ${ok ? "PASS" : "FAIL"}  ${k.padEnd(width)}  ${v}`);
  const pass = checks.every(([, ok]) => ok);
  console.log(`\n${pass ? "soak passed" : "soak FAILED"}`);
  return pass ? 0 : 1;
}

main()
  .then((code) => {
    cleanup();
    process.exit(code);
  })
  .catch((error: unknown) => {
    console.error(`soak: ${(error as Error).stack ?? String(error)}`);
    cleanup();
    process.exit(2);
  });
