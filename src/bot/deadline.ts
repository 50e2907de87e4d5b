/** What a deadline-bound step ended with. */
export type DeadlineOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; timedOut: boolean; stopped: boolean; error: unknown };

/**
 * Runs `step` (a package's setup, a cog's cogUnload, a teardown) and settles by `ms` at the
 * latest, whatever the step does: the caller moves on and disposes what the step owned. The
 * step itself cannot be stopped; it keeps running unobserved, and anything it registers late
 * is refused by its disposed scope. `stop` (shutdown) ends the wait early. Never rejects.
 */
export async function withDeadline<T>(step: () => T | PromiseLike<T>, ms: number, stop?: Promise<void>): Promise<DeadlineOutcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DeadlineOutcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, timedOut: true, stopped: false, error: null }), ms);
    void stop?.then(() => resolve({ ok: false, timedOut: false, stopped: true, error: null }));
  });
  const run = (async (): Promise<DeadlineOutcome<T>> => {
    try {
      return { ok: true, value: await step() };
    } catch (error) {
      return { ok: false, timedOut: false, stopped: false, error };
    }
  })();
  try {
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `12000` → `"12 s"`, `1500` → `"1.5 s"`: how deadlines read in reasons. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
