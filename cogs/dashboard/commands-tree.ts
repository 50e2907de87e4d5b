import type { BotView, CommandInfo, PrivilegeLevel } from "./types.ts";

/** Red's privilege level names, as the web app reads them (`BOT_OWNER` hides a command). */
export const PRIVILEGE_NAMES: Readonly<Record<PrivilegeLevel, string>> = {
  none: "NONE",
  mod: "MOD",
  admin: "ADMIN",
  guildOwner: "GUILD_OWNER",
  owner: "BOT_OWNER",
};

const RANK: Readonly<Record<PrivilegeLevel, number>> = { none: 0, mod: 1, admin: 2, guildOwner: 3, owner: 4 };

/** One command as the web app's commands page reads it. */
export type CommandEntry = {
  name: string;
  signature: string;
  short_description: string;
  description: string;
  aliases: string[];
  privilege_level: string;
  user_permissions: string | null;
  subs: CommandEntry[];
};

/** One cog of GET_VARIABLES `commands`. */
export type CogEntry = { name: string; description: string; author: string; repo: string; commands: CommandEntry[] };

function entry(command: CommandInfo): CommandEntry {
  const help = command.help.trim();
  return {
    name: command.name,
    signature: command.usage,
    short_description: help.split("\n")[0] ?? "",
    description: help,
    aliases: [...command.aliases],
    privilege_level: PRIVILEGE_NAMES[command.privilege] ?? "NONE",
    user_permissions: null,
    subs: [],
  };
}

/**
 * A group entry (`set`) for two-word commands (`set name`), as Red's groups: it takes the lowest
 * privilege of its subcommands, so the web app shows it whenever one of them is visible.
 */
function group(name: string, subs: CommandEntry[], lowest: PrivilegeLevel): CommandEntry {
  return {
    name,
    signature: "",
    short_description: "",
    description: "",
    aliases: [],
    privilege_level: PRIVILEGE_NAMES[lowest],
    user_permissions: null,
    subs,
  };
}

/** A text property of a cog instance (`description`, `author`, `repo`), when it has one. */
function text(cog: object | undefined, key: string): string | null {
  const value = cog === undefined ? undefined : (cog as Record<string, unknown>)[key];
  return typeof value === "string" ? value : null;
}

/**
 * GET_VARIABLES `commands`: `{Cog: {name, description, author, repo, commands}}`, cogs and
 * commands sorted by name; a two-word command becomes a sub of its group's entry. A cog's
 * description, author and repo are its own `description`/`author`/`repo` string properties
 * when it has them (Cogwheel has no Downloader metadata), else "", "Unknown", "Unknown".
 */
export function commandTree(bot: BotView): Record<string, CogEntry> {
  const byCog = new Map<string, { top: CommandEntry[]; groups: Map<string, { subs: CommandEntry[]; lowest: PrivilegeLevel }> }>();
  for (const command of bot.commands()) {
    let cog = byCog.get(command.cogName);
    if (cog === undefined) byCog.set(command.cogName, (cog = { top: [], groups: new Map() }));
    const space = command.name.indexOf(" ");
    if (space < 0) {
      cog.top.push(entry(command));
      continue;
    }
    const name = command.name.slice(0, space);
    const g = cog.groups.get(name) ?? { subs: [], lowest: command.privilege };
    g.subs.push(entry(command));
    if (RANK[command.privilege] < RANK[g.lowest]) g.lowest = command.privilege;
    cog.groups.set(name, g);
  }
  const result: Record<string, CogEntry> = {};
  for (const cogName of [...byCog.keys()].sort((a, b) => a.localeCompare(b))) {
    const { top, groups } = byCog.get(cogName)!;
    const commands = [...top];
    for (const [name, g] of groups) {
      // A one-word command that is also a group name (rare) takes the subs itself.
      const own = commands.find((c) => c.name === name);
      const subs = g.subs.sort((a, b) => a.name.localeCompare(b.name));
      if (own !== undefined) own.subs = subs;
      else commands.push(group(name, subs, g.lowest));
    }
    commands.sort((a, b) => a.name.localeCompare(b.name));
    const instance = bot.getCog(cogName);
    result[cogName] = {
      name: cogName,
      description: text(instance, "description") ?? "",
      author: text(instance, "author") ?? "Unknown",
      repo: text(instance, "repo") ?? "Unknown",
      commands,
    };
  }
  return result;
}
