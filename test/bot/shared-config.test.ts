// Two bots on one PostgreSQL config (real server): what one bot's owner sets, the other bot
// uses, without a restart; and a package's change listener ends with the package.
import assert from "node:assert/strict";
import { after, before, test, type TestContext } from "node:test";
import pg from "pg";
import { createBot } from "../../src/app/create-bot.ts";
import type { Bot } from "../../src/bot/bot.ts";
import { GuildSettingsStore } from "../../src/bot/guild-settings.ts";
import { coreConfig } from "../../src/bot/settings.ts";
import { openConfigStore, PostgresDriver, type ConfigChange } from "../../src/config/index.ts";
import { wrapDriver } from "../support/config.ts";
import { COGS, dataDir, fakeAdapter } from "../support/bot.ts";
import { startPostgres, type PostgresCluster } from "../support/postgres.ts";
import { recordingLogger } from "../support/rpc.ts";
import { eventually } from "../support/wait.ts";

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

async function bot(t: TestContext, configUrl: string): Promise<Bot> {
  const created = await createBot({ dataDir: dataDir(), configUrl, adapter: fakeAdapter(), logger: recordingLogger(), bundledCogPath: COGS });
  t.after(() => created.stop());
  await created.start({ listenRpc: false });
  return created;
}

/** Waits until a check holds; fails after 1 s (the bound). */
const within1s = (check: () => boolean, what: string): Promise<void> => eventually(check, 1000, what);

test("the name, prefixes, description and guild settings one bot sets are used by the other within 1 s", async (t) => {
  const url = await cluster.createDatabase();
  const a = await bot(t, url);
  const b = await bot(t, url);
  const statusChanges: string[] = [];
  const listening = b.events.on("statusChanged", () => {
    statusChanges.push(b.name);
  });
  t.after(() => listening.dispose());

  await a.setName("Shared");
  await a.setPrefixes(["?", "??"]);
  await a.setDescription("one config, two bots");
  await a.guildSettings.set("123", { prefixes: ["$"], modRoles: ["456"] });
  await within1s(() => b.name === "Shared", "b's name");
  await within1s(() => b.prefixes.join(" ") === "?? ?", "b's prefixes");
  await within1s(() => b.description === "one config, two bots", "b's description");
  await within1s(() => b.guildSettings.prefixesIn("123").join() === "$", "b's prefixes in guild 123");
  assert.deepEqual(b.guildSettings.cached("123").modRoles, ["456"]);
  assert.ok(statusChanges.includes("Shared"), "b told its listeners (the status topic) about the new name");

  await b.guildSettings.set("123", { prefixes: [] });
  await within1s(() => a.guildSettings.prefixesIn("123").join(" ") === "?? ?", "a back on the global prefixes in guild 123");
});

test("a package's onDidChange hears another process's change until the package is unloaded", async (t) => {
  const url = await cluster.createDatabase();
  const b = await bot(t, url);
  const writer = await openConfigStore({ buckets: await PostgresDriver.open({ url }) });
  t.after(() => writer.close());
  const theirs = writer.namespace("Pkg", { global: { n: 0 } });

  const scope = b.createScope("pkg");
  const heard: ConfigChange[] = [];
  scope.config("Pkg", { global: { n: 0 } }).onDidChange((change) => heard.push(change));
  await theirs.global().set("n", 1);
  await within1s(() => heard.length === 1, "the package's listener");
  assert.deepEqual(heard, [{ kind: "bucket", ref: { kind: "global" } }]);

  await scope.dispose();
  await theirs.global().set("n", 2);
  const control: ConfigChange[] = [];
  const still = b.config.namespace("Pkg", { global: { n: 0 } }).onDidChange((change) => control.push(change));
  t.after(() => still.dispose());
  await theirs.global().set("n", 3);
  await within1s(() => control.length >= 1, "a listener that is still registered"); // n = 2 may be heard too
  assert.equal(heard.length, 1, "the unloaded package's listener was not called again");
});

test("a bot's own guild setting stays in its memory when another bot changes another guild meanwhile", async (t) => {
  const url = await cluster.createDatabase();
  const a = await bot(t, url);
  const b = await bot(t, url);
  await a.guildSettings.set("111", { prefixes: ["old!"] });
  // Hold guild 111's row, so that a's next change waits in its commit for as long as we like.
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  t.after(() => locker.end());
  await locker.query("BEGIN");
  await locker.query("SELECT 1 FROM cogwheel_config WHERE namespace = 'Core' AND scope = 'guild' AND id1 = '111' FOR UPDATE");
  const pending = a.guildSettings.set("111", { prefixes: ["new!"] });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await b.guildSettings.set("222", { prefixes: ["b!"] }); // a hears of it and refreshes, mid-commit
  await within1s(() => a.guildSettings.prefixesIn("222").join() === "b!", "a to follow guild 222");
  await locker.query("COMMIT");
  assert.deepEqual((await pending).prefixes, ["new!"]);
  await new Promise((resolve) => setTimeout(resolve, 200)); // any late refresh lands
  assert.deepEqual(a.guildSettings.prefixesIn("111"), ["new!"], "the message handler uses a's own new prefix");
  await within1s(() => b.guildSettings.prefixesIn("111").join() === "new!", "b to follow guild 111");
});

test("unloading a package this bot does not run leaves it remembered for the bot that runs it", async (t) => {
  const url = await cluster.createDatabase();
  const a = await bot(t, url);
  const b = await bot(t, url);
  const remembered = (): Promise<string[]> => a.config.namespace("Core", { global: { packages: [] as string[] } }).global().get("packages");
  assert.deepEqual((await b.packages.load(["general"])).loaded_packages, ["general"]);
  let seen: string[] = [];
  await within1s(() => (void remembered().then((list) => (seen = list)), seen.includes("general")), "a to see the remembered list");
  assert.deepEqual((await a.packages.unload(["general"])).notloaded_packages, ["general"]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(await remembered(), ["general"], "still remembered: b runs it, and the next bot started loads it");
  assert.deepEqual((await b.packages.unload(["general"])).unloaded_packages, ["general"]);
  await within1s(() => (void remembered().then((list) => (seen = list)), seen.length === 0), "b's unload to forget it");
});

test("a bot's mirror takes another bot's later change even when its own change's reply arrived after it", async (t) => {
  const url = await cluster.createDatabase();
  const b = await bot(t, url);
  // Bot a's Core, with commit replies that can be made late: its change is stored at once, but
  // a hears of b's later change before its own commit resolves.
  let slow = false;
  const driver = await PostgresDriver.open({ url });
  const store = await openConfigStore({
    buckets: wrapDriver(driver, {
      commit: async (namespace, reads, writes) => {
        const result = await driver.commit(namespace, reads, writes);
        if (slow) await new Promise((resolve) => setTimeout(resolve, 400));
        return result;
      },
    }),
  });
  t.after(() => store.close());
  const core = coreConfig(store);
  const mirror = new GuildSettingsStore(core, () => ["!"]);
  const following = core.onDidChange((change) => void mirror.refresh(change));
  t.after(() => following.dispose());
  await mirror.load();

  slow = true;
  const own = mirror.set("1", { prefixes: ["a!"] });
  await new Promise((resolve) => setTimeout(resolve, 150)); // a's change is stored; its reply is late
  await b.guildSettings.set("1", { modRoles: ["42"] });
  await own;
  slow = false;
  await within1s(() => mirror.cached("1").modRoles.join() === "42", "a's mirror to hold b's later change");
  assert.deepEqual(mirror.cached("1").prefixes, ["a!"]);
});
