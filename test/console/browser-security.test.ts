// The web console's security in real headless Chromium: the response headers (and the size on
// the wire), token auth from the page (never in a URL, kept for the tab's session only), other
// origins and DNS-rebinding names refused, and `--rpc-console off`. One browser for the file;
// each test has its own bot and browser context.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import type { HTTPResponse } from "puppeteer-core";
import { HELP_TEXT } from "../../src/rpc/http-reply.ts";
import { browserForFile, openPage, REBIND_HOST } from "../support/browser.ts";
import { clickOn, countOf, isShown, startConsoleBot, typeInto, waitForText, waitShown } from "../support/console-page.ts";

// Used only inside page.evaluate callbacks, which run in the page: the project's tsconfig has
// no DOM lib, so what they touch is declared here.
declare const location: { href: string };
declare const sessionStorage: Record<string, string>;
declare const localStorage: Record<string, string>;
declare const document: { cookie: string; title: string };

/** What every response of the console carries (the contract in docs/console.md). */
const CONSOLE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

const browser = browserForFile();

test("GET / and every asset carry the CSP, frame-deny and the other headers, gzip, under 100 KiB on the wire; the page loads only from its own origin, with no errors", async (t) => {
  const { url, port } = await startConsoleBot(t);
  const { page, errors, requests, sockets, received } = await openPage(t, browser());
  const responses: HTTPResponse[] = [];
  page.on("response", (response) => responses.push(response));
  const main = await page.goto(url);
  assert.ok(main !== null);
  assert.equal(main.status(), 200);
  assert.match(main.headers()["content-type"] ?? "", /^text\/html; charset=utf-8$/i);
  await waitForText(page, "#connection-state", /^connected$/);
  await waitShown(page, '[data-method="CORE__NAME"]');
  const assets = responses.filter((r) => r.url().startsWith(url));
  assert.ok(assets.length >= 2, `the page and its assets: ${assets.map((r) => r.url()).join(", ")}`);
  for (const response of assets) {
    const headers = response.headers();
    const picked = Object.fromEntries(Object.keys(CONSOLE_HEADERS).map((name) => [name, headers[name]]));
    assert.deepEqual(picked, CONSOLE_HEADERS, response.url());
    assert.equal(response.status(), 200, response.url());
  }
  // Compressed on the wire, and the first load within the budget (100 KiB), as Chromium counts it.
  assert.equal(main.headers()["content-encoding"], "gzip");
  assert.equal(assets.find((r) => r.url().endsWith("/main.js"))?.headers()["content-encoding"], "gzip", "main.js");
  const bytes = received.filter((r) => r.url.startsWith(url)).reduce((sum, r) => sum + r.bytes, 0);
  assert.ok(bytes > 0 && bytes < 100 * 1024, `the first load took ${bytes} bytes on the wire`);
  const foreign = requests.filter((u) => !u.startsWith(url) && !u.startsWith("data:"));
  assert.deepEqual(foreign, [], "no third-party origins");
  assert.deepEqual(sockets.map((s) => [s.url, s.status]), [[`ws://127.0.0.1:${port}/`, 101]], "one same-origin WebSocket");
  assert.deepEqual(errors, []);
});

test("--rpc-auth token: without the token the page asks for it and can call nothing; pasted, it works; never in a URL, kept in sessionStorage only", async (t) => {
  const { url, port, dataDir, bot } = await startConsoleBot(t, ["--rpc-auth", "token"]);
  const token = readFileSync(join(dataDir, "rpc.token"), "utf8").trim();
  const { page, errors, requests, sockets } = await openPage(t, browser());
  await page.goto(url);
  await waitForText(page, "#connection-state", /^unauthorized$/);
  await waitShown(page, "#token-form");
  assert.equal(await page.$eval("#token-input", (input) => input.getAttribute("type")), "password");
  assert.equal(await countOf(page, "[data-method]"), 0, "no method list without the token");
  assert.equal(await isShown(page, "#call-submit"), false, "no call form without the token");
  assert.deepEqual(sockets.map((s) => s.status), [401], "the one upgrade tried without a token was refused");
  // The refusal is logged by the bot; nothing was let in.
  await bot.until(() => bot.logs.find((l) => l.status === 401) ?? undefined, 5_000, "the bot's 401 log line");

  await typeInto(page, "#token-input", token);
  await clickOn(page, "#token-submit");
  await waitForText(page, "#connection-state", /^connected$/);
  await waitShown(page, '[data-method="CORE__NAME"]');
  assert.equal(await isShown(page, "#token-form"), false, "the token form is gone once connected");
  assert.equal(sockets.at(-1)?.status, 101);

  const where = await page.evaluate(() => ({
    href: location.href,
    session: JSON.stringify(Object.entries(sessionStorage)),
    local: JSON.stringify(Object.entries(localStorage)),
    cookie: document.cookie,
  }));
  assert.equal(where.href, url, "the token is not in location.href");
  assert.ok(where.session.includes(token), "the token is kept in sessionStorage");
  assert.ok(!where.local.includes(token), "the token is not in localStorage");
  assert.equal(where.cookie, "");
  for (const u of [...requests, ...sockets.map((s) => s.url)]) assert.ok(!u.includes(token), `the token is not in ${u}`);
  assert.deepEqual(
    sockets.map((s) => s.url),
    sockets.map(() => `ws://127.0.0.1:${port}/`),
  );

  // The tab's session keeps it: a reload connects without asking.
  await page.reload();
  await waitForText(page, "#connection-state", /^connected$/);
  assert.equal(await isShown(page, "#token-form"), false);

  // Only the refused upgrade may have logged an error.
  const unexpected = errors.filter((e) => !/^console: WebSocket connection to '.*' failed: HTTP Authentication failed/.test(e));
  assert.deepEqual(unexpected, []);
  assert.equal(errors.length, 1, "one refused upgrade, before the token was pasted");
});

test("a page from another origin still gets 403 on the upgrade", async (t) => {
  let port = 0; // the bot's, known once it listens (the page is asked for after that)
  const foreign = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><title>foreign</title><script>
const ws = new WebSocket("ws://127.0.0.1:${port}/");
ws.onopen = () => { document.title = "open"; };
ws.onclose = (event) => { document.title = "closed " + event.code; };
</script>`);
  });
  await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => foreign.close(() => resolve())));
  const foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  const started = await startConsoleBot(t);
  port = started.port;
  const { bot } = started;

  const { page, sockets, errors } = await openPage(t, browser());
  await page.goto(`${foreignOrigin}/`);
  await page.waitForFunction(() => document.title !== "foreign");
  assert.equal(await page.title(), "closed 1006", "the socket closed without opening");
  assert.deepEqual(sockets.map((s) => s.status), [403], errors.join("\n"));
  const refused = await bot.until(
    () => bot.logs.find((l) => l.status === 403 && l.origin === foreignOrigin),
    5_000,
    "the bot's 403 log line",
  );
  assert.match(String(refused.msg), /^RPC connection refused: Origin .* is not allowed/);
});

test("DNS rebinding: the console under another name for 127.0.0.1 gets 403, not the page", async (t) => {
  const { port, bot } = await startConsoleBot(t);
  const { page } = await openPage(t, browser());
  const response = await page.goto(`http://${REBIND_HOST}:${port}/`);
  assert.ok(response !== null);
  assert.equal(response.status(), 403);
  assert.match(await response.text(), /^Host "rebind\.cogwheel\.test:\d+" is not this server's loopback address/);
  assert.equal(await page.$("#connection-state"), null, "no console");
  await bot.until(() => bot.logs.find((l) => l.status === 403 && l.host === `${REBIND_HOST}:${port}`), 5_000, "the bot's 403 log line");
});

test("--rpc-console off: GET / is the 426 help text again", async (t) => {
  const { url } = await startConsoleBot(t, ["--rpc-console", "off"]);
  const { page } = await openPage(t, browser());
  const response = await page.goto(url);
  assert.ok(response !== null);
  assert.equal(response.status(), 426);
  assert.equal(response.headers()["upgrade"], "websocket");
  assert.equal(await response.text(), `${HELP_TEXT}\n`);
});
