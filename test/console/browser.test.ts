// The web console in real headless Chromium against a real bot (`cogwheel start --rpc`, port 0):
// the method list and its search, a call through a generated form (result, error, CLI line),
// topics, packages and status, each live. One browser for the file; each test has its own bot
// and its own browser context. The page must log no errors.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { browserForFile, openPage, PAGE_TIMEOUT_MS, type PageRecord } from "../support/browser.ts";
import { runCli } from "../support/cli.ts";
import {
  clickOn,
  countOf,
  isShown,
  shellWords,
  startConsoleBot,
  textOf,
  typeInto,
  waitForAttribute,
  waitForText,
  waitShown,
  type ConsoleBot,
} from "../support/console-page.ts";
import { connectTo } from "../support/rpc.ts";
import { writePackage, tempDir } from "../support/temp.ts";

// Used only inside page callbacks, which run in the page: the project's tsconfig has no DOM lib.
declare const document: { querySelectorAll(selector: string): Iterable<{ getAttribute(name: string): string | null }> };

const browser = browserForFile();

/** Starts a bot and opens its console, connected and listing CORE__NAME. */
async function openConsole(t: TestContext, extra: string[] = []): Promise<ConsoleBot & PageRecord> {
  const bot = await startConsoleBot(t, extra);
  const record = await openPage(t, browser());
  const response = await record.page.goto(bot.url);
  // 426 here means the bot found no built console (it logs a warning naming npm run build:console).
  assert.equal(response?.status(), 200, `GET / of the bot; its log:\n${bot.bot.stderrText}`);
  await waitForText(record.page, "#connection-state", /^connected$/);
  await waitShown(record.page, '[data-method="CORE__NAME"]');
  return { ...bot, ...record };
}

test("methods: the list is rpc.discover's, grouped by cog, and the search filters it as you type", async (t) => {
  const { page, port, errors } = await openConsole(t);
  const client = await connectTo(t, port);
  const discovered = (await client.call("rpc.discover")).result.methods.map((m: { name: string }) => m.name).sort();
  const listed = await page.$$eval("[data-method]", (elements) => elements.map((e) => e.getAttribute("data-method")));
  assert.deepEqual([...listed].sort(), discovered);
  assert.equal(await countOf(page, '[data-cog="Core"] [data-method="CORE__NAME"]'), 1, "CORE__NAME is under the Core cog");

  await typeInto(page, "#method-search", "prefix");
  await waitShown(page, '[data-method="CORE__PREFIXES"]');
  assert.equal(await isShown(page, '[data-method="CORE__NAME"]'), false, "CORE__NAME is filtered out by 'prefix'");
  assert.equal(await isShown(page, '[data-method="CORE__LOAD"]'), false);

  await typeInto(page, "#method-search", "core__na");
  await waitShown(page, '[data-method="CORE__NAME"]');
  assert.equal(await isShown(page, '[data-method="CORE__PREFIXES"]'), false);
  assert.deepEqual(errors, []);
});

test("CORE__NAME through its generated form: the new name in #call-result and, via CORE__STATUS, in #status-name; #call-cli runs as is", async (t) => {
  const { page, port, errors } = await openConsole(t);
  const client = await connectTo(t, port);
  const before = (await client.call("CORE__NAME")).result as string;
  assert.notEqual(before, "Console Bot");
  await waitForText(page, "#status-name", new RegExp(`^${before}$`));
  await clickOn(page, '[data-method="CORE__NAME"]');
  await typeInto(page, '#call-form [data-param="name"]', "Console Bot");
  const line = await waitForText(page, "#call-cli", "Console Bot");
  await clickOn(page, "#call-submit");
  await waitShown(page, "#call-result");
  assert.equal(JSON.parse(await textOf(page, "#call-result")), "Console Bot");
  await waitForText(page, "#status-name", /^Console Bot$/);

  // The CLI line is the same call: run it against this bot (its port added when the line has none).
  const words = shellWords(line);
  assert.deepEqual(words.slice(0, 2), ["cogwheel", "rpc"], line);
  const args = words.slice(1);
  if (!args.includes("--port") && !args.includes("--url")) args.splice(1, 0, "--port", String(port));
  assert.deepEqual(args.slice(-2, -1), ["CORE__NAME"], line);
  assert.deepEqual(JSON.parse(args.at(-1)!), { name: "Console Bot" }, line);
  assert.equal((await client.call("CORE__NAME", { name: "Other Name" })).result, "Other Name");
  const cli = runCli(t, args);
  assert.equal((await cli.exited).code, 0, cli.stderrText);
  assert.deepEqual(cli.stdout.map((l) => JSON.parse(l)), ["Console Bot"]);
  assert.equal((await client.call("CORE__NAME")).result, "Console Bot", "the line renamed the bot");
  assert.deepEqual(errors, []);
});

test("bad params: CORE__NAME with a one-character name shows #call-error with -32602, its message and its data", async (t) => {
  const { page, port, errors } = await openConsole(t);
  const client = await connectTo(t, port);
  const expected = (await client.call("CORE__NAME", { name: "x" })).error;
  assert.equal(expected.code, -32602);
  await clickOn(page, '[data-method="CORE__NAME"]');
  await typeInto(page, '#call-form [data-param="name"]', "x");
  await clickOn(page, "#call-submit");
  await waitShown(page, '#call-error[data-error-code="-32602"]');
  const shown = await textOf(page, "#call-error");
  assert.ok(shown.includes(expected.message), `the message ${expected.message} in ${shown}`);
  for (const error of expected.data.errors as Array<{ path: string; message: string }>) {
    assert.ok(shown.includes(error.path) && shown.includes(error.message), `the data ${JSON.stringify(error)} in ${shown}`);
  }
  assert.equal(await isShown(page, "#call-result"), false);
  assert.deepEqual(errors, []);
});

test("a generated form: nested object fields, a boolean, an enum, and integers beyond 2^53 and a snowflake as exact digits (handler, result and CLI line)", async (t) => {
  const cogs = tempDir(t);
  // Echoes what it got, with the types the handler saw.
  writePackage(cogs, "probe", { "index.js": `import { boolean, enumOf, integer, object, snowflake, string } from "cogwheel";
export async function setup(bot) {
  const cog = { name: "Probe" };
  await bot.addCog(cog);
  bot.registerRpcHandler(cog, (id, n, opts) => ({ id, n, opts, types: [typeof id, typeof n] }), {
    name: "echo",
    params: { id: snowflake(), n: integer({ minimum: 0 }), opts: object({ label: string(), loud: boolean(), mood: enumOf("calm", "busy") }) },
    doc: "Echoes its params.",
  });
}
` });
  const { page, port, errors } = await openConsole(t, ["--cog-path", cogs]);
  const client = await connectTo(t, port);
  assert.deepEqual((await client.call("CORE__LOAD", [["probe"]])).result.loaded_packages, ["probe"]);
  await waitShown(page, '[data-method="PROBE__ECHO"]'); // the list follows CORE__METHODS
  const id = "18446744073709551615"; // 2^64 - 1, the largest snowflake
  const n = "123456789012345678901"; // a float would make it 123456789012345680000

  await clickOn(page, '[data-method="PROBE__ECHO"]');
  await typeInto(page, '#call-form [data-param="id"]', id);
  await typeInto(page, '#call-form [data-param="opts.label"]', "hello");
  await clickOn(page, '#call-form [data-param="opts.loud"]');
  const busy = await page.$eval('#call-form [data-param="opts.mood"]', (select) =>
    [...select.querySelectorAll("option")].find((o) => o.textContent === '"busy"')?.getAttribute("value") ?? null);
  assert.ok(busy !== null, 'an option "busy" for the enum');
  await page.select('#call-form [data-param="opts.mood"]', busy);
  await typeInto(page, '#call-form [data-param="n"]', "-5");
  await clickOn(page, "#call-submit");
  await waitShown(page, '#call-error[data-error-code="-32602"]');
  await waitForText(page, "#call-error", "/n");

  await typeInto(page, '#call-form [data-param="n"]', n);
  const line = await waitForText(page, "#call-cli", n);
  const params = shellWords(line).at(-1)!;
  assert.match(params, new RegExp(`"n":${n}[,}]`), "n is sent as a JSON number with every digit");
  assert.ok(params.includes(`"id":"${id}"`) || params.includes(`"id":${id}`), params);
  await clickOn(page, "#call-submit");
  await waitShown(page, "#call-result");
  const shown = await textOf(page, "#call-result");
  assert.match(shown, new RegExp(`"n": ?${n}\\b`), shown);
  assert.match(shown, new RegExp(`"id": ?"${id}"`), shown);
  assert.match(shown, /"bigint"/, "the handler got n as a bigint");
  assert.deepEqual(JSON.parse(shown.replace(new RegExp(n, "g"), "0")).opts, { label: "hello", loud: true, mood: "busy" });
  assert.deepEqual(errors, []);
});

test("topics: subscribe to CORE__STATUS, its state shows at once, a rename pushes a time-stamped .topic-push; after unsubscribe none", async (t) => {
  const { page, port, errors } = await openConsole(t);
  const client = await connectTo(t, port);
  await clickOn(page, '[data-tab="topics"]');
  await clickOn(page, '[data-topic="CORE__STATUS"] [data-action="subscribe"]');
  const name = (await client.call("CORE__NAME")).result as string;
  await waitForText(page, '[data-topic-state="CORE__STATUS"]', name);

  assert.equal((await client.call("CORE__NAME", { name: "Topic Bot" })).result, "Topic Bot");
  await waitForText(page, "#topic-log", "Topic Bot");
  const push = await page.$$eval("#topic-log .topic-push", (elements) => elements.map((e) => e.textContent ?? ""));
  const renamed = push.filter((p) => p.includes("Topic Bot"));
  assert.equal(renamed.length, 1, JSON.stringify(push));
  assert.match(renamed[0]!, /CORE__STATUS/);
  assert.match(renamed[0]!, /\d{2}:\d{2}:\d{2}/, "a time stamp");
  await waitForText(page, '[data-topic-state="CORE__STATUS"]', "Topic Bot");

  await clickOn(page, '[data-topic="CORE__STATUS"] [data-action="unsubscribe"]');
  const count = await page.$$eval("#topic-log .topic-push", (elements) => elements.length);
  assert.equal((await client.call("CORE__NAME", { name: "Quiet Bot" })).result, "Quiet Bot");
  // The status panel still follows CORE__STATUS: once it shows the new name, the push has come.
  await waitForText(page, "#status-name", /^Quiet Bot$/);
  assert.equal(await page.$$eval("#topic-log .topic-push", (elements) => elements.length), count, "no push in the log after unsubscribe");
  assert.deepEqual(errors, []);
});

test("packages: load, reload and unload general from the panel; a load by another client and a failing package show live", async (t) => {
  const cogs = tempDir(t);
  writePackage(cogs, "broken", { "index.js": 'export async function setup() { throw new Error("broken on purpose"); }\n' });
  const { page, port, errors, bot } = await openConsole(t, ["--cog-path", cogs]);
  await clickOn(page, '[data-tab="packages"]');
  await waitForAttribute(page, '[data-package="general"]', "data-state", "available");

  await clickOn(page, '[data-package="general"] [data-action="load"]');
  await waitForAttribute(page, '[data-package="general"]', "data-state", "loaded");
  // Reload: the bot unloads and loads it again (its log says so); the row stays loaded.
  const logged = (msg: string): number => bot.logs.filter((l) => l.msg === msg && l.package === "general").length;
  assert.deepEqual([logged("package loaded"), logged("package unloaded")], [1, 0]);
  await clickOn(page, '[data-package="general"] [data-action="reload"]');
  await bot.until(() => (logged("package loaded") === 2 ? true : undefined), PAGE_TIMEOUT_MS, "general loaded again");
  assert.equal(logged("package unloaded"), 1);
  await waitForAttribute(page, '[data-package="general"]', "data-state", "loaded");
  await waitShown(page, '[data-package="general"] [data-action="unload"]');
  await clickOn(page, '[data-package="general"] [data-action="unload"]');
  await waitForAttribute(page, '[data-package="general"]', "data-state", "available");

  // Another client's load arrives through CORE__PACKAGES.
  const client = await connectTo(t, port);
  assert.deepEqual((await client.call("CORE__LOAD", [["economy"]])).result.loaded_packages, ["economy"]);
  await waitForAttribute(page, '[data-package="economy"]', "data-state", "loaded");

  await clickOn(page, '[data-package="broken"] [data-action="load"]');
  await waitForAttribute(page, '[data-package="broken"]', "data-state", "failed");
  await waitForText(page, '[data-package="broken"]', "broken on purpose");
  // The failed load is an answer, not a page error.
  assert.deepEqual(errors, []);
});

test("status: name, prefixes, connection and uptime; the metrics chart draws from the CORE__METRICS topic", async (t) => {
  const { page, port, errors } = await openConsole(t);
  const client = await connectTo(t, port);
  await clickOn(page, '[data-tab="status"]');
  const name = (await client.call("CORE__NAME")).result as string;
  const prefixes = (await client.call("CORE__PREFIXES")).result as string[];
  await waitForText(page, "#status-name", new RegExp(`^${name}$`));
  const shownPrefixes = await textOf(page, "#status-prefixes");
  for (const prefix of prefixes) assert.ok(shownPrefixes.includes(prefix), `${prefix} in ${shownPrefixes}`);
  assert.ok(((await client.call("GET_TOPICS")).result as string[]).includes("CORE__METRICS"), "the bot offers the CORE__METRICS topic");
  // Console mode (no Discord token): the console adapter, always connected.
  const connected = await waitForText(page, "#status-connected", /connected/i);
  assert.doesNotMatch(connected, /disconnected|not connected/i);
  await waitForText(page, "#status-uptime", /\d/);
  // Pushes a second apart draw the chart's lines: wait for one with two points or more.
  await waitShown(page, "#metrics-chart");
  await page
    .waitForFunction(
      () => [...document.querySelectorAll("#metrics-chart polyline, #metrics-chart path")].some((line) => {
        const points = line.getAttribute("points") ?? line.getAttribute("d") ?? "";
        return (points.match(/\d+(\.\d+)?[ ,]+\d+(\.\d+)?/g) ?? []).length >= 2;
      }),
      { timeout: 5_000, polling: 100 },
    )
    .catch(() => assert.fail("#metrics-chart: expected a <polyline> or <path> with two points or more within 5 s (CORE__METRICS pushes once a second)"));
  assert.deepEqual(errors, []);
});
