/**
 * Member look-ups: discord.js's member cache first (filled by GUILD_CREATE, messages and, with
 * the GuildMembers intent, member events), else one REST call, bounded by a timeout and
 * remembered for a while in a cache of bounded size. discord.js's own cache is not fed by these
 * calls: without the intent, nothing would ever remove what they added.
 */
import { PermissionFlagsBits, PermissionsBitField, type Client, type GuildMember } from "discord.js";
import type { MemberInfo } from "../types.ts";
import { apiError, DiscordAdapterError, isNotFound } from "./errors.ts";
import { displayName, isSnowflake } from "./info.ts";

/** The facts permission checks need about a discord.js member. */
export function toMemberInfo(member: GuildMember): MemberInfo {
  const guildId = member.guild.id;
  return {
    guildId,
    userId: member.id,
    name: member.nickname ?? displayName(member.user),
    bot: member.user.bot,
    // discord.js lists @everyone (whose id is the guild's) among a member's roles; Discord does not.
    roleIds: member.roles.cache.filter((role) => role.id !== guildId).map((role) => role.id),
    permissions: permissionsOf(member),
    isGuildOwner: member.guild.ownerId === member.id,
  };
}

/**
 * A member's guild-level permission bits. discord.js gives the owner every bit but leaves an
 * Administrator's bits as its roles' union; Discord grants Administrator every permission, so
 * both get every bit here, as the contract says.
 */
function permissionsOf(member: GuildMember): string {
  const bits = member.permissions;
  return (bits.has(PermissionFlagsBits.Administrator, false) ? PermissionsBitField.All : bits.bitfield).toString();
}

interface Entry {
  readonly value: MemberInfo | null;
  readonly expires: number;
}

/** The REST side of member look-ups: its answers, its calls in flight, its bounds. */
export class MemberLookup {
  readonly #timeoutMs: number;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #answers = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<MemberInfo | null>>();

  constructor(bounds: { readonly timeoutMs: number; readonly ttlMs: number; readonly maxEntries: number }) {
    this.#timeoutMs = bounds.timeoutMs;
    this.#ttlMs = bounds.ttlMs;
    this.#maxEntries = bounds.maxEntries;
  }

  /** Forgets every answer (the adapter stopped: a new session may see other members). */
  clear(): void {
    this.#answers.clear();
  }

  /**
   * A member of a guild the bot is in, or null if the bot is not there or the user is not a
   * member. Rejects with TIMEOUT when Discord does not answer in time, API_ERROR when it refuses.
   */
  async get(client: Client<true>, guildId: string, userId: string): Promise<MemberInfo | null> {
    const guild = client.guilds.cache.get(guildId);
    if (!guild || !isSnowflake(userId)) return null;
    const cached = guild.members.cache.get(userId);
    if (cached && !cached.partial) return toMemberInfo(cached);

    const key = `${guildId}:${userId}`;
    const remembered = this.#answers.get(key);
    if (remembered && remembered.expires > Date.now()) return remembered.value;
    this.#answers.delete(key);

    // Concurrent look-ups of one member share one call.
    let call = this.#inFlight.get(key);
    if (!call) {
      call = guild.members
        .fetch({ user: userId, cache: false, force: true })
        .then(
          (member) => toMemberInfo(member),
          (error: unknown) => {
            if (isNotFound(error)) return null; // 10007 Unknown Member, 10013 Unknown User
            throw apiError(`Discord refused the member look-up of ${userId}`, error);
          },
        )
        .then((value) => {
          this.#remember(key, value);
          return value;
        })
        .finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, call);
    }
    return withTimeout(call, this.#timeoutMs, () => new DiscordAdapterError("TIMEOUT", `Discord did not answer the member look-up of ${userId} within ${this.#timeoutMs} ms`));
  }

  #remember(key: string, value: MemberInfo | null): void {
    this.#answers.delete(key); // re-inserted last: Map order is the eviction order
    this.#answers.set(key, { value, expires: Date.now() + this.#ttlMs });
    while (this.#answers.size > this.#maxEntries) {
      const oldest = this.#answers.keys().next().value;
      if (oldest === undefined) break;
      this.#answers.delete(oldest);
    }
  }
}

/**
 * `promise`, or `timeout()` if it takes longer than `ms`. The call itself goes on (discord.js
 * bounds it with its own request timeout); a late answer is still remembered.
 */
function withTimeout<T>(promise: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
