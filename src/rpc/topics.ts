import type { Disposable } from "./disposable.ts";
import { encodeJson } from "./json.ts";
import { encodeNotification } from "./protocol.ts";
import { OwnedTable, type NamedEntry } from "./table.ts";

/** A connection as the topic table sees it. */
export interface Subscriber {
  /** Sends an already-encoded frame; the same Buffer goes to every subscriber. */
  send(frame: Buffer): void;
  readonly subscriptions: Set<TopicEntry>;
}

/** A registered topic. */
export interface TopicEntry extends NamedEntry {
  readonly doc: string | null;
  readonly subscribers: Set<Subscriber>;
  /** The last value published with `state: true`, encoded, for new subscribers. */
  state: Buffer | null;
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

/** The handle a publisher holds. Disposing it removes the topic and its subscriptions. */
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
  readonly #table: OwnedTable<TopicEntry>;

  /** @param onListenerError - told when an `onDidChange` listener throws (default: ignored). */
  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.#table = new OwnedTable<TopicEntry>("topic", onListenerError);
  }

  /** Registers a topic (name stored upper-case, looked up case-insensitively). */
  register(name: string, options: TopicOptions = {}): Topic {
    if (options.doc !== undefined && typeof options.doc !== "string") throw new TypeError(`doc of topic ${name} must be a string`);
    const checked = this.#table.checkName(name);
    const entry: TopicEntry = {
      name: checked.name,
      key: checked.key,
      owner: options.owner ?? null,
      doc: options.doc ?? null,
      subscribers: new Set(),
      state: null,
    };
    const registration = this.#table.add(entry, dropAllSubscribers);
    return {
      name: entry.name,
      publish: (data, publishOptions) => publish(entry, data, publishOptions?.state === true),
      clearState: () => {
        entry.state = null;
      },
      get subscriberCount() {
        return entry.subscribers.size;
      },
      dispose: () => registration.dispose(),
    };
  }

  get(name: string): TopicEntry | undefined {
    return this.#table.get(name);
  }

  names(): string[] {
    return this.#table.names();
  }

  entries(): IterableIterator<TopicEntry> {
    return this.#table.values();
  }

  /**
   * Subscribes to the known topics among `names` (unknown ones are left out). Returns the
   * frames of stored state to send once the reply has gone out.
   */
  subscribe(subscriber: Subscriber, names: readonly string[]): Buffer[] {
    const states: Buffer[] = [];
    for (const name of names) {
      const entry = this.#table.get(name);
      if (entry === undefined || subscriber.subscriptions.has(entry)) continue;
      entry.subscribers.add(subscriber);
      subscriber.subscriptions.add(entry);
      if (entry.state !== null) states.push(entry.state);
    }
    return states;
  }

  unsubscribe(subscriber: Subscriber, names: readonly string[]): void {
    for (const name of names) {
      const entry = this.#table.get(name);
      if (entry === undefined) continue;
      entry.subscribers.delete(subscriber);
      subscriber.subscriptions.delete(entry);
    }
  }

  /** Forgets a connection that went away. */
  dropSubscriber(subscriber: Subscriber): void {
    for (const entry of subscriber.subscriptions) entry.subscribers.delete(subscriber);
    subscriber.subscriptions.clear();
  }

  removeOwner(owner: string): number {
    return this.#table.removeOwner(owner);
  }

  onDidChange(listener: () => void): Disposable {
    return this.#table.onDidChange(listener);
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

function dropAllSubscribers(entry: TopicEntry): void {
  for (const subscriber of entry.subscribers) subscriber.subscriptions.delete(entry);
  entry.subscribers.clear();
  entry.state = null;
}
