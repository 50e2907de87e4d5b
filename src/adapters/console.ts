import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Adapter, AdapterHandlers, AdapterStatus, ChatMessage } from "./types.ts";

/** The console's one user: the owner at the keyboard. */
export const CONSOLE_OWNER_ID = "console";

/**
 * Console mode: each line on `input` is a message from the owner; replies go to `output`,
 * one per line. The end of input does not stop the bot (it may run under a service manager
 * with no stdin); only a signal or the `shutdown` command does.
 */
export function createConsoleAdapter(options: { input?: Readable; output?: Writable } = {}): Adapter {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  let status: AdapterStatus = { connected: false, user: null };
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
          reply: async (text) => {
            output.write(text.endsWith("\n") ? text : `${text}\n`);
          },
        };
        queue = queue.then(() => handlers.onMessage(message));
      });
      close = () => lines.close();
      status = { connected: true, user: { id: "console-bot", name: "console" } };
      handlers.onStatus(status);
    },
    async stop() {
      close?.();
      close = null;
      status = { connected: false, user: null };
    },
    status: () => status,
    ownerIds: async () => [CONSOLE_OWNER_ID],
    setName: async () => {},
    inviteUrl: async () => null,
    guildInfo: async () => null,
    userInfo: async (userId) => (userId === CONSOLE_OWNER_ID ? { id: userId, name: "console", bot: false, createdAt: null } : null),
  };
}
