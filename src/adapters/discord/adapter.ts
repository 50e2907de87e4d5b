/**
 * The Discord adapter: a discord.js Client behind the bot's Adapter interface.
 */
import { Events, type Client } from "discord.js";
import type {
  Adapter,
  AdapterHandlers,
  AdapterIntents,
  AdapterStats,
  AdapterStatus,
  ApplicationInfo,
  BotAccount,
  GuildDetails,
  GuildInfo,
  MemberInfo,
  UserInfo,
} from "../types.ts";
import { leaveGuild, setAvatar, setNickname } from "./actions.ts";
import { accountOf, ApplicationCache } from "./application.ts";
import { buildClient, privilegedIntentNames } from "./client.ts";
import { DiscordAdapterError, describeStartError } from "./errors.ts";
import { guildDetails, listGuilds, stats } from "./guilds.ts";
import { fetchOwnerIds, lookUpGuild, lookUpUser } from "./info.ts";
import { MemberLookup } from "./members.ts";
import { buildInviteUrl } from "./invite.ts";
import { attachLogging } from "./logging.ts";
import { toChatMessage } from "./message.ts";
import { resolveOptions, type DiscordAdapterOptions, type ResolvedOptions } from "./options.ts";
import { StatusTracker } from "./status.ts";
import type { StoppableShardingStrategy } from "./gateway.ts";

const DEFAULT_REST_API = "https://discord.com/api";

export interface DiscordAdapter extends Adapter {
  readonly kind: "discord";
  /** The discord.js client while started (for advanced uses; null when stopped). */
  readonly client: Client | null;
}

class DiscordAdapterImpl implements DiscordAdapter {
  readonly kind = "discord" as const;
  readonly #options: ResolvedOptions;
  readonly #status: StatusTracker;
  readonly #members: MemberLookup;
  readonly #application = new ApplicationCache();
  #client: Client | null = null;
  #detachStatus: (() => void) | null = null;
  #strategy: StoppableShardingStrategy | null = null;
  #abortStart: ((error: Error) => void) | null = null;
  #stopping: Promise<void> | null = null;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#status = new StatusTracker(options.logger);
    this.#members = new MemberLookup(options.memberLookup);
  }

  get client(): Client | null {
    return this.#client;
  }

  async start(handlers: AdapterHandlers): Promise<void> {
    if (this.#client || this.#stopping) {
      throw new DiscordAdapterError("ALREADY_STARTED", "Discord adapter is already started");
    }
    const { logger, readyTimeoutMs, token } = this.#options;
    const client = buildClient(this.#options, (strategy) => {
      this.#strategy = strategy;
    });
    this.#client = client;
    const problems = attachLogging(client, logger);
    this.#status.listen((status) => handlers.onStatus(status));
    this.#detachStatus = this.#status.attach(client);
    client.on(Events.MessageCreate, (message) => {
      try {
        handlers.onMessage(toChatMessage(message));
      } catch (error) {
        logger.error({ err: error, messageId: message.id }, "onMessage handler threw");
      }
    });

    const ready = new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: Error): void => {
        // Settles once: a late login() rejection must not touch a later start's state.
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.off(Events.ClientReady, onReady);
        this.#abortStart = null;
        if (error) reject(error);
        else resolve();
      };
      const onReady = (): void => finish();
      const timer = setTimeout(() => {
        const why = problems.last ? `: ${problems.last}` : "";
        finish(new DiscordAdapterError("TIMEOUT", `Discord did not become ready within ${readyTimeoutMs} ms${why}`));
      }, readyTimeoutMs);
      client.once(Events.ClientReady, onReady);
      this.#abortStart = finish;
      client.login(token).catch((error: unknown) => {
        finish(describeStartError(error, this.#options.restApiUrl ?? DEFAULT_REST_API, privilegedIntentNames(this.#options)));
      });
    });

    try {
      await ready;
    } catch (error) {
      if (this.#client === client) {
        this.#client = null;
        await this.#destroy(client);
        this.#status.update(false, null);
        this.#status.listen(null);
      }
      // The caller gets the one-line error; logged here only for debugging.
      logger.debug({ err: error }, "discord adapter failed to start");
      throw error;
    }
    logger.info({ user: this.#status.current.user }, "discord adapter ready");
  }

  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    const client = this.#client;
    if (!client) return Promise.resolve();
    this.#client = null;
    this.#abortStart?.(
      new DiscordAdapterError("STOPPED", "Discord adapter was stopped before it became ready"),
    );
    // A later start is a new session: remembered answers may no longer hold.
    this.#members.clear();
    this.#application.clear();
    this.#stopping = (async () => {
      await this.#destroy(client);
      this.#status.update(false, null);
      this.#status.listen(null);
    })().finally(() => {
      this.#stopping = null;
    });
    return this.#stopping;
  }

  /** client.destroy(), bounded: a peer that never answers the close handshake cannot hang us. */
  async #destroy(client: Client): Promise<void> {
    const { logger, stopTimeoutMs } = this.#options;
    this.#detachStatus?.();
    this.#detachStatus = null;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), stopTimeoutMs);
    });
    const destroyed = client.destroy().then(
      () => "done" as const,
      (error: unknown) => {
        logger.warn({ err: error }, "discord client destroy failed");
        return "done" as const;
      },
    );
    const result = await Promise.race([destroyed, timedOut]);
    clearTimeout(timer);
    if (result === "timeout") {
      logger.warn({ stopTimeoutMs }, "discord gateway did not close in time; dropping the connection");
    }
    // Sockets still connecting or closing (a silent peer) are dropped rather than left to the
    // ws library's 30 s timeouts.
    this.#strategy?.terminate();
    this.#strategy = null;
  }

  status(): AdapterStatus {
    return this.#status.current;
  }

  #ready(): Client<true> {
    const client = this.#client;
    if (!client || !client.isReady()) {
      throw new DiscordAdapterError("NOT_READY", "Discord adapter is not connected (call start() first)");
    }
    return client;
  }

  async ownerIds(): Promise<string[]> {
    return fetchOwnerIds(this.#ready());
  }

  async setName(name: string): Promise<void> {
    if (typeof name !== "string" || name.trim() === "") {
      throw new DiscordAdapterError("INVALID_OPTIONS", "Discord adapter: the new name must be a non-empty string");
    }
    const client = this.#ready();
    try {
      await client.user.setUsername(name);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DiscordAdapterError("API_ERROR", `Discord refused the new name: ${message}`, { cause: error });
    }
    this.#status.update(this.#status.current.connected, client);
  }

  async inviteUrl(): Promise<string | null> {
    const client = this.#ready();
    return buildInviteUrl(client.application.id, this.#options.invitePermissions);
  }

  async guildInfo(guildId: string): Promise<GuildInfo | null> {
    return lookUpGuild(this.#ready(), guildId);
  }

  async userInfo(userId: string): Promise<UserInfo | null> {
    return lookUpUser(this.#ready(), userId);
  }

  async guilds(): Promise<GuildInfo[]> {
    return listGuilds(this.#ready());
  }

  async guildDetails(guildId: string): Promise<GuildDetails | null> {
    return guildDetails(this.#ready(), guildId, this.#options.intents);
  }

  async member(guildId: string, userId: string): Promise<MemberInfo | null> {
    return this.#members.get(this.#ready(), guildId, userId);
  }

  async application(): Promise<ApplicationInfo> {
    return this.#application.get(this.#ready());
  }

  account(): BotAccount | null {
    const client = this.#client;
    return client?.isReady() ? accountOf(client) : null;
  }

  async stats(): Promise<AdapterStats> {
    return stats(this.#ready());
  }

  /** discord.js's READY time (a resumed session keeps it); null while disconnected. */
  readyAt(): Date | null {
    return this.#status.current.connected ? (this.#client?.readyAt ?? null) : null;
  }

  intents(): AdapterIntents {
    return { ...this.#options.intents };
  }

  async leaveGuild(guildId: string): Promise<boolean> {
    return leaveGuild(this.#ready(), guildId);
  }

  async setNickname(guildId: string, nickname: string | null): Promise<void> {
    await setNickname(this.#ready(), guildId, nickname);
  }

  async setAvatar(image: Uint8Array | null): Promise<void> {
    await setAvatar(this.#ready(), image);
  }
}

/** Creates a Discord adapter. Throws DiscordAdapterError at once on a missing/blank token. */
export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  return new DiscordAdapterImpl(resolveOptions(options));
}
