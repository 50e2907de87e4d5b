import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { AdapterError } from "./errors.ts";
import type {
  Adapter,
  AdapterHandlers,
  AdapterStats,
  AdapterStatus,
  ApplicationInfo,
  BotAccount,
  ChatMessage,
} from "./types.ts";

/** The console's one user: the owner at the keyboard. */
export const CONSOLE_OWNER_ID = "console";

/**
 * The console bot's id in {@link Adapter.account} and {@link Adapter.application}: digits,
 * because dashboards read bot and application ids as integers (Red-Dashboard int()s them).
 * `status().user.id` stays `"console-bot"`, as CORE__STATUS has always published it.
 */
export const CONSOLE_BOT_ID = "1";

/** Discord's first default avatar: something a web page can show for a bot with none. */
const DEFAULT_AVATAR_URL = "https://cdn.discordapp.com/embed/avatars/0.png";

const NO_STATS: AdapterStats = Object.freeze({ guilds: 0, text: 0, voice: 0, categories: 0, users: 0 });

const APPLICATION: ApplicationInfo = Object.freeze({
  id: CONSOLE_BOT_ID,
  name: "console",
  description: "",
  ownerName: "console",
  public: false,
});

const ACCOUNT: BotAccount = Object.freeze({
  id: CONSOLE_BOT_ID,
  name: "console",
  avatarUrl: null,
  defaultAvatarUrl: DEFAULT_AVATAR_URL,
  verified: false,
});

/**
 * Console mode: each line on `input` is a message from the owner; replies go to `output`,
 * one per line. The end of input does not stop the bot (it may run under a service manager
 * with no stdin); only a signal or the `shutdown` command does.
 *
 * Platform look-ups answer with a bot and no guilds: `guilds()` is empty, guild and member
 * look-ups are null, stats are zeros, no privileged intents. Actions on a guild throw
 * AdapterError `ERR_ADAPTER_NOT_IN_GUILD` (as on Discord for a guild the bot is not in), except
 * `leaveGuild`, which resolves false as the contract says. `setAvatar(null)` resolves (the
 * console bot already has the default avatar); an image throws `ERR_ADAPTER_UNSUPPORTED`
 * rather than being dropped unseen.
 */
export function createConsoleAdapter(options: { input?: Readable; output?: Writable } = {}): Adapter {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  let status: AdapterStatus = { connected: false, user: null };
  let readyAt: Date | null = null;
  let close: (() => void) | null = null;

  return {
    kind: "console",
    async start(handlers: AdapterHandlers) {
      const lines = createInterface({ input, terminal: false });
      // One line at a time, like a person typing: `!load general` then `!flip` works as piped.
      let queue: Promise<void> = Promise.resolve();
      lines.on("line", (line) => {
        const content = line.trim();
        if (content === "") return;
        const message: ChatMessage = {
          content,
          author: { id: CONSOLE_OWNER_ID, name: "console", bot: false },
          channelId: "console",
          guildId: null,
          member: null,
          reply: async (text) => {
            output.write(text.endsWith("\n") ? text : `${text}\n`);
          },
        };
        queue = queue.then(() => handlers.onMessage(message));
      });
      close = () => lines.close();
      status = { connected: true, user: { id: "console-bot", name: "console" } };
      readyAt = new Date();
      handlers.onStatus(status);
    },
    async stop() {
      close?.();
      close = null;
      status = { connected: false, user: null };
      readyAt = null;
    },
    status: () => status,
    ownerIds: async () => [CONSOLE_OWNER_ID],
    setName: async () => {},
    inviteUrl: async () => null,
    guildInfo: async () => null,
    userInfo: async (userId) => (userId === CONSOLE_OWNER_ID ? { id: userId, name: "console", bot: false, createdAt: null } : null),
    guilds: async () => [],
    guildDetails: async () => null,
    member: async () => null,
    application: async () => APPLICATION,
    account: () => (status.connected ? ACCOUNT : null),
    stats: async () => NO_STATS,
    readyAt: () => readyAt,
    intents: () => ({ members: false, presences: false }),
    leaveGuild: async () => false,
    async setNickname(guildId) {
      throw new AdapterError("ERR_ADAPTER_NOT_IN_GUILD", `The console bot is in no guild, so not in ${guildId}.`);
    },
    async setAvatar(image) {
      if (image === null) return;
      throw new AdapterError("ERR_ADAPTER_UNSUPPORTED", "The console bot has no avatar to change; that needs Discord.");
    },
  };
}
