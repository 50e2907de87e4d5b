/**
 * The invalidation listener: one dedicated connection that LISTENs on `cogwheel_config` and
 * turns notifications into {@link Invalidation}s. It re-establishes its connection by itself,
 * with capped exponential backoff; whenever it loses or regains the connection it sends
 * `{kind: "all"}`, because notifications sent in between are lost for good. A heartbeat query
 * notices a connection that died without a reset (NAT or firewall timeout, frozen server).
 *
 * @module
 */
import pg from "pg";
import type { Invalidation } from "../bucket-driver.ts";
import { CHANNEL } from "./schema.ts";
import { refOf } from "./keys.ts";

/** Listener lifecycle; it never goes back from "closed". */
export type ListenerState = "connecting" | "listening" | "waiting" | "closed";

/** Keeps one LISTEN connection up and reports what it hears. */
export class InvalidationListener {
  readonly #config: pg.ClientConfig;
  readonly #emit: (invalidation: Invalidation) => void;
  readonly #maxDelayMs: number;
  readonly #heartbeatMs: number;
  #heartbeat: NodeJS.Timeout | null = null;
  #state: ListenerState = "connecting";
  #client: pg.Client | null = null;
  #timer: NodeJS.Timeout | null = null;
  #attempt = 0;
  #first: Promise<void>;

  /**
   * Starts connecting at once; {@link ready} tells when the first LISTEN is in place.
   *
   * @param config - connection settings (those of the pool)
   * @param emit - receives every invalidation
   * @param maxDelayMs - longest pause between reconnection attempts
   * @param heartbeatMs - how often the connection is checked, and how long the check may take
   */
  constructor(config: pg.ClientConfig, emit: (invalidation: Invalidation) => void, maxDelayMs: number, heartbeatMs: number) {
    this.#config = config;
    this.#emit = emit;
    this.#maxDelayMs = maxDelayMs;
    this.#heartbeatMs = heartbeatMs;
    this.#first = this.#connect();
    this.#first.catch(() => {}); // reported through ready(), when the driver asks
  }

  get state(): ListenerState {
    return this.#state;
  }

  /** Resolves once listening for the first time; rejects if that first attempt failed. */
  ready(): Promise<void> {
    return this.#first;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config);
    this.#client = client;
    // Without an 'error' listener a dropped connection would crash the process.
    client.on("error", () => this.#lost(client));
    client.on("end", () => this.#lost(client));
    client.on("notification", (message) => {
      if (message.channel === CHANNEL) this.#emit(parse(message.payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      this.#lost(client);
      throw error;
    }
    if (this.#state === "closed" || this.#client !== client) return;
    this.#state = "listening";
    if (this.#attempt > 0) this.#emit({ kind: "all" }); // what was sent while we were away is lost
    this.#attempt = 0;
    this.#beat(client);
  }

  /** Checks the connection every heartbeat: no answer within one heartbeat → lost. */
  #beat(client: pg.Client): void {
    const heartbeat = setInterval(() => {
      if (this.#client !== client || this.#state !== "listening") return clearInterval(heartbeat);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), this.#heartbeatMs);
        timer.unref();
      });
      const answered = client.query("SELECT 1").then(() => true, () => false);
      void Promise.race([answered, late]).then((ok) => {
        clearTimeout(timer);
        if (!ok) this.#lost(client);
      });
    }, this.#heartbeatMs);
    heartbeat.unref();
    this.#heartbeat = heartbeat;
  }

  /** The connection failed or ended: drop caches now, try again later. */
  #lost(client: pg.Client): void {
    if (this.#client !== client || this.#state === "closed") return;
    this.#client = null;
    this.#stopBeat();
    // A client that stopped answering may never finish end(): bounded, then destroyed.
    void endWithin(client, 1_000);
    const wasListening = this.#state === "listening";
    this.#state = "waiting";
    if (wasListening) this.#emit({ kind: "all" });
    const delay = Math.min(this.#maxDelayMs, 50 * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt++;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#state !== "waiting") return;
      this.#state = "connecting";
      this.#connect().catch(() => {}); // #lost() has scheduled the next attempt
    }, delay);
    this.#timer.unref();
  }

  #stopBeat(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  /** Stops for good; bounded by `ms` even if the server does not answer. Idempotent. */
  async close(ms: number): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#stopBeat();
    if (this.#timer !== null) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = null;
    if (client === null) return;
    await endWithin(client, ms);
  }
}

/** `client.end()`, but at most `ms`: past it the socket is destroyed. */
export async function endWithin(client: pg.Client | pg.PoolClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = client.end().catch(() => {});
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
  if ((await Promise.race([ended, late])) === "late") {
    // pg has no public "destroy": its connection's socket is the only handle.
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
  clearTimeout(timer);
}

/** A payload is `[ns, scope, id1, id2, version]` or `[ns]` (see the trigger in schema.ts). */
function parse(payload: string | undefined): Invalidation {
  try {
    const value: unknown = JSON.parse(payload ?? "");
    if (Array.isArray(value) && typeof value[0] === "string") {
      const [namespace, scope, id1, id2, version] = value as unknown[];
      if (value.length === 1) return { kind: "namespace", namespace: namespace as string };
      const ref = typeof scope === "string" && typeof id1 === "string" && typeof id2 === "string" ? refOf(scope, id1, id2) : undefined;
      if (ref !== undefined && typeof version === "number") return { kind: "bucket", namespace: namespace as string, ref, version };
      return { kind: "namespace", namespace: namespace as string };
    }
  } catch {
    // fall through: an unreadable payload must still invalidate something
  }
  return { kind: "all" };
}
