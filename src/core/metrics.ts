import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Bot } from "../bot/bot.ts";
import type { PackageScope } from "../bot/scope.ts";
import { METRICS_SCHEMAS } from "./rpc.ts";

const RESOLUTION_MS = 10;
/** The histogram holds whole sampling intervals; the delay is what exceeds the resolution. */
const delayMs = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);

/**
 * CORE__METRICS: what a dashboard or a soak test wants to watch — memory, uptime, RPC
 * connections and the event loop's delay (p50/p99/max since start or the last reset), from
 * Node's own histogram, sampled every 10 ms.
 */
export function registerCoreMetrics(bot: Bot, scope: PackageScope, core: object): void {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  scope.track(core, { dispose: () => delay.disable() });
  const started = Date.now();
  scope.registerRpcHandler(
    core,
    (reset?: boolean | null) => {
      const memory = process.memoryUsage();
      const result = {
        uptime_s: Math.round((Date.now() - started) / 1000),
        rss_bytes: memory.rss,
        heap_used_bytes: memory.heapUsed,
        rpc_connections: bot.rpc.connectionCount,
        event_loop_delay_ms: {
          p50: delayMs(delay.percentile(50)),
          p99: delayMs(delay.percentile(99)),
          max: delayMs(delay.max),
          samples: delay.count,
        },
      };
      if (reset === true) delay.reset();
      return result;
    },
    {
      name: "metrics",
      ...METRICS_SCHEMAS,
      doc: "Returns {uptime_s, rss_bytes, heap_used_bytes, rpc_connections, event_loop_delay_ms: {p50, p99, max, samples}}; with reset true, starts a new delay histogram after answering.",
    },
  );
}
