// Reconnect back-off: capped exponential with jitter. Pure; browser-safe.

/** Reconnect settings. Each attempt waits between half and all of the nominal delay. */
export interface ReconnectOptions {
  /** Nominal delay before the first attempt after a drop (default 500 ms). */
  initialDelayMs?: number;
  /** Cap on the nominal delay (default 30 000 ms). */
  maxDelayMs?: number;
  /** Growth factor per failed attempt (default 2). */
  factor?: number;
}

export const RECONNECT_DEFAULTS: Required<ReconnectOptions> = { initialDelayMs: 500, maxDelayMs: 30_000, factor: 2 };

/** Checks and fills in reconnect options; throws a RangeError naming a bad value. */
export function resolveReconnect(options: ReconnectOptions | boolean | undefined): Required<ReconnectOptions> | null {
  if (options === undefined || options === false) return null;
  const resolved = { ...RECONNECT_DEFAULTS, ...(options === true ? {} : options) };
  for (const [key, min] of [["initialDelayMs", 1], ["maxDelayMs", 1], ["factor", 1]] as const) {
    const value = resolved[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < min) throw new RangeError(`reconnect.${key} must be a finite number >= ${min}`);
  }
  if (resolved.maxDelayMs < resolved.initialDelayMs) throw new RangeError("reconnect.maxDelayMs must be >= reconnect.initialDelayMs");
  return resolved;
}

/** The nominal (un-jittered) delay before attempt number `failures` (0 = first). */
export function nominalDelay(options: Required<ReconnectOptions>, failures: number): number {
  return Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** failures);
}

/** The delay to actually wait: uniformly in [nominal/2, nominal], so clients do not retry in step. */
export function jitteredDelay(options: Required<ReconnectOptions>, failures: number, random: () => number = Math.random): number {
  const nominal = nominalDelay(options, failures);
  return nominal / 2 + random() * (nominal / 2);
}
