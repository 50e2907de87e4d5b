// The status panel: name, prefixes and adapter connection from CORE__STATUS, uptime and the
// metrics chart from CORE__METRICS (the stateful topic; while a bot does not offer it, the
// CORE__METRICS method every second instead).
import type { RpcClient } from "../client/index.ts";
import { MetricsChart, type SeriesKey } from "./chart.ts";
import type { Connection } from "./connection.ts";
import type { DiscoveryStore } from "./discovery.ts";
import { byId } from "./dom.ts";
import type { Feeds } from "./feeds.ts";
import { duration } from "./format.ts";

interface Status {
  name?: unknown;
  prefixes?: unknown;
  connected?: unknown;
  adapter?: unknown;
  user?: { id?: unknown; name?: unknown } | null;
}

/** The CORE__METRICS object (topic or method), as far as the panel reads it. */
interface Metrics {
  uptime_s?: unknown;
  rpc_connections?: unknown;
  rpc_calls_per_s?: unknown;
  event_loop_delay_ms?: { p99?: unknown } | null;
}

const POLL_MS = 1000;

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined);

/** Calls per second: `rpc_calls_per_s` (a bot before it reports none, and the chart says n/a). */
function callsPerSecond(metrics: Metrics): number | undefined {
  return num(metrics.rpc_calls_per_s);
}


/** Wires the status panel. */
export function setupStatus(connection: Connection, feeds: Feeds, store: DiscoveryStore): void {
  const name = byId("status-name");
  const prefixes = byId("status-prefixes");
  const connected = byId("status-connected");
  const adapter = byId("status-adapter");
  const user = byId("status-user");
  const uptime = byId("status-uptime");
  const chart = new MetricsChart(byId("metrics-chart") as unknown as SVGSVGElement);

  // Uptime counts on between samples: the bot's figure at arrival plus the time since.
  let uptimeBase: { seconds: number; at: number } | null = null;
  setInterval(() => {
    uptime.textContent = uptimeBase === null ? "–" : duration(uptimeBase.seconds + (performance.now() - uptimeBase.at) / 1000);
  }, 1000);

  feeds.listen("CORE__STATUS", (data) => {
    const status = (data ?? {}) as Status;
    name.textContent = typeof status.name === "string" ? status.name : "–";
    prefixes.textContent = Array.isArray(status.prefixes) ? status.prefixes.join("  ") : "–";
    const isConnected = status.connected === true;
    connected.textContent = isConnected ? "connected" : "disconnected";
    connected.dataset.connected = String(isConnected);
    adapter.textContent = typeof status.adapter === "string" ? status.adapter : "–";
    user.textContent = status.user && typeof status.user.name === "string" ? `${status.user.name} (${String(status.user.id)})` : "–";
  });

  const onMetrics = (data: unknown): void => {
    const metrics = (data ?? {}) as Metrics;
    const up = num(metrics.uptime_s);
    if (up !== undefined) {
      uptimeBase = { seconds: up, at: performance.now() };
      uptime.textContent = duration(up);
    }
    const sample: Partial<Record<SeriesKey, number>> = {};
    const delay = num(metrics.event_loop_delay_ms?.p99);
    const connections = num(metrics.rpc_connections);
    const calls = callsPerSecond(metrics);
    if (delay !== undefined) sample.delay = delay;
    if (connections !== undefined) sample.connections = connections;
    if (calls !== undefined) sample.calls = calls;
    chart.add(sample);
  };
  feeds.listen("CORE__METRICS", onMetrics);

  // Polling, only while connected to a bot without the CORE__METRICS topic.
  let client: RpcClient | null = null;
  let poll: ReturnType<typeof setInterval> | undefined;
  const updatePolling = (): void => {
    const needed = client !== null && !store.current.topics.some((t) => t.name === "CORE__METRICS") && store.current.methods.some((m) => m.name === "CORE__METRICS");
    if (needed && poll === undefined) {
      poll = setInterval(() => {
        client?.call("CORE__METRICS").then(onMetrics, () => {});
      }, POLL_MS);
    } else if (!needed && poll !== undefined) {
      clearInterval(poll);
      poll = undefined;
    }
  };
  connection.listen({
    open: (c) => { client = c; updatePolling(); },
    close: () => { client = null; uptimeBase = null; updatePolling(); connected.textContent = "–"; },
  });
  store.listen(updatePolling);
}
