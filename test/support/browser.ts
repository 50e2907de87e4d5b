// Real headless Chromium for the console's tests and the docs' screenshots: Debian's `chromium`
// driven by puppeteer-core (which downloads no browser of its own).
import assert from "node:assert/strict";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import puppeteer, { type Browser, type HTTPRequest, type Page } from "puppeteer-core";

/** Where Debian's package puts the browser; `COGWHEEL_CHROMIUM` names another binary. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** What installs it (.ci/run does this when it is missing). */
export const INSTALL_CHROMIUM = "apt-get update && apt-get install -y chromium";

/**
 * A name the browser resolves to 127.0.0.1 (and nothing else does): what a DNS-rebinding
 * attacker's domain looks like to the bot.
 */
export const REBIND_HOST = "rebind.cogwheel.test";

/** Bounds every wait on a page: a missing element fails the test in seconds, not at the runner's timeout. */
export const PAGE_TIMEOUT_MS = 10_000;

/** Anything with `after`: a TestContext. */
export interface Cleanup {
  after(fn: () => unknown): void;
}

/** The Chromium binary to drive; fails with the install command when there is none. */
export function chromiumPath(): string {
  const path = process.env.COGWHEEL_CHROMIUM || DEFAULT_CHROMIUM;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    assert.fail(
      `no Chromium at ${path}: install Debian's package (${INSTALL_CHROMIUM}, as .ci/run does) or set COGWHEEL_CHROMIUM to a Chromium binary`,
    );
  }
  return path;
}

/** A launched browser and how to end it (idempotent, bounded, removes the profile). */
export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile in a temp dir. Tests use `browserForFile`,
 * which closes it after the file's last test; scripts call `close()` themselves.
 */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const executablePath = chromiumPath();
  const profile = mkdtempSync(join(tmpdir(), "cogwheel-chromium-"));
  const args = [
    // A small /dev/shm in containers crashes tabs; /tmp has room.
    "--disable-dev-shm-usage",
    // Nothing may reach beyond loopback: no sync, no component updates, no safe-browsing lists.
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    `--host-resolver-rules=MAP ${REBIND_HOST} 127.0.0.1`,
  ];
  // Chromium refuses to start as root with its sandbox on ("Running as root without
  // --no-sandbox is not supported"), and CI containers run as root. It only ever loads our own
  // loopback pages here, so the sandbox is dropped then, and only then.
  if (process.getuid?.() === 0) args.push("--no-sandbox");
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      userDataDir: profile,
      args,
      timeout: 30_000,
      protocolTimeout: 30_000,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      const proc = browser.process();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([browser.close(), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      } catch {
        // already gone
      } finally {
        clearTimeout(timer);
        // A browser that did not close in time is killed: a test run must never hang on it.
        if (proc !== null && proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
        rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
      }
    })());
  return { browser, close };
}

/**
 * One browser for a whole test file: launched before its first test, closed after its last.
 * Call at the file's top level; the returned function gives the browser inside tests.
 */
export function browserForFile(): () => Browser {
  let launched: LaunchedBrowser | undefined;
  // Registered here, at the top level: an `after` called inside a `before` hook would belong
  // to the hook and run as soon as it ends.
  before(async () => {
    launched = await launchChromium();
  });
  after(() => launched?.close());
  return () => {
    assert.ok(launched !== undefined, "the file's browser did not launch (see the before hook's error)");
    return launched.browser;
  };
}

/** What a page did: console errors, uncaught exceptions, request URLs, WebSockets, bytes received. */
export interface PageRecord {
  page: Page;
  errors: string[];
  requests: string[];
  /**
   * WebSockets the page opened (puppeteer's request event does not report them): the URL and,
   * once answered, the handshake's HTTP status (101, or the refusal's status).
   */
  sockets: Array<{ url: string; status?: number }>;
  /** Bytes Chromium received for each finished HTTP request (headers and the body as sent, gzip included). */
  received: Array<{ url: string; bytes: number }>;
}

/**
 * Opens a tab in a fresh browser context (its own cookies and storage), closed when `t` ends,
 * recording console errors, page errors and request URLs from the first request on.
 */
export async function openPage(t: Cleanup, browser: Browser): Promise<PageRecord> {
  const context = await browser.createBrowserContext();
  t.after(() => context.close().catch(() => {}));
  const page = await context.newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  await page.setViewport({ width: 1280, height: 800 });
  const record: PageRecord = { page, errors: [], requests: [], sockets: [], received: [] };
  const cdp = await page.createCDPSession();
  await cdp.send("Network.enable");
  const byId = new Map<string, { url: string; status?: number }>();
  cdp.on("Network.webSocketCreated", (event) => {
    const socket = { url: event.url };
    byId.set(event.requestId, socket);
    record.sockets.push(socket);
  });
  const urls = new Map<string, string>();
  cdp.on("Network.requestWillBeSent", (event) => void urls.set(event.requestId, event.request.url));
  cdp.on("Network.loadingFinished", (event) => {
    const url = urls.get(event.requestId);
    if (url !== undefined) record.received.push({ url, bytes: event.encodedDataLength });
  });
  cdp.on("Network.webSocketHandshakeResponseReceived", (event) => {
    const socket = byId.get(event.requestId);
    if (socket !== undefined) socket.status = event.response.status;
  });
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    record.errors.push(`console: ${message.text()} (${message.location().url ?? "?"})`);
    const refused = refusedSocket(message.text());
    const socket = refused === null ? undefined : record.sockets.find((s) => s.url === refused.url && s.status === undefined);
    if (socket !== undefined) socket.status = refused!.status;
  });
  page.on("pageerror", (error) => record.errors.push(`pageerror: ${error instanceof Error ? error.message : String(error)}`));
  page.on("request", (request: HTTPRequest) => record.requests.push(request.url()));
  return record;
}

/**
 * DevTools reports only accepted WebSocket handshakes; a refused one shows as a console error
 * instead: "Unexpected response code: 403", or for a 401 with `WWW-Authenticate` (which the
 * server sends) "HTTP Authentication failed; no valid credentials available".
 */
function refusedSocket(text: string): { url: string; status: number } | null {
  const match = /^WebSocket connection to '(.+?)' failed: (.*)$/.exec(text);
  if (match === null) return null;
  const code = /Unexpected response code: (\d+)/.exec(match[2]!);
  if (code !== null) return { url: match[1]!, status: Number(code[1]) };
  if (/HTTP Authentication failed/.test(match[2]!)) return { url: match[1]!, status: 401 };
  return null;
}
