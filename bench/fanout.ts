/**
 * Fan-out benchmark driver (a child process, pinned to the load-generator core by run.ts).
 *
 * For each server kind it starts the server child (pinned to the server core), opens
 * `subscribers` raw WebSocket connections, SUBSCRIBEs each to TICK, then asks the server to
 * publish in batches of `batch` messages over IPC. At most OUTSTANDING_BATCHES batches are
 * requested but not yet received by every client, so nothing piles up in server memory (a
 * few KiB per connection) while the server always has work queued. Deliveries are counted
 * at the clients (frame headers only); after `windowMs` no new batch is requested and the
 * clock stops when every client has received every message.
 */
import { fileURLToPath } from "node:url";
import { Child, childLifecycle, procCpuSeconds, sleep, spawnScript, type Msg } from "./lib/proc.ts";
import { connectMany, type RawWs } from "./lib/wsraw.ts";

export interface FanoutKind {
  key: string;
  label: string;
  script: string; // relative to bench/
}

export interface FanoutJob {
  type: "fanout";
  kinds: FanoutKind[];
  subscribers: number;
  rounds: number;
  warmupMs: number;
  windowMs: number;
  batch: number;
}

export interface FanoutSample {
  key: string;
  round: number;
  ok: boolean;
  error?: string;
  publishes: number;
  deliveries: number;
  seconds: number;
  publishesPerSec: number;
  deliveriesPerSec: number;
  serverCpu: number;
  /** CPU of this driver process (the 1,000 clients), fraction of one core. */
  clientCpu: number;
}

const DRAIN_TIMEOUT_MS = 15_000;
/** Batches requested but not yet fully received that the driver allows. */
const OUTSTANDING_BATCHES = 4;

async function subscribeAll(conns: RawWs[]): Promise<void> {
  for (let i = 0; i < conns.length; i += 100) {
    await Promise.all(
      conns.slice(i, i + 100).map(async (ws, j) => {
        const reply = await ws.request(`{"jsonrpc":"2.0","id":${i + j + 1},"method":"SUBSCRIBE","params":["TICK"]}`, 10_000);
        const obj = JSON.parse(reply) as { id?: unknown; result?: unknown };
        if (obj.id !== i + j + 1 || !Array.isArray(obj.result) || !obj.result.includes("TICK")) {
          throw new Error(`SUBSCRIBE answered ${reply.slice(0, 160)}`);
        }
      }),
    );
  }
}

async function measure(server: Child, conns: RawWs[], job: FanoutJob, ms: number): Promise<Omit<FanoutSample, "key" | "round" | "ok">> {
  const cpu0 = process.cpuUsage();
  const n = conns.length;
  const b = job.batch;
  let delivered = 0;
  let requested = 0;
  let stopping = false;
  let stopAt = 0;
  let onDrained: (() => void) | null = null;
  const base = conns.map((ws) => ws.reader.messages);

  const pump = (): void => {
    while (!stopping && requested * n - delivered < OUTSTANDING_BATCHES * b * n) {
      if (performance.now() >= stopAt) {
        stopping = true;
        break;
      }
      server.send({ type: "publish", count: b });
      requested += b;
    }
    if (stopping && delivered >= requested * n && onDrained !== null) onDrained();
  };
  for (const ws of conns) {
    ws.onMessages = (k) => {
      delivered += k;
      pump();
    };
  }

  const drained = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`clients received ${delivered} of ${requested * n} messages within ${DRAIN_TIMEOUT_MS} ms after the window`)), ms + DRAIN_TIMEOUT_MS);
    onDrained = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  const s0 = procCpuSeconds(server.pid);
  const t0 = performance.now();
  stopAt = t0 + ms;
  pump();
  // If every batch were delivered before a data event noticed the deadline, nothing would
  // call pump() again: poll the deadline as well (bounded by the drain timeout above).
  const poll = setInterval(pump, 20);
  try {
    await drained;
  } finally {
    clearInterval(poll);
    for (const ws of conns) ws.onMessages = null;
  }
  const t1 = performance.now();
  const s1 = procCpuSeconds(server.pid);
  const cpu1 = process.cpuUsage(cpu0);
  const seconds = (t1 - t0) / 1000;
  const perConn = conns.map((ws, i) => ws.reader.messages - base[i]!);
  const short = perConn.filter((v) => v !== requested).length;
  if (short > 0) throw new Error(`${short} subscriber(s) did not receive exactly ${requested} messages`);
  return {
    publishes: requested,
    deliveries: delivered,
    seconds,
    publishesPerSec: requested / seconds,
    deliveriesPerSec: delivered / seconds,
    serverCpu: (s1 - s0) / seconds,
    clientCpu: (cpu1.user + cpu1.system) / 1e6 / seconds,
  };
}

async function runOne(kind: FanoutKind, round: number, job: FanoutJob): Promise<FanoutSample> {
  const script = fileURLToPath(new URL(kind.script, import.meta.url));
  const server = spawnScript(`${kind.key} server`, script, { core: 0 });
  let conns: RawWs[] = [];
  try {
    const ready = await server.next("ready", 30_000);
    conns = await connectMany(Number(ready.port), job.subscribers);
    await subscribeAll(conns);

    // Keep one real push from the first subscriber to check its content.
    const captured: { text: string | null } = { text: null };
    const first = conns[0]!;
    first.reader.capture = true;
    first.reader.onMessage = (payload) => {
      captured.text = payload.toString("utf8");
      first.reader.capture = false;
      first.reader.onMessage = null;
    };

    await measure(server, conns, job, job.warmupMs);
    const sample = captured.text;
    if (sample === null) throw new Error("no push captured during warm-up");
    const push = JSON.parse(sample) as { jsonrpc?: unknown; method?: unknown; params?: { seq?: unknown }; id?: unknown };
    if (push.jsonrpc !== "2.0" || push.method !== "TICK" || typeof push.params?.seq !== "number" || "id" in push) {
      throw new Error(`unexpected push: ${sample.slice(0, 160)}`);
    }
    const r = await measure(server, conns, job, job.windowMs);
    const closed = conns.filter((ws) => ws.closed).length;
    if (closed > 0) throw new Error(`${closed} subscriber connection(s) were closed`);
    return { key: kind.key, round, ok: true, ...r };
  } catch (err) {
    return {
      key: kind.key, round, ok: false, error: (err as Error).message,
      publishes: 0, deliveries: 0, seconds: 0, publishesPerSec: 0, deliveriesPerSec: 0, serverCpu: Number.NaN, clientCpu: Number.NaN,
    };
  } finally {
    for (const ws of conns) ws.destroy();
    await server.stop();
  }
}

childLifecycle();
process.on("message", (raw: unknown) => {
  const m = raw as Msg;
  if (m.type !== "fanout") return;
  const job = m as unknown as FanoutJob;
  void (async () => {
    for (let round = 1; round <= job.rounds; round++) {
      for (const kind of job.kinds) {
        const sample = await runOne(kind, round, job);
        process.send!({ type: "sample", sample });
        await sleep(200);
      }
    }
    process.send!({ type: "done" });
  })().catch((err: unknown) => process.send!({ type: "fatal", message: String((err as Error)?.stack ?? err) }));
});
process.send!({ type: "ready" });
