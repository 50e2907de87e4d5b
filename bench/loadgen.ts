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
 */
import { childLifecycle, procCpuSeconds, sleep, type Msg } from "./lib/proc.ts";
import { connectRaw, textFrame, type RawWs } from "./lib/wsraw.ts";

const RING = 4096;
const CHECK_ID = 987654321;

export interface ThroughputJob {
  type: "throughput";
  port: number;
  serverPid: number;
  /** "jsonrpc": reply must be {"jsonrpc":"2.0","id":…,"result":"hello"}; "echo": reply must equal the request. */
  check: "jsonrpc" | "echo";
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

function request(id: number | string): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"echo","params":["hello"]}`;
}

// The ring of pre-masked request frames, back to back; offsets[i] is where frame i starts.
const frames = Array.from({ length: RING }, (_, i) => textFrame(request(i + 1)));
const offsets = new Array<number>(RING + 1);
offsets[0] = 0;
for (let i = 0; i < RING; i++) offsets[i + 1] = offsets[i]! + frames[i]!.length;
const ring = Buffer.concat(frames);

/** Throws unless `reply` is the right answer to request(id); id null = any ring id. */
function verify(reply: string, check: ThroughputJob["check"], id: number | null): void {
  if (check === "echo") {
    const ok = id !== null ? reply === request(id) : /^\{"jsonrpc":"2\.0","id":\d+,"method":"echo","params":\["hello"\]\}$/.test(reply);
    if (!ok) throw new Error(`echo server answered ${reply.slice(0, 120)}`);
    return;
  }
  let obj: { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: unknown };
  try {
    obj = JSON.parse(reply) as typeof obj;
  } catch {
    throw new Error(`reply is not JSON: ${reply.slice(0, 120)}`);
  }
  const idOk = id !== null ? obj.id === id : typeof obj.id === "number" && obj.id >= 1 && obj.id <= RING;
  if (obj.jsonrpc !== "2.0" || !idOk || obj.result !== "hello" || "error" in obj) {
    throw new Error(`wrong reply to echo: ${reply.slice(0, 160)}`);
  }
}

async function checkReply(ws: RawWs, check: ThroughputJob["check"]): Promise<void> {
  verify(await ws.request(request(CHECK_ID), 5000), check, CHECK_ID);
}

/** While the pipelines still run, checks the next reply on every connection (catches servers that degrade into errors under load). */
function checkUnderLoad(conns: RawWs[], check: ThroughputJob["check"]): Promise<void> {
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
              verify(payload.toString("utf8"), check, null);
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
  const conns: RawWs[] = [];
  try {
    for (let i = 0; i < job.conns; i++) conns.push(await connectRaw(job.port));
    for (const ws of conns) await checkReply(ws, job.check);
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
    await checkUnderLoad(conns, job.check);
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
