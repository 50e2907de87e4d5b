/**
 * The Discord adapter end to end: real discord.js against the loopback stand-in
 * (test/adapters/support/fake-discord.ts). Nothing here leaves 127.0.0.1 (see the last test).
 */
import assert from "node:assert/strict";
import net from "node:net";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createDiscordAdapter, DiscordAdapterError, type DiscordAdapter } from "../../src/adapters/discord/index.ts";
import type { DiscordAdapterOptions } from "../../src/adapters/discord/options.ts";
import type { AdapterStatus, ChatMessage } from "../../src/adapters/types.ts";
import { FakeDiscord, IDS, type FakeDiscordOptions } from "../support/fake-discord.ts";

// ---- every outgoing TCP connection of this process is recorded --------------------------
const connectTargets: string[] = [];
const connectedSockets: net.Socket[] = [];
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  let first = args[0];
  if (Array.isArray(first)) first = first[0]; // net.connect passes normalized [options, cb]
  let host = "localhost";
  if (first && typeof first === "object") {
    const o = first as { host?: string; path?: string };
    host = o.path ? `ipc:${o.path}` : (o.host ?? "localhost");
  } else if (typeof args[1] === "string") {
    host = args[1];
  }
  connectTargets.push(host);
  connectedSockets.push(this);
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

const TEST = { timeout: 8000 };
const BOT = { id: IDS.bot, name: "Cogwheel" };

interface Recorder {
  readonly messages: ChatMessage[];
  readonly statuses: AdapterStatus[];
  readonly handlers: { onMessage(m: ChatMessage): void; onStatus(s: AdapterStatus): void };
  /** Reacts to human `!ping` like a bot would (tests opt in). */
  autoReply?: (m: ChatMessage) => void;
}

function recorder(): Recorder {
  const rec: Recorder = {
    messages: [],
    statuses: [],
    handlers: {
      onMessage: (m) => {
        rec.messages.push(m);
        rec.autoReply?.(m);
      },
      onStatus: (s) => void rec.statuses.push(s),
    },
  };
  return rec;
}

async function fakeDiscord(t: TestContext, options?: FakeDiscordOptions): Promise<FakeDiscord> {
  const fake = await FakeDiscord.start(options);
  t.after(() => fake.close());
  return fake;
}

function adapterFor(t: TestContext, fake: FakeDiscord, options: Partial<DiscordAdapterOptions> = {}): DiscordAdapter {
  const adapter = createDiscordAdapter({ token: fake.token, restApiUrl: fake.restApiUrl, ...options });
  t.after(() => adapter.stop());
  return adapter;
}

/** A stand-in plus a started adapter. */
async function running(t: TestContext, fakeOptions?: FakeDiscordOptions) {
  const fake = await fakeDiscord(t, fakeOptions);
  const adapter = adapterFor(t, fake);
  const rec = recorder();
  await adapter.start(rec.handlers);
  return { fake, adapter, rec };
}

async function until<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A TCP server that accepts and immediately drops every connection, counting them. */
async function droppingServer(t: TestContext): Promise<{ port: number; count(): number }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as net.AddressInfo).port, count: () => count };
}

/** A TCP server that accepts connections and never answers (a handshake that hangs). */
async function silentServer(t: TestContext): Promise<{ port: number; open(): number; accepted(): number }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.resume(); // read (and ignore) the handshake, so the client's FIN is seen
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, open: () => sockets.size, accepted: () => accepted };
}

function redirectGateway(fake: FakeDiscord, url: string): void {
  Object.defineProperty(fake, "gatewayUrl", { get: () => url });
}

// ---- connection -------------------------------------------------------------------------

test("start resolves after READY; status is connected with the bot user", TEST, async (t) => {
  const fake = await fakeDiscord(t);
  const adapter = adapterFor(t, fake);
  const rec = recorder();
  assert.deepEqual(adapter.status(), { connected: false, user: null });

  await adapter.start(rec.handlers);

  assert.deepEqual(rec.statuses, [{ connected: true, user: BOT }]);
  assert.deepEqual(adapter.status(), { connected: true, user: BOT });
  // discord.js asked REST for the gateway with the bot token, then connected with JSON, no compression.
  assert.deepEqual(fake.requests[0], {
    method: "GET",
    path: "/api/v10/gateway/bot",
    query: "",
    authorization: `Bot ${fake.token}`,
    body: null,
    status: 200,
  });
  assert.deepEqual(fake.connectionUrls, ["/gateway?v=10&encoding=json"]);
  // HELLO, then the IDENTIFY with the token and exactly the intents a prefix-command bot needs.
  assert.equal(fake.frames[0]!.dir, "out");
  assert.equal(fake.frames[0]!.payload.op, 10);
  const [identify] = fake.framesOf("in", 2);
  const d = identify!.payload.d as Record<string, unknown>;
  // Guilds (1) | GuildMessages (512) | DirectMessages (4096) | MessageContent (32768)
  assert.equal(d.intents, 1 | 512 | 4096 | 32768);
  assert.equal(d.token, fake.token);
  assert.equal(d.compress, false);
  assert.deepEqual(d.shard, [0, 1]);
  // READY then GUILD_CREATE went out; the guild is in discord.js's cache with its channel.
  assert.deepEqual(
    fake.framesOf("out", 0).map((f) => f.payload.t),
    ["READY", "GUILD_CREATE"],
  );
  assert.equal(adapter.client!.guilds.cache.get(IDS.guild)?.channels.cache.get(IDS.channel)?.name, "general");
});

test("heartbeats are sent with the last sequence and ACKed", TEST, async (t) => {
  const { fake, adapter } = await running(t, { heartbeatIntervalMs: 100 });
  const readyAt = fake.frames.length; // discord.js has processed READY and GUILD_CREATE by now
  await fake.waitFor(
    () => fake.frames.slice(readyAt).filter((f) => f.dir === "in" && f.payload.op === 1).length >= 2,
    3000,
    "two heartbeats after READY",
  );
  // Every heartbeat is answered with an ACK (op 11); those sent after READY carry the last
  // sequence number received (READY is 1, GUILD_CREATE 2, more if a resume happened).
  let lastSeq: number | null = null;
  for (const [i, frame] of fake.frames.entries()) {
    const { op, s } = frame.payload;
    if (frame.dir === "out" && op === 0) lastSeq = s ?? null;
    if (frame.dir === "in" && op === 1) {
      if (i >= readyAt) assert.deepEqual(frame.payload, { op: 1, d: lastSeq });
      assert.deepEqual(fake.frames[i + 1]?.payload, { op: 11, d: null, s: null, t: null });
    }
  }
  assert.ok(lastSeq !== null && lastSeq >= 2);
  // discord.js measured a latency from an ACK.
  await until(() => adapter.client!.ws.ping >= 0, "a measured ping");
  assert.equal(adapter.status().connected, true);
});

test("a dropped gateway connection reports disconnected, then resumes and reports connected", TEST, async (t) => {
  const { fake, rec } = await running(t);
  fake.dropConnections(4000, "Unknown error");
  await until(() => rec.statuses.length >= 3, "reconnecting and resumed statuses");
  assert.deepEqual(rec.statuses, [
    { connected: true, user: BOT },
    { connected: false, user: BOT },
    { connected: true, user: BOT },
  ]);
  // discord.js resumed (op 6) the session READY gave it, from the last sequence it saw.
  const [resume] = fake.framesOf("in", 6);
  assert.deepEqual(resume!.payload.d, { token: fake.token, session_id: "session-1", seq: 2 });
  assert.equal(fake.framesOf("in", 2).length, 1, "no second IDENTIFY");
  // Messages flow on the resumed connection.
  fake.injectMessage({ content: "after resume" });
  await until(() => rec.messages.some((m) => m.content === "after resume"), "a message after resume");
});

// ---- messages ---------------------------------------------------------------------------

test("!ping reaches onMessage as a ChatMessage and reply posts Pong. to the channel", TEST, async (t) => {
  const { fake, rec } = await running(t);
  rec.autoReply = (m) => {
    if (!m.author.bot && m.content === "!ping") void m.reply("Pong.");
  };
  fake.injectMessage({ content: "!ping" });
  await fake.waitFor(() => fake.requests.find((r) => r.method === "POST"), 3000, "the reply POST");

  const ping = rec.messages[0]!;
  assert.deepEqual(
    { content: ping.content, author: ping.author, channelId: ping.channelId, guildId: ping.guildId },
    {
      content: "!ping",
      author: { id: IDS.member, name: "Alice", bot: false },
      channelId: IDS.channel,
      guildId: IDS.guild,
    },
  );
  assert.equal(typeof ping.reply, "function");
  const posts = fake.requests.filter((r) => r.method === "POST");
  assert.deepEqual(posts, [
    {
      method: "POST",
      path: `/api/v10/channels/${IDS.channel}/messages`,
      query: "",
      authorization: `Bot ${fake.token}`,
      body: {
        content: "Pong.",
        tts: false,
        enforce_nonce: false,
        // Replies never ping @everyone/@here or roles, whatever they echo.
        allowed_mentions: { parse: ["users"], replied_user: false },
      },
      status: 200,
    },
  ]);
  // Discord echoes the bot's own message; it reaches onMessage marked as a bot's.
  await until(() => rec.messages.length === 2, "the bot's own message");
  assert.deepEqual(rec.messages[1]!.author, { id: IDS.bot, name: "Cogwheel", bot: true });
  assert.equal(rec.messages[1]!.content, "Pong.");
});

test("a direct message has guildId null and its reply goes to the DM channel", TEST, async (t) => {
  const { fake, rec } = await running(t);
  fake.injectMessage({ content: "!help", guildId: null });
  const dm = await until(() => rec.messages[0], "the DM");
  assert.deepEqual(
    { content: dm.content, author: dm.author, channelId: dm.channelId, guildId: dm.guildId },
    { content: "!help", author: { id: IDS.member, name: "Alice", bot: false }, channelId: IDS.dmChannel, guildId: null },
  );
  await dm.reply("Help text");
  const post = fake.requests.find((r) => r.method === "POST");
  assert.equal(post?.path, `/api/v10/channels/${IDS.dmChannel}/messages`);
  assert.equal((post?.body as { content: string }).content, "Help text");
});

test("a reply over 2000 characters is split into several messages, in order", TEST, async (t) => {
  const { fake, rec } = await running(t, { echoOwnMessages: false });
  fake.injectMessage({ content: "!long" });
  const message = await until(() => rec.messages[0], "the message");
  const lines = Array.from({ length: 90 }, (_, i) => `line ${String(i).padStart(2, "0")} ${"x".repeat(40)}`);
  const text = lines.join("\n"); // 90 lines of 48 chars + newlines = 4409 chars
  assert.equal(text.length, 4409);

  await message.reply(text);

  const contents = fake.requests
    .filter((r) => r.method === "POST")
    .map((r) => (r.body as { content: string }).content);
  // Cut after the last newline that fits: 41 lines (41 * 49 = 2009 > 2000, so 40 lines + ...).
  assert.deepEqual(
    contents.map((c) => c.length),
    [1960, 1960, 489],
  );
  assert.equal(contents.join(""), text);
  assert.ok(contents.every((c) => c.length <= 2000));
  assert.ok(contents[0]!.endsWith("\n") && contents[1]!.startsWith("line 40 "));
  assert.ok(fake.requests.filter((r) => r.method === "POST").every((r) => r.status === 200));
});

test("an onMessage handler that throws does not break the adapter", TEST, async (t) => {
  const { fake, rec } = await running(t);
  let calls = 0;
  rec.autoReply = () => {
    calls++;
    if (calls === 1) throw new Error("handler bug");
  };
  fake.injectMessage({ content: "one" });
  fake.injectMessage({ content: "two" });
  await until(() => rec.messages.length === 2, "both messages");
  assert.deepEqual(
    rec.messages.map((m) => m.content),
    ["one", "two"],
  );
});

// ---- application, names, invites, look-ups ----------------------------------------------

test("ownerIds() is the application's owner", TEST, async (t) => {
  const { fake, adapter } = await running(t);
  assert.deepEqual(await adapter.ownerIds(), [IDS.owner]);
  const get = fake.requests.filter((r) => r.path === "/api/v10/applications/@me");
  assert.equal(get.length, 1);
  assert.equal(get[0]!.method, "GET");
});

test("ownerIds() is the accepted team members when a team owns the application", TEST, async (t) => {
  const { adapter } = await running(t, { owner: "team" });
  // The invited (not yet accepted) member is not an owner; the team's pseudo-user is not either.
  assert.deepEqual(await adapter.ownerIds(), [IDS.teamOwner, IDS.teamMember]);
});

test("setName() sends PATCH /users/@me with the username and updates the status", TEST, async (t) => {
  const { fake, adapter, rec } = await running(t);
  await adapter.setName("Gearbox");
  const patches = fake.requests.filter((r) => r.method === "PATCH");
  assert.deepEqual(patches, [
    {
      method: "PATCH",
      path: "/api/v10/users/@me",
      query: "",
      authorization: `Bot ${fake.token}`,
      body: { username: "Gearbox" },
      status: 200,
    },
  ]);
  assert.deepEqual(adapter.status(), { connected: true, user: { id: IDS.bot, name: "Gearbox" } });
  assert.deepEqual(rec.statuses.at(-1), { connected: true, user: { id: IDS.bot, name: "Gearbox" } });

  // Discord's refusal comes back as one clear line.
  await assert.rejects(adapter.setName("x"), (error: unknown) => {
    assert.ok(error instanceof DiscordAdapterError);
    assert.equal(error.code, "API_ERROR");
    assert.equal(
      error.message,
      "Discord refused the new name: Invalid Form Body username[BASE_TYPE_BAD_LENGTH]: Must be between 2 and 32 in length.",
    );
    return true;
  });
});

test("inviteUrl() is Discord's OAuth2 URL with the application id, bot scope and permissions", TEST, async (t) => {
  const { adapter } = await running(t);
  const url = await adapter.inviteUrl();
  // 1024 View Channel | 2048 Send Messages | 16384 Embed Links | 32768 Attach Files |
  // 64 Add Reactions | 65536 Read Message History | 274877906944 Send Messages in Threads
  assert.equal(
    url,
    `https://discord.com/oauth2/authorize?client_id=${IDS.bot}&scope=bot+applications.commands&permissions=274878024768`,
  );
  assert.ok(url!.includes("scope=bot"));
});

test("guildInfo() and userInfo() come from the cache or a fetch, and are null when unknown", TEST, async (t) => {
  const fake = await fakeDiscord(t);
  // With the GuildMembers intent, GUILD_CREATE lists the members, so alice is cached.
  const adapter = adapterFor(t, fake, { intents: { members: true } });
  await adapter.start(recorder().handlers);
  const before = fake.requests.length;
  // Cached from GUILD_CREATE: no request.
  assert.deepEqual(await adapter.guildInfo(IDS.guild), {
    id: IDS.guild,
    name: "Test Guild",
    memberCount: 6,
    ownerId: IDS.owner,
    createdAt: new Date(Number((BigInt(IDS.guild) >> 22n) + 1420070400000n)),
  });
  assert.deepEqual(await adapter.userInfo(IDS.member), {
    id: IDS.member,
    name: "Alice",
    bot: false,
    createdAt: new Date(Number((BigInt(IDS.member) >> 22n) + 1420070400000n)),
  });
  assert.equal(fake.requests.length, before);

  // Not cached: fetched.
  assert.deepEqual(await adapter.userInfo(IDS.teamMember), {
    id: IDS.teamMember,
    name: "teammate",
    bot: false,
    createdAt: new Date(Number((BigInt(IDS.teamMember) >> 22n) + 1420070400000n)),
  });
  // Unknown: Discord says 404 → null.
  assert.equal(await adapter.userInfo("1100000000000000999"), null);
  assert.equal(await adapter.guildInfo("1100000000000000998"), null);
  // Not an id at all: null without asking Discord.
  assert.equal(await adapter.userInfo("../../users/@me"), null);
  assert.equal(await adapter.guildInfo(""), null);
  assert.deepEqual(
    fake.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`),
    [
      `GET /api/v10/users/${IDS.teamMember} 200`,
      "GET /api/v10/users/1100000000000000999 404",
      "GET /api/v10/guilds/1100000000000000998 404",
    ],
  );
});

test("methods that need a connection reject clearly before start", TEST, async (t) => {
  const fake = await fakeDiscord(t);
  const adapter = adapterFor(t, fake);
  await assert.rejects(adapter.ownerIds(), {
    name: "DiscordAdapterError",
    code: "NOT_READY",
    message: "Discord adapter is not connected (call start() first)",
  });
  assert.equal(fake.requests.length, 0);
});

// ---- failures ---------------------------------------------------------------------------

test("a missing or blank token is refused when the adapter is created", TEST, () => {
  for (const token of ["", "   ", undefined, 42]) {
    assert.throws(() => createDiscordAdapter({ token } as unknown as DiscordAdapterOptions), {
      name: "DiscordAdapterError",
      code: "INVALID_TOKEN",
      message: "Discord adapter: a bot token is required (set DISCORD_TOKEN or pass --token)",
    });
  }
});

test("a wrong token makes start reject quickly with a clear one-line error", TEST, async (t) => {
  const fake = await fakeDiscord(t);
  const adapter = adapterFor(t, fake, { token: "wrong.token" });
  const rec = recorder();
  const started = Date.now();
  await assert.rejects(adapter.start(rec.handlers), {
    name: "DiscordAdapterError",
    code: "INVALID_TOKEN",
    message: "Discord rejected the bot token (401 Unauthorized); check DISCORD_TOKEN / --token",
  });
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  assert.deepEqual(
    fake.requests.map((r) => [r.method, r.path, r.authorization, r.status]),
    [["GET", "/api/v10/gateway/bot", "Bot wrong.token", 401]],
  );
  assert.equal(fake.connectionUrls.length, 0, "never reached the gateway");
  assert.deepEqual(adapter.status(), { connected: false, user: null });
});

test("Message Content intent not enabled (close 4014) makes start reject with the fix", TEST, async (t) => {
  // The "portal" allows Guilds, GuildMessages and DirectMessages but not MessageContent.
  const fake = await fakeDiscord(t, { allowedIntents: 1 | 512 | 4096 });
  const adapter = adapterFor(t, fake);
  await assert.rejects(adapter.start(recorder().handlers), {
    code: "DISALLOWED_INTENTS",
    message:
      'Discord refused the gateway intents (close 4014): enable "Message Content Intent" under Bot → Privileged Gateway Intents in the Discord Developer Portal',
  });
  assert.deepEqual(fake.closes, [{ connection: 1, code: 4014, reason: "Disallowed intent(s).", by: "server" }]);
});

test("an unreachable REST API makes start reject with a clear error", TEST, async (t) => {
  const dropper = await droppingServer(t);
  const fake = await fakeDiscord(t);
  const restApiUrl = fake.restApiUrl;
  await fake.close(); // its port is now closed: connection refused
  const adapter = adapterFor(t, fake, { restApiUrl, readyTimeoutMs: 3000 });
  const started = Date.now();
  await assert.rejects(adapter.start(recorder().handlers), (error: unknown) => {
    assert.ok(error instanceof DiscordAdapterError);
    assert.equal(error.code, "UNREACHABLE");
    assert.match(error.message, /^Cannot reach Discord at http:\/\/127\.0\.0\.1:\d+\/api: .*ECONNREFUSED/);
    assert.ok(!error.message.includes("\n"));
    return true;
  });
  assert.ok(Date.now() - started < 2000);
  assert.equal(dropper.count(), 0);
});

test("an unreachable gateway makes start reject within readyTimeoutMs, and nothing reconnects after", TEST, async (t) => {
  const fake = await fakeDiscord(t);
  const dropper = await droppingServer(t);
  redirectGateway(fake, `ws://127.0.0.1:${dropper.port}/gateway`);
  const adapter = adapterFor(t, fake, { readyTimeoutMs: 800 });
  const started = Date.now();
  await assert.rejects(adapter.start(recorder().handlers), {
    code: "TIMEOUT",
    message: `Discord did not become ready within 800 ms: could not connect to the gateway at ws://127.0.0.1:${dropper.port}/gateway/ (network error)`,
  });
  const took = Date.now() - started;
  assert.ok(took >= 800 && took < 2500, `took ${took} ms`);
  assert.ok(dropper.count() >= 1, "discord.js did try the gateway");
  // discord.js retries every 500 ms; after the failed start nothing may keep trying.
  const attempts = dropper.count();
  await sleep(1200);
  assert.equal(dropper.count(), attempts, "no reconnection after start failed");
});

test("stop() during a pending start makes start reject at once", TEST, async (t) => {
  const fake = await fakeDiscord(t);
  const dropper = await droppingServer(t);
  redirectGateway(fake, `ws://127.0.0.1:${dropper.port}/gateway`);
  const adapter = adapterFor(t, fake, { readyTimeoutMs: 5000 });
  const starting = adapter.start(recorder().handlers);
  await until(() => dropper.count() >= 1, "a gateway attempt");
  const stopped = Date.now();
  await adapter.stop();
  await assert.rejects(starting, {
    code: "STOPPED",
    message: "Discord adapter was stopped before it became ready",
  });
  assert.ok(Date.now() - stopped < 2000);
});

test("stop() while the gateway handshake hangs drops the socket and does not crash", TEST, async (t) => {
  const fake = await fakeDiscord(t);
  const silent = await silentServer(t);
  redirectGateway(fake, `ws://127.0.0.1:${silent.port}/gateway`);
  const adapter = adapterFor(t, fake, { readyTimeoutMs: 5000 });
  const starting = adapter.start(recorder().handlers);
  starting.catch(() => {});
  await until(() => silent.open() === 1, "the hanging gateway connection");
  await adapter.stop();
  await assert.rejects(starting, { code: "STOPPED" });
  // The half-open handshake was dropped at once (not after ws's 30 s handshake timeout)...
  await until(() => silent.open() === 0, "the socket to be closed", 1000);
  // ...and nothing tries again.
  await sleep(700);
  assert.equal(silent.accepted(), 1);
});

// ---- stopping ---------------------------------------------------------------------------

test("stop() closes the gateway with 1000, reports disconnected, and is safe twice", TEST, async (t) => {
  const { fake, adapter, rec } = await running(t);
  await Promise.all([adapter.stop(), adapter.stop()]);
  await adapter.stop();
  await fake.waitFor(() => fake.closes.length === 1 && fake.openConnections === 0, 2000, "the close");
  assert.deepEqual(fake.closes, [{ connection: 1, code: 1000, reason: "Manager was destroyed", by: "client" }]);
  assert.deepEqual(rec.statuses, [
    { connected: true, user: BOT },
    { connected: false, user: BOT },
  ]);
  assert.deepEqual(adapter.status(), { connected: false, user: BOT });
  assert.equal(adapter.client, null);
  // Nothing reconnects, nothing is sent afterwards.
  const frames = fake.frames.length;
  await sleep(400);
  assert.equal(fake.connectionUrls.length, 1);
  assert.equal(fake.frames.length, frames);
  // And it can be started again.
  await adapter.start(rec.handlers);
  assert.equal(adapter.status().connected, true);
  assert.equal(fake.connectionUrls.length, 2);
});

test("stop() returns within stopTimeoutMs even if the gateway never answers the close", TEST, async (t) => {
  const fake = await fakeDiscord(t);
  const adapter = adapterFor(t, fake, { stopTimeoutMs: 300 });
  await adapter.start(recorder().handlers);
  const [clientPort] = fake.gatewayClientPorts();
  const socket = connectedSockets.find((s) => s.localPort === clientPort && s.remotePort === fake.port);
  assert.ok(socket, "found the client's gateway socket");
  fake.freezeGateway();
  const started = Date.now();
  await adapter.stop();
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 2000, `took ${took} ms`);
  // The client's socket was dropped, not left to the ws library's 30 s close timeout.
  await until(() => socket.destroyed, "the client's gateway socket to be destroyed", 500);
});

test("no connection of this test file left the loopback interface", () => {
  assert.ok(connectTargets.length > 0);
  const outside = connectTargets.filter((host) => !["127.0.0.1", "localhost", "::1"].includes(host));
  assert.deepEqual(outside, []);
});
