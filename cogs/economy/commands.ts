import { type PackageScope, type ChatMessage, UserError } from "cogwheel";
import { type Economy, GLOBAL_GUILD, MAX_BALANCE } from "./bank.ts";

/** The bank a message's commands use: its guild's, or the global one in the console and DMs. */
export function guildOf(message: ChatMessage): string {
  return message.guildId ?? GLOBAL_GUILD;
}

/** Registers Economy's commands; they belong to the cog and go away with it. */
export function registerCommands(bot: PackageScope, cog: Economy): void {
  const currency = () => cog.config.global().get("currency");

  bot.registerCommand(cog, {
    name: "balance",
    aliases: ["bal"],
    usage: "[user id]",
    help: "Shows your balance, or another member's.",
    run: async (ctx, args) => {
      const self = ctx.message.author.id;
      const memberId = args.length === 0 ? self : userId(args[0]!);
      const balance = await cog.balance(guildOf(ctx.message), memberId);
      if (memberId === self) return `You have ${balance} ${await currency()}.`;
      return `${await nameOf(bot, memberId)} has ${balance} ${await currency()}.`;
    },
  });

  bot.registerCommand(cog, {
    name: "payday",
    help: "Collects your pay (once per cool-down).",
    run: async (ctx) => {
      const { paid, balance, settings } = await cog.payday(guildOf(ctx.message), ctx.message.author.id);
      return `Here is your pay: ${paid} ${settings.currency}. You now have ${balance} ${settings.currency}.`;
    },
  });

  bot.registerCommand(cog, {
    name: "transfer",
    aliases: ["give"],
    usage: "<user id> <amount>",
    help: "Gives some of your money to another member.",
    run: async (ctx, args) => {
      if (args.length !== 2) throw new UserError(`Usage: ${ctx.prefix}${ctx.command} <user id> <amount>`);
      const to = userId(args[0]!);
      const amount = parseAmount(args[1]!, 1);
      if (to === ctx.message.author.id) throw new UserError("You can't transfer money to yourself.");
      const user = await bot.adapter.userInfo(to).catch(() => null);
      if (user === null) throw new UserError(`I could not find a user with id ${to}.`);
      const { from } = await cog.transfer(guildOf(ctx.message), ctx.message.author.id, to, amount);
      const unit = await currency();
      return `You sent ${amount} ${unit} to ${user.name}. You now have ${from} ${unit}.`;
    },
  });

  bot.registerCommand(cog, {
    name: "leaderboard",
    aliases: ["top"],
    usage: "[n]",
    help: "Shows the n richest members (default 10).",
    run: async (ctx, args) => {
      const limit = args.length === 0 ? 10 : parseLimit(args[0]!);
      const top = await cog.leaderboard(guildOf(ctx.message), limit);
      const unit = await currency();
      if (top.length === 0) return `Nobody has any ${unit} yet.`;
      const names = await Promise.all(top.map((entry) => nameOf(bot, entry.member_id)));
      return top.map((entry, i) => `${i + 1}. ${names[i]}: ${entry.balance} ${unit}`).join("\n");
    },
  });

  bot.registerCommand(cog, {
    name: "setbalance",
    usage: "<user id> <amount>",
    help: "Sets a member's balance (owner only).",
    ownerOnly: true,
    run: async (ctx, args) => {
      if (args.length !== 2) throw new UserError(`Usage: ${ctx.prefix}${ctx.command} <user id> <amount>`);
      const memberId = userId(args[0]!);
      const balance = await cog.setBalance(guildOf(ctx.message), memberId, parseAmount(args[1]!, 0));
      return `${await nameOf(bot, memberId)} now has ${balance} ${await currency()}.`;
    },
  });
}

/** A Discord mention (`<@123>`, `<@!123>`) or a bare id → the id. */
function userId(text: string): string {
  return /^<@!?(\d+)>$/.exec(text)?.[1] ?? text;
}

/** The user's name where the adapter knows it, else their id. */
async function nameOf(bot: PackageScope, id: string): Promise<string> {
  const user = await bot.adapter.userInfo(id).catch(() => null);
  return user?.name ?? id;
}

function parseAmount(text: string, min: 0 | 1): number {
  const amount = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(amount >= min && amount <= MAX_BALANCE)) {
    throw new UserError(`The amount must be a ${min === 1 ? "positive" : "non-negative"} whole number, not "${text}".`);
  }
  return amount;
}

function parseLimit(text: string): number {
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 100)) throw new UserError(`The number of places must be a whole number from 1 to 100, not "${text}".`);
  return n;
}
