/**
 * A loopback stand-in for Discord: the REST routes discord.js calls and a WebSocket gateway
 * speaking the real v10 protocol with JSON encoding (no compression). Listens on 127.0.0.1,
 * port 0. Records every REST request and every gateway payload, in both directions, so tests
 * can assert on exactly what discord.js sent. Its guilds, users and ids are in
 * fake-discord-guilds.ts.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import {
  guildCreatePayload,
  guildFixtures,
  guildPayload,
  IDS,
  INTENT,
  memberPayload,
  rawUsers,
  type GuildFixture,
  type RawUser,
} from "./fake-discord-guilds.ts";

export { IDS } from "./fake-discord-guilds.ts";

export interface RecordedRequest {
  readonly method: string;
  /** Path including the `/api/v10` prefix, without the query string, percent-escapes decoded. */
  readonly path: string;
  readonly query: string;
  readonly authorization: string | null;
  readonly body: unknown;
  readonly status: number;
}

export interface GatewayPayload {
  readonly op: number;
  readonly d: unknown;
  readonly s?: number | null;
  readonly t?: string | null;
}

export interface RecordedFrame {
  /** "in": sent by the client to the stand-in; "out": sent by the stand-in. */
  readonly dir: "in" | "out";
  readonly connection: number;
  readonly payload: GatewayPayload;
}

export interface RecordedClose {
  readonly connection: number;
  readonly code: number;
  readonly reason: string;
  /** Who started the close: the client, or the stand-in (tests calling `dropConnections`). */
  readonly by: "client" | "server";
}

export interface FakeDiscordOptions {
  /** The only token accepted (`Authorization: Bot <token>`, IDENTIFY `d.token`). */
  token?: string;
  /** Heartbeat interval announced in HELLO, in ms. */
  heartbeatIntervalMs?: number;
  /** Who owns the application: one user (default) or a team. */
  owner?: "user" | "team";
  /** Intents bits the "developer portal" allows; IDENTIFY asking for more closes with 4014. */
  allowedIntents?: number;
  /** Echo a MESSAGE_CREATE over the gateway for each message the bot posts (Discord does). */
  echoOwnMessages?: boolean;
}

interface Connection {
  readonly id: number;
  readonly ws: WebSocket;
  identified: boolean;
  seq: number;
  /** The intents of its IDENTIFY (what Discord sends it depends on them). */
  intents: number;
}

/** A REST answer the stand-in never sends (a stalled Discord). */
const STALL = Symbol("stall");

const INTENT_ALL = (1 << 26) - 1;

const UNKNOWN_GUILD = { message: "Unknown Guild", code: 10004 };

/** Discord's 400 for one bad field. */
function invalidFormBody(field: string, code: string, message: string): unknown {
  return { message: "Invalid Form Body", code: 50035, errors: { [field]: { _errors: [{ code, message }] } } };
}

/**
 * The avatar hash Discord would store for a PATCH /users/@me `avatar`: null resets it; a PNG,
 * JPEG or GIF data URI gets a hash (`a_…` for a GIF); anything else is undefined (refused).
 */
function avatarHash(avatar: unknown): string | null | undefined {
  if (avatar === null) return null;
  if (typeof avatar !== "string") return undefined;
  const match = avatar.match(/^data:image\/(png|jpeg|gif);base64,([A-Za-z0-9+/=]+)$/);
  if (!match) return undefined;
  const hash = createHash("md5").update(match[2]!).digest("hex");
  return match[1] === "gif" ? `a_${hash}` : hash;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class FakeDiscord {
  readonly requests: RecordedRequest[] = [];
  readonly frames: RecordedFrame[] = [];
  readonly closes: RecordedClose[] = [];
  /** The URL (path and query) of every gateway connection, in order. */
  readonly connectionUrls: string[] = [];
  /** Application owner, switchable by tests. */
  owner: "user" | "team";
  /** The bot user as it currently is (PATCH /users/@me changes it). */
  readonly botUser: RawUser & { bot: true; verified: boolean; mfa_enabled: boolean } = {
    id: IDS.bot,
    username: "Cogwheel",
    discriminator: "0",
    global_name: null,
    avatar: null,
    bot: true,
    flags: 0,
    verified: true,
    mfa_enabled: false,
  };

  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #token: string;
  readonly #heartbeatIntervalMs: number;
  readonly #allowedIntents: number;
  readonly #echoOwnMessages: boolean;
  readonly #connections = new Map<number, Connection>();
  readonly #sockets = new Set<Socket>();
  #nextConnection = 1;
  #nextMessageId = 1n;
  #sessionCounter = 0;
  #closed = false;
  #listeners = new Set<() => void>();
  /** Every guild the stand-in knows, and those the bot is in. */
  readonly #guilds: Map<string, GuildFixture> = guildFixtures();
  readonly #joined = new Set<string>([IDS.guild]);
  /** While true, GET /guilds/:id/members/:user is never answered (a stalled Discord). */
  stallMemberLookups = false;

  private constructor(server: Server, options: FakeDiscordOptions) {
    this.#server = server;
    this.#token = options.token ?? "fake.bot.token";
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1000;
    this.#allowedIntents = options.allowedIntents ?? INTENT_ALL;
    this.#echoOwnMessages = options.echoOwnMessages ?? true;
    this.owner = options.owner ?? "user";
    this.#wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    server.on("request", (req, res) => void this.#onRequest(req, res));
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    server.on("upgrade", (req, socket, head) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname !== "/gateway") {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, url));
    });
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const server = createServer();
    const fake = new FakeDiscord(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    fake.#port = (server.address() as AddressInfo).port;
    return fake;
  }

  get token(): string {
    return this.#token;
  }

  #port = 0;

  /** The listening port (kept after close, so a test can aim at a closed port). */
  get port(): number {
    return this.#port;
  }

  /** What to pass as discord.js `rest.api` (it appends `/v10/...`). */
  get restApiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  /** Gateway connections currently open. */
  get openConnections(): number {
    return this.#connections.size;
  }

  /** Frames of one direction and opcode (and dispatch name, for op 0). */
  framesOf(dir: "in" | "out", op: number, t?: string): RecordedFrame[] {
    return this.frames.filter(
      (f) => f.dir === dir && f.payload.op === op && (t === undefined || f.payload.t === t),
    );
  }

  /** Resolves once `check` returns a truthy value (re-checked on every recorded event). */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 3000, what = "condition"): Promise<T> {
    return new Promise((resolve, reject) => {
      const first = check();
      if (first) return resolve(first);
      const listener = (): void => {
        const value = check();
        if (value) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake-discord: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      this.#listeners.add(listener);
    });
  }

  /** Sends a dispatch (op 0) to every identified connection. */
  dispatch(t: string, d: unknown): void {
    for (const conn of this.#connections.values()) {
      if (conn.identified) this.#send(conn, { op: 0, t, s: ++conn.seq, d });
    }
  }

  /** Builds a realistic MESSAGE_CREATE payload and dispatches it. Returns the payload. */
  injectMessage(input: {
    content: string;
    authorId?: string;
    username?: string;
    channelId?: string;
    guildId?: string | null;
    bot?: boolean;
  }): Record<string, unknown> {
    const guildId = input.guildId === undefined ? IDS.guild : input.guildId;
    const author = {
      id: input.authorId ?? IDS.member,
      username: input.username ?? "alice",
      discriminator: "0",
      global_name: input.username === undefined ? "Alice" : null,
      avatar: null,
      ...(input.bot ? { bot: true } : {}),
    };
    const d: Record<string, unknown> = {
      id: this.#messageId(),
      type: 0,
      channel_id: input.channelId ?? (guildId ? IDS.channel : IDS.dmChannel),
      author,
      content: input.content,
      timestamp: iso(Date.now()),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      flags: 0,
      components: [],
    };
    if (!guildId) d.channel_type = 1; // DM: lets discord.js build the (uncached) DM channel
    if (guildId) {
      d.guild_id = guildId;
      // The author's member as the guild knows it (roles, nickname); a stranger has none.
      const known = this.#guilds.get(guildId)?.members.find((m) => m.userId === author.id);
      d.member = { roles: [...(known?.roles ?? [])], nick: known?.nick ?? null, joined_at: iso(Date.UTC(2024, 0, 1)), deaf: false, mute: false, flags: 0 };
    }
    this.dispatch("MESSAGE_CREATE", d);
    return d;
  }

  /** Closes every gateway connection from the server side with `code` (a Discord outage). */
  dropConnections(code = 4000, reason = "test drop"): void {
    for (const conn of this.#connections.values()) this.#closeWith(conn, code, reason);
  }

  /** The client-side (local) ports of the open gateway connections. */
  gatewayClientPorts(): number[] {
    return [...this.#connections.values()].map(
      (conn) => (conn.ws as unknown as { _socket: Socket })._socket.remotePort!,
    );
  }

  /**
   * Stops reading from every gateway socket, so a close frame from the client is never
   * answered (a peer that went silent).
   */
  freezeGateway(): void {
    for (const conn of this.#connections.values()) {
      const raw = (conn.ws as unknown as { _socket?: Socket })._socket;
      raw?.pause();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of this.#connections.values()) conn.ws.terminate();
    this.#connections.clear();
    for (const socket of this.#sockets) socket.destroy();
    this.#wss.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ---- REST -------------------------------------------------------------------------------

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown = null;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const authorization = req.headers.authorization ?? null;
    // discord.js escapes `@me` in some routes (`members/%40me`); Discord reads both alike.
    const path = decodeURIComponent(url.pathname);
    const answer = this.#route(method, path, authorization, body);
    if (answer === STALL) {
      // Recorded with status 0, never answered; close() drops the socket.
      this.requests.push({ method, path, query: url.search, authorization, body, status: 0 });
      this.#notify();
      return;
    }
    const [status, payload] = answer;
    this.requests.push({ method, path, query: url.search, authorization, body, status });
    const text = status === 204 ? "" : JSON.stringify(payload);
    // A 204 has no body, hence no content type (discord.js would try to parse one).
    res.writeHead(status, status === 204 ? {} : { "content-type": "application/json" });
    res.end(text);
    this.#notify();
  }

  #route(method: string, path: string, authorization: string | null, body: unknown): [number, unknown] | typeof STALL {
    if (authorization !== `Bot ${this.#token}`) {
      return [401, { message: "401: Unauthorized", code: 0 }];
    }
    const m = (re: RegExp): RegExpMatchArray | null => path.match(re);
    let match: RegExpMatchArray | null;
    if (method === "GET" && path === "/api/v10/gateway/bot") {
      return [
        200,
        {
          url: this.gatewayUrl,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
        },
      ];
    }
    if (method === "GET" && (path === "/api/v10/applications/@me" || path === "/api/v10/oauth2/applications/@me")) {
      return [200, this.#application()];
    }
    if (method === "PATCH" && path === "/api/v10/users/@me") {
      const fields = (body ?? {}) as { username?: unknown; avatar?: unknown };
      if ("avatar" in fields) {
        const avatar = avatarHash(fields.avatar);
        if (avatar === undefined) return [400, invalidFormBody("avatar", "IMAGE_INVALID", "Invalid image data")];
        this.botUser.avatar = avatar;
        if (fields.username === undefined) return [200, { ...this.botUser }];
      }
      const username = fields.username;
      if (typeof username !== "string" || username.length < 2 || username.length > 32) {
        return [
          400,
          {
            message: "Invalid Form Body",
            code: 50035,
            errors: {
              username: {
                _errors: [{ code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 2 and 32 in length." }],
              },
            },
          },
        ];
      }
      this.botUser.username = username;
      return [200, { ...this.botUser }];
    }
    if (method === "GET" && path === "/api/v10/users/@me") return [200, { ...this.botUser }];
    if (method === "GET" && (match = m(/^\/api\/v10\/users\/(\d+)$/))) {
      const user = this.#users().find((u) => u.id === match![1]);
      return user ? [200, user] : [404, { message: "Unknown User", code: 10013 }];
    }
    if (method === "GET" && (match = m(/^\/api\/v10\/guilds\/(\d+)$/))) {
      const guild = this.#joinedGuild(match[1]!);
      if (!guild) return [404, UNKNOWN_GUILD];
      const online = guild.members.filter((member) => member.status !== undefined).length;
      return [200, { ...guildPayload(guild), approximate_member_count: guild.members.length, approximate_presence_count: online }];
    }
    const guildRoute = this.#guildRoute(method, path, body);
    if (guildRoute !== null) return guildRoute;
    if (method === "POST" && (match = m(/^\/api\/v10\/channels\/(\d+)\/messages$/))) {
      const channelId = match[1]!;
      if (channelId !== IDS.channel && channelId !== IDS.dmChannel) {
        return [404, { message: "Unknown Channel", code: 10003 }];
      }
      const content = (body as { content?: unknown } | null)?.content;
      if (typeof content !== "string" || content.length === 0) {
        return [400, { message: "Cannot send an empty message", code: 50006 }];
      }
      if (content.length > 2000) {
        return [
          400,
          {
            message: "Invalid Form Body",
            code: 50035,
            errors: {
              content: {
                _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }],
              },
            },
          },
        ];
      }
      const message = {
        id: this.#messageId(),
        type: 0,
        channel_id: channelId,
        author: { ...this.botUser },
        content,
        timestamp: iso(Date.now()),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: [],
        pinned: false,
        flags: 0,
        components: [],
      };
      if (this.#echoOwnMessages) {
        const echo: Record<string, unknown> = { ...message };
        if (channelId === IDS.channel) echo.guild_id = IDS.guild;
        setImmediate(() => this.dispatch("MESSAGE_CREATE", echo));
      }
      return [200, message];
    }
    return [404, { message: "404: Not Found", code: 0 }];
  }

  /** The bot joins the second guild (IDS.guild2): Discord sends GUILD_CREATE. */
  addGuild(): void {
    this.#joined.add(IDS.guild2);
    for (const conn of this.#connections.values()) {
      if (conn.identified) this.#send(conn, { op: 0, t: "GUILD_CREATE", s: ++conn.seq, d: this.#guildCreate(IDS.guild2, conn) });
    }
  }

  /** The bot's nickname in a guild, as the stand-in keeps it. */
  botNickname(guildId: string): string | null | undefined {
    return this.#guilds.get(guildId)?.members.find((m) => m.userId === IDS.bot)?.nick;
  }

  #joinedGuild(guildId: string): GuildFixture | undefined {
    return this.#joined.has(guildId) ? this.#guilds.get(guildId) : undefined;
  }

  #guildCreate(guildId: string, conn: Connection): Record<string, unknown> {
    return guildCreatePayload(this.#guilds.get(guildId)!, this.#users(), conn.intents);
  }

  /** Member look-up, leaving, and the bot's nickname: the routes under a guild. */
  #guildRoute(method: string, path: string, body: unknown): [number, unknown] | typeof STALL | null {
    let match = path.match(/^\/api\/v10\/guilds\/(\d+)\/members\/(\d+|@me)$/);
    if (match) {
      const guild = this.#joinedGuild(match[1]!);
      if (method === "GET" && match[2] !== "@me") {
        if (this.stallMemberLookups) return STALL;
        if (!guild) return [404, UNKNOWN_GUILD];
        const member = guild.members.find((m) => m.userId === match![2]);
        if (!member) return [404, { message: "Unknown Member", code: 10007 }];
        return [200, memberPayload(guild, member, this.#user(member.userId))];
      }
      if (method === "PATCH" && match[2] === "@me") {
        if (!guild) return [404, UNKNOWN_GUILD];
        const nick = (body as { nick?: unknown } | null)?.nick;
        if (nick !== null && nick !== undefined && (typeof nick !== "string" || nick.length > 32)) {
          return [400, invalidFormBody("nick", "BASE_TYPE_MAX_LENGTH", "Must be 32 or fewer in length.")];
        }
        const me = guild.members.find((m) => m.userId === IDS.bot)!;
        if (nick !== undefined) me.nick = nick === "" ? null : nick;
        const payload = memberPayload(guild, me, this.#user(IDS.bot));
        // A member update is an event of the (privileged) GuildMembers intent.
        for (const conn of this.#connections.values()) {
          if (conn.identified && conn.intents & INTENT.guildMembers) {
            this.#send(conn, { op: 0, t: "GUILD_MEMBER_UPDATE", s: ++conn.seq, d: { ...payload, guild_id: guild.id } });
          }
        }
        return [200, payload];
      }
    }
    match = path.match(/^\/api\/v10\/users\/@me\/guilds\/(\d+)$/);
    if (match && method === "DELETE") {
      const guildId = match[1]!;
      if (!this.#joined.delete(guildId)) return [404, UNKNOWN_GUILD];
      setImmediate(() => this.dispatch("GUILD_DELETE", { id: guildId }));
      return [204, null];
    }
    return null;
  }

  #users(): RawUser[] {
    return rawUsers(this.botUser);
  }

  #user(id: string) {
    return this.#users().find((u) => u.id === id)!;
  }

  #application() {
    const base = {
      id: IDS.bot,
      name: "Cogwheel",
      icon: null,
      description: "A bot made of cogs.",
      summary: "",
      type: null,
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: "0".repeat(64),
      flags: 0,
      bot: { ...this.botUser },
    };
    if (this.owner === "user") return { ...base, owner: this.#user(IDS.owner), team: null };
    const member = (id: string, state: number, role: string) => ({
      membership_state: state,
      team_id: IDS.team,
      user: this.#user(id),
      permissions: ["*"],
      role,
    });
    return {
      ...base,
      // Discord sends a pseudo-user for team-owned applications; the team is what counts.
      owner: { id: IDS.team, username: "team1100000000000000050", discriminator: "0", avatar: null, flags: 1024 },
      team: {
        id: IDS.team,
        name: "Cog Team",
        icon: null,
        owner_user_id: IDS.teamOwner,
        members: [
          member(IDS.teamOwner, 2, "admin"),
          member(IDS.teamMember, 2, "developer"),
          member(IDS.teamInvited, 1, "read_only"),
        ],
      },
    };
  }

  #messageId(): string {
    return String(1200000000000000000n + this.#nextMessageId++);
  }

  // ---- Gateway ----------------------------------------------------------------------------

  #onConnection(ws: WebSocket, url: URL): void {
    const conn: Connection = { id: this.#nextConnection++, ws, identified: false, seq: 0, intents: 0 };
    this.connectionUrls.push(url.pathname + url.search);
    this.#connections.set(conn.id, conn);
    if (url.searchParams.get("v") !== "10" || url.searchParams.get("encoding") !== "json") {
      this.#closeWith(conn, 4012, "Invalid API version");
      return;
    }
    ws.on("message", (data, isBinary) => {
      let payload: GatewayPayload;
      try {
        if (isBinary) throw new Error("binary");
        payload = JSON.parse(String(data)) as GatewayPayload;
      } catch {
        this.#closeWith(conn, 4002, "Error while decoding payload.");
        return;
      }
      this.frames.push({ dir: "in", connection: conn.id, payload });
      this.#onPayload(conn, payload);
      this.#notify();
    });
    ws.on("close", (code, reason) => {
      if (this.#connections.delete(conn.id)) {
        this.closes.push({ connection: conn.id, code, reason: reason.toString(), by: "client" });
      }
      this.#notify();
    });
    ws.on("error", () => {});
    this.#send(conn, { op: 10, d: { heartbeat_interval: this.#heartbeatIntervalMs }, s: null, t: null });
  }

  #onPayload(conn: Connection, payload: GatewayPayload): void {
    switch (payload.op) {
      case 1: // HEARTBEAT
        this.#send(conn, { op: 11, d: null, s: null, t: null });
        return;
      case 2: {
        // IDENTIFY
        const d = payload.d as { token?: string; intents?: number };
        if (conn.identified) {
          this.#closeWith(conn, 4005, "Already authenticated.");
          return;
        }
        if (d.token !== this.#token) {
          this.#closeWith(conn, 4004, "Authentication failed.");
          return;
        }
        if (typeof d.intents !== "number" || (d.intents & ~this.#allowedIntents) !== 0) {
          this.#closeWith(conn, 4014, "Disallowed intent(s).");
          return;
        }
        conn.identified = true;
        const sessionId = `session-${++this.#sessionCounter}`;
        this.#send(conn, {
          op: 0,
          t: "READY",
          s: ++conn.seq,
          d: {
            v: 10,
            user: { ...this.botUser },
            guilds: [...this.#joined].map((id) => ({ id, unavailable: true })),
            session_id: sessionId,
            resume_gateway_url: this.gatewayUrl,
            shard: [0, 1],
            application: { id: IDS.bot, flags: 0 },
            user_settings: {},
            private_channels: [],
            relationships: [],
            presences: [],
            guild_join_requests: [],
            geo_ordered_rtc_regions: [],
            _trace: ["fake-discord"],
          },
        });
        conn.intents = d.intents;
        for (const guildId of this.#joined) this.#send(conn, { op: 0, t: "GUILD_CREATE", s: ++conn.seq, d: this.#guildCreate(guildId, conn) });
        return;
      }
      case 6: {
        // RESUME
        const d = payload.d as { token?: string; session_id?: string; seq?: number };
        if (d.token !== this.#token) {
          this.#closeWith(conn, 4004, "Authentication failed.");
          return;
        }
        conn.identified = true;
        conn.seq = typeof d.seq === "number" ? d.seq : 0;
        this.#send(conn, { op: 0, t: "RESUMED", s: ++conn.seq, d: { _trace: ["fake-discord"] } });
        return;
      }
      default:
        // Presence/voice updates and the like are recorded but have no effect here.
        return;
    }
  }

  /** Closes a connection from the stand-in's side, as Discord does on protocol errors. */
  #closeWith(conn: Connection, code: number, reason: string): void {
    this.closes.push({ connection: conn.id, code, reason, by: "server" });
    this.#connections.delete(conn.id);
    conn.ws.close(code, reason);
    this.#notify();
  }

  #send(conn: Connection, payload: GatewayPayload): void {
    this.frames.push({ dir: "out", connection: conn.id, payload });
    conn.ws.send(JSON.stringify(payload));
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
