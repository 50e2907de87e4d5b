/**
 * Options of the PostgreSQL driver, validated up front, and the one way to describe the target
 * in messages: `postgres://user@host:port/db`, never with its password.
 *
 * The password may be in the URL, in `PGPASSWORD`, or in a `.pgpass` file (`PGPASSFILE`), looked
 * at in that order. `pg` reads the first two; the file is read here ({@link withPasswordFile}),
 * because `pg` 8.23 prints a DeprecationWarning when it reads the file itself.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { lookUpPgpass, pgpassTarget, type PgpassLookup } from "./pgpass.ts";

/** Options of {@link PostgresDriver.open}; every one but `url` has a documented default. */
export interface PostgresDriverOptions {
  /** `postgres://[user[:password]@]host[:port]/database[?…]` (or `postgresql://`). Required. */
  url: string;
  /** Most connections in the pool (the LISTEN connection is extra). Default 10. */
  poolSize?: number;
  /** How long connecting may take before it fails. Default 5 000 ms. */
  connectTimeoutMs?: number;
  /**
   * Server-side limit on one statement (`statement_timeout`) and client-side limit on waiting
   * for its answer (`query_timeout`, a little longer), so a dead server cannot stall a call.
   * Default 10 000 ms.
   */
  statementTimeoutMs?: number;
  /** How long `close()` waits for connections to end before destroying them. Default 1 000 ms. */
  closeTimeoutMs?: number;
  /** `application_name` of the connections (seen in `pg_stat_activity`). Default "cogwheel". */
  applicationName?: string;
  /**
   * How long to keep trying to learn the fate of a COMMIT whose connection was lost before
   * giving up with `ERR_CONFIG_OUTCOME_UNKNOWN`. Default 3 000 ms.
   */
  outcomeTimeoutMs?: number;
  /** Longest pause between two attempts to re-establish the LISTEN connection. Default 5 000 ms. */
  maxReconnectDelayMs?: number;
  /**
   * How often the LISTEN connection is checked with a query (answered within the same time, or
   * it is treated as lost). A connection dropped without a reset (a NAT or firewall timeout, a
   * frozen server) would otherwise go unnoticed while caches keep old values. Default 10 000 ms.
   */
  heartbeatMs?: number;
}

/** Options after defaults are merged and values checked. */
export interface ResolvedPostgresOptions extends Required<PostgresDriverOptions> {
  /** The target for messages: `postgres://user@host:port/db`, without a password. */
  readonly target: string;
  /** The password given in the URL, so that it can be scrubbed from any text; "" if none. */
  readonly secret: string;
}

const DEFAULTS = {
  poolSize: 10,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 10_000,
  closeTimeoutMs: 1_000,
  applicationName: "cogwheel",
  maxReconnectDelayMs: 5_000,
  heartbeatMs: 10_000,
  outcomeTimeoutMs: 3_000,
} as const;

type IntegerOption = "poolSize" | "connectTimeoutMs" | "statementTimeoutMs" | "closeTimeoutMs" | "maxReconnectDelayMs" | "outcomeTimeoutMs" | "heartbeatMs";

const INTEGER_LIMITS: ReadonlyArray<[IntegerOption, number, number]> = [
  ["poolSize", 1, 1000],
  ["connectTimeoutMs", 100, 600_000],
  ["statementTimeoutMs", 100, 3_600_000],
  ["closeTimeoutMs", 0, 60_000],
  ["maxReconnectDelayMs", 10, 600_000],
  ["heartbeatMs", 50, 600_000],
  ["outcomeTimeoutMs", 100, 600_000],
];

const KNOWN = new Set(["url", ...Object.keys(DEFAULTS)]);

/**
 * Merges defaults and checks every option; unknown options are errors (a typo must not leave a
 * timeout at its default).
 *
 * @param options - what the caller gave
 * @returns the resolved options
 * @throws ConfigError `ERR_CONFIG_INVALID_OPTIONS`, or `ERR_CONFIG_INVALID_URL` for the URL
 */
export function resolvePostgresOptions(options: PostgresDriverOptions): ResolvedPostgresOptions {
  if (typeof options !== "object" || options === null) throw invalid("PostgreSQL driver options must be an object with a url");
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw invalid(`unknown PostgreSQL driver option ${key}`);
  const merged: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, min, max] of INTEGER_LIMITS) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw invalid(`PostgreSQL driver option ${key} must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
    merged[key] = value;
  }
  const name = options.applicationName ?? DEFAULTS.applicationName;
  if (typeof name !== "string" || !/^[\x20-\x7e]{1,63}$/.test(name)) {
    throw invalid("PostgreSQL driver option applicationName must be 1 to 63 visible ASCII characters");
  }
  const { target, secret } = checkUrl(options.url);
  return { ...(merged as typeof DEFAULTS), url: options.url, applicationName: name, target, secret };
}

/**
 * Checks a connection URL and describes it without its password.
 *
 * @param url - the URL as given
 * @returns `target` (`postgres://user@host:port/db`) and the URL's password (`secret`)
 * @throws ConfigError `ERR_CONFIG_INVALID_URL`, whose message never contains the password
 */
export function checkUrl(url: unknown): { target: string; secret: string } {
  if (typeof url !== "string" || url.length === 0) {
    throw new ConfigError("ERR_CONFIG_INVALID_URL", "PostgreSQL URL missing: expected postgres://user@host:port/database");
  }
  // Before parsing: in a URL that is malformed, the password may land anywhere (a host, a
  // path, a scheme), so nothing of such a text is ever echoed.
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== "postgres" && scheme !== "postgresql") {
    const named = scheme === undefined ? "" : ` (not ${scheme}://)`;
    throw new ConfigError("ERR_CONFIG_INVALID_URL", `PostgreSQL URL must start with postgres:// or postgresql://${named}`);
  }
  if (url.split("@").length > 2) {
    throw new ConfigError(
      "ERR_CONFIG_INVALID_URL",
      "PostgreSQL URL has more than one @: percent-encode @, /, : and # in the user name and password (%40, %2F, %3A, %23)",
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The text itself may hold a password: say what is wrong with it, never echo it.
    throw new ConfigError("ERR_CONFIG_INVALID_URL", "PostgreSQL URL is not a URL: expected postgres://user@host:port/database");
  }
  const secret = safeDecode(parsed.password);
  const target = describe(parsed);
  // pg also accepts a socket directory as ?host=/run/postgresql with an empty URL host.
  if (parsed.hostname === "" && !parsed.searchParams.has("host")) {
    throw new ConfigError("ERR_CONFIG_INVALID_URL", `PostgreSQL URL ${target} names no host`);
  }
  const database = safeDecode(parsed.pathname.slice(1));
  if (database === "" || database.includes("/")) {
    throw new ConfigError("ERR_CONFIG_INVALID_URL", `PostgreSQL URL ${target} must name one database, as in postgres://host/cogwheel`);
  }
  return { target, secret };
}

/**
 * `postgres://user@host:port/db`: the URL without its password and query string, except a
 * socket directory given as `?host=`, which says where the connection really goes.
 */
function describe(url: URL): string {
  const user = url.username === "" ? "" : `${url.username}@`;
  const socket = url.searchParams.get("host");
  const host = url.host === "" ? (socket ?? "") : url.host;
  const via = url.host !== "" && socket !== null ? `?host=${socket}` : "";
  return `${url.protocol}//${user}${host}${url.pathname}${via}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Removes a password from a text (a driver message may quote a connection string), in its plain
 * and URL-encoded forms: always where it stands as a URL's password (`:secret@`), and anywhere
 * when it is at least {@link MIN_SCRUBBED} characters long. A shorter one would match ordinary
 * words ("e", "bot") and garble the message, revealing the password rather than hiding it;
 * neither `pg` nor the server quotes a password outside a URL.
 *
 * @param text - any message
 * @param secret - the password ("" → nothing to remove)
 * @returns the text with those occurrences replaced by `***`
 */
export function scrub(text: string, secret: string): string {
  if (secret === "") return text;
  let out = text;
  for (const form of new Set([secret, encodeURIComponent(secret)])) {
    out = out.split(`:${form}@`).join(":***@");
    if (form.length >= MIN_SCRUBBED) out = out.split(form).join("***");
  }
  return out;
}

/** Shortest password scrubbed wherever it appears (see {@link scrub}). */
const MIN_SCRUBBED = 6;

/**
 * Adds the password from the password file (see pgpass.ts) to the URL when neither the URL nor
 * `PGPASSWORD` gives one, so that `pg` (and every connection the driver makes from `url`) uses
 * it and never reads the file itself. It becomes the `secret` scrubbed from messages.
 *
 * @param options - resolved options
 * @param env - the environment (default `process.env`)
 * @returns the options to connect with, and what the look-up found (`null`: not looked up)
 */
export function withPasswordFile(
  options: ResolvedPostgresOptions,
  env: NodeJS.ProcessEnv = process.env,
): { options: ResolvedPostgresOptions; lookup: PgpassLookup | null } {
  const url = new URL(options.url);
  // An empty PGPASSWORD counts as unset, as for pg and libpq.
  if (options.secret !== "" || url.searchParams.has("password") || env.PGPASSWORD) return { options, lookup: null };
  const lookup = lookUpPgpass(pgpassTarget(options.url, env), env);
  if (lookup.kind !== "found") return { options, lookup };
  // As a query parameter, which pg reads like the URL's own: unlike the user-info part, it also
  // works for a URL without a host (a Unix socket given as ?host=/run/postgresql).
  url.searchParams.set("password", lookup.password);
  return { options: { ...options, url: url.href, secret: lookup.password }, lookup };
}

function invalid(message: string): ConfigError {
  return new ConfigError("ERR_CONFIG_INVALID_OPTIONS", message);
}
