/**
 * The request frames of the throughput benchmarks, shared by the load generator and the codec
 * micro-benchmark so both measure the same text.
 *
 * - "hello": `{"jsonrpc":"2.0","id":N,"method":"echo","params":["hello"]}`
 * - "hello_typed": the same to `echo_typed`, a method that declares a JSON Schema for its
 *   parameter and result (what validation costs against the undeclared `echo`)
 * - "snowflakes": `{"jsonrpc":"2.0","id":N,"method":"echo","params":[[s1,…,s10]]}`, ten distinct
 *   Discord snowflakes written as JSON numbers (17–19 digits, every one above 2^53, so a double
 *   cannot hold them), derived from N: every request id has its own ten, so nothing can be cached.
 */

export type Workload = "hello" | "hello_typed" | "snowflakes";

export const SNOWFLAKES_PER_REQUEST = 10;

/**
 * A snowflake's top 42 bits are milliseconds since the Discord epoch (2015-01-01T00:00:00Z); ours
 * are drawn from [MIN, MIN + SPAN): February 2015 … September 2026, which gives 17 (2015),
 * 18 (mid-2015 … mid-2022) and 19 digits (later).
 */
const MIN_OFFSET_MS = 3_000_000_000;
const SPAN_MS = 367_000_000_000;
const TWO_POW_53 = 2n ** 53n;

/** mulberry32: a small deterministic PRNG, so snowflakes are a pure function of the request id. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const cache = new Map<number, string[]>();

/**
 * The ten snowflakes (decimal digits) of request `id`, built like Discord's: milliseconds since
 * the Discord epoch << 22 | worker << 17 | process << 12 | increment. Distinct within a request.
 */
export function snowflakes(id: number): string[] {
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  const next = prng(Math.imul(id, 0x9e3779b1) ^ 0x5f3759df);
  const out: string[] = [];
  const seen = new Set<string>();
  while (out.length < SNOWFLAKES_PER_REQUEST) {
    const hi = next();
    const lo = next();
    const offset = MIN_OFFSET_MS + Math.floor(((hi * 2 ** 32 + lo) / 2 ** 64) * SPAN_MS);
    const low22 = next() & 0x3fffff; // worker (5 bits), process (5 bits), increment (12 bits)
    const value = (BigInt(offset) << 22n) | BigInt(low22);
    const digits = value.toString();
    if (seen.has(digits)) continue;
    seen.add(digits);
    out.push(digits);
  }
  cache.set(id, out);
  return out;
}

/** Throws unless snowflakes(id) are ten distinct 17–19-digit integers above 2^53 (a self-check of the workload). */
export function assertSnowflakes(id: number): void {
  const s = snowflakes(id);
  if (new Set(s).size !== SNOWFLAKES_PER_REQUEST) throw new Error(`snowflakes(${id}) are not distinct`);
  for (const d of s) {
    if (!/^[1-9]\d{16,18}$/.test(d) || BigInt(d) <= TWO_POW_53) throw new Error(`snowflakes(${id}) has ${d}: not a 17–19-digit integer above 2^53`);
    if (BigInt(d) >> 22n < BigInt(MIN_OFFSET_MS)) throw new Error(`snowflakes(${id}) has ${d}: timestamp out of range`);
  }
}

/** The request frame text for `id`. */
export function requestText(workload: Workload, id: number): string {
  if (workload === "hello_typed") return `{"jsonrpc":"2.0","id":${id},"method":"echo_typed","params":["hello"]}`;
  const params = workload === "hello" ? `["hello"]` : `[[${snowflakes(id).join(",")}]]`;
  return `{"jsonrpc":"2.0","id":${id},"method":"echo","params":${params}}`;
}

/** The exact JSON-RPC reply to requestText(workload, id), as a compact encoder writes it. */
export function replyText(workload: Workload, id: number): string {
  const result = workload === "snowflakes" ? `[${snowflakes(id).join(",")}]` : `"hello"`;
  return `{"jsonrpc":"2.0","id":${id},"result":${result}}`;
}
