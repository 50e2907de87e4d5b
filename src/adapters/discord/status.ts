/**
 * Tracks the connection state from discord.js client events and reports each change once.
 */
import { Events, type Client } from "discord.js";
import type { AdapterStatus } from "../types.ts";
import type { DiscordLogger } from "./options.ts";

export const DISCONNECTED: AdapterStatus = Object.freeze({ connected: false, user: null });

export class StatusTracker {
  #current: AdapterStatus = DISCONNECTED;
  #listener: ((status: AdapterStatus) => void) | null = null;
  readonly #logger: DiscordLogger;

  constructor(logger: DiscordLogger) {
    this.#logger = logger;
  }

  get current(): AdapterStatus {
    return this.#current;
  }

  /** Who hears about changes (the bot's `onStatus`); null to stop reporting. */
  listen(listener: ((status: AdapterStatus) => void) | null): void {
    this.#listener = listener;
  }

  /** Records `connected` with the client's own user; reports if anything changed. */
  update(connected: boolean, client: Client | null): void {
    const self = client?.user ?? null;
    const user = self ? { id: self.id, name: self.username } : this.#current.user;
    const prev = this.#current;
    if (prev.connected === connected && prev.user?.id === user?.id && prev.user?.name === user?.name) return;
    this.#current = Object.freeze({ connected, user: user ? Object.freeze({ ...user }) : null });
    this.#logger.info({ connected, user }, connected ? "discord connected" : "discord disconnected");
    try {
      this.#listener?.(this.#current);
    } catch (error) {
      this.#logger.error({ err: error }, "onStatus handler threw");
    }
  }

  /**
   * Wires the client's connection events to this tracker. Returns a function that unwires
   * them (called before an intentional shutdown, whose close is not an outage).
   */
  attach(client: Client): () => void {
    const onReady = (): void => this.update(true, client);
    const onShardReady = (): void => {
      if (client.isReady()) this.update(true, client);
    };
    const onReconnecting = (shardId: number): void => {
      this.#logger.warn({ shardId }, "discord gateway reconnecting");
      this.update(false, client);
    };
    const onDisconnect = (event: { code: number }, shardId: number): void => {
      this.#logger.warn({ shardId, code: event.code }, "discord gateway disconnected");
      this.update(false, client);
    };
    const onInvalidated = (): void => this.update(false, client);
    client.on(Events.ClientReady, onReady);
    client.on(Events.ShardReady, onShardReady);
    client.on(Events.ShardResume, onReady);
    client.on(Events.ShardReconnecting, onReconnecting);
    client.on(Events.ShardDisconnect, onDisconnect);
    client.on(Events.Invalidated, onInvalidated);
    return () => {
      client.off(Events.ClientReady, onReady);
      client.off(Events.ShardReady, onShardReady);
      client.off(Events.ShardResume, onReady);
      client.off(Events.ShardReconnecting, onReconnecting);
      client.off(Events.ShardDisconnect, onDisconnect);
      client.off(Events.Invalidated, onInvalidated);
    };
  }
}
