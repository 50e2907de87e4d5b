// The page's one connection to the bot: same origin, token (when asked for) from sessionStorage
// presented as the auth subprotocol, retries after a drop, and telling a refused token apart
// from a server that is down. Each connection is a fresh RpcClient; panels re-attach on `open`.
import { createRpcClient, type RpcClient } from "../client/index.ts";

/** The states `#connection-state` shows (the browser tests read these exact words). */
export type ConnectionState = "connecting" | "connected" | "disconnected" | "unauthorized";

/** What the connection tells the page. */
export interface ConnectionListener {
  /** The state changed; `detail` says why when there is something to say. */
  state?(state: ConnectionState, detail: string): void;
  /** A new connection is open: subscribe, fetch what you show. */
  open?(client: RpcClient): void;
  /** The connection is gone: `client` is closed; show that nothing is live. */
  close?(): void;
}

/** sessionStorage key of the token: kept for this tab's session only, never in a URL. */
const TOKEN_KEY = "cogwheel.rpc.token";
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/** Reads the stored token; storage may be unavailable (a sandboxed page), then there is none. */
function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeToken(token: string | undefined): void {
  try {
    if (token === undefined) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // no storage: the token lives until the next reload, in memory only
  }
}

/**
 * Whether the page's own origin answers plain HTTP. Browsers hide a refused upgrade's status
 * (401/403), so a WebSocket that fails while the server answers HTTP was refused by its guards:
 * for a same-origin page, that is the token.
 */
async function serverAnswers(): Promise<boolean> {
  try {
    const response = await fetch(new URL("./", location.href), { method: "HEAD", cache: "no-store", credentials: "omit" });
    return response.status < 500;
  } catch {
    return false;
  }
}

/** The page's connection: one RpcClient at a time, replaced after each drop. */
export class Connection {
  readonly url: string;
  readonly #listeners: ConnectionListener[] = [];
  #state: ConnectionState = "connecting";
  #client: RpcClient | null = null;
  #memoryToken: string | undefined;
  #retryMs = RETRY_MIN_MS;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #generation = 0;

  constructor(url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/`) {
    this.url = url;
  }

  /** The state shown in `#connection-state`. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The open client, or null while not connected. */
  get client(): RpcClient | null {
    return this.#state === "connected" ? this.#client : null;
  }

  /** Whether a token is stored for this tab. */
  get hasToken(): boolean {
    return this.#token() !== undefined;
  }

  /** Adds a listener; listeners run in the order added (main.ts adds the shared stores first). */
  listen(listener: ConnectionListener): void {
    this.#listeners.push(listener);
  }

  /** Starts connecting (and keeps reconnecting after drops). */
  start(): void {
    void this.#connect();
  }

  /** Uses `token` from now on (this tab's session only) and connects with it. */
  useToken(token: string): void {
    const trimmed = token.trim();
    this.#memoryToken = trimmed || undefined;
    storeToken(this.#memoryToken);
    this.#reconnectNow();
  }

  /** Forgets the token and reconnects without one. */
  forgetToken(): void {
    this.#memoryToken = undefined;
    storeToken(undefined);
    this.#reconnectNow();
  }

  #token(): string | undefined {
    return storedToken() ?? this.#memoryToken;
  }

  #reconnectNow(): void {
    clearTimeout(this.#timer);
    this.#retryMs = RETRY_MIN_MS;
    const old = this.#client;
    this.#client = null;
    this.#generation++;
    if (old !== null) {
      void old.close();
      for (const l of this.#listeners) l.close?.();
    }
    void this.#connect();
  }

  #setState(state: ConnectionState, detail = ""): void {
    this.#state = state;
    for (const l of this.#listeners) l.state?.(state, detail);
  }

  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    this.#setState("connecting");
    const token = this.#token();
    const client = createRpcClient({ url: this.url, WebSocket, token, reconnect: false, connectTimeout: 10_000, timeout: 60_000 });
    this.#client = client;
    try {
      await client.connect();
    } catch {
      void client.close();
      if (generation !== this.#generation) return;
      this.#client = null;
      if (await serverAnswers()) {
        if (generation !== this.#generation) return;
        // Refused while the server is up: ask for a (new) token, and wait for it.
        this.#setState("unauthorized", token === undefined ? "this bot needs its RPC token" : "the token was refused");
        return;
      }
      if (generation !== this.#generation) return;
      this.#scheduleRetry("the bot does not answer");
      return;
    }
    if (generation !== this.#generation) {
      void client.close();
      return;
    }
    this.#retryMs = RETRY_MIN_MS;
    client.on("disconnect", (info) => {
      if (generation !== this.#generation) return;
      this.#client = null;
      void client.close();
      for (const l of this.#listeners) l.close?.();
      this.#scheduleRetry(`the connection closed (code ${info.code}${info.reason ? `: ${info.reason}` : ""})`);
    });
    this.#setState("connected");
    for (const l of this.#listeners) l.open?.(client);
  }

  #scheduleRetry(detail: string): void {
    const wait = this.#retryMs;
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    this.#setState("disconnected", `${detail}; trying again in ${Math.round(wait / 1000) || 1} s`);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#connect(), wait);
  }
}
