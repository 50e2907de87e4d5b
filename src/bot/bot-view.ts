import type { MemberInfo } from "../adapters/types.ts";
import type { Bot } from "./bot.ts";
import type { Cog } from "./cogs.ts";
import { BotError } from "./errors.ts";
import type { AdapterView, BotSettingsView, BotView, CommandInfo, GuildSettings, GuildSettingsView } from "./view.ts";

/**
 * The face of the bot that packages get ({@link BotView}): look-ups, and the settings views,
 * whose changes go through the same checked paths as the owner commands. Frozen: a package
 * cannot swap a method out from under another.
 */
export function makeView(bot: Bot): BotView {
  const adapter: AdapterView = {
    get kind() {
      return bot.adapter.kind;
    },
    status: () => bot.adapter.status(),
    guildInfo: (guildId: string) => bot.adapter.guildInfo(guildId),
    userInfo: (userId: string) => bot.adapter.userInfo(userId),
    guilds: () => bot.adapter.guilds(),
    guildDetails: (guildId: string) => bot.adapter.guildDetails(guildId),
    member: (guildId: string, userId: string) => bot.adapter.member(guildId, userId),
    application: () => bot.adapter.application(),
    account: () => bot.adapter.account(),
    stats: () => bot.adapter.stats(),
    readyAt: () => bot.adapter.readyAt(),
    intents: () => bot.adapter.intents(),
    leaveGuild: (guildId: string) => bot.adapter.leaveGuild(guildId),
    setNickname: (guildId: string, nickname: string | null) => bot.adapter.setNickname(guildId, nickname),
    setAvatar: (image: Uint8Array | null) => bot.adapter.setAvatar(image),
  };
  // Only the view's three methods: the store's in-memory helpers and role changes stay Core's.
  const guildSettings: GuildSettingsView = {
    get: (guildId: string) => bot.guildSettings.get(guildId),
    set: (guildId: string, patch: Partial<GuildSettings>) => bot.guildSettings.set(guildId, patch),
    prefixesFor: (guildId: string | null) => bot.guildSettings.prefixesFor(guildId),
  };
  const settings: BotSettingsView = {
    setName: (name: string) => bot.setName(name),
    setPrefixes: (prefixes: readonly string[]) => bot.setPrefixes(prefixes),
    setDescription: (description: string) => bot.setDescription(description),
  };
  return Object.freeze({
    get name() {
      return bot.name;
    },
    get prefixes() {
      return bot.prefixes;
    },
    get description() {
      return bot.description;
    },
    get startedAt() {
      return new Date(bot.startedAt); // a copy: a package cannot move the bot's start
    },
    get rpcAuth() {
      return bot.rpcAuth;
    },
    adapter: Object.freeze(adapter),
    guildSettings: Object.freeze(guildSettings),
    settings: Object.freeze(settings),
    status: () => bot.status(),
    isOwner: (userId: string) => bot.isOwner(userId),
    ownerIds: () => bot.ownerIds(),
    privilegeOf: async (member: MemberInfo) => {
      if (!isMember(member)) throw new BotError("ERR_OPTION_INVALID", "privilegeOf needs a MemberInfo: guildId, userId, roleIds, permissions and isGuildOwner");
      return bot.privilegeOf(member);
    },
    commands: () => commandInfos(bot),
    cogNames: () => bot.cogNames(),
    getCog: <T extends Cog = Cog>(name: string) => bot.getCog<T>(name),
    inviteUrl: () => bot.inviteUrl(),
  });
}

/** Every command once, sorted by name, as packages and dashboards see them. */
function commandInfos(bot: Bot): CommandInfo[] {
  return bot.commands.list().map((c) =>
    Object.freeze({
      name: c.name,
      aliases: Object.freeze([...c.aliases]),
      help: c.help,
      usage: c.usage ?? "",
      privilege: c.privilege,
      cogName: c.cogName,
    }),
  );
}

function isMember(value: unknown): value is MemberInfo {
  const m = value as Partial<MemberInfo> | null;
  return (
    typeof m === "object" && m !== null && typeof m.guildId === "string" && typeof m.userId === "string" &&
    Array.isArray(m.roleIds) && typeof m.permissions === "string" && typeof m.isGuildOwner === "boolean"
  );
}
