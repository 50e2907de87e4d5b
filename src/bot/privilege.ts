/**
 * Privilege levels, as Red's: who may run a command. Lowest to highest:
 *
 * - `none`: anyone, anywhere.
 * - `mod`: a member with one of the guild's mod roles, or any admin.
 * - `admin`: a member with one of the guild's admin roles, or the Administrator permission
 *   (bit 0x8), or the guild's owner.
 * - `guildOwner`: the guild's owner.
 * - `owner`: the bot's owners (`--owner` and those the platform reports).
 *
 * Bot owners pass every level. The three guild levels only exist in a guild: in direct
 * messages and the console a command of those levels is refused for everyone (there is no
 * guild to act on), and only `none` and `owner` commands can run.
 *
 * @module
 */
import type { MemberInfo } from "../adapters/types.ts";
import { BotError } from "./errors.ts";
import type { GuildSettings, PrivilegeLevel } from "./view.ts";

/** Every level, lowest first. */
export const PRIVILEGE_LEVELS: readonly PrivilegeLevel[] = Object.freeze(["none", "mod", "admin", "guildOwner", "owner"]);

/** Discord's Administrator permission bit. */
const ADMINISTRATOR = 0x8n;

/** Whether a value is one of {@link PRIVILEGE_LEVELS}. */
export function isPrivilegeLevel(value: unknown): value is PrivilegeLevel {
  return typeof value === "string" && (PRIVILEGE_LEVELS as readonly string[]).includes(value);
}

/** Whether `has` is at least `needed`. */
export function meets(has: PrivilegeLevel, needed: PrivilegeLevel): boolean {
  return PRIVILEGE_LEVELS.indexOf(has) >= PRIVILEGE_LEVELS.indexOf(needed);
}

/** Whether a level is one of the three that exist only in a guild. */
export function isGuildLevel(level: PrivilegeLevel): boolean {
  return level === "mod" || level === "admin" || level === "guildOwner";
}

/**
 * The highest level a member has in its guild, given that guild's settings and whether the
 * member is one of the bot's owners.
 */
export function memberPrivilege(member: MemberInfo, settings: GuildSettings, isBotOwner: boolean): PrivilegeLevel {
  if (isBotOwner) return "owner";
  if (member.isGuildOwner) return "guildOwner";
  if (hasAdministrator(member.permissions) || member.roleIds.some((r) => settings.adminRoles.includes(r))) return "admin";
  if (member.roleIds.some((r) => settings.modRoles.includes(r))) return "mod";
  return "none";
}

/** Whether permission bits (decimal digits) include Administrator; malformed bits include nothing. */
export function hasAdministrator(permissions: string): boolean {
  if (typeof permissions !== "string" || !/^\d{1,20}$/.test(permissions)) return false;
  return (BigInt(permissions) & ADMINISTRATOR) !== 0n;
}

/**
 * The level a command declares: `privilege`, or `"owner"` for `ownerOnly: true`, else `"none"`.
 * Throws BotError `ERR_COMMAND_INVALID` for an unknown level or one that contradicts `ownerOnly`
 * (`ownerOnly: true` with another level, `ownerOnly: false` with `"owner"`).
 */
export function commandPrivilege(name: string, definition: { readonly ownerOnly?: unknown; readonly privilege?: unknown }): PrivilegeLevel {
  const { ownerOnly, privilege } = definition;
  if (ownerOnly !== undefined && typeof ownerOnly !== "boolean") {
    throw new BotError("ERR_COMMAND_INVALID", `command ${name}: ownerOnly must be true or false`);
  }
  if (privilege === undefined) return ownerOnly === true ? "owner" : "none";
  if (!isPrivilegeLevel(privilege)) {
    throw new BotError("ERR_COMMAND_INVALID", `command ${name}: privilege must be one of ${PRIVILEGE_LEVELS.join(", ")}, not ${JSON.stringify(privilege) ?? String(privilege)}`);
  }
  if ((ownerOnly === true && privilege !== "owner") || (ownerOnly === false && privilege === "owner")) {
    throw new BotError("ERR_COMMAND_INVALID", `command ${name}: ownerOnly ${String(ownerOnly)} contradicts privilege "${privilege}"`);
  }
  return privilege;
}

/** Who a level admits, for refusals and help: "the bot's owner", "server admins"… */
export function levelWho(level: PrivilegeLevel): string {
  switch (level) {
    case "owner":
      return "the bot's owner";
    case "guildOwner":
      return "the server's owner";
    case "admin":
      return "server admins";
    case "mod":
      return "server mods and admins";
    case "none":
      return "everyone";
  }
}
