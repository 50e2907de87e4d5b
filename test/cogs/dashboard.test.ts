/**
 * The bundled `dashboard` package, tier 1 and the stubs: loaded by the real loader into a real
 * bot (fake adapter, real config files), called over a real RPC socket as the AAA3A web app
 * (1.7.x) calls it (id 0, positional params), every field checked against RED-DASHBOARD.md.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_SIDENAV } from "../../cogs/dashboard/config.ts";
import { fakeAdapter, say } from "../support/bot.ts";
import { startDashboard, WEB_APP_METHODS } from "../support/dashboard.ts";

const FERNET = /^[A-Za-z0-9_-]{43}=$/;
/** An owner id beyond 2^53: a double would round it. */
const BIG_OWNER = "1234567890123456789";

test("the package registers every method the web app calls, under its four cog names, and DASHBOARD__SET_OAUTH", async (t) => {
  const { call } = await startDashboard(t);
  const methods: string[] = await call("GET_METHODS");
  const ours = methods.filter((m) => m.startsWith("DASHBOARD")).sort();
  assert.deepEqual(ours, [...WEB_APP_METHODS, "DASHBOARD__SET_OAUTH"].sort());
});

test("CHECK_VERSION is a constant non-zero version, the same after a reload", async (t) => {
  const { bot, call } = await startDashboard(t);
  assert.deepEqual(await call("DASHBOARDRPC__CHECK_VERSION"), { version: 1 });
  await bot.packages.reload(["dashboard"]);
  assert.deepEqual(await call("DASHBOARDRPC__CHECK_VERSION"), { version: 1 });
});

test("GET_DATA: core with Fernet keys made once and kept across restarts, AAA3A's meta and side-nav defaults", async (t) => {
  const first = await startDashboard(t);
  const data = await first.call("DASHBOARDRPC__GET_DATA");
  assert.deepEqual(Object.keys(data).sort(), ["core", "custom_pages", "disabled_third_parties", "ui"]);
  assert.deepEqual(Object.keys(data.core).sort(), ["allow_unsecure_http_requests", "blacklisted_ips", "jwt_secret_key", "redirect_uri", "secret", "secret_key"]);
  assert.match(data.core.secret_key, FERNET);
  assert.match(data.core.jwt_secret_key, FERNET);
  assert.equal(Buffer.from(data.core.secret_key, "base64url").length, 32);
  assert.notEqual(data.core.secret_key, data.core.jwt_secret_key);
  assert.equal(data.core.secret, null);
  assert.equal(data.core.redirect_uri, null);
  assert.equal(data.core.allow_unsecure_http_requests, false);
  assert.deepEqual(data.core.blacklisted_ips, []);
  assert.deepEqual(data.ui.meta, {
    title: "Cogwheel Dashboard",
    icon: "https://cdn.discordapp.com/avatars/999/0f0f0f0f.png",
    website_description: "Interactive Dashboard to control and interact with Cogwheel.",
    description: data.ui.meta.description,
    support_server: null,
    default_color: "success",
    default_background_theme: "white",
    default_sidenav_theme: "white",
  });
  assert.match(data.ui.meta.description, /Cogwheel/);
  assert.deepEqual(data.ui.sidenav, DEFAULT_SIDENAV);
  assert.equal(data.ui.sidenav.length, 8);
  assert.deepEqual(data.ui.sidenav[4], { pos: 5, name: "builtin-admin", icon: "ni ni-badge text-danger", route: "base_blueprint.admin", session: true, owner: true, locked: true, hidden: false });
  assert.deepEqual(data.disabled_third_parties, []);
  assert.deepEqual(data.custom_pages, []);
  const stored = JSON.parse(readFileSync(join(first.dir, "config", "Dashboard.json"), "utf8"));
  assert.equal(JSON.stringify(stored).includes(data.core.secret_key), true, "the key is kept in the package's config file");
  await first.bot.stop();

  const second = await startDashboard(t, { dir: first.dir });
  const again = await second.call("DASHBOARDRPC__GET_DATA");
  assert.equal(again.core.secret_key, data.core.secret_key);
  assert.equal(again.core.jwt_secret_key, data.core.jwt_secret_key);
});

test("GET_VARIABLES: bot, stats, constants, no third parties; owner ids exact integers beyond 2^53, Discord ids only", async (t) => {
  // "console" is an owner of another platform: not an int, so not listed (it can never log in).
  const { bot, call, raw } = await startDashboard(t, { owners: [BIG_OWNER, "console"] });
  const reply = await raw("DASHBOARDRPC__GET_VARIABLES", [true, ["0.0.0.0", 42356]]);
  const v = reply.result;
  assert.deepEqual(Object.keys(v).sort(), ["bot", "commands", "constants", "stats", "third_parties"]);
  assert.deepEqual(v.bot, {
    name: "Cogwheel",
    id: 999,
    application_id: 999,
    avatar: "https://cdn.discordapp.com/avatars/999/0f0f0f0f.png",
    default_avatar: "https://cdn.discordapp.com/embed/avatars/4.png",
    is_verified: false,
    info: null,
    profile_description: "A bot made of cogs.",
    prefixes: ["!"],
    owner_ids: [BigInt(BIG_OWNER), 100],
    owner: "alice",
    invite_url: null,
    invite_public: false,
    blacklisted_users: [],
  });
  assert.equal(typeof v.bot.owner_ids[0], "bigint", "an id beyond 2^53 is an exact integer on the wire");
  assert.deepEqual(v.stats, { guilds: 2, text: 6, voice: 2, categories: 2, users: 45, uptime: Math.floor(bot.startedAt.getTime() / 1000) });
  assert.deepEqual(v.constants, { MIN_PREFIX_LENGTH: 1, MAX_PREFIX_LENGTH: 25, MAX_DISCORD_PERMISSIONS_VALUE: 2 ** 51 - 1 });
  assert.deepEqual(v.third_parties, {});
  assert.deepEqual(v.commands, {}, "only_bot_variables: no commands, as AAA3A");
  const full = await call("DASHBOARDRPC__GET_VARIABLES", [false, ["0.0.0.0", 42356]]);
  assert.ok(Object.keys(full.commands).length > 0);
  // No third-party key on the wire either: the web app iterates it.
  assert.equal(JSON.stringify((await call("DASHBOARDRPC__GET_VARIABLES", [])).third_parties), "{}");
});

test("GET_VARIABLES commands: cogs sorted, groups with subs, privilege levels as Red names them", async (t) => {
  const { call } = await startDashboard(t);
  const { commands } = await call("DASHBOARDRPC__GET_VARIABLES", [false, ["127.0.0.1", 42356]]);
  assert.deepEqual(Object.keys(commands), Object.keys(commands).sort((a, b) => a.localeCompare(b)));
  for (const [name, cog] of Object.entries<any>(commands)) {
    assert.deepEqual(Object.keys(cog).sort(), ["author", "commands", "description", "name", "repo"]);
    assert.equal(cog.name, name);
    for (const command of cog.commands) {
      assert.deepEqual(Object.keys(command).sort(), ["aliases", "description", "name", "privilege_level", "short_description", "signature", "subs", "user_permissions"]);
      assert.ok(["NONE", "MOD", "ADMIN", "GUILD_OWNER", "BOT_OWNER"].includes(command.privilege_level), command.privilege_level);
      assert.equal(command.name.includes(" "), false, `${command.name} is top-level`);
    }
  }
  const dashboard = commands.Dashboard;
  assert.equal(dashboard.description, "Interact with the bot through Red-Dashboard, a web dashboard.");
  assert.deepEqual(dashboard.commands.map((c: any) => c.name), ["dashboard"]);
  const group = dashboard.commands[0];
  assert.equal(group.privilege_level, "BOT_OWNER");
  assert.deepEqual(group.subs.map((c: any) => c.name), ["dashboard http", "dashboard redirect", "dashboard secret", "dashboard settings"]);
  assert.deepEqual(group.subs[2], {
    name: "dashboard secret",
    signature: "<client secret>",
    short_description: "Sets the Discord OAuth client secret the web dashboard logs in with (owner only; in a DM).",
    description: "Sets the Discord OAuth client secret the web dashboard logs in with (owner only; in a DM).",
    aliases: [],
    privilege_level: "BOT_OWNER",
    user_permissions: null,
    subs: [],
  });
  const core = commands.Core.commands;
  const ping = core.find((c: any) => c.name === "ping");
  assert.equal(ping.privilege_level, "NONE");
  const set = core.find((c: any) => c.name === "set");
  assert.ok(set.subs.length > 1 && set.subs.every((s: any) => s.name.startsWith("set ")));
  assert.ok(set.subs.some((s: any) => s.privilege_level === "BOT_OWNER"));
  assert.ok(set.subs.some((s: any) => s.privilege_level !== "BOT_OWNER"), "per-guild set commands are not owner-only");
  const rank = ["NONE", "MOD", "ADMIN", "GUILD_OWNER", "BOT_OWNER"];
  assert.equal(set.privilege_level, rank[Math.min(...set.subs.map((s: any) => rank.indexOf(s.privilege_level)))], "a group takes its lowest sub's level");
});

test("every method answers {disconnected: true} until the adapter is connected, then a real answer", async (t) => {
  const inner = fakeAdapter();
  let ready = false;
  const adapter = { ...inner, status: () => (ready ? inner.status() : { connected: false, user: null }) };
  const { call } = await startDashboard(t, { adapter });
  const params: Record<string, unknown[]> = {
    DASHBOARDRPC__GET_VARIABLES: [true, ["0.0.0.0", 1]],
    DASHBOARDRPC__GET_USER_GUILDS: [100, null, null, null, null],
    DASHBOARDRPC__GET_GUILD: [100, "g1", false],
    DASHBOARDRPC__LEAVE_GUILD: [100, "g1"],
    DASHBOARDRPC__SET_GUILD_SETTINGS: [100, "g1", {}],
    DASHBOARDRPC__SET_BOT_PROFILE: [100, {}],
    DASHBOARDRPC__GET_DASHBOARD_SETTINGS: [100],
    DASHBOARDRPC__SET_DASHBOARD_SETTINGS: [100, {}],
    DASHBOARDRPC__GET_BOT_SETTINGS: [100],
    DASHBOARDRPC__SET_BOT_SETTINGS: [100, {}],
    DASHBOARDRPC__SET_CUSTOM_PAGES: [100, []],
    DASHBOARDRPC_DEFAULTCOGS__GET_ALIASES: [100, "g1"],
    DASHBOARDRPC_DEFAULTCOGS__SET_ALIASES: [100, "g1", {}],
    DASHBOARDRPC_DEFAULTCOGS__GET_CUSTOM_COMMANDS: [100, "g1"],
    DASHBOARDRPC_DEFAULTCOGS__SET_CUSTOM_COMMANDS: [100, "g1", {}],
    DASHBOARDRPC_THIRDPARTIES__DATA_RECEIVE: ["GET", "x", null, "http://h/x", ["a", "b"], "aw==", {}, {}, {}, {}, { form: {}, json: {} }, "en_US"],
    DASHBOARDRPC_THIRDPARTIES__OAUTH_RECEIVE: [100, { provider: "x" }],
    DASHBOARDRPC_WEBHOOKS__WEBHOOK_RECEIVE: [{ a: 1 }],
  };
  for (const method of WEB_APP_METHODS) assert.deepEqual(await call(method, params[method] ?? []), { disconnected: true }, method);
  ready = true;
  for (const method of WEB_APP_METHODS) {
    if (method.endsWith("LEAVE_GUILD")) continue;
    const answer = await call(method, params[method] ?? []);
    assert.equal(answer.disconnected, undefined, method);
    assert.ok(typeof answer === "object" && answer !== null && Object.keys(answer).length > 0, `${method}: ${JSON.stringify(answer)}`);
  }
});

test("an unexpected failure is logged and answered {status: 1, error}, never an RPC error", async (t) => {
  const inner = fakeAdapter();
  const adapter = { ...inner, stats: async () => Promise.reject(new Error("the cache is gone")) };
  const { call, logger } = await startDashboard(t, { adapter });
  assert.deepEqual(await call("DASHBOARDRPC__GET_VARIABLES", [false, ["0.0.0.0", 1]]), { status: 1, error: "the cache is gone" });
  const entry = logger.entries.find((e) => e.msg === "dashboard method failed");
  assert.equal(entry?.level, "error");
  assert.equal(entry?.obj.method, "GET_VARIABLES");
});

test("ids the web app cannot mean (too long, negative) get a not-found answer, not an RPC error", async (t) => {
  const { call, raw } = await startDashboard(t);
  assert.deepEqual(await call("DASHBOARDRPC__GET_GUILD", [100, BigInt("123456789012345678901234567890"), false]), { status: 1, error: "guild not found" });
  for (const guild of [-5, "not an id!"]) {
    assert.deepEqual(await call("DASHBOARDRPC__GET_GUILD", [100, guild, false]), { status: 1, error: "invalid user or guild id" });
  }
  // A fraction is no id in any language the web app is written in: the server's params check.
  assert.equal((await raw("DASHBOARDRPC__GET_GUILD", [100, 1.5, false])).error.code, -32602);
  assert.deepEqual(await call("DASHBOARDRPC__GET_USER_GUILDS", [-1, null, null, null, null]), {
    items: [],
    total: 0,
    per_page: 20,
    pages: 0,
    page: 0,
    default_per_page: 20,
    default_page: 1,
  });
  // A shape the web app never sends (a list as settings) is the server's params check.
  assert.equal((await raw("DASHBOARDRPC__SET_BOT_SETTINGS", [100, [1]])).error.code, -32602);
});

test("DEFAULTCOGS answer {status: 2}: the web app hides the alias and custom command forms", async (t) => {
  const { call } = await startDashboard(t);
  assert.equal((await call("DASHBOARDRPC_DEFAULTCOGS__GET_ALIASES", [100, "g1"])).status, 2);
  assert.equal((await call("DASHBOARDRPC_DEFAULTCOGS__GET_ALIASES", [100, null])).status, 2);
  assert.equal((await call("DASHBOARDRPC_DEFAULTCOGS__SET_ALIASES", [100, "g1", { a: "ping" }])).status, 2);
  assert.equal((await call("DASHBOARDRPC_DEFAULTCOGS__GET_CUSTOM_COMMANDS", [100, "g1"])).status, 2);
  assert.equal((await call("DASHBOARDRPC_DEFAULTCOGS__SET_CUSTOM_COMMANDS", [100, "g1", { hi: "hello" }])).status, 2);
});

test("THIRDPARTIES answer AAA3A's not-found (error_code 404) for any params the web app sends", async (t) => {
  const { call } = await startDashboard(t);
  const notFound = { status: 1, message: "Third party not found.", error_code: 404, error_message: "Looks like that third party doesn't exist... Strange..." };
  const context = { user_id: BigInt("987654321098765432"), guild_id: 1 };
  assert.deepEqual(
    await call("DASHBOARDRPC_THIRDPARTIES__DATA_RECEIVE", ["POST", "Economy", "page", "http://localhost/x", ["t1", "t2"], "a2V5", context, {}, {}, {}, { form: { a: ["1"] }, json: {} }, "fr_FR"]),
    notFound,
  );
  assert.deepEqual(await call("DASHBOARDRPC_THIRDPARTIES__OAUTH_RECEIVE", [100, { provider: "spotify", code: "c" }]), notFound);
});

test("WEBHOOK_RECEIVE emits webhookReceived with the payload as sent, and acknowledges", async (t) => {
  const { bot, call } = await startDashboard(t);
  const seen: unknown[] = [];
  const listener = bot.events.on("webhookReceived", (event) => void seen.push(event));
  t.after(() => listener.dispose());
  const payload = { event: "push", id: BigInt("123456789012345678901"), headers: { "X-Thing": "1" }, origin: null };
  assert.deepEqual(await call("DASHBOARDRPC_WEBHOOKS__WEBHOOK_RECEIVE", [payload]), { status: 0, message: "Webhook received." });
  assert.deepEqual(seen, [{ source: "dashboard", payload }]);
});

test("the owner is warned at load that, with no token auth, any local process can read the OAuth secret", async (t) => {
  const open = await startDashboard(t);
  const warning = open.logger.entries.find((e) => e.level === "warn" && /any local process can read the Discord OAuth client secret/.test(e.msg));
  assert.ok(warning, "warned with --rpc-auth none");
  const guarded = await startDashboard(t, { authToken: "s3cr3t-token-for-tests-0123456789" });
  assert.equal(guarded.logger.entries.some((e) => /any local process can read/.test(e.msg)), false, "no warning with token auth");
});

test("owner commands: secret refused in a guild channel, set in a DM, never shown; redirect checked; settings masked", async (t) => {
  const { bot, call } = await startDashboard(t);
  const inGuild = await say(bot, "!dashboard secret abcdef123456");
  assert.match(inGuild.join("\n"), /Not here/);
  assert.equal((await call("DASHBOARDRPC__GET_DATA")).core.secret, null);
  assert.deepEqual(await say(bot, "!dashboard secret abcdef123456", { guildId: null }), ["Discord OAuth client secret set."]);
  assert.equal((await call("DASHBOARDRPC__GET_DATA")).core.secret, "abcdef123456");
  assert.match((await say(bot, "!dashboard redirect ftp://x/callback", { guildId: null })).join(), /must be an http\(s\) URL ending in \/callback/);
  assert.deepEqual(await say(bot, "!dashboard redirect https://dash.example.com/callback"), ["Redirect URI set to https://dash.example.com/callback."]);
  assert.equal((await call("DASHBOARDRPC__GET_DATA")).core.redirect_uri, "https://dash.example.com/callback");
  assert.deepEqual(await say(bot, "!dashboard http on"), ["The dashboard will accept plain http requests. Restart the web app to apply it."]);
  assert.equal((await call("DASHBOARDRPC__GET_DATA")).core.allow_unsecure_http_requests, true);
  const settings = (await say(bot, "!dashboard settings")).join("\n");
  assert.match(settings, /OAuth client secret: set \(hidden\)/);
  assert.equal(settings.includes("abcdef123456"), false);
  assert.match(settings, /Redirect URI: https:\/\/dash\.example\.com\/callback/);
  assert.match(settings, /no token auth/);
  // Not an owner: the command is refused, nothing changes.
  await say(bot, "!dashboard redirect reset", { author: "300" });
  assert.equal((await call("DASHBOARDRPC__GET_DATA")).core.redirect_uri, "https://dash.example.com/callback");
});

test("DASHBOARD__SET_OAUTH sets the secret and redirect without echoing the secret; bad values are -32602", async (t) => {
  const { call, raw } = await startDashboard(t);
  assert.deepEqual(await call("DASHBOARD__SET_OAUTH", ["s3cret-value", "http://127.0.0.1:42356/callback"]), { secret_set: true, redirect_uri: "http://127.0.0.1:42356/callback" });
  assert.deepEqual(await call("DASHBOARD__SET_OAUTH", [null]), { secret_set: true, redirect_uri: "http://127.0.0.1:42356/callback" });
  assert.deepEqual(await call("DASHBOARD__SET_OAUTH", [null, null]), { secret_set: true, redirect_uri: null });
  const data = await call("DASHBOARDRPC__GET_DATA");
  assert.equal(data.core.secret, "s3cret-value");
  const bad = await raw("DASHBOARD__SET_OAUTH", ["two words"]);
  assert.equal(bad.error.code, -32602);
  assert.match(bad.error.data.reason, /one word/);
  assert.equal(JSON.stringify(bad).includes("two words"), false, "a refused secret is not echoed either");
  assert.equal((await raw("DASHBOARD__SET_OAUTH", ["ok", "https://x.example/login"])).error.code, -32602);
  assert.equal((await call("DASHBOARDRPC__GET_DATA")).core.secret, "s3cret-value", "a refused call changes nothing");
});
