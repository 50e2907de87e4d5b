/** Options of {@link General}. */
export interface GeneralOptions {
  /** A source of numbers in [0, 1); default `Math.random`. Tests pass a fixed one. */
  random?: () => number;
}

/**
 * The General cog. It holds only the randomness; its commands are in commands.ts.
 * Every random choice goes through {@link General.random}, so replacing it makes every
 * reply predictable.
 */
export class General {
  readonly name = "General";
  random: () => number;

  constructor(options: GeneralOptions = {}) {
    this.random = options.random ?? Math.random;
  }

  /** One of `options` (not empty). */
  pick<T>(options: readonly T[]): T {
    return options[this.below(options.length)]!;
  }

  /** A whole number in [0, n). Clamped, so a `random` returning 1 cannot overflow. */
  below(n: number): number {
    return Math.min(n - 1, Math.max(0, Math.floor(this.random() * n)));
  }
}
