/**
 * Throughput load generator (a child process, pinned to its own core by run.ts).
 *
 * On `{type:"throughput", ...}` it opens `conns` raw WebSocket connections to the server,
 * checks on each that one real echo request gets a correct reply, then keeps `depth`
 * requests in flight per connection: every reply frame triggers one new request. Requests are
 * pre-built, pre-masked frames taken from a ring (ids 1..RING) laid out back to back in one
 * buffer, so answering k replies costs one `socket.write` of a slice. Replies are counted from
 * frame headers only. After `warmupMs` it counts replies over `windowMs`, then checks one more
 * reply per connection, taken under load, before stopping.
 *
 * The workload picks the request (lib/workloads.ts): "hello" (`params: ["hello"]`), "hello_typed"
 * (the same to `echo_typed`, which declares schemas) or "snowflakes" (`params: [[s1,…,s10]]`, ten integers above 2^53 that differ per request id).
 */
import { childLifecycle, procCpuSeconds, sleep, type Msg } from "./lib/proc.ts";
import { connectRaw, textFrame, type RawWs } from "./lib/wsraw.ts";
import { assertSnowflakes, requestText, snowflakes, SNOWFLAKES_PER_REQUEST, type Workload } from "./lib/workloads.ts";

const RING = 4096;
const CHECK_ID = 987654321;

/**
 * How a reply is judged:
 * - "jsonrpc": `{"jsonrpc":"2.0","id":<same>,"result":<the param>}`, exactly — for "snowflakes"
 *   the digits of the result array are compared as text with the ones sent, so a server that
 *   rounds them through a double fails;
 * - "jsonrpc-rounding": the same, except that the result is compared after `JSON.parse`: each
 *   snowflake must equal `Number(digits)` (what a server that goes through doubles sends back);
 * - "echo": the reply must be the request itself.
 */
export type ReplyCheck = "jsonrpc" | "jsonrpc-rounding" | "echo";

export interface ThroughputJob {
  type: "throughput";
  port: number;
  serverPid: number;
  workload: Workload;
  check: ReplyCheck;
  conns: number;
  depth: number;
  warmupMs: number;
  windowMs: number;
}

export interface ThroughputResult {
  type: "result";
  ok: boolean;
  error?: string;
  replies: number;
  seconds: number;
  perSecond: number;
  /** Fraction of one core used during the window. */
  serverCpu: number;
  loadgenCpu: number;
  /** Fewest and most replies any single connection got in the window (fairness / stalls). */
  minConn: number;
  maxConn: number;
}

interface Ring {
  /** The pre-masked request frames for ids 1..RING, back to back. */
  buffer: Buffer;
  /** offsets[i] is where the frame of id i + 1 starts; offsets[RING] is the end. */
  offsets: number[];
}

const rings = new Map<Workload, Ring>();

function ringFor(workload: Workload): Ring {
  let ring = rings.get(workload);
  if (ring === undefined) {
    if (workload === "snowflakes") for (let i = 1; i <= RING; i++) assertSnowflakes(i);
    const frames = Array.from({ length: RING }, (_, i) => textFrame(requestText(workload, i + 1)));
    const offsets = new Array<number>(RING + 1);
    offsets[0] = 0;
    for (let i = 0; i < RING; i++) offsets[i + 1] = offsets[i]! + frames[i]!.length;
    ring = { buffer: Buffer.concat(frames), offsets };
    rings.set(workload, ring);
  }
  return ring;
}

const show = (reply: string): string => (reply.length > 200 ? `${reply.slice(0, 200)}…` : reply);

/** Throws unless `reply` is the right answer to requestText(workload, id); id null = any ring id. */
function verify(reply: string, workload: Workload, check: ReplyCheck, id: number | null): void {
  if (check === "echo") {
    const got = id ?? Number(/^\{"jsonrpc":"2\.0","id":(\d+),/.exec(reply)?.[1]);
    if (!(got === id || (Number.isInteger(got) && got >= 1 && got <= RING)) || reply !== requestText(workload, got)) {
      throw new Error(`echo server answered ${show(reply)}`);
    }
    return;
  }
  let obj: { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: unknown };
  try {
    obj = JSON.parse(reply) as typeof obj;
  } catch {
    throw new Error(`reply is not JSON: ${show(reply)}`);
  }
  const idOk = id !== null ? obj.id === id : typeof obj.id === "number" && Number.isInteger(obj.id) && obj.id >= 1 && obj.id <= RING;
  if (obj.jsonrpc !== "2.0" || !idOk || "error" in obj || !("result" in obj)) {
    throw new Error(`wrong reply to echo: ${show(reply)}`);
  }
  const replyId = obj.id as number;
  if (workload === "hello" || workload === "hello_typed") {
    if (obj.result !== "hello") throw new Error(`wrong reply to echo: ${show(reply)}`);
    return;
  }
  const expected = snowflakes(replyId);
  const result = obj.result;
  if (!Array.isArray(result) || result.length !== SNOWFLAKES_PER_REQUEST) {
    throw new Error(`echo of ${SNOWFLAKES_PER_REQUEST} snowflakes answered ${show(reply)}`);
  }
  if (check === "jsonrpc-rounding") {
    const i = result.findIndex((v, k) => v !== Number(expected[k]));
    if (i >= 0) throw new Error(`snowflake ${i + 1} came back as ${String(result[i])}, not Number(${expected[i]}): ${show(reply)}`);
    return;
  }
  // Exact: the digits of the result array, as text (JSON.parse would round them).
  const text = /"result"\s*:\s*\[([^[\]{}]*)\]/.exec(reply)?.[1];
  const digits = text?.split(",").map((d) => d.trim()) ?? [];
  const i = expected.findIndex((d, k) => digits[k] !== d);
  if (text === undefined || digits.length !== expected.length || i >= 0) {
    const where = i >= 0 ? `snowflake ${i + 1} came back as ${digits[i] ?? "nothing"}, sent ${expected[i]}` : "result array not found";
    throw new Error(`not exact — ${where}: ${show(reply)}`);
  }
}

async function checkReply(ws: RawWs, workload: Workload, check: ReplyCheck): Promise<void> {
  verify(await ws.request(requestText(workload, CHECK_ID), 5000), workload, check, CHECK_ID);
}

/** While the pipelines still run, checks the next reply on every connection (catches servers that degrade into errors under load). */
function checkUnderLoad(conns: RawWs[], workload: Workload, check: ReplyCheck): Promise<void> {
  return Promise.all(
    conns.map(
      (ws) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("no reply under load within 5 s")), 5000);
          ws.reader.capture = true;
          ws.reader.onMessage = (payload) => {
            clearTimeout(timer);
            ws.reader.capture = false;
            ws.reader.onMessage = null;
            try {
              verify(payload.toString("utf8"), workload, check, null);
              resolve();
            } catch (err) {
              reject(err as Error);
            }
          };
        }),
    ),
  ).then(() => undefined);
}

async function throughput(job: ThroughputJob): Promise<ThroughputResult> {
  const fail = (error: string): ThroughputResult => ({
    type: "result", ok: false, error, replies: 0, seconds: 0, perSecond: 0, serverCpu: Number.NaN, loadgenCpu: Number.NaN, minConn: 0, maxConn: 0,
  });
  if (job.depth > RING) return fail(`depth ${job.depth} exceeds ring size ${RING}`);
  const { buffer: ring, offsets } = ringFor(job.workload);
  const conns: RawWs[] = [];
  try {
    for (let i = 0; i < job.conns; i++) conns.push(await connectRaw(job.port));
    for (const ws of conns) await checkReply(ws, job.workload, job.check);
  } catch (err) {
    for (const ws of conns) ws.destroy();
    return fail((err as Error).message);
  }

  let running = true;
  const next = new Array<number>(conns.length).fill(0);
  const counts = new Array<number>(conns.length).fill(0);

  const send = (c: number, k: number): void => {
    const socket = conns[c]!.socket;
    const start = next[c]!;
    const end = start + k;
    if (end <= RING) {
      socket.write(ring.subarray(offsets[start]!, offsets[end]!));
      next[c] = end === RING ? 0 : end;
    } else {
      socket.write(ring.subarray(offsets[start]!, offsets[RING]!));
      socket.write(ring.subarray(0, offsets[end - RING]!));
      next[c] = end - RING;
    }
  };

  conns.forEach((ws, c) => {
    next[c] = (c * 257) % RING;
    ws.onMessages = (k) => {
      counts[c]! += k;
      if (running) send(c, k);
    };
  });
  for (let c = 0; c < conns.length; c++) send(c, job.depth);

  const total = (): number => counts.reduce((a, b) => a + b, 0);
  await sleep(job.warmupMs);
  const c0 = counts.slice();
  const n0 = total();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const s0 = procCpuSeconds(job.serverPid);
  await sleep(job.windowMs);
  const n1 = total();
  const t1 = performance.now();
  const cpu1 = process.cpuUsage(cpu0);
  const s1 = procCpuSeconds(job.serverPid);
  const c1 = counts.slice();
  let underLoadError: string | null = null;
  try {
    await checkUnderLoad(conns, job.workload, job.check);
  } catch (err) {
    underLoadError = `after the window: ${(err as Error).message}`;
  }
  running = false;
  const closed = conns.filter((ws) => ws.closed);
  const closeCodes = [...new Set(closed.map((ws) => ws.closeCode))];
  for (const ws of conns) ws.destroy();

  const seconds = (t1 - t0) / 1000;
  const perConn = c1.map((v, i) => v - c0[i]!);
  const result: ThroughputResult = {
    type: "result",
    ok: closed.length === 0,
    replies: n1 - n0,
    seconds,
    perSecond: (n1 - n0) / seconds,
    serverCpu: (s1 - s0) / seconds,
    loadgenCpu: (cpu1.user + cpu1.system) / 1e6 / seconds,
    minConn: Math.min(...perConn),
    maxConn: Math.max(...perConn),
  };
  if (closed.length > 0) result.error = `${closed.length} connection(s) closed during the run (close codes ${closeCodes.join(", ")})`;
  if (underLoadError !== null) {
    result.ok = false;
    result.error = underLoadError;
  }
  return result;
}

childLifecycle();
process.on("message", (raw: unknown) => {
  const m = raw as Msg;
  if (m.type !== "throughput") return;
  throughput(m as unknown as ThroughputJob).then(
    (r) => process.send!(r),
    (err: unknown) => process.send!({ type: "fatal", message: String((err as Error)?.stack ?? err) }),
  );
});
process.send!({ type: "ready" });
