import type { GuildInfo, UserInfo } from "cogwheel";

/** A Discord mention (`<@123>`, `<@!123>`) or a bare id → the id. */
export function parseUserId(text: string): string {
  const mention = /^<@!?(\d+)>$/.exec(text);
  return mention ? mention[1]! : text;
}

/** `2015-05-13` for a date, `unknown` for none. */
export function day(date: Date | null): string {
  return date === null ? "unknown" : date.toISOString().slice(0, 10);
}

export function describeGuild(guild: GuildInfo): string {
  return [
    `Server: ${guild.name}`,
    `ID: ${guild.id}`,
    `Members: ${guild.memberCount ?? "unknown"}`,
    `Owner: ${guild.ownerId ?? "unknown"}`,
    `Created: ${day(guild.createdAt)}`,
  ].join("\n");
}

export function describeUser(user: UserInfo): string {
  return [`User: ${user.name}`, `ID: ${user.id}`, `Bot: ${user.bot ? "yes" : "no"}`, `Created: ${day(user.createdAt)}`].join("\n");
}
