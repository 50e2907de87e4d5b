/**
 * The part every benchmark server child shares: start, announce `{type:"ready", port}` over
 * IPC, answer `mem` (after a forced GC; children run with --expose-gc) and `publish`
 * (fan-out servers only), and exit with the parent.
 */
import { WebSocketServer } from "ws";
import { childLifecycle, type Msg } from "../lib/proc.ts";

export interface BenchServer {
  port: number;
  /** Publishes `count` notifications on topic TICK to every subscriber (fan-out servers). */
  publish?: (count: number) => void;
}

/** The notification payload of fan-out message number `seq`: small, like a bot status push. */
export function tickData(seq: number): object {
  return { seq, guild_id: "81384788765712384", event: "member_count", online: 1234, total: 5678, ts: 1700000000000 + seq };
}

function gcNow(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

export async function runServer(start: () => Promise<BenchServer>): Promise<void> {
  childLifecycle();
  if (!process.send) throw new Error("benchmark servers run as IPC children of bench/run.ts");
  const server = await start();
  process.on("message", (raw: unknown) => {
    const m = raw as Msg;
    if (m.type === "mem") {
      gcNow();
      const u = process.memoryUsage();
      process.send!({ type: "mem", rss: u.rss, heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers, gc: typeof (globalThis as { gc?: unknown }).gc === "function" });
    } else if (m.type === "publish") {
      if (!server.publish) throw new Error("this server does not publish");
      server.publish(Number(m.count));
    }
  });
  process.send({ type: "ready", port: server.port, pid: process.pid });
}

/** A bare `ws` server on 127.0.0.1 and a free port, once it listens. */
export async function listenWebSocketServer(): Promise<WebSocketServer> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  return wss;
}
