import type { RoleInfo } from "../adapters/types.ts";
import type { Bot } from "../bot/bot.ts";
import type { CommandContext, CommandDefinition } from "../bot/commands.ts";
import { UserError } from "../bot/errors.ts";
import { isSnowflake, type RoleListKey } from "../bot/guild-settings.ts";
import type { PackageScope } from "../bot/scope.ts";

/** The guild a command runs in; commands about a guild refuse elsewhere (DMs, the console). */
function guildOf(ctx: CommandContext): string {
  if (ctx.message.guildId === null) throw new UserError(`${ctx.prefix}${ctx.command} only works in a server.`);
  return ctx.message.guildId;
}

/** The guild's roles when the adapter knows the guild; null when it cannot tell. */
async function rolesOf(bot: Bot, guildId: string): Promise<readonly RoleInfo[] | null> {
  try {
    return (await bot.adapter.guildDetails(guildId))?.roles ?? null;
  } catch (error) {
    bot.logger.warn({ guildId, err: error }, "could not look up the server's roles");
    return null;
  }
}

/** A role as the user wrote it: its id, a mention `<@&id>`, or (when the roles are known) its exact name. */
function findRole(text: string, roles: readonly RoleInfo[] | null): { id: string; name: string | null } | null {
  const id = /^<@&(\d{1,20})>$/.exec(text)?.[1] ?? (isSnowflake(text) ? text : null);
  if (id !== null) return { id, name: roles?.find((r) => r.id === id)?.name ?? null };
  const named = roles?.filter((r) => r.name.toLowerCase() === text.toLowerCase()) ?? [];
  return named.length === 1 ? { id: named[0]!.id, name: named[0]!.name } : null;
}

const LIST_WORD: Record<RoleListKey, string> = { adminRoles: "an admin role", modRoles: "a mod role" };

/** `set add…role` and `set remove…role`: one role in, or out of, one of the guild's lists. */
function roleCommand(bot: Bot, key: RoleListKey, add: boolean, name: string, help: string): CommandDefinition {
  return {
    name,
    help,
    usage: "<role>",
    // As Red: only the guild's owner says who its admins and mods are.
    privilege: "guildOwner",
    run: async (ctx, args) => {
      const guildId = guildOf(ctx);
      const text = args.join(" ").trim();
      if (!text) throw new UserError(`Usage: ${ctx.prefix}${ctx.command} <role>`);
      const roles = await rolesOf(bot, guildId);
      const role = findRole(text, roles);
      if (role === null) throw new UserError(`No role "${text}" here: give the role's id, a mention (<@&id>) or its exact name.`);
      const listed = (await bot.guildSettings.get(guildId))[key].includes(role.id);
      // A role deleted from the server can still be taken off a list; only new entries must exist.
      if (roles !== null && role.name === null && !(listed && !add)) throw new UserError(`There is no role ${role.id} in this server.`);
      const shown = role.name ?? `Role ${role.id}`;
      // @everyone's id is the guild's; members' role lists leave it out, so it would do nothing.
      if (add && role.id === guildId) throw new UserError(`@everyone cannot be ${LIST_WORD[key]}: it would count for nobody.`);
      if (add) {
        return (await bot.guildSettings.addRole(guildId, key, role.id)) ? `${shown} is now ${LIST_WORD[key]}.` : `${shown} is already ${LIST_WORD[key]}.`;
      }
      return (await bot.guildSettings.removeRole(guildId, key, role.id)) ? `${shown} is no longer ${LIST_WORD[key]}.` : `${shown} was not ${LIST_WORD[key]}.`;
    },
  };
}

/**
 * Registers Core's guild commands (Red's names): the guild's own prefixes and its admin and
 * mod roles, and `set showsettings`. All of them refuse in direct messages.
 */
export function registerGuildCommands(bot: Bot, scope: PackageScope, core: object): void {
  const cmd = (definition: CommandDefinition) => scope.registerCommand(core, definition);

  cmd({
    name: "set serverprefix",
    help: "Sets this server's own prefixes, used here instead of the global ones; alone, goes back to the global ones.",
    usage: "[prefix]...",
    privilege: "admin",
    run: async (ctx, args) => {
      const guildId = guildOf(ctx);
      // ERR_PREFIXES_INVALID says why a prefix is refused.
      const { prefixes } = await bot.guildSettings.set(guildId, { prefixes: args });
      if (prefixes.length === 0) return `Server prefixes reset: the global ones work here again (${bot.prefixes.join(" ")}).`;
      return `Server prefixes set to ${prefixes.join(" ")}. Only these work in this server now.`;
    },
  });
  cmd(roleCommand(bot, "adminRoles", true, "set addadminrole", "Makes a role an admin role in this server."));
  cmd(roleCommand(bot, "adminRoles", false, "set removeadminrole", "Makes a role no longer an admin role in this server."));
  cmd(roleCommand(bot, "modRoles", true, "set addmodrole", "Makes a role a mod role in this server."));
  cmd(roleCommand(bot, "modRoles", false, "set removemodrole", "Makes a role no longer a mod role in this server."));
  cmd({
    name: "set showsettings",
    help: "Shows this server's prefixes and admin and mod roles.",
    run: async (ctx) => {
      const guildId = guildOf(ctx);
      const settings = await bot.guildSettings.get(guildId);
      const roles = await rolesOf(bot, guildId);
      const guildName = (await bot.adapter.guildInfo(guildId).catch(() => null))?.name ?? guildId;
      const roleList = (ids: readonly string[]) =>
        ids.map((id) => roles?.find((r) => r.id === id)?.name ?? `role ${id}`).join(", ") || "none";
      const prefixes = settings.prefixes.length > 0 ? `${settings.prefixes.join(" ")} (this server's own)` : `${bot.prefixes.join(" ")} (the global ones)`;
      return [`Settings of ${guildName}:`, `Prefixes: ${prefixes}`, `Admin roles: ${roleList(settings.adminRoles)}`, `Mod roles: ${roleList(settings.modRoles)}`].join("\n");
    },
  });
}
