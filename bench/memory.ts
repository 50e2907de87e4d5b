/**
 * Memory per idle connection (a child process of run.ts).
 *
 * For each server kind: start the server child with --expose-gc, warm it up with a few
 * connections that each make one echo call (so lazily loaded code is not charged to the
 * idle connections), close them, then read `process.memoryUsage()` in the server after a
 * forced GC; open `conns` idle WebSocket connections; settle; read it again. The difference
 * divided by `conns` is the cost of one idle connection. RSS moves in pages and arenas, so
 * each kind is measured `rounds` times, each in a fresh server process, interleaved.
 */
import { fileURLToPath } from "node:url";
import { childLifecycle, sleep, spawnScript, type Msg } from "./lib/proc.ts";
import { connectMany, type RawWs } from "./lib/wsraw.ts";

export interface MemoryKind {
  key: string;
  label: string;
  script: string; // relative to bench/
}

export interface MemoryJob {
  type: "memory";
  kinds: MemoryKind[];
  conns: number;
  settleMs: number;
  /** Fresh server per sample; kinds interleaved (A B C A B C …). */
  rounds: number;
}

export interface MemUsage {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  gc: boolean;
}

export interface MemorySample {
  key: string;
  round: number;
  ok: boolean;
  error?: string;
  conns: number;
  before?: MemUsage;
  after?: MemUsage;
  rssPerConn: number;
  heapPerConn: number;
  externalPerConn: number;
}

/**
 * Measurement hygiene, same for every server: a fixed 1 MiB young generation (so V8 growing
 * its nursery under the connection burst is not charged to the connections), and glibc malloc
 * with one arena and a fixed 128 KiB trim threshold (so freed native memory goes back to the
 * OS and RSS tracks live memory instead of jumping by whole arenas: without these, RSS per
 * connection swung between ~2 and ~9 KiB from run to run on the same server).
 */
const MEASURE_ENV = { MALLOC_ARENA_MAX: "1", MALLOC_TRIM_THRESHOLD_: "131072" };

async function runOne(kind: MemoryKind, round: number, job: MemoryJob): Promise<MemorySample> {
  const script = fileURLToPath(new URL(kind.script, import.meta.url));
  const server = spawnScript(`${kind.key} server`, script, { core: 0, nodeFlags: ["--expose-gc", "--max-semi-space-size=1"], env: MEASURE_ENV });
  let conns: RawWs[] = [];
  try {
    const ready = await server.next("ready", 30_000);
    const port = Number(ready.port);

    const warm = await connectMany(port, 10);
    for (const ws of warm) await ws.request(`{"jsonrpc":"2.0","id":1,"method":"echo","params":["hello"]}`);
    for (const ws of warm) ws.destroy();
    await sleep(job.settleMs);

    const before = (await server.ask({ type: "mem" }, "mem", 10_000)) as unknown as MemUsage;
    conns = await connectMany(port, job.conns);
    await sleep(job.settleMs);
    const after = (await server.ask({ type: "mem" }, "mem", 10_000)) as unknown as MemUsage;
    const closed = conns.filter((ws) => ws.closed).length;
    if (closed > 0) throw new Error(`${closed} idle connection(s) were closed by the server`);
    if (!before.gc) throw new Error("server child has no global.gc (--expose-gc missing)");
    return {
      key: kind.key,
      round,
      ok: true,
      conns: conns.length,
      before,
      after,
      rssPerConn: (after.rss - before.rss) / conns.length,
      heapPerConn: (after.heapUsed - before.heapUsed) / conns.length,
      externalPerConn: (after.external - before.external) / conns.length,
    };
  } catch (err) {
    return { key: kind.key, round, ok: false, error: (err as Error).message, conns: conns.length, rssPerConn: Number.NaN, heapPerConn: Number.NaN, externalPerConn: Number.NaN };
  } finally {
    for (const ws of conns) ws.destroy();
    await server.stop();
  }
}

childLifecycle();
process.on("message", (raw: unknown) => {
  const m = raw as Msg;
  if (m.type !== "memory") return;
  const job = m as unknown as MemoryJob;
  void (async () => {
    for (let round = 1; round <= job.rounds; round++) {
      for (const kind of job.kinds) {
        process.send!({ type: "sample", sample: await runOne(kind, round, job) });
        await sleep(200);
      }
    }
    process.send!({ type: "done" });
  })().catch((err: unknown) => process.send!({ type: "fatal", message: String((err as Error)?.stack ?? err) }));
});
process.send!({ type: "ready" });
