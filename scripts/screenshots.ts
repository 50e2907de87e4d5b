// `npm run docs:screenshots`: the images of docs/console.md, taken from a real bot (port 0, a
// temp data dir) in the same headless Chromium the browser tests drive, at a fixed viewport.
// It writes docs/console/*.png; `npm test` never runs it. Each image shows one panel in a state
// set up through the console itself, so a change to the page shows in the next run's images.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { launchChromium } from "../test/support/browser.ts";
import { BotProcess, ROOT } from "../test/support/cli.ts";
import { clickOn, typeInto, waitForAttribute, waitForText, waitShown } from "../test/support/console-page.ts";
import { writePackage } from "../test/support/temp.ts";
import { sleep } from "../test/support/wait.ts";

const OUT = join(ROOT, "docs", "console");
const VIEWPORT = { width: 1200, height: 760, deviceScaleFactor: 1 };

/** Things to undo at the end, last first. */
const cleanups: Array<() => unknown> = [];

/** Starts `cogwheel start --rpc --rpc-port 0 …extra` in a temp data dir; returns its console URL. */
async function startBot(extra: string[]): Promise<{ url: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "cogwheel-shots-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const bot = new BotProcess(["start", "--rpc", "--rpc-port", "0", "--data-dir", dataDir, ...extra]);
  cleanups.push(() => bot.stop().catch(() => bot.child.kill("SIGKILL")));
  const port = await bot.rpcPort();
  return { url: `http://127.0.0.1:${port}/`, dataDir };
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  await page.setViewport(VIEWPORT);
  const response = await page.goto(url);
  if (response?.status() !== 200) throw new Error(`GET ${url} answered ${response?.status()}: run npm run build:console first`);
  return page;
}

/** Writes docs/console/<name>.png: the viewport, or the whole page (a long topic log). */
async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.mouse.move(0, 0); // no hover highlight
  await sleep(150); // let transitions settle
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, type: "png", fullPage });
  process.stdout.write(`wrote ${path}\n`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // A package whose setup fails, so the packages panel shows a failed row with its reason.
  const cogs = mkdtempSync(join(tmpdir(), "cogwheel-shots-cogs-"));
  cleanups.push(() => rmSync(cogs, { recursive: true, force: true }));
  writePackage(cogs, "weather", {
    "index.js": 'export async function setup() { throw new Error("WEATHER_API_KEY is not set"); }\n',
  });
  const { url } = await startBot(["--cog-path", cogs]);
  const launched = await launchChromium();
  cleanups.push(() => launched.close());
  const page = await openPage(launched.browser, url);
  await waitForText(page, "#connection-state", /^connected$/);

  // Topics first, so that what follows pushes into the log.
  await clickOn(page, '[data-tab="topics"]');
  await clickOn(page, '[data-topic="CORE__STATUS"] [data-action="subscribe"]');
  await clickOn(page, '[data-topic="CORE__PACKAGES"] [data-action="subscribe"]');

  await clickOn(page, '[data-tab="methods"]');
  await clickOn(page, '[data-method="CORE__NAME"]');
  await typeInto(page, '#call-form [data-param="name"]', "Robo");
  await clickOn(page, "#call-submit");
  await waitShown(page, "#call-result");
  await shoot(page, "methods");

  await clickOn(page, '[data-tab="packages"]');
  await clickOn(page, '[data-package="general"] [data-action="load"]');
  await waitForAttribute(page, '[data-package="general"]', "data-state", "loaded");
  await clickOn(page, '[data-package="weather"] [data-action="load"]');
  await waitForAttribute(page, '[data-package="weather"]', "data-state", "failed");
  await shoot(page, "packages");

  await clickOn(page, '[data-tab="topics"]');
  await waitForText(page, "#topic-log", "general");
  await shoot(page, "topics", true);

  await clickOn(page, '[data-tab="status"]');
  await waitForText(page, "#status-name", /^Robo$/);
  await sleep(6_000); // six CORE__METRICS pushes: a chart with a few points
  await shoot(page, "status");

  // The token form, from a bot started with --rpc-auth token.
  const guarded = await startBot(["--rpc-auth", "token"]);
  const tokenPage = await openPage(launched.browser, guarded.url);
  await waitForText(tokenPage, "#connection-state", /^unauthorized$/);
  await waitShown(tokenPage, "#token-form");
  await tokenPage.$eval("#token-input", (input) => input.blur()); // no blinking caret in the image
  await shoot(tokenPage, "token");
}

try {
  await main();
} catch (error) {
  process.stderr.write(`docs:screenshots: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
