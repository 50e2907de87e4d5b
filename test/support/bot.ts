// Helpers for the bundled-cog tests: a real bot (real config files, real package loader)
// fed with hand-built messages, and an adapter that knows a few users and one guild.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import type { Adapter, ChatMessage, MemberInfo } from "../../src/adapters/types.ts";
import type { Bot } from "../../src/bot/bot.ts";
import { createBot } from "../../src/app/create-bot.ts";
import { fakeAdapter, USERS, GUILD } from "./fake-adapter.ts";
import { recordingLogger } from "./rpc.ts";

// The fake platform lives in its own file; re-exported so tests keep one import.
export * from "./fake-adapter.ts";

/** The repository's bundled cogs, as the CLI passes them. */
export const COGS = fileURLToPath(new URL("../../cogs/", import.meta.url));

const root = mkdtempSync(join(tmpdir(), "cogwheel-cogs-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** A fresh data directory (all removed when the file's tests end). */
export function dataDir(): string {
  return join(root, `bot-${++dirs}`);
}

/**
 * Creates and starts a bot on `dir` with the bundled cogs; stopped when the test ends.
 * With `rpc`, its RPC server listens on a free port.
 */
export async function startBot(
  t: TestContext,
  options: { dir?: string; rpc?: boolean; adapter?: Adapter } = {},
): Promise<{ bot: Bot; dir: string; logger: ReturnType<typeof recordingLogger> }> {
  const dir = options.dir ?? dataDir();
  const logger = recordingLogger();
  const bot = await createBot({
    dataDir: dir,
    adapter: options.adapter ?? fakeAdapter(),
    logger,
    bundledCogPath: COGS,
    rpc: { port: 0 },
  });
  t.after(() => bot.stop());
  await bot.start({ listenRpc: options.rpc ?? false });
  return { bot, dir, logger };
}

/** What {@link say} may set on its message. */
export interface SayOptions {
  /** The author's user id; default "100" (alice, the bot's owner). */
  readonly author?: string;
  /** Default GUILD's id; null for a direct message. */
  readonly guildId?: string | null;
  /** Attached as `ChatMessage.member`, as the Discord adapter does; absent by default (the bot looks the member up). */
  readonly member?: MemberInfo | null;
}

/** Sends `content` as `author` (in guild g1 unless `guildId` says otherwise); returns the replies. */
export async function say(bot: Bot, content: string, options: SayOptions = {}): Promise<string[]> {
  const replies: string[] = [];
  const id = options.author ?? "100";
  const message: ChatMessage = {
    content,
    author: { id, name: USERS[id]?.name ?? id, bot: false },
    channelId: "c1",
    guildId: options.guildId === undefined ? GUILD.id : options.guildId,
    ...(options.member === undefined ? {} : { member: options.member }),
    reply: async (text) => void replies.push(text),
  };
  await bot.handleMessage(message);
  return replies;
}

/** Sends one message and returns its only reply (fails if there is not exactly one). */
export async function ask(bot: Bot, content: string, options?: SayOptions): Promise<string> {
  const replies = await say(bot, content, options);
  if (replies.length !== 1) throw new Error(`expected one reply to ${JSON.stringify(content)}, got ${JSON.stringify(replies)}`);
  return replies[0]!;
}
