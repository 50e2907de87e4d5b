// A small live chart of the bot's metrics: one sparkline per series, stacked in one inline SVG
// built with DOM APIs (no library, nothing for the CSP to block). Each series scales to its own
// range, since milliseconds, connections and calls per second share no unit.
import { s } from "./dom.ts";

/** One series: its label, unit, and the samples' values. */
interface Series {
  readonly key: SeriesKey;
  readonly label: string;
  readonly unit: string;
  readonly values: number[];
  readonly line: SVGPolylineElement;
  readonly text: SVGTextElement;
}

const WIDTH = 640;
const ROW = 56;
const PAD = 4;

/** The chart's series keys and labels, in drawing order. */
export const CHART_SERIES = [
  { key: "delay", label: "event-loop delay p99", unit: "ms" },
  { key: "connections", label: "RPC connections", unit: "" },
  { key: "calls", label: "RPC calls", unit: "/s" },
] as const;

/** A series' key: what {@link MetricsChart.add} takes a value for. */
export type SeriesKey = (typeof CHART_SERIES)[number]["key"];

/** A stacked sparkline chart keeping the last `capacity` samples. */
export class MetricsChart {
  readonly #series: Series[];
  readonly #capacity: number;

  /** Draws into `svg` (`#metrics-chart`). */
  constructor(svg: SVGSVGElement, capacity = 60) {
    this.#capacity = capacity;
    const height = ROW * CHART_SERIES.length;
    svg.setAttribute("viewBox", `0 0 ${WIDTH} ${height}`);
    svg.setAttribute("role", "img");
    svg.replaceChildren(s("title", {}, "Event-loop delay, RPC connections and calls per second over the last minute"));
    this.#series = CHART_SERIES.map((spec, i) => {
      const top = i * ROW;
      const line = s("polyline", { class: `series series-${spec.key}`, points: "" });
      const text = s("text", { x: PAD, y: top + 12, class: "series-label" }, spec.label);
      svg.append(s("line", { x1: 0, x2: WIDTH, y1: top + ROW - 0.5, y2: top + ROW - 0.5, class: "baseline" }), line, text);
      return { ...spec, values: [], line, text };
    });
  }

  /** Adds one sample; a series without a value (not reported by this bot) shows "n/a". */
  add(sample: Partial<Record<SeriesKey, number>>): void {
    this.#series.forEach((series, i) => {
      const value = sample[series.key];
      if (value === undefined || !Number.isFinite(value)) {
        series.text.textContent = `${series.label}: n/a`;
        return;
      }
      series.values.push(value);
      if (series.values.length > this.#capacity) series.values.shift();
      series.text.textContent = `${series.label}: ${Math.round(value * 100) / 100}${series.unit}`;
      series.line.setAttribute("points", this.#points(series.values, i * ROW));
    });
  }

  /** Polyline points: x by sample index, y scaled from 0 to the series' maximum. */
  #points(values: readonly number[], top: number): string {
    const max = Math.max(1, ...values);
    const step = WIDTH / Math.max(1, this.#capacity - 1);
    const offset = this.#capacity - values.length;
    const bottom = top + ROW - PAD;
    const span = ROW - 18 - PAD; // below the label
    return values.map((v, i) => `${((offset + i) * step).toFixed(1)},${(bottom - (v / max) * span).toFixed(1)}`).join(" ");
  }
}
