// `cogwheel start --config postgres://…` / COGWHEEL_DATABASE_URL: the real CLI in console mode
// with its config in a real PostgreSQL (test/support/postgres.ts), shared by bots with their
// own data dirs; and the one-line errors, which never show the password.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, test, type TestContext } from "node:test";
import pino from "pino";
import { createApp } from "../../src/app/app.ts";
import { PostgresDriver } from "../../src/config/index.ts";
import { runCli, tempDir, type BotProcess } from "../support/cli.ts";
import { databaseName, startPostgres, type PostgresCluster } from "../support/postgres.ts";

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

const targetOf = (url: string): string => url.replace(`:${encodeURIComponent(cluster.password)}@`, "@");

async function coreGlobal(url: string): Promise<unknown> {
  const rows = await cluster.query<{ data: unknown }>("SELECT data FROM cogwheel_config WHERE namespace = 'Core' AND scope = 'global'", [], databaseName(url));
  return rows[0]?.data;
}

/** Everything the process printed, for the password check. */
const printed = (bot: BotProcess): string => `${bot.stdout.join("\n")}\n${bot.stderrText}`;

test("--config: the bot runs on PostgreSQL, names the store without the password, writes no JSON files", async (t) => {
  const url = await cluster.createDatabase();
  const data = tempDir(t);
  const bot = runCli(t, ["start", "--data-dir", data, "--config", url]);
  assert.deepEqual(await bot.say("!ping"), ["Pong."]);
  assert.deepEqual(await bot.say("!set prefix ?"), ["Prefixes set to ?"]);
  assert.deepEqual(await bot.say("?set name Robo"), ["Done. I am now Robo."]);
  assert.deepEqual(await coreGlobal(url), { prefixes: ["?"], name: "Robo" });
  assert.deepEqual(await bot.say("?load economy"), ["Loaded economy."]);
  const line = bot.logs.find((l) => l.store !== undefined);
  assert.deepEqual([line?.store, line?.database, line?.msg], ["postgres", targetOf(url), `config store: PostgreSQL ${targetOf(url)}, shared with every bot on it`]);
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
  // A clean stop warns about nothing (packages unloading while the store closes included).
  assert.deepEqual(bot.logs.filter((l) => (l.level as number) >= 40).map((l) => l.msg), []);
  // The data dir is still this bot's own (its lock lived there), but config is not.
  assert.equal(existsSync(join(data, "config")), false);
  assert.deepEqual(readdirSync(data), []);
  assert.ok(!printed(bot).includes(cluster.password));
});

test("COGWHEEL_DATABASE_URL: same store; a second bot with its own data dir shares the config; --config wins over it", async (t) => {
  const url = await cluster.createDatabase();
  const first = runCli(t, ["start", "--data-dir", tempDir(t)], { COGWHEEL_DATABASE_URL: url });
  assert.deepEqual(await first.say("!set prefix >"), ["Prefixes set to >"]);
  assert.deepEqual(await first.stop(), { code: 0, signal: null });
  assert.deepEqual(await coreGlobal(url), { prefixes: [">"] });

  // Another data dir, an environment naming a bad URL that the flag overrides: the prefix
  // set by the first bot is this one's too.
  const second = runCli(t, ["start", "--data-dir", tempDir(t), "--config", url], { COGWHEEL_DATABASE_URL: "mysql://nope" });
  assert.deepEqual(await second.say(">ping"), ["Pong."]);
  assert.deepEqual(await second.stop(), { code: 0, signal: null });
  assert.ok(!printed(first).includes(cluster.password) && !printed(second).includes(cluster.password));

  // Neither: JSON files in the data dir, as before, and the log line names the folder.
  const data = tempDir(t);
  const json = runCli(t, ["start", "--data-dir", data], { COGWHEEL_DATABASE_URL: "" });
  assert.deepEqual(await json.say("!set prefix +"), ["Prefixes set to +"]);
  assert.deepEqual(await json.stop(), { code: 0, signal: null });
  assert.ok(existsSync(join(data, "config", "Core.json")));
  const line = json.logs.find((l) => l.store !== undefined);
  assert.deepEqual([line?.store, line?.dir], ["json", join(data, "config")]);
});

/** Runs `cogwheel start` expecting a start-up failure: exit 1, the last stderr line is the one error line. */
async function failsWith(t: TestContext, args: string[], env: Record<string, string>, expected: RegExp): Promise<void> {
  const bot = runCli(t, ["start", "--data-dir", tempDir(t), ...args], { COGWHEEL_DATABASE_URL: "", ...env });
  const exit = await Promise.race([bot.exited, new Promise((r) => setTimeout(() => r("still running"), 15_000))]);
  assert.deepEqual(exit, { code: 1, signal: null }, `${args.join(" ")}\n${bot.stderrText}`);
  const lines = bot.stderrText.trimEnd().split("\n");
  assert.match(lines.at(-1)!, expected);
  assert.doesNotMatch(bot.stderrText, /^\s+at /m, "no stack trace");
  assert.ok(!printed(bot).includes(cluster.password) && !printed(bot).includes("hunter2"), "no password printed");
}

test("one-line errors: bad URL (flag, env, empty), refused, wrong password, no such database", async (t) => {
  const url = await cluster.createDatabase();
  const port = cluster.port;
  // Nothing listens on a port just freed.
  const free = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const p = (server.address() as { port: number }).port;
      server.close(() => resolve(p));
    });
  });
  // Independent processes: run together, each checked on its own.
  await Promise.all([
    failsWith(t, ["--config", "mysql://root:hunter2@localhost/db"], {}, /^cogwheel: --config: PostgreSQL URL must start with postgres:\/\/ or postgresql:\/\/ \(not mysql:\/\/\)$/),
    failsWith(t, [], { COGWHEEL_DATABASE_URL: "postgres://u:hunter2@host" }, /^cogwheel: COGWHEEL_DATABASE_URL: PostgreSQL URL postgres:\/\/u@host must name one database, as in postgres:\/\/host\/cogwheel$/),
    failsWith(t, ["--config", " "], {}, /^cogwheel: --config must not be empty$/),
    failsWith(t, ["--config", `postgresql://cogwheel:hunter2@127.0.0.1:${free}/db`], {}, new RegExp(`^cogwheel: Cannot connect to PostgreSQL postgresql://cogwheel@127\\.0\\.0\\.1:${free}/db: connect ECONNREFUSED 127\\.0\\.0\\.1:${free}$`)),
    failsWith(t, ["--config", cluster.urlOf(databaseName(url), "hunter2")], {}, new RegExp(`^cogwheel: Cannot connect to PostgreSQL postgres://cogwheel@127\\.0\\.0\\.1:${port}/${databaseName(url)}: password authentication failed for user "cogwheel" \\(SQLSTATE 28P01\\)$`)),
    failsWith(t, ["--config", cluster.urlOf("no_such_db")], {}, new RegExp(`^cogwheel: Cannot connect to PostgreSQL postgres://cogwheel@127\\.0\\.0\\.1:${port}/no_such_db: database "no_such_db" does not exist \\(SQLSTATE 3D000\\)$`)),
  ]);
});

test("one-line errors: a role without CREATE on the schema or without write privileges, a database with synchronous_commit off", async (t) => {
  const url = await cluster.createDatabase();
  const db = databaseName(url);
  // PostgreSQL 15+ gives ordinary roles no CREATE on schema public; said explicitly for older ones.
  await cluster.query("CREATE ROLE limited LOGIN PASSWORD 'limited-pw'");
  t.after(async () => {
    await cluster.query("DROP OWNED BY limited", [], db); // its grants, below
    await cluster.query("DROP ROLE limited");
  });
  await cluster.query("REVOKE CREATE ON SCHEMA public FROM PUBLIC", [], db);
  const limited = `postgres://limited:limited-pw@127.0.0.1:${cluster.port}/${db}`;
  await failsWith(t, ["--config", limited], {}, new RegExp(`^cogwheel: Cannot set up the config schema on PostgreSQL postgres://limited@127\\.0\\.0\\.1:${cluster.port}/${db}: permission denied for schema public \\(SQLSTATE 42501\\)$`));

  // The schema exists (set up by an owner) but the role may only read it: refused at start,
  // naming what is missing, not at a user's first change.
  await (await PostgresDriver.open({ url })).close();
  await cluster.query("GRANT SELECT ON cogwheel_config, cogwheel_meta TO limited", [], db);
  await failsWith(t, ["--config", limited], {}, new RegExp(`^cogwheel: PostgreSQL postgres://limited@127\\.0\\.0\\.1:${cluster.port}/${db}: the role lacks INSERT on cogwheel_config, UPDATE on cogwheel_config, DELETE on cogwheel_config, USAGE or UPDATE on cogwheel_config_version; grant them \\(see docs/postgres\\.md\\) so that config changes can be stored$`));

  const lax = await cluster.createDatabase();
  await cluster.query(`ALTER DATABASE "${databaseName(lax)}" SET synchronous_commit = off`);
  await failsWith(t, ["--config", lax], {}, new RegExp(`^cogwheel: PostgreSQL ${targetOf(lax).replace(/\./g, "\\.")} has synchronous_commit=off, so acknowledged config writes could be lost in a crash; `));
});

test("a start that fails after the database was opened (RPC port in use) closes its connections and exits", async (t) => {
  const url = await cluster.createDatabase();
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const connections = async (): Promise<number> =>
    Number((await cluster.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1", [databaseName(url)]))[0]!.n);

  // In process, through the App: start() rejects and leaves no connection open behind it.
  const app = createApp({ dataDir: tempDir(t), configUrl: url, logger: pino({ level: "silent" }), rpc: { enabled: true, port } });
  await assert.rejects(app.start(), (e: Error & { code?: string }) => {
    assert.equal(e.code, "ERR_APP_START");
    assert.match(e.message, /port/);
    return true;
  });
  let open = -1;
  const deadline = Date.now() + 3000;
  while ((open = await connections()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(open, 0, "every connection of the failed start was closed");

  // Assembling the bot fails after the store opened (a bad deadline is only checked by the Bot).
  const broken = createApp({ dataDir: tempDir(t), configUrl: url, logger: pino({ level: "silent" }), deadlines: { bogus: 1 } as never });
  await assert.rejects(broken.start(), /unknown deadline "bogus"/);
  while ((open = await connections()) !== 0 && Date.now() < deadline + 3000) await new Promise((r) => setTimeout(r, 50));
  assert.equal(open, 0, "the store opened for the bot that could not be assembled was closed");

  // Through the CLI: one line, exit 1.
  await failsWith(t, ["--config", url, "--rpc", "--rpc-port", String(port)], {}, /^cogwheel: .*port.*in use/i);
});
