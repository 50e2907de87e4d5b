// Topic subscriptions: one entry per topic with its handlers, SUBSCRIBE/UNSUBSCRIBE at the right
// moments, pushes to the handlers, re-subscription after a reconnect. Browser-safe.
import { upperAscii } from "../protocol/names.ts";
import { UNSUBSCRIBED_REASON_REMOVED } from "../protocol/topics.ts";
import type { Disposable } from "./disposable.ts";

/** What a push handler receives: the published value, and the topic's canonical (upper-case) name. */
export type PushHandler = (data: unknown, topic: string) => void;

/**
 * Why a subscription handle ended: the server's reason when it ended the subscription
 * (`"removed"`: the topic no longer exists; a later server may send others), `"disposed"` (the
 * handle's own `dispose()`), `"closed"` (the client was closed) or `"failed"` (the subscription
 * could not be made; `ready` rejected).
 */
export type SubscriptionEndReason = typeof UNSUBSCRIBED_REASON_REMOVED | "disposed" | "closed" | "failed" | (string & {}); // string & {}: a server's future reasons, without erasing the known ones from editors

/** What a subscription handle's `ended` resolves with. */
export interface SubscriptionEnd {
  /** The topic's canonical (upper-case) name. */
  readonly topic: string;
  readonly reason: SubscriptionEndReason;
}

/**
 * A subscription handle. `ready` resolves `true` once the server confirmed the topic, `false` if
 * the server does not know it (or the handle was disposed first); it rejects if the subscription
 * could not be sent (connection failure, client closed). `ended` resolves, never rejects, once
 * the handle receives no more pushes, saying why; a topic the server does not know stays
 * subscribed (and `ended` pending) until the handle is disposed.
 */
export interface RpcSubscription extends Disposable {
  readonly topic: string;
  readonly ready: Promise<boolean>;
  readonly ended: Promise<SubscriptionEnd>;
}

/** The server ended subscriptions: what the client's `unsubscribed` event reports. */
export interface UnsubscribedInfo {
  /** Canonical names of the topics this client was subscribed to and no longer is. */
  readonly topics: string[];
  /** The server's reason: `"removed"` when the topics no longer exist. */
  readonly reason: string;
}

/** One handler of a topic, and how to end its handle. */
interface Registration {
  readonly fn: PushHandler;
  end(reason: SubscriptionEndReason): void;
}

interface TopicEntry {
  /** The name as the first subscriber spelled it: sent as is, the server folds it. */
  readonly name: string;
  readonly handlers: Set<Registration>;
  readonly ready: Promise<boolean>;
  settleReady(value: boolean | Error): void;
  /** SUBSCRIBEs of this entry sent and not answered yet (see {@link Subscriptions.unsubscribed}). */
  subscribing: number;
}

/** What the subscription table needs from the client. */
export interface SubscriptionHooks {
  /**
   * Sends a call (SUBSCRIBE, UNSUBSCRIBE); `done` runs as soon as its reply is read, before the
   * next frame is, which an UNSUBSCRIBED right behind a SUBSCRIBE reply relies on.
   */
  request(method: string, params: unknown, done: (error: Error | null, result?: unknown) => void): void;
  /** A new topic was added: send SUBSCRIBE now if open, or start connecting. */
  added(): void;
  /** Whether the connection is open, so that SUBSCRIBE/UNSUBSCRIBE can go out now. */
  isOpen(): boolean;
  /** Whether a SUBSCRIBE that failed with `error` will be sent again (a drop, with reconnect on). */
  willRetry(error: Error): boolean;
  /** Reports a handler's exception. */
  report(error: Error): void;
}

const noop = (): void => {};

function newEntry(name: string): TopicEntry {
  let settle!: (value: boolean | Error) => void;
  let settled = false;
  const ready = new Promise<boolean>((resolve, reject) => {
    settle = (value) => {
      if (settled) return;
      settled = true;
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
  });
  ready.catch(noop); // a rejection is the caller's to observe, never an unhandled one
  return { name, handlers: new Set(), ready, settleReady: settle, subscribing: 0 };
}

/** The client's topics, keyed by canonical (ASCII upper-case) name. */
export class Subscriptions {
  readonly #topics = new Map<string, TopicEntry>();
  readonly #hooks: SubscriptionHooks;

  constructor(hooks: SubscriptionHooks) {
    this.#hooks = hooks;
  }

  /** The topics subscribed to (canonical upper-case names). */
  get names(): string[] {
    return [...this.#topics.keys()];
  }

  /**
   * Adds `handler` to `topic`. The first handler of a topic sends SUBSCRIBE (now, or when the
   * connection opens); disposing the last one sends UNSUBSCRIBE.
   */
  add(topic: string, handler: PushHandler): RpcSubscription {
    const key = upperAscii(topic);
    let entry = this.#topics.get(key);
    if (entry === undefined) {
      entry = newEntry(topic);
      this.#topics.set(key, entry);
      if (this.#hooks.isOpen()) this.#subscribe([entry]);
      else this.#hooks.added();
    }
    const own = entry;
    let end!: (value: SubscriptionEnd) => void;
    const ended = new Promise<SubscriptionEnd>((resolve) => (end = resolve));
    const registration: Registration = { fn: handler, end: (reason) => end({ topic: key, reason }) };
    own.handlers.add(registration);
    let disposed = false;
    return {
      topic: key,
      ready: own.ready,
      ended,
      dispose: () => {
        if (disposed) return;
        disposed = true;
        registration.end("disposed"); // no-op if it ended already: a promise settles once
        own.handlers.delete(registration);
        if (own.handlers.size > 0 || this.#topics.get(key) !== own) return;
        this.#topics.delete(key);
        own.settleReady(false);
        if (this.#hooks.isOpen()) this.#hooks.request("UNSUBSCRIBE", [own.name], noop);
      },
    };
  }

  /**
   * The server's UNSUBSCRIBED notification: the listed topics are no longer this connection's
   * subscriptions. They are forgotten (not listed, not sent again after a reconnect; a later
   * `subscribe()` sends SUBSCRIBE again), and each of their handles ends with the server's
   * reason. Returns the topics this client dropped (none: nothing to report), or an Error for
   * params that are not `{topics: string[], reason: string}`.
   *
   * A topic whose SUBSCRIBE is still unanswered is kept: the server answers SUBSCRIBE as it
   * processes it, so a notification that arrives first was sent before, about an earlier
   * subscription of that name (disposed and made again meanwhile, or on the server's side
   * removed and registered again); the SUBSCRIBE reply decides this one.
   */
  unsubscribed(params: unknown): UnsubscribedInfo | Error {
    const p = params as { topics?: unknown; reason?: unknown } | null;
    if (p === null || typeof p !== "object" || !Array.isArray(p.topics) || !p.topics.every((t) => typeof t === "string") || typeof p.reason !== "string") {
      return new Error("the server sent an UNSUBSCRIBED notification without {topics: string[], reason: string}");
    }
    const reason = p.reason;
    const dropped: string[] = [];
    for (const key of new Set((p.topics as string[]).map(upperAscii))) {
      const entry = this.#topics.get(key);
      if (entry === undefined || entry.subscribing > 0) continue;
      this.#topics.delete(key);
      entry.settleReady(false);
      for (const registration of entry.handlers) registration.end(reason);
      dropped.push(key);
    }
    return { topics: dropped, reason };
  }

  /** Sends SUBSCRIBE for every topic: a new connection knows none of them. */
  resubscribe(): void {
    if (this.#topics.size > 0) this.#subscribe([...this.#topics.values()]);
  }

  /**
   * Every topic's subscription failed (the connection could not be made and will not be
   * retried): each `ready` rejects and the topics are forgotten.
   */
  failAll(error: Error): void {
    for (const entry of [...this.#topics.values()]) this.#fail(entry, error);
  }

  /** The client closed: pending `ready`s reject with `error`, and every handle ends. */
  close(error: Error): void {
    for (const entry of this.#topics.values()) {
      entry.settleReady(error);
      for (const registration of entry.handlers) registration.end("closed");
    }
  }

  /** Runs the handlers of the topic `method` names; false when no such topic is subscribed. */
  dispatch(method: string, params: unknown): boolean {
    const key = upperAscii(method);
    const entry = this.#topics.get(key);
    if (entry === undefined) return false;
    for (const { fn } of [...entry.handlers]) {
      try {
        fn(params, key);
      } catch (error) {
        this.#hooks.report(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return true;
  }

  #subscribe(entries: TopicEntry[]): void {
    for (const entry of entries) entry.subscribing++;
    this.#hooks.request("SUBSCRIBE", entries.map((e) => e.name), (error, result) => {
      for (const entry of entries) entry.subscribing--;
      if (error !== null) {
        // Dropped before the answer: a reconnect subscribes again and settles it then.
        if (this.#hooks.willRetry(error)) return;
        for (const entry of entries) this.#fail(entry, error);
        return;
      }
      const confirmed = new Set(Array.isArray(result) ? result.map((t) => upperAscii(String(t))) : []);
      for (const entry of entries) entry.settleReady(confirmed.has(upperAscii(entry.name)));
    });
  }

  /**
   * A subscription that could not be made: its `ready` rejects, and the topic is forgotten so
   * that a later `subscribe()` of it asks the server again instead of reusing the failure.
   */
  #fail(entry: TopicEntry, error: Error): void {
    entry.settleReady(error);
    const key = upperAscii(entry.name);
    if (this.#topics.get(key) !== entry) return;
    this.#topics.delete(key);
    for (const registration of entry.handlers) registration.end("failed");
  }
}
