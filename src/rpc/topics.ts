import { UNSUBSCRIBED_NOTIFICATION } from "../protocol/topics.ts";
import { toDisposable, type Disposable } from "./disposable.ts";
import { RpcServerError } from "./errors.ts";
import { encodeJson } from "./json.ts";
import { nameKey } from "./naming.ts";
import { encodeNotification } from "./protocol.ts";
import { OwnedTable, type NamedEntry } from "./table.ts";
import { removeForGood } from "./topic-removal.ts";

/** A connection as the topic table sees it. */
export interface Subscriber {
  /** Sends an already-encoded frame; the same Buffer goes to every subscriber. */
  send(frame: Buffer): void;
  readonly subscriptions: Set<TopicEntry>;
}

/**
 * What a connection subscribes to: a topic name's subscribers and stored state. It belongs to
 * the name rather than to one registration: while a hold is open ({@link TopicRegistry.hold}) it
 * outlives its topic's dispose and passes to the next registration of the same name, which is
 * how subscriptions outlive a package's reload.
 */
export interface TopicEntry {
  /** The canonical (upper-case) name, which is also its look-up key. */
  readonly name: string;
  readonly subscribers: Set<Subscriber>;
  /** The last value published with `state: true`, encoded, for new subscribers. */
  state: Buffer | null;
}

/** A registered topic, as the table holds it. */
export interface RegisteredTopic extends NamedEntry {
  readonly doc: string | null;
  /** Its subscribers and stored state. */
  readonly entry: TopicEntry;
}

/** Options of {@link TopicRegistry.register}. */
export interface TopicOptions {
  doc?: string;
  owner?: string;
}

/** Options of {@link Topic.publish}. */
export interface PublishOptions {
  /** Keep this value and send it to every future subscriber right after it subscribes. */
  state?: boolean;
}

/**
 * The handle a publisher holds. Disposing it removes the topic: its subscribers are told so with
 * one `UNSUBSCRIBED` notification, or, while a hold is open, kept for the next registration of
 * the same name. Once disposed, the handle publishes to no one and reports 0 subscribers.
 */
export interface Topic extends Disposable {
  readonly name: string;
  /**
   * Pushes `data` as a JSON-RPC notification to every subscriber, encoded once for all.
   * Throws a TypeError if `data` is not JSON (a publisher bug, reported to the publisher);
   * with no subscribers and no `state`, nothing is encoded and so nothing is checked.
   * @returns how many connections it was sent to.
   */
  publish(data: unknown, options?: PublishOptions): number;
  /** Forgets the stored state. */
  clearState(): void;
  readonly subscriberCount: number;
}

/** Topics and who listens to them. Subscriptions are per connection. */
export class TopicRegistry {
  readonly #table: OwnedTable<RegisteredTopic>;
  /**
   * Entries of topics disposed while a hold was open, by name, waiting for the name to be
   * registered again. A name is never both registered and parked: registering takes its entry
   * out of here, and only a registered topic can be disposed into here.
   */
  readonly #parked = new Map<string, TopicEntry>();
  #holds = 0;
  /** Told the name of a topic whose subscribers changed (see onDidChangeSubscribers). */
  readonly #subscriberListeners = new Set<(name: string) => void>();
  readonly #onListenerError: (error: unknown) => void;

  /** @param onListenerError - told when an `onDidChange` listener throws (default: ignored). */
  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.#table = new OwnedTable<RegisteredTopic>("topic", onListenerError);
    this.#onListenerError = onListenerError;
  }

  /**
   * Registers a topic (name stored upper-case, looked up case-insensitively). If the name is
   * parked (disposed under a hold that is still open), the new topic takes over its
   * subscribers and stored state: they keep receiving without doing anything.
   */
  register(name: string, options: TopicOptions = {}): Topic {
    if (options.doc !== undefined && typeof options.doc !== "string") throw new TypeError(`doc of topic ${name} must be a string`);
    const checked = this.#table.checkName(name);
    if (checked.key === UNSUBSCRIBED_NOTIFICATION) {
      // Its pushes would be indistinguishable from the server's own notification.
      throw new RpcServerError("ERR_RPC_INVALID_NAME", `topic name ${UNSUBSCRIBED_NOTIFICATION} is reserved for the server's notification of removed subscriptions`);
    }
    const entry = this.#parked.get(checked.key) ?? { name: checked.name, subscribers: new Set<Subscriber>(), state: null };
    this.#parked.delete(checked.key);
    const topic: RegisteredTopic = { name: checked.name, key: checked.key, owner: options.owner ?? null, doc: options.doc ?? null, entry };
    // The entry may outlive this registration (parked, then taken by the next one): `live`
    // keeps a disposed handle from publishing to, clearing or counting its successor's.
    let live = true;
    const registration = this.#table.add(topic, () => {
      live = false;
      this.#retire(entry);
    });
    return {
      name: entry.name,
      publish: (data, publishOptions) => (live ? publish(entry, data, publishOptions?.state === true) : 0),
      clearState: () => {
        if (live) entry.state = null;
      },
      get subscriberCount() {
        return live ? entry.subscribers.size : 0;
      },
      dispose: () => registration.dispose(),
    };
  }

  /**
   * Opens a hold: until it is disposed, a disposed topic's subscribers and stored state are
   * parked under its name instead of being dropped, and the next registration of that name
   * takes them over. When the last open hold is disposed, every parked name that was not
   * registered again is removed for good, and each of its subscribers gets one `UNSUBSCRIBED`
   * notification listing every topic it lost. Holds nest (they are counted); disposing one
   * twice is harmless. Wrap a package's reload in one (open before its unload, dispose once its
   * new setup has finished or failed), and an unload too, so that a connection losing several
   * topics is told once.
   */
  hold(): Disposable {
    this.#holds++;
    return toDisposable(() => {
      if (--this.#holds === 0) this.#releaseParked();
    });
  }

  /** Names parked under the open holds, waiting to be registered again or removed. */
  parkedNames(): string[] {
    return [...this.#parked.keys()];
  }

  get(name: string): RegisteredTopic | undefined {
    return this.#table.get(name);
  }

  /** Registered topics only (parked names are not topics until registered again). */
  names(): string[] {
    return this.#table.names();
  }

  entries(): IterableIterator<RegisteredTopic> {
    return this.#table.values();
  }

  /**
   * Subscribes to the registered topics among `names` (unknown and parked ones are left out).
   * Returns the frames of stored state to send once the reply has gone out.
   */
  subscribe(subscriber: Subscriber, names: readonly string[]): Buffer[] {
    const states: Buffer[] = [];
    for (const name of names) {
      const entry = this.#table.get(name)?.entry;
      if (entry === undefined || subscriber.subscriptions.has(entry)) continue;
      entry.subscribers.add(subscriber);
      subscriber.subscriptions.add(entry);
      if (entry.state !== null) states.push(entry.state);
      this.#subscribersChanged(entry);
    }
    return states;
  }

  /** Unsubscribes from `names`, parked ones included (which are then not re-attached). */
  unsubscribe(subscriber: Subscriber, names: readonly string[]): void {
    for (const name of names) {
      const entry = this.#table.get(name)?.entry ?? this.#parkedEntry(name);
      if (entry === undefined || !entry.subscribers.delete(subscriber)) continue;
      subscriber.subscriptions.delete(entry);
      this.#subscribersChanged(entry);
    }
  }

  /** Forgets a connection that went away, parked subscriptions included: it is never notified. */
  dropSubscriber(subscriber: Subscriber): void {
    for (const entry of subscriber.subscriptions) entry.subscribers.delete(subscriber);
    const lost = this.#subscriberListeners.size === 0 ? [] : [...subscriber.subscriptions];
    subscriber.subscriptions.clear();
    for (const entry of lost) this.#subscribersChanged(entry);
  }

  /**
   * Calls `listener` with a topic's name after a connection subscribed to it, unsubscribed or
   * went away, so a publisher can work only while someone listens (read the count from its
   * handle's `subscriberCount`). Listeners run synchronously inside SUBSCRIBE: a listener that
   * publishes should defer it, so the reply goes out first. A throwing listener is reported to
   * the constructor's `onListenerError` and skipped.
   */
  onDidChangeSubscribers(listener: (name: string) => void): Disposable {
    // A wrapper, so the same function added twice is two listeners, each disposed on its own.
    const wrapped = (name: string): void => listener(name);
    this.#subscriberListeners.add(wrapped);
    return toDisposable(() => this.#subscriberListeners.delete(wrapped));
  }

  #subscribersChanged(entry: TopicEntry): void {
    for (const listener of this.#subscriberListeners) {
      try {
        listener(entry.name);
      } catch (error) {
        // A publisher's bug must not break SUBSCRIBE for the client or skip other listeners.
        this.#onListenerError(error);
      }
    }
  }

  /**
   * Removes every topic of `owner`; a connection that loses several of them is told once
   * (or not at all, if an open hold sees them registered again).
   */
  removeOwner(owner: string): number {
    const hold = this.hold();
    try {
      return this.#table.removeOwner(owner);
    } finally {
      hold.dispose();
    }
  }

  onDidChange(listener: () => void): Disposable {
    return this.#table.onDidChange(listener);
  }

  #retire(entry: TopicEntry): void {
    if (this.#holds > 0) this.#parked.set(entry.name, entry);
    else removeForGood([entry]);
  }

  #parkedEntry(name: string): TopicEntry | undefined {
    if (this.#parked.size === 0) return undefined;
    const key = nameKey(name);
    return key === undefined ? undefined : this.#parked.get(key);
  }

  #releaseParked(): void {
    if (this.#parked.size === 0) return;
    const gone = [...this.#parked.values()];
    this.#parked.clear();
    removeForGood(gone);
  }
}

/** The names a subscriber listens to, in subscription order (Red's plain-list shape). */
export function subscriptionNames(subscriber: Subscriber): string[] {
  return Array.from(subscriber.subscriptions, (e) => e.name);
}

function publish(entry: TopicEntry, data: unknown, keep: boolean): number {
  const count = entry.subscribers.size;
  if (count === 0 && !keep) return 0;
  const frame = Buffer.from(encodeNotification(entry.name, encodeJson(data)));
  if (keep) entry.state = frame;
  // A send may cut off a slow connection, which unsubscribes it mid-loop; Set iteration
  // tolerates deletion, so no copy is needed on this hot path.
  for (const subscriber of entry.subscribers) subscriber.send(frame);
  return count;
}
