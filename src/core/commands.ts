import type { Bot } from "../bot/bot.ts";
import { groupHelp, helpLine, type CommandDefinition } from "../bot/commands.ts";
import type { PackageScope } from "../bot/scope.ts";
import { UserError } from "../bot/errors.ts";
import type { PrivilegeLevel } from "../bot/view.ts";
import type { LoadResult, PackagesState } from "../bot/packages.ts";
import { versions } from "./versions.ts";

/** One line per outcome, as Red's `load` command reports. */
export function describeLoad(result: LoadResult, verb: "Loaded" | "Reloaded"): string {
  const lines: string[] = [];
  const list = (names: string[]) => names.join(", ");
  if (result.loaded_packages.length) lines.push(`${verb} ${list(result.loaded_packages)}.`);
  if (result.alreadyloaded_packages.length) lines.push(`Already loaded: ${list(result.alreadyloaded_packages)}.`);
  if (result.notfound_packages.length) lines.push(`Not found in any cog path: ${list(result.notfound_packages)}.`);
  if (result.invalid_pkg_names.length) lines.push(`Invalid package names: ${list(result.invalid_pkg_names)}.`);
  if (result.failed_packages.length) lines.push(`Failed to load ${list(result.failed_packages)}; see the logs for details.`);
  for (const [name, reason] of Object.entries(result.failed_with_reason_packages)) lines.push(`Failed to load ${name}: ${reason}`);
  return lines.join("\n");
}

function needNames(args: string[], usage: string): string[] {
  if (args.length === 0) throw new UserError(`Usage: ${usage}`);
  return args;
}

/** Registers Core's prefix commands. */
export function registerCoreCommands(bot: Bot, scope: PackageScope, core: object): void {
  const cmd = (definition: CommandDefinition) => scope.registerCommand(core, definition);

  cmd({ name: "ping", help: "Checks that the bot answers.", run: () => "Pong." });
  cmd({
    name: "load",
    help: "Loads packages; alone, shows which are loaded, failed and available.",
    usage: "[package]...",
    ownerOnly: true,
    // Alone, `!load` says where the packages stand: loaded, failed (with why), available.
    run: async (ctx, args) =>
      args.length === 0 ? describeState(await bot.packages.snapshot()) : describeLoad(await bot.packages.load(needNames(args, `${ctx.prefix}load <package>...`)), "Loaded"),
  });
  cmd({
    name: "unload",
    help: "Unloads packages.",
    usage: "<package>...",
    ownerOnly: true,
    run: async (ctx, args) => {
      const result = await bot.packages.unload(needNames(args, `${ctx.prefix}unload <package>...`));
      const lines: string[] = [];
      if (result.unloaded_packages.length) lines.push(`Unloaded ${result.unloaded_packages.join(", ")}.`);
      if (result.notloaded_packages.length) lines.push(`Not loaded: ${result.notloaded_packages.join(", ")}.`);
      for (const [name, reason] of Object.entries(result.unload_errors)) lines.push(`${name}: ${reason}.`);
      return lines.join("\n");
    },
  });
  cmd({
    name: "reload",
    help: "Reloads packages from disk.",
    usage: "<package>...",
    ownerOnly: true,
    run: async (ctx, args) => describeLoad(await bot.packages.reload(needNames(args, `${ctx.prefix}reload <package>...`)), "Reloaded"),
  });
  cmd({
    name: "set name",
    help: "Renames the bot.",
    usage: "<name>",
    ownerOnly: true,
    run: async (ctx, args) => {
      const name = args.join(" ");
      if (!name) throw new UserError(`Usage: ${ctx.prefix}set name <name>`);
      await bot.setName(name); // its refusals are worded for the user (ERR_NAME_INVALID, ERR_ADAPTER)
      return `Done. I am now ${bot.name}.`;
    },
  });
  cmd({
    name: "set prefix",
    help: "Sets the command prefixes.",
    usage: "<prefix>...",
    ownerOnly: true,
    run: async (ctx, args) => {
      await bot.setPrefixes(needNames(args, `${ctx.prefix}set prefix <prefix>...`)); // ERR_PREFIXES_INVALID says why
      return `Prefixes set to ${bot.prefixes.join(" ")}`;
    },
  });
  cmd({
    name: "set description",
    help: "Sets the bot's description, shown atop help; alone, removes it.",
    usage: "[description]",
    ownerOnly: true,
    run: async (ctx) => {
      // The text as typed, not as split: quotes and spacing inside it are the owner's.
      const text = ctx.message.content.slice(ctx.prefix.length).replace(/^\s*\S+\s+\S+/, "");
      await bot.setDescription(text); // ERR_DESCRIPTION_INVALID says why
      return bot.description === "" ? "Description removed." : "Description set.";
    },
  });
  cmd({
    name: "addpath",
    help: "Adds a folder where packages are looked for.",
    usage: "<folder>",
    ownerOnly: true,
    run: async (ctx, args) => {
      if (args.length !== 1) throw new UserError(`Usage: ${ctx.prefix}addpath <folder>`);
      return `Added ${await bot.packages.addPath(args[0]!)} to the cog paths.`; // ERR_PATH_INVALID says why
    },
  });
  cmd({
    name: "paths",
    help: "Lists the folders where packages are looked for, in search order.",
    ownerOnly: true,
    run: async () => (await bot.packages.paths()).map((p, i) => `${i + 1}. ${p}`).join("\n") || "No cog paths.",
  });
  cmd({
    name: "info",
    help: "Shows what this bot runs.",
    run: () => {
      const uptime = Math.round((Date.now() - bot.startedAt.getTime()) / 1000);
      return [
        `${bot.name}: Cogwheel ${versions.cogwheel}, discord.js ${versions.discord_js}, Node ${versions.node}.`,
        `Mode: ${bot.adapter.kind}. Up ${uptime}s. Packages: ${bot.packages.loaded().join(", ") || "none"}.`,
      ].join("\n");
    },
  });
  cmd({
    name: "invite",
    help: "Shows the link to invite the bot to a server.",
    // A platform refusal (ERR_ADAPTER) reads "No invite link right now: …" by itself.
    run: async () => (await bot.inviteUrl()) ?? "Invites exist only when the bot is connected to Discord.",
  });
  cmd({
    name: "shutdown",
    help: "Shuts the bot down.",
    ownerOnly: true,
    run: async (ctx) => {
      await ctx.reply("Shutting down...");
      bot.requestShutdown();
    },
  });
  cmd({
    name: "help",
    help: "Lists the commands, or explains one.",
    usage: "[command]",
    run: (ctx, args) => {
      if (args.length > 0) {
        const asked = args.join(" ").toLowerCase();
        const command = bot.commands.get(asked);
        if (command === undefined) {
          // A group (`help set`) lists its commands.
          const group = bot.commands.group(asked);
          if (group.length === 0) throw new UserError(`No command called "${asked}".`);
          return groupHelp(ctx.prefix, group);
        }
        const usage = command.usage ? ` ${command.usage}` : "";
        return `${ctx.prefix}${command.name}${usage}\n${command.help}${levelNote(command.privilege)}`;
      }
      const byCog = new Map<string, string[]>();
      for (const command of bot.commands.list()) {
        if (command.ownerOnly && !ctx.isOwner) continue;
        const lines = byCog.get(command.cogName) ?? [];
        lines.push(`  ${helpLine(ctx.prefix, command)}`);
        byCog.set(command.cogName, lines);
      }
      const sections = [...byCog].map(([cog, lines]) => `${cog}:\n${lines.join("\n")}`);
      const description = bot.description === "" ? "" : `${bot.description}\n`;
      return `${description}${sections.join("\n")}\nType ${ctx.prefix}help <command> for more.`;
    },
  });
}

/** Who may run a command, after its help in `help <command>`; nothing for everyone. */
function levelNote(level: PrivilegeLevel): string {
  return LEVEL_NOTES[level];
}

const LEVEL_NOTES: Record<PrivilegeLevel, string> = {
  none: "",
  mod: " (server mods and admins only)",
  admin: " (server admins only)",
  guildOwner: " (server owner only)",
  owner: " (owner only)",
};

/** `!load` alone: the packages' state, one line each part. */
function describeState(state: PackagesState): string {
  const failed = Object.entries(state.failed).map(([name, reason]) => `${name} (${reason})`);
  return [
    `Loaded: ${state.loaded.join(", ") || "none"}.`,
    ...(failed.length > 0 ? [`Failed: ${failed.join("; ")}.`] : []),
    `Available: ${state.available.join(", ") || "none"}.`,
  ].join("\n");
}
