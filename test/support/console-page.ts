// The web console in a real browser: a bot started through the CLI, and bounded waits on the
// page's DOM hooks (the contract in docs/console.md's "How it is tested").
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { Page } from "puppeteer-core";
import { ROOT, runCli, tempDir, type BotProcess } from "./cli.ts";
import { PAGE_TIMEOUT_MS } from "./browser.ts";

// The callbacks below run in the page, where these exist; the project's tsconfig has no DOM lib
// (src must stay Node-only or browser-safe by its own tests), so only what they use is declared.
interface PageElement {
  textContent: string | null;
  getClientRects(): { length: number };
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
};

/** A bot started with `--rpc --rpc-port 0` and the console's URL. */
export interface ConsoleBot {
  bot: BotProcess;
  port: number;
  url: string;
  dataDir: string;
}

/** The built console the bot serves (`npm run build:console`, run first by `npm test`). */
const CONSOLE_INDEX = join(ROOT, "dist", "console", "index.html");

/**
 * Starts `cogwheel start --rpc --rpc-port 0 …extra` in a temp data dir; killed when `t` ends.
 * The bot reads dist/console once, when it starts listening: `npm test` builds it first, and no
 * test rebuilds it in place (the package test packs from a copy of the tree).
 */
export async function startConsoleBot(t: TestContext, extra: string[] = []): Promise<ConsoleBot> {
  if (!extra.includes("--rpc-console")) {
    assert.ok(existsSync(CONSOLE_INDEX), `${CONSOLE_INDEX} is missing: run npm run build:console (npm test runs it first)`);
  }
  const dataDir = tempDir(t);
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", dataDir, ...extra]);
  // A bot that exits (a bad flag, say) fails the test at once, with what it printed.
  const port = await Promise.race([
    bot.rpcPort(),
    bot.exited.then(({ code, signal }) => assert.fail(`the bot exited (${code ?? signal}) before listening:\n${bot.stderrText}`)),
  ]);
  return { bot, port, url: `http://127.0.0.1:${port}/`, dataDir };
}

/** The text of the first element matching `selector` (fails when there is none). */
export async function textOf(page: Page, selector: string): Promise<string> {
  const text = await page.evaluate((sel) => document.querySelector(sel)?.textContent ?? null, selector);
  assert.notEqual(text, null, `no element matches ${selector}`);
  return text!;
}

/** Whether an element matching `selector` exists and is rendered (not removed, hidden or display:none). */
export function isShown(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const element = document.querySelector(sel);
    return element !== null && element.getClientRects().length > 0;
  }, selector);
}

/**
 * Waits until the text of `selector` matches `pattern` (a string must be contained), failing
 * with what the element said last.
 */
export async function waitForText(page: Page, selector: string, pattern: RegExp | string, ms = PAGE_TIMEOUT_MS): Promise<string> {
  const source = typeof pattern === "string" ? pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : pattern.source;
  const flags = typeof pattern === "string" ? "" : pattern.flags;
  try {
    await page.waitForFunction(
      (sel, src, fl) => {
        const text = document.querySelector(sel)?.textContent;
        return text !== undefined && text !== null && new RegExp(src, fl).test(text);
      },
      { timeout: ms, polling: 50 },
      selector,
      source,
      flags,
    );
  } catch (error) {
    const last = await page.evaluate((sel) => document.querySelector(sel)?.textContent ?? null, selector).catch(() => "(page gone)");
    assert.fail(`${selector}: expected text matching ${String(pattern)}, got ${JSON.stringify(last)} (${(error as Error).message})`);
  }
  return textOf(page, selector);
}

/** Waits until `selector` is shown (see isShown), failing with the selector's name. */
export async function waitShown(page: Page, selector: string, ms = PAGE_TIMEOUT_MS): Promise<void> {
  try {
    await page.waitForFunction(
      (sel) => {
        const element = document.querySelector(sel);
        return element !== null && element.getClientRects().length > 0;
      },
      { timeout: ms, polling: 50 },
      selector,
    );
  } catch {
    assert.fail(`${selector}: expected a shown element, got ${(await page.$(selector)) === null ? "none" : "a hidden one"} within ${ms} ms`);
  }
}

/** Waits until the element matching `selector` has `name="value"`, failing with what it had. */
export async function waitForAttribute(page: Page, selector: string, name: string, value: string, ms = PAGE_TIMEOUT_MS): Promise<void> {
  try {
    await page.waitForFunction((sel, n, v) => document.querySelector(sel)?.getAttribute(n) === v, { timeout: ms, polling: 50 }, selector, name, value);
  } catch {
    const got = await page.evaluate((sel, n) => document.querySelector(sel)?.getAttribute(n) ?? null, selector, name).catch(() => "(page gone)");
    assert.fail(`${selector}: expected ${name}="${value}", got ${JSON.stringify(got)} within ${ms} ms`);
  }
}

/** How many elements match `selector`. */
export function countOf(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => document.querySelectorAll(sel).length, selector);
}

/** Clicks the element matching `selector` once it is shown. */
export async function clickOn(page: Page, selector: string): Promise<void> {
  await waitShown(page, selector);
  await page.click(selector);
}

/** Replaces the value of the input matching `selector` by typing `text` (as a user would). */
export async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await waitShown(page, selector);
  await page.click(selector, { count: 3 }); // select what is there, so typing replaces it
  await page.keyboard.press("Backspace");
  await page.type(selector, text);
}

/**
 * Splits a POSIX shell line (what #call-cli shows) into words: single quotes, double quotes
 * (with backslash escapes) and backslashes outside quotes; adjacent pieces make one word.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      assert.notEqual(end, -1, `unterminated ' in ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= "";
      for (i++; i < line.length && line[i] !== '"'; i++) word += line[i] === "\\" && /["\\$`]/.test(line[i + 1] ?? "") ? line[++i] : line[i];
      assert.ok(i < line.length, `unterminated " in ${line}`);
    } else if (c === "\\") {
      word = (word ?? "") + (line[++i] ?? "");
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}
