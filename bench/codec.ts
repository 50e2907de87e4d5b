/**
 * Codec micro-benchmark, in process: nanoseconds per parse of a request frame and per stringify
 * of its reply object, for JSON.parse / JSON.stringify (which round integers above 2^53),
 * Cogwheel's parseJson / stringifyJson (src/protocol/json.ts), lossless-json and json-bigint —
 * on the "snowflakes" frame (ten integers above 2^53) and on the "hello" frame of the echo
 * benchmark (lib/workloads.ts). It answers one question: is Cogwheel's exact JSON cheaper than
 * the maintained libraries made for this, and what does exactness cost over plain JSON?
 *
 * Method: 256 distinct frames per workload (ids 1…256), cycled; each codec stringifies the reply
 * `{jsonrpc:"2.0", id, result: params[0]}` built from its own parse of the frame. Every codec is
 * checked first (exact ones must write the snowflakes back digit for digit; JSON.parse must give
 * Number(digits)). Each (frame, operation, codec) cell is warmed up and calibrated to a batch of
 * about `batchMs`, then measured `reps` times, cells interleaved with the order rotated every
 * repetition and a full GC before each batch; the median ns/op is reported.
 *
 * Standalone: `node --import tsx bench/codec.ts [--quick]` (pins itself to core 0 when `taskset`
 * works) prints the tables. Under bench/run.ts (`--only=codec`) it runs as a pinned child and
 * sends its figures over IPC.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { CODECS } from "./lib/codecs.ts";
import { median, packageVersion, ratio, table } from "./lib/format.ts";
import { canPin, childLifecycle, type Msg } from "./lib/proc.ts";
import { replyText, requestText, snowflakes, type Workload } from "./lib/workloads.ts";

export interface CodecJob {
  type: "codec";
  reps: number;
  batchMs: number;
}

export type CodecOp = "parse" | "stringify";

export interface CodecInfo {
  key: string;
  label: string;
  exact: boolean;
  /** Why it was not measured (failed its check, or could not be loaded); null = measured. */
  error: string | null;
}

export interface CodecCell {
  workload: Workload;
  op: CodecOp;
  codec: string;
  /** ns per operation, one per repetition. */
  ns: number[];
}

export interface CodecReport {
  type: "result";
  ok: boolean;
  reps: number;
  batchMs: number;
  codecs: CodecInfo[];
  frames: Array<{ workload: Workload; bytes: number }>;
  cells: CodecCell[];
}

interface Candidate {
  key: string;
  label: string;
  exact: boolean;
  parse(text: string): unknown;
  stringify(value: unknown): string;
}

const WORKLOADS: Workload[] = ["snowflakes", "hello"];
const OPS: CodecOp[] = ["parse", "stringify"];
const FRAMES = 256; // power of two: index with & (FRAMES - 1)
const COGWHEEL_JSON_URL = new URL("../src/protocol/json.ts", import.meta.url);

async function candidates(): Promise<{ list: Candidate[]; cogwheelError: string | null }> {
  const list: Candidate[] = [
    { ...CODECS.json, label: "JSON.parse / JSON.stringify (rounds)" },
  ];
  let cogwheelError: string | null = null;
  try {
    const mod = (await import(COGWHEEL_JSON_URL.href)) as Record<string, unknown>;
    const parseJson = mod.parseJson as ((text: string) => unknown) | undefined;
    const stringifyJson = mod.stringifyJson as ((value: unknown, space?: number) => string) | undefined;
    if (typeof parseJson !== "function" || typeof stringifyJson !== "function") {
      throw new Error("it does not export parseJson and stringifyJson");
    }
    list.push({ key: "cogwheel", label: "Cogwheel parseJson / stringifyJson", exact: true, parse: (text) => parseJson(text), stringify: (value) => stringifyJson(value) });
  } catch (err) {
    cogwheelError = `src/protocol/json.ts: ${(err as Error).message.split("\n")[0]}`;
  }
  list.push(
    { ...CODECS["lossless-json"], label: `lossless-json ${packageVersion("lossless-json")}` },
    { ...CODECS["json-bigint"], label: `json-bigint ${packageVersion("json-bigint")}` },
  );
  return { list, cogwheelError };
}

interface Parsed {
  id?: unknown;
  params?: unknown;
}

const replyOf = (m: Parsed): object => ({ jsonrpc: "2.0", id: m.id, result: (m.params as unknown[])[0] });

/** Throws unless the codec reads and writes the frames of `workload` as it should (exact or rounding). */
function check(c: Candidate, workload: Workload, texts: string[]): void {
  for (let i = 0; i < texts.length; i += 17) {
    const id = i + 1;
    const m = c.parse(texts[i]!) as Parsed;
    if (m.id !== id) throw new Error(`parse of frame ${id} gave id ${String(m.id)}`);
    const out = c.stringify(replyOf(m));
    if (c.exact) {
      if (out !== replyText(workload, id)) throw new Error(`not exact: wrote ${out.slice(0, 160)} for ${replyText(workload, id).slice(0, 160)}`);
    } else if (workload === "snowflakes") {
      const result = (m.params as unknown[][])[0]!;
      const expected = snowflakes(id);
      if (result.length !== expected.length || result.some((v, k) => v !== Number(expected[k]))) {
        throw new Error(`parse did not give Number(digits): ${String(result)}`);
      }
    } else if (out !== replyText(workload, id)) {
      throw new Error(`wrote ${out}`);
    }
  }
}

let sink = 0;

function parseBatch(parse: (text: string) => unknown, texts: string[], n: number): number {
  let s = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const m = parse(texts[i & (FRAMES - 1)]!) as Parsed;
    if (m.id === undefined) s++;
  }
  const t1 = performance.now();
  sink += s;
  return ((t1 - t0) * 1e6) / n;
}

function stringifyBatch(stringify: (value: unknown) => string, replies: object[], n: number): number {
  let s = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) s += stringify(replies[i & (FRAMES - 1)]!).length;
  const t1 = performance.now();
  sink += s;
  return ((t1 - t0) * 1e6) / n;
}

/** global.gc, from --expose-gc or enabled on the fly; a no-op if neither works. */
function findGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === "function") return g;
  try {
    v8.setFlagsFromString("--expose-gc");
    const f = runInNewContext("gc") as unknown;
    if (typeof f === "function") return f as () => void;
  } catch {
    /* fall through */
  }
  return () => {};
}

export async function runCodecBench(job: CodecJob): Promise<CodecReport> {
  const gc = findGc();
  const { list, cogwheelError } = await candidates();
  const codecs: CodecInfo[] = list.map((c) => ({ key: c.key, label: c.label, exact: c.exact, error: null }));
  if (cogwheelError !== null) codecs.splice(1, 0, { key: "cogwheel", label: "Cogwheel parseJson / stringifyJson", exact: true, error: cogwheelError });

  const texts = new Map<Workload, string[]>();
  for (const w of WORKLOADS) texts.set(w, Array.from({ length: FRAMES }, (_, i) => requestText(w, i + 1)));
  const frames = WORKLOADS.map((w) => ({ workload: w, bytes: Buffer.byteLength(texts.get(w)![0]!) }));

  interface Runner {
    cell: CodecCell;
    batch: (n: number) => number;
    n: number;
  }
  const runners: Runner[] = [];
  for (const c of list) {
    const info = codecs.find((x) => x.key === c.key)!;
    try {
      for (const w of WORKLOADS) check(c, w, texts.get(w)!);
    } catch (err) {
      info.error = `failed its check: ${(err as Error).message}`;
      continue;
    }
    for (const w of WORKLOADS) {
      const ts = texts.get(w)!;
      const replies = ts.map((t) => replyOf(c.parse(t) as Parsed));
      for (const op of OPS) {
        const batch = op === "parse" ? (n: number) => parseBatch(c.parse, ts, n) : (n: number) => stringifyBatch(c.stringify, replies, n);
        runners.push({ cell: { workload: w, op, codec: c.key, ns: [] }, batch, n: 0 });
      }
    }
  }

  // Warm-up and calibration: grow the batch until it takes a quarter of batchMs, then size it to batchMs.
  for (const r of runners) {
    let n = 64;
    let ns = r.batch(n);
    while (ns * n < job.batchMs * 0.25e6) {
      n *= 2;
      ns = r.batch(n);
    }
    r.n = Math.max(64, Math.ceil((job.batchMs * 1e6) / r.batch(n)));
    r.batch(r.n);
  }
  for (let rep = 0; rep < job.reps; rep++) {
    for (let k = 0; k < runners.length; k++) {
      const r = runners[(k + rep * 3) % runners.length]!;
      gc();
      r.cell.ns.push(r.batch(r.n));
    }
  }
  if (sink === -1) console.log(sink); // keeps the results observable
  return {
    type: "result",
    ok: codecs.every((c) => c.error === null),
    reps: job.reps,
    batchMs: job.batchMs,
    codecs,
    frames,
    cells: runners.map((r) => r.cell),
  };
}

// ---------------------------------------------------------------- report

const ns = (n: number): string => (Number.isFinite(n) ? `${Math.round(n).toLocaleString("en-US")} ns` : "—");

/** The Markdown tables of a codec report (without a heading). */
export function formatCodecReport(report: CodecReport): string[] {
  const out: string[] = [];
  const measured = report.codecs.filter((c) => c.error === null);
  const cell = (w: Workload, op: CodecOp | "both", codec: string): number => {
    if (op === "both") return cell(w, "parse", codec) + cell(w, "stringify", codec);
    const c = report.cells.find((x) => x.workload === w && x.op === op && x.codec === codec);
    return c ? median(c.ns) : Number.NaN;
  };
  const opLabel = { parse: "parse request", stringify: "stringify reply", both: "both" } as const;
  const frameLabel = (w: Workload): string => {
    const bytes = report.frames.find((f) => f.workload === w)?.bytes ?? 0;
    return w === "snowflakes" ? `snowflakes (10 × > 2^53, ${bytes} B)` : `hello (${bytes} B)`;
  };
  const rowsFor = (value: (w: Workload, op: CodecOp | "both") => string[]): string[][] =>
    WORKLOADS.flatMap((w) => (["parse", "stringify", "both"] as const).map((op, i) => [i === 0 ? frameLabel(w) : "", opLabel[op], ...value(w, op)]));

  out.push(
    table(
      ["frame", "operation", ...report.codecs.map((c) => c.label)],
      rowsFor((w, op) => report.codecs.map((c) => (c.error === null ? ns(cell(w, op, c.key)) : "not measured"))),
      [false, false, ...report.codecs.map(() => true)],
    ),
  );
  for (const c of report.codecs) if (c.error !== null) out.push("", `${c.label}: NOT MEASURED — ${c.error}`);
  out.push("");
  const others = measured.filter((c) => c.key !== "cogwheel");
  if (measured.some((c) => c.key === "cogwheel")) {
    out.push(
      table(
        ["frame", "operation", ...others.map((c) => `Cogwheel time ÷ ${c.key === "json" ? "JSON (rounds)" : c.label}`)],
        rowsFor((w, op) => others.map((c) => ratio(cell(w, op, "cogwheel"), cell(w, op, c.key)))),
        [false, false, ...others.map(() => true)],
      ),
    );
    out.push("", "Below 1×: Cogwheel is faster.");
    const both = (key: string): number => cell("snowflakes", "both", key);
    const cw = both("cogwheel");
    const speedups = others
      .filter((c) => c.key !== "json")
      .map((c) => `${(both(c.key) / cw).toFixed(1)}× as fast as ${c.label} (${ns(both(c.key))})`);
    if (Number.isFinite(cw) && speedups.length > 0) {
      out.push(
        "",
        `Snowflake frame, parse + stringify: Cogwheel ${ns(cw)}, ${speedups.join(" and ")}; ` +
          `${(cw / both("json")).toFixed(2)}× the time of JSON.parse + JSON.stringify (${ns(both("json"))}), which rounds the snowflakes. ` +
          `Hello frame: ${(cell("hello", "both", "cogwheel") / cell("hello", "both", "json")).toFixed(2)}× JSON's time.`,
      );
    }
  }
  out.push("", `Median of ${report.reps} repetitions of ~${report.batchMs} ms batches per cell, ${FRAMES} distinct frames cycled, after warm-up; full GC before each batch.`);
  return out;
}

// ---------------------------------------------------------------- entry points

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (isMain && process.send !== undefined) {
  // Child of run.ts: already pinned; take a job, send the report.
  childLifecycle();
  process.on("message", (raw: unknown) => {
    const m = raw as Msg;
    if (m.type !== "codec") return;
    runCodecBench(m as unknown as CodecJob).then(
      (r) => process.send!(r),
      (err: unknown) => process.send!({ type: "fatal", message: String((err as Error)?.stack ?? err) }),
    );
  });
  process.send({ type: "ready" });
} else if (isMain) {
  const quick = process.argv.includes("--quick");
  const pinned = canPin() && spawnSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" }).status === 0;
  const cpus = os.cpus();
  console.error(`codec micro-benchmark${quick ? " (--quick)" : ""}: node ${process.version}, ${cpus[0]?.model ?? "?"}, ${pinned ? "pinned to core 0" : "not pinned"}`);
  const report = await runCodecBench(quick ? { type: "codec", reps: 3, batchMs: 40 } : { type: "codec", reps: 7, batchMs: 100 });
  console.log(["", "## JSON codecs — ns per operation (lower is better)", "", ...formatCodecReport(report)].join("\n"));
  if (!report.ok) process.exitCode = 1;
}
