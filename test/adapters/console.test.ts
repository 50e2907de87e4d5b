// The console adapter's platform surface: a bot and no guilds.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { CONSOLE_BOT_ID, createConsoleAdapter } from "../../src/adapters/console.ts";
import { AdapterError } from "../../src/adapters/errors.ts";
import type { ChatMessage } from "../../src/adapters/types.ts";
import { PLATFORM_REFUSED } from "../../src/bot/errors.ts";

function consoleAdapter(t: import("node:test").TestContext) {
  const input = new PassThrough();
  const output = new PassThrough();
  const adapter = createConsoleAdapter({ input, output });
  t.after(() => adapter.stop());
  return { adapter, input };
}

test("the console answers with a bot and no guilds", async (t) => {
  const { adapter, input } = consoleAdapter(t);
  assert.equal(adapter.account(), null, "no account before start");
  assert.equal(adapter.readyAt(), null);
  const messages: ChatMessage[] = [];
  const before = Date.now();
  await adapter.start({ onMessage: (m) => void messages.push(m), onStatus: () => {} });

  // CORE__STATUS's user is what it always was; dashboards get a digit-only id from account().
  assert.deepEqual(adapter.status(), { connected: true, user: { id: "console-bot", name: "console" } });
  assert.equal(CONSOLE_BOT_ID, "1");
  assert.deepEqual(adapter.account(), {
    id: "1",
    name: "console",
    avatarUrl: null,
    defaultAvatarUrl: "https://cdn.discordapp.com/embed/avatars/0.png",
    verified: false,
  });
  assert.deepEqual(await adapter.application(), { id: "1", name: "console", description: "", ownerName: "console", public: false });
  const readyAt = adapter.readyAt();
  assert.ok(readyAt instanceof Date && readyAt.getTime() >= before && readyAt.getTime() <= Date.now());
  assert.deepEqual(await adapter.guilds(), []);
  assert.equal(await adapter.guildDetails("1"), null);
  assert.equal(await adapter.member("1", "console"), null);
  assert.deepEqual(await adapter.stats(), { guilds: 0, text: 0, voice: 0, categories: 0, users: 0 });
  assert.deepEqual(adapter.intents(), { members: false, presences: false });
  assert.equal(await adapter.leaveGuild("1"), false);

  input.write("!ping\n");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.member, null, "the console is no guild");

  await adapter.stop();
  assert.equal(adapter.account(), null);
  assert.equal(adapter.readyAt(), null);
});

test("console actions: a nickname needs a guild, an avatar needs Discord; resetting the avatar is already true", async (t) => {
  const { adapter } = consoleAdapter(t);
  await adapter.start({ onMessage: () => {}, onStatus: () => {} });
  await assert.rejects(adapter.setNickname("123", "Gears"), (error: unknown) => {
    assert.ok(error instanceof AdapterError);
    assert.deepEqual([error.code, error.message], ["ERR_ADAPTER_NOT_IN_GUILD", "The console bot is in no guild, so not in 123."]);
    // Shown as is to a user, and -32001 ("the platform refused") on the wire, like ERR_ADAPTER.
    assert.deepEqual([error.rpc, error.user], [PLATFORM_REFUSED, true]);
    return true;
  });
  await adapter.setAvatar(null);
  await assert.rejects(adapter.setAvatar(Uint8Array.from([0x89, 0x50, 0x4e, 0x47])), (error: unknown) => {
    assert.ok(error instanceof AdapterError);
    assert.deepEqual([error.code, error.message], ["ERR_ADAPTER_UNSUPPORTED", "The console bot has no avatar to change; that needs Discord."]);
    assert.deepEqual([error.rpc, error.user], [PLATFORM_REFUSED, true]);
    return true;
  });
});
