/**
 * The gateway sharding strategy the adapter gives discord.js (`ws.buildStrategy`).
 *
 * It is @discordjs/ws's SimpleShardingStrategy with one fix: a destroyed shard stays down.
 * In @discordjs/ws 1.2, a shard whose connection failed waits 500 ms and reconnects; if the
 * client is destroyed during that wait, `shard.destroy()` sees an idle shard and returns, and
 * the shard reconnects anyway, forever (discord.js issues #9510, #10382). Here every shard gets
 * a context that, once the shard is retired, never lets it fetch its session again, so its
 * reconnect attempt parks on a promise that never settles: no socket, no timer.
 * `terminate()` also drops sockets still connecting or closing, so `stop()` cannot leave a
 * handshake pending for the `ws` library's 30 s timeouts.
 */
import { createRequire } from "node:module";
import type {
  FetchingStrategyOptions,
  IContextFetchingStrategy,
  IShardingStrategy,
  SessionInfo,
  WebSocketManager,
  WebSocketShard,
  WebSocketShardDestroyOptions,
  WebSocketShardStatus,
} from "@discordjs/ws";
import type { GatewaySendPayload } from "discord.js";

// The @discordjs/ws copy discord.js itself loads (discord.js's own exports shadow its
// WebSocketShard/WebSocketManager names, and @discordjs/ws is not a direct dependency).
const requireFromDiscordJs = createRequire(createRequire(import.meta.url).resolve("discord.js"));
const ws = requireFromDiscordJs("@discordjs/ws") as typeof import("@discordjs/ws");
type StatusCollection = Awaited<ReturnType<IShardingStrategy["fetchStatus"]>>;
// fetchStatus() must return the Collection class of @discordjs/ws's own copy of the package.
const WsCollection = createRequire(requireFromDiscordJs.resolve("@discordjs/ws"))("@discordjs/collection")
  .Collection as new (entries: [number, WebSocketShardStatus][]) => StatusCollection;

const NEVER = new Promise<never>(() => {});

class RetirableContext implements IContextFetchingStrategy {
  retired = false;
  readonly #inner: IContextFetchingStrategy;

  constructor(inner: IContextFetchingStrategy) {
    this.#inner = inner;
  }

  get options(): FetchingStrategyOptions {
    return this.#inner.options;
  }

  async retrieveSessionInfo(shardId: number): Promise<SessionInfo | null> {
    if (this.retired) return NEVER;
    return this.#inner.retrieveSessionInfo(shardId);
  }

  async updateSessionInfo(shardId: number, sessionInfo: SessionInfo | null): Promise<void> {
    await this.#inner.updateSessionInfo(shardId, sessionInfo);
  }

  waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
    if (this.retired) return NEVER;
    return this.#inner.waitForIdentify(shardId, signal);
  }
}

interface Shard {
  readonly shard: WebSocketShard;
  readonly context: RetirableContext;
}

interface RawSocket {
  readyState: number;
  terminate?: () => void;
  on?: (event: "error", listener: (error: Error) => void) => void;
}

/** The `ws` socket a shard holds; private in @discordjs/ws's types, so reached by name. */
function socketOf(shard: WebSocketShard): RawSocket | null {
  const connection = (shard as unknown as { connection?: unknown }).connection;
  return connection && typeof connection === "object" ? (connection as RawSocket) : null;
}

const CLOSED = 3;

/**
 * Drops a socket without a close handshake. Terminating a socket that is still connecting
 * makes `ws` emit "error" ("closed before the connection was established"); the shard has
 * already detached its handlers, so a no-op listener keeps that from crashing the process.
 */
function drop(socket: RawSocket | null, when: (readyState: number) => boolean): void {
  if (!socket || !when(socket.readyState)) return;
  socket.on?.("error", () => {});
  socket.terminate?.();
}

export class StoppableShardingStrategy implements IShardingStrategy {
  readonly #manager: WebSocketManager;
  readonly #shards = new Map<number, Shard>();
  /** Retired shards whose sockets `terminate()` may still have to drop. */
  readonly #retired = new Set<WebSocketShard>();

  constructor(manager: WebSocketManager) {
    this.#manager = manager;
  }

  async spawn(shardIds: number[]): Promise<void> {
    const options = await ws.managerToFetchingStrategyOptions(this.#manager);
    for (const shardId of shardIds) {
      const context = new RetirableContext(new ws.SimpleContextFetchingStrategy(this.#manager, options));
      // The constructor is marked private in the typings but is how SimpleShardingStrategy builds shards.
      const shard = new (ws.WebSocketShard as unknown as new (context: IContextFetchingStrategy, id: number) => WebSocketShard)(
        context,
        shardId,
      );
      for (const event of Object.values(ws.WebSocketShardEvents)) {
        shard.on(event, ((payload: object) => {
          (this.#manager.emit as (name: string, data: object) => boolean)(event, { ...payload, shardId });
        }) as never);
      }
      this.#shards.set(shardId, { shard, context });
    }
  }

  async connect(): Promise<void> {
    await Promise.all([...this.#shards.values()].map(({ shard }) => shard.connect()));
  }

  async destroy(options?: Omit<WebSocketShardDestroyOptions, "recover">): Promise<void> {
    const shards = [...this.#shards.values()];
    this.#shards.clear();
    for (const { shard, context } of shards) {
      context.retired = true;
      this.#retired.add(shard);
    }
    await Promise.all(shards.map(({ shard }) => shard.destroy(options)));
  }

  /**
   * Drops every socket of every shard, live or retired, without a close handshake: one still
   * connecting (shard.destroy() leaves it alone) or one whose close the peer never answers.
   */
  terminate(): void {
    for (const shard of [...this.#retired, ...[...this.#shards.values()].map(({ shard }) => shard)]) {
      drop(socketOf(shard), (state) => state !== CLOSED);
    }
  }

  async send(shardId: number, payload: GatewaySendPayload): Promise<void> {
    const entry = this.#shards.get(shardId);
    if (!entry) throw new RangeError(`Shard ${shardId} not found`);
    await entry.shard.send(payload);
  }

  fetchStatus(): StatusCollection {
    return new WsCollection([...this.#shards].map(([id, { shard }]) => [id, shard.status]));
  }
}
