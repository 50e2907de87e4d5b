import { type PackageScope, type ConfigNamespace, type Topic, UserError } from "cogwheel";

/**
 * Where balances live outside a server: console mode and direct messages use this guild id,
 * and so do RPC calls that give no `guild_id`. No Discord guild can have this id.
 */
export const GLOBAL_GUILD = "global";

/** No balance grows beyond this (the largest integer a JSON number carries exactly). */
export const MAX_BALANCE = Number.MAX_SAFE_INTEGER;

/** Config keys and defaults: settings are global, balances per member of a guild. */
export const DEFAULTS = {
  global: { currency: "credits", paydayAmount: 120, paydayCooldown: 300 },
  member: { balance: 0, lastPayday: 0 },
};

export type Settings = typeof DEFAULTS.global;

/** What the `balance_changed` topic publishes. */
export interface BalanceChange {
  guild_id: string;
  member_id: string;
  balance: number;
}

/** Options of {@link Economy}. */
export interface EconomyOptions {
  /** The clock for payday cool-downs, in ms; default `Date.now`. Tests pass their own. */
  now?: () => number;
}

/**
 * The Economy cog: a bank of balances per guild member. Every change goes through config's
 * atomic `update` or, when it spans several values (payday, transfer), one config
 * `transaction`, so concurrent commands and RPC calls never lose or create money, nor does a
 * crash; each change is published on the `balance_changed` topic once it is stored.
 */
export class Economy {
  readonly name = "Economy";
  /** Replace to control time (payday cool-down). */
  now: () => number;
  readonly config: ConfigNamespace<typeof DEFAULTS>;
  /** Set by setup once the cog is added (a topic needs a registered cog). */
  changed: Topic | null = null;

  constructor(bot: PackageScope, options: EconomyOptions = {}) {
    this.config = bot.config("Economy", DEFAULTS);
    this.now = options.now ?? Date.now;
  }

  settings(): Promise<Settings> {
    return this.config.global().all();
  }

  balance(guildId: string, memberId: string): Promise<number> {
    return this.config.member(guildId, memberId).get("balance");
  }

  async setBalance(guildId: string, memberId: string, amount: number): Promise<number> {
    const balance = await this.config.member(guildId, memberId).update("balance", () => amount);
    return this.#publish(guildId, memberId, balance);
  }

  /**
   * Pays a member unless their cool-down is running (then a UserError says how long to wait).
   * The cool-down claim and the pay are one config transaction: two paydays at once pay only
   * once, and a crash stores both or neither.
   */
  async payday(guildId: string, memberId: string): Promise<{ paid: number; balance: number; settings: Settings }> {
    const { settings, balance } = await this.config.transaction((tx) => {
      const settings = tx.global().all();
      const member = tx.member(guildId, memberId);
      const now = this.now();
      const last = member.get("lastPayday");
      const wait = Math.ceil((last + settings.paydayCooldown * 1000 - now) / 1000);
      if (last > 0 && wait > 0) throw new UserError(`Too soon: wait ${wait} s for your next payday.`);
      member.set("lastPayday", now);
      return { settings, balance: member.update("balance", (b) => Math.min(MAX_BALANCE, b + settings.paydayAmount)) };
    });
    return { paid: settings.paydayAmount, balance: this.#publish(guildId, memberId, balance), settings };
  }

  /**
   * Moves `amount` from one member to another in one config transaction: the funds check,
   * the cap check, the debit and the credit happen together or not at all (a refused transfer
   * changes nothing), and a crash stores both sides or neither. Money is never created or
   * lost, whatever runs at the same time.
   * @returns both new balances
   */
  async transfer(guildId: string, fromId: string, toId: string, amount: number): Promise<{ from: number; to: number }> {
    if (fromId === toId) throw new UserError("You can't transfer money to yourself.");
    const balances = await this.config.transaction((tx) => {
      const currency = tx.global().get("currency");
      const from = tx.member(guildId, fromId);
      const to = tx.member(guildId, toId);
      const mine = from.get("balance");
      if (mine < amount) throw new UserError(`You only have ${mine} ${currency}.`);
      const theirs = to.get("balance");
      if (theirs + amount > MAX_BALANCE) throw new UserError(`That would take their balance over ${MAX_BALANCE} ${currency}.`);
      from.set("balance", mine - amount);
      to.set("balance", theirs + amount);
      return { from: mine - amount, to: theirs + amount };
    });
    return { from: this.#publish(guildId, fromId, balances.from), to: this.#publish(guildId, toId, balances.to) };
  }

  /** The `limit` richest members with a positive balance, richest first (ties by id). */
  async leaderboard(guildId: string, limit: number): Promise<Array<{ member_id: string; balance: number }>> {
    const members = await this.config.allMembers(guildId);
    return [...members]
      .filter(([, values]) => values.balance > 0)
      .map(([member_id, values]) => ({ member_id, balance: values.balance }))
      .sort((a, b) => b.balance - a.balance || (a.member_id < b.member_id ? -1 : a.member_id > b.member_id ? 1 : 0))
      .slice(0, limit);
  }

  #publish(guildId: string, memberId: string, balance: number): number {
    const change: BalanceChange = { guild_id: guildId, member_id: memberId, balance };
    this.changed?.publish(change);
    return balance;
  }
}
