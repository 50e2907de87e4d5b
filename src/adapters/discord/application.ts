/**
 * The application behind the bot (the Developer Portal entry) and the bot's own account.
 */
import { Team, type Client, type ClientApplication } from "discord.js";
import type { ApplicationInfo, BotAccount } from "../types.ts";
import { apiError } from "./errors.ts";

/**
 * How long a fetched application is reused: dashboards ask on every page, and the portal
 * entry changes rarely (an edit there shows within this time).
 */
const APPLICATION_TTL_MS = 60_000;

/** GET /applications/@me, remembered for a minute. */
export class ApplicationCache {
  #value: ApplicationInfo | null = null;
  #expires = 0;

  clear(): void {
    this.#value = null;
  }

  async get(client: Client<true>): Promise<ApplicationInfo> {
    if (this.#value && this.#expires > Date.now()) return this.#value;
    let application: ClientApplication;
    try {
      application = await client.application.fetch();
    } catch (error) {
      throw apiError("Discord refused the application look-up", error);
    }
    const owner = application.owner;
    this.#value = Object.freeze({
      id: application.id,
      name: application.name ?? client.user.username,
      description: application.description ?? "",
      // A team-owned application names the team; its owner field is a placeholder user.
      ownerName: owner instanceof Team ? owner.name : (owner?.username ?? ""),
      public: application.botPublic ?? false,
    });
    this.#expires = Date.now() + APPLICATION_TTL_MS;
    return this.#value;
  }
}

/** The bot's own account as the client knows it (READY, then USER_UPDATE). */
export function accountOf(client: Client<true>): BotAccount {
  const user = client.user;
  return {
    id: user.id,
    name: user.username,
    avatarUrl: user.avatarURL(),
    defaultAvatarUrl: user.defaultAvatarURL,
    verified: user.verified ?? false,
  };
}
