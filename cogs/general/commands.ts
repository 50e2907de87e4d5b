import { type PackageScope, UserError } from "cogwheel";
import { EIGHT_BALL_ANSWERS } from "./answers.ts";
import { describeGuild, describeUser, parseUserId } from "./format.ts";
import type { General } from "./general.ts";

/** The largest maximum `roll` accepts. */
export const MAX_ROLL = 1_000_000;

/** Registers General's commands; they belong to the cog and go away with it. */
export function registerCommands(bot: PackageScope, cog: General): void {
  bot.registerCommand(cog, {
    name: "choose",
    usage: "<option> <option>...",
    help: 'Picks one of several options ("quote" options that have spaces).',
    run: (ctx, args) => {
      if (args.length < 2) throw new UserError(`Give me at least two options, e.g. ${ctx.prefix}choose tea coffee`);
      return cog.pick(args);
    },
  });

  bot.registerCommand(cog, {
    name: "roll",
    usage: "[max]",
    help: "Rolls a number from 1 to max (default 100).",
    run: (ctx, args) => {
      const max = args.length === 0 ? 100 : parseMax(args[0]!);
      return `${ctx.message.author.name} rolled ${cog.below(max) + 1} (1-${max}).`;
    },
  });

  bot.registerCommand(cog, {
    name: "flip",
    help: "Flips a coin.",
    run: () => (cog.random() < 0.5 ? "Heads." : "Tails."),
  });

  bot.registerCommand(cog, {
    name: "8ball",
    usage: "<question>",
    help: "Asks the Magic 8-Ball a yes/no question.",
    run: (ctx, args) => {
      const question = args.join(" ");
      if (question === "?" || !question.endsWith("?")) {
        throw new UserError(`Ask me a question ending with "?", e.g. ${ctx.prefix}8ball Will it rain?`);
      }
      return cog.pick(EIGHT_BALL_ANSWERS);
    },
  });

  bot.registerCommand(cog, {
    name: "serverinfo",
    help: "Shows facts about this server.",
    run: async (ctx) => {
      const guildId = ctx.message.guildId;
      if (guildId === null) return "This command only works in a server.";
      const guild = await bot.adapter.guildInfo(guildId);
      if (guild === null) throw new UserError("I could not get this server's information.");
      return describeGuild(guild);
    },
  });

  bot.registerCommand(cog, {
    name: "userinfo",
    usage: "[user id]",
    help: "Shows facts about you or another user.",
    run: async (ctx, args) => {
      const userId = args.length === 0 ? ctx.message.author.id : parseUserId(args[0]!);
      const user = await bot.adapter.userInfo(userId);
      if (user === null) throw new UserError(`I could not find a user with id ${userId}.`);
      return describeUser(user);
    },
  });
}

function parseMax(text: string): number {
  const max = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(max >= 2 && max <= MAX_ROLL)) {
    throw new UserError(`The maximum must be a whole number from 2 to ${MAX_ROLL}, not "${text}".`);
  }
  return max;
}
