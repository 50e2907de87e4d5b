import type { Disposable } from "../rpc/index.ts";
import type { ChatMessage } from "../adapters/types.ts";
import { BotError } from "./errors.ts";
import { commandPrivilege } from "./privilege.ts";
import type { PrivilegeLevel } from "./view.ts";

/** What a command's `run` receives. */
export interface CommandContext {
  readonly message: ChatMessage;
  /** The prefix the message used, e.g. `!`. */
  readonly prefix: string;
  /** The command's full name as typed, e.g. `set prefix`. */
  readonly command: string;
  /** Whether the author is one of the bot's owners. */
  readonly isOwner: boolean;
  /** Replies in the message's channel. */
  reply(text: string): Promise<void>;
}

/** A prefix command, as a cog declares it. */
export interface CommandDefinition {
  /** One word, or a group and a word (`"set prefix"`); lower-case letters, digits, `_`, `-`. */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line for `help`. */
  readonly help: string;
  /** Arguments as shown in help, e.g. `<member> <amount>`. */
  readonly usage?: string;
  /** Only the bot's owners may run it: the same as `privilege: "owner"`. */
  readonly ownerOnly?: boolean;
  /**
   * Who may run it (default `"none"`: anyone); see src/bot/privilege.ts for the levels. The
   * message handler checks it before `run`; the guild levels refuse in direct messages.
   * Contradicting `ownerOnly` is ERR_COMMAND_INVALID.
   */
  readonly privilege?: PrivilegeLevel;
  /**
   * Runs the command with its arguments (split on spaces, "quoted strings" kept whole).
   * A returned string is sent as the reply. Throw `UserError` for a one-line message to the user.
   */
  run(context: CommandContext, args: string[]): unknown;
}

/** A registered command: names lower-cased, aliases included, its level resolved. */
export interface Command extends CommandDefinition {
  readonly cogName: string;
  readonly aliases: readonly string[];
  readonly privilege: PrivilegeLevel;
  /** `privilege === "owner"`, kept for readers of the old flag. */
  readonly ownerOnly: boolean;
}

const WORD = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** The table of commands, by name and alias (case-insensitive). */
export class CommandRegistry {
  readonly #byName = new Map<string, Command>();

  register(cogName: string, definition: CommandDefinition): Disposable {
    if (typeof definition !== "object" || definition === null || typeof definition.run !== "function") {
      throw new BotError("ERR_COMMAND_INVALID", `command of cog ${cogName} needs a run() function`);
    }
    if (typeof definition.help !== "string") {
      throw new BotError("ERR_COMMAND_INVALID", `command ${String(definition.name)} needs a one-line help text`);
    }
    const names = [definition.name, ...(definition.aliases ?? [])].map((n) => normalize(n, cogName));
    const privilege = commandPrivilege(names[0]!, definition);
    for (const name of names) {
      const taken = this.#byName.get(name);
      if (taken !== undefined) {
        throw new BotError("ERR_COMMAND_TAKEN", `command "${name}" is already registered by cog ${taken.cogName}`);
      }
    }
    const command: Command = { ...definition, name: names[0]!, aliases: names.slice(1), cogName, privilege, ownerOnly: privilege === "owner" };
    for (const name of names) this.#byName.set(name, command);
    return {
      dispose: () => {
        for (const name of names) if (this.#byName.get(name) === command) this.#byName.delete(name);
      },
    };
  }

  /**
   * Finds the command a message's text (prefix removed) invokes: a two-word group command
   * first (`set prefix`), then a one-word one. Returns it with the remaining arguments.
   */
  match(text: string): { command: Command; invokedAs: string; args: string[] } | null {
    const words = splitArgs(text);
    if (words.length === 0) return null;
    const first = words[0]!.toLowerCase();
    if (words.length > 1) {
      const pair = `${first} ${words[1]!.toLowerCase()}`;
      const group = this.#byName.get(pair);
      if (group !== undefined) return { command: group, invokedAs: pair, args: words.slice(2) };
    }
    const single = this.#byName.get(first);
    return single === undefined ? null : { command: single, invokedAs: first, args: words.slice(1) };
  }

  /** Every command once (aliases folded), sorted by name. */
  list(): Command[] {
    return [...new Set(this.#byName.values())].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The commands of a group (`set` → `set name`, `set prefix`), sorted; empty if it is none. */
  group(name: string): Command[] {
    const group = `${name.toLowerCase().trim().replace(/\s+/g, " ")} `;
    return this.list().filter((c) => c.name.startsWith(group));
  }

  get(name: string): Command | undefined {
    return this.#byName.get(name.toLowerCase().trim().replace(/\s+/g, " "));
  }
}

/** A command's help line, `!set name <name> - Renames the bot.`: in `help` and a group's help. */
export function helpLine(prefix: string, command: Command): string {
  return `${prefix}${command.name}${command.usage ? ` ${command.usage}` : ""} - ${command.help}`;
}

/** A group's help: one help line per command of it. Shown by `help set` and by `set` alone. */
export function groupHelp(prefix: string, group: readonly Command[]): string {
  return group.map((c) => helpLine(prefix, c)).join("\n");
}

function normalize(name: unknown, cogName: string): string {
  const words = typeof name === "string" ? name.trim().toLowerCase().split(/\s+/) : [];
  if (words.length === 0 || words.length > 2 || !words.every((w) => WORD.test(w))) {
    throw new BotError("ERR_COMMAND_INVALID", `command name ${JSON.stringify(name)} of cog ${cogName} is invalid: one or two words of a-z, 0-9, _ and -`);
  }
  return words.join(" ");
}

/** Splits on white space, keeping "double quoted" parts whole (quotes removed). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1] ?? m[2]!);
  return out;
}
