/** Number formatting, medians, Markdown tables and package versions for the benchmark reports. */
import { readFileSync } from "node:fs";

/** The installed version of a package in node_modules, or "?". */
export function packageVersion(pkg: string): string {
  try {
    const json = JSON.parse(readFileSync(new URL(`../../node_modules/${pkg}/package.json`, import.meta.url), "utf8")) as { version: string };
    return json.version;
  } catch {
    return "?";
  }
}

export const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");
export const pct = (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : "—");
export const kib = (n: number): string => (Number.isFinite(n) ? `${(n / 1024).toFixed(1)} KiB` : "—");
export const mib = (n: number): string => (Number.isFinite(n) ? `${(n / 1048576).toFixed(1)} MiB` : "—");
export const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : "n/a");

export const median = (xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function table(head: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string =>
    "| " + cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ") + " |";
  const sep = "|" + widths.map((w, i) => (rightAlign[i] ? "-".repeat(w + 1) + ":" : ":" + "-".repeat(w + 1))).join("|") + "|";
  return [line(head), sep, ...rows.map(line)].join("\n");
}
