import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Bot } from "../bot/bot.ts";
import type { PackageScope } from "../bot/scope.ts";
import { METRICS_SCHEMAS } from "./rpc.ts";

const RESOLUTION_MS = 10;
/** How often the CORE__METRICS topic publishes while someone listens. */
export const METRICS_TOPIC_INTERVAL_MS = 1000;
/** The histogram holds whole sampling intervals; the delay is what exceeds the resolution. */
const delayMs = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);

/**
 * CORE__METRICS: what a dashboard or a soak test wants to watch — memory, uptime, RPC
 * connections, RPC calls completed per second (the last closed one-second window), and the event loop's delay
 * (p50/p99/max since start or the last reset), from Node's own histogram, sampled every 10 ms.
 * Both a method and a stateful topic of the same name: the topic publishes the same object once
 * a second, only while it has subscribers (no timer otherwise), so the web console never polls.
 */
export function registerCoreMetrics(bot: Bot, scope: PackageScope, core: object): void {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  scope.track(core, { dispose: () => delay.disable() });
  const started = Date.now();
  const read = () => {
    const memory = process.memoryUsage();
    return {
      uptime_s: Math.round((Date.now() - started) / 1000),
      rss_bytes: memory.rss,
      heap_used_bytes: memory.heapUsed,
      rpc_connections: bot.rpc.connectionCount,
      rpc_calls_per_s: bot.rpc.callsPerSecond,
      event_loop_delay_ms: {
        p50: delayMs(delay.percentile(50)),
        p99: delayMs(delay.percentile(99)),
        max: delayMs(delay.max),
        samples: delay.count,
      },
    };
  };
  scope.registerRpcHandler(
    core,
    (reset?: boolean | null) => {
      const result = read();
      if (reset === true) delay.reset();
      return result;
    },
    {
      name: "metrics",
      ...METRICS_SCHEMAS,
      doc:
        "Returns {uptime_s, rss_bytes, heap_used_bytes, rpc_connections, rpc_calls_per_s, event_loop_delay_ms: {p50, p99, max, samples}}; " +
        "rpc_calls_per_s counts the RPC requests answered in the last closed one-second window (batch items, notifications and errors included). " +
        "With reset true, starts a new delay histogram after answering.",
    },
  );

  const topic = scope.registerRpcTopic(core, "metrics", {
    doc: "The same object as the CORE__METRICS method (never resetting the histogram), pushed once a second while anyone is subscribed; the latest is stored for new subscribers.",
  });
  let timer: NodeJS.Timeout | null = null;
  const publish = (): void => void topic.publish(read(), { state: true });
  const stop = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  const listenersChanged = (name: string): void => {
    if (name !== topic.name) return;
    if (topic.subscriberCount > 0 && timer === null) {
      timer = setInterval(publish, METRICS_TOPIC_INTERVAL_MS);
      timer.unref(); // metrics never keep the process alive
      // The first subscriber gets fresh numbers at once; deferred so SUBSCRIBE's reply goes first.
      setImmediate(() => {
        if (timer !== null) publish();
      });
    } else if (topic.subscriberCount === 0 && timer !== null) {
      stop();
      // A stale snapshot would greet the next subscriber with old numbers: it gets a fresh one.
      topic.clearState();
    }
  };
  scope.track(core, bot.rpc.topics.onDidChangeSubscribers(listenersChanged));
  scope.track(core, { dispose: stop });
}
