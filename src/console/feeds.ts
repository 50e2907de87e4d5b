// Topic feeds shared by the panels: one server subscription per topic however many panels
// listen, the latest value kept so that a panel that starts listening later sees the current
// state at once (the client hands a topic's stored state to its first handler only), and every
// feed subscribed again on each new connection.
import type { RpcClient, RpcSubscription } from "../client/index.ts";

/** Called with each value of a topic (the replayed latest one included). */
export type FeedHandler = (data: unknown, topic: string) => void;

/** Returned by {@link Feeds.listen}: stop listening. */
export type StopListening = () => void;

interface Feed {
  readonly handlers: Set<FeedHandler>;
  subscription: RpcSubscription | null;
  /** Whether a value arrived since the current subscription was made, and which. */
  hasLatest: boolean;
  latest: unknown;
}

/** The page's topic feeds over whatever connection is open. */
export class Feeds {
  readonly #feeds = new Map<string, Feed>();
  #client: RpcClient | null = null;

  /** Subscribes every feed over a new connection. */
  attach(client: RpcClient): void {
    this.#client = client;
    for (const [topic, feed] of this.#feeds) this.#subscribe(topic, feed);
  }

  /** The connection is gone: its subscriptions went with it; values are stale now. */
  detach(): void {
    this.#client = null;
    for (const feed of this.#feeds.values()) {
      feed.subscription = null;
      feed.hasLatest = false;
      feed.latest = undefined;
    }
  }

  /**
   * Calls `handler` with every value of `topic` (upper-case name), starting with the latest one
   * when there is one. Resolves `ready` as the server confirmed: false for an unknown topic.
   */
  listen(topic: string, handler: FeedHandler): { stop: StopListening; ready: Promise<boolean> } {
    let feed = this.#feeds.get(topic);
    if (feed === undefined) {
      feed = { handlers: new Set(), subscription: null, hasLatest: false, latest: undefined };
      this.#feeds.set(topic, feed);
    }
    feed.handlers.add(handler);
    let ready: Promise<boolean>;
    if (feed.subscription === null) ready = this.#subscribe(topic, feed);
    else {
      ready = feed.subscription.ready.catch(() => false);
      if (feed.hasLatest) handler(feed.latest, topic);
    }
    const current = feed;
    const stop = (): void => {
      if (!current.handlers.delete(handler) || current.handlers.size > 0) return;
      current.subscription?.dispose();
      this.#feeds.delete(topic);
    };
    return { stop, ready };
  }

  /**
   * Subscribes again the feeds whose topic the server removed (a package unloaded) or did not
   * know, once it offers them (`offered`: its topics now): called when the server's topics change.
   */
  renew(offered: ReadonlySet<string>): void {
    if (this.#client === null) return;
    for (const [topic, feed] of this.#feeds) if (feed.subscription === null && offered.has(topic)) this.#subscribe(topic, feed);
  }

  #subscribe(topic: string, feed: Feed): Promise<boolean> {
    const client = this.#client;
    if (client === null) return Promise.resolve(false);
    feed.hasLatest = false;
    const subscription = client.subscribe(topic, (data, name) => {
      if (feed.subscription !== subscription) return;
      feed.hasLatest = true;
      feed.latest = data;
      for (const handler of [...feed.handlers]) handler(data, name);
    });
    feed.subscription = subscription;
    // The server ended it (the topic was removed): forget it, so that renew() can ask again.
    void subscription.ended.then(({ reason }) => {
      if (feed.subscription !== subscription || reason === "disposed" || reason === "closed") return;
      feed.subscription = null;
      feed.hasLatest = false;
      feed.latest = undefined;
    });
    // Unknown to the server (not offered yet): drop it, so that renew() asks once it is.
    return subscription.ready.then(
      (known) => {
        if (!known && feed.subscription === subscription) {
          feed.subscription = null;
          subscription.dispose();
        }
        return known;
      },
      () => false,
    );
  }
}
