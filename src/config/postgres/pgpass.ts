/**
 * The `.pgpass` password file, read by the driver itself. `pg` 8.23 can read it too, but then
 * prints a one-time DeprecationWarning (its support goes away in pg 9), which a bot owner
 * would take for a fault of Cogwheel's. So when the URL has no password and `PGPASSWORD` is
 * unset, the driver looks the password up here and hands it to `pg`, which then never reads
 * the file.
 *
 * Same rules as libpq (PostgreSQL's "The Password File"): the file is `PGPASSFILE`, else
 * `~/.pgpass` (`%APPDATA%\postgresql\pgpass.conf` on Windows); each line is
 * `host:port:database:user:password`, the first matching line wins, a field that is exactly
 * `*` matches anything, `\:` and `\\` (a backslash before any character) stand for that
 * character, lines starting with `#` are comments. On Unix a file that is not a plain file or
 * that the group or others may read is ignored, as libpq does: the password must not be
 * readable by other users.
 *
 * @module
 */
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** What a password is looked up for, as `pg` will connect (defaults applied). */
export interface PgpassTarget {
  /** Host name or address (no brackets), or a Unix socket directory. */
  readonly host: string;
  /** Port, as text (libpq compares text). */
  readonly port: string;
  readonly database: string;
  readonly user: string;
}

/** One usable line of the file: four match fields and the password, unescaped. */
export interface PgpassEntry {
  /** `null` where the field is the wildcard `*`. */
  readonly host: string | null;
  readonly port: string | null;
  readonly database: string | null;
  readonly user: string | null;
  readonly password: string;
}

/** The outcome of {@link lookUpPgpass}. */
export type PgpassLookup =
  /** A line matched: its password. */
  | { readonly kind: "found"; readonly file: string; readonly password: string }
  /** No file, or no line matched. */
  | { readonly kind: "none"; readonly file: string }
  /** The file exists but was not read: `reason` says why (permissions, not a plain file…). */
  | { readonly kind: "ignored"; readonly file: string; readonly reason: string };

/** The Unix socket directories libpq treats as "localhost" when matching the file. */
const DEFAULT_SOCKET_DIRS = new Set(["/tmp", "/var/run/postgresql", "/run/postgresql"]);

/**
 * Where libpq looks for the file.
 *
 * @param env - the environment (default `process.env`)
 * @param platform - the OS (default `process.platform`)
 * @returns `PGPASSFILE` if set, else the platform's default path
 */
export function pgpassFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PGPASSFILE) return env.PGPASSFILE;
  if (platform === "win32") return join(env.APPDATA ?? homedir(), "postgresql", "pgpass.conf");
  return join(env.HOME || homedir(), ".pgpass");
}

/**
 * Parses one line.
 *
 * @param line - a line of the file, without its line break
 * @returns the entry, or `null` for a comment, a blank line or a line with fewer than five fields
 */
export function parsePgpassLine(line: string): PgpassEntry | null {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (text === "" || text.startsWith("#")) return null;
  const fields: Array<{ value: string; wildcard: boolean }> = [];
  let value = "";
  let escaped = false; // whether the current field has an escape (then `\*` is a literal star)
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\" && i + 1 < text.length) {
      value += text[++i];
      escaped = true;
    } else if (ch === ":" && fields.length < 4) {
      fields.push({ value, wildcard: value === "*" && !escaped });
      value = "";
      escaped = false;
    } else if (ch === ":") {
      break; // libpq: the password ends at an unescaped colon; anything after it is ignored
    } else {
      value += ch;
    }
  }
  if (fields.length < 4) return null;
  const field = (i: number): string | null => (fields[i]!.wildcard ? null : fields[i]!.value);
  return { host: field(0), port: field(1), database: field(2), user: field(3), password: value };
}

/**
 * Finds the password for `target` in the text of a password file.
 *
 * @param text - the file's contents
 * @param target - where `pg` will connect
 * @returns the password of the first matching line, or `undefined` (also when it is empty)
 */
export function findPgpassPassword(text: string, target: PgpassTarget): string | undefined {
  // libpq matches a socket in the default directory (or no host at all) as "localhost".
  const hosts = target.host === "" || DEFAULT_SOCKET_DIRS.has(target.host.replace(/\/+$/, "")) ? ["localhost", target.host] : [target.host];
  for (const line of text.split("\n")) {
    const entry = parsePgpassLine(line);
    if (entry === null) continue;
    const matches =
      (entry.host === null || hosts.includes(entry.host)) &&
      (entry.port === null || entry.port === target.port) &&
      (entry.database === null || entry.database === target.database) &&
      (entry.user === null || entry.user === target.user);
    if (matches) return entry.password === "" ? undefined : entry.password;
  }
  return undefined;
}

/**
 * Reads the password file and looks `target` up in it. Synchronous: a small local file, read
 * once when the driver opens.
 *
 * @param target - where `pg` will connect
 * @param env - the environment (default `process.env`)
 * @returns the password found, nothing, or why the file was ignored
 */
export function lookUpPgpass(target: PgpassTarget, env: NodeJS.ProcessEnv = process.env): PgpassLookup {
  const file = pgpassFile(env);
  let text: string;
  try {
    const stats = statSync(file);
    if (!stats.isFile()) return { kind: "ignored", file, reason: "it is not a plain file" };
    // Windows has no such mode bits; libpq does not check there either.
    if (process.platform !== "win32" && (stats.mode & 0o077) !== 0) {
      return { kind: "ignored", file, reason: "the group or others may access it (chmod 0600 it)" };
    }
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "none", file };
    return { kind: "ignored", file, reason: `it cannot be read (${code ?? (error as Error).message})` };
  }
  const password = findPgpassPassword(text, target);
  return password === undefined ? { kind: "none", file } : { kind: "found", file, password };
}

/**
 * Where `pg` will connect for a connection URL, with `pg`'s defaults for what the URL leaves
 * out (`PGHOST`, `PGPORT`, `PGUSER`, then localhost, 5432 and the OS user), so that the file is
 * matched against what is really used.
 *
 * @param url - a URL already checked by `checkUrl` (postgres:// with a database)
 * @param env - the environment (default `process.env`)
 * @returns the target
 */
export function pgpassTarget(url: string, env: NodeJS.ProcessEnv = process.env): PgpassTarget {
  const parsed = new URL(url);
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  // A query parameter wins over the URL's own part, as in pg-connection-string.
  const query = parsed.searchParams;
  const host = query.get("host") || decode(parsed.hostname.replace(/^\[(.*)\]$/, "$1")) || env.PGHOST || "localhost";
  const port = query.get("port") || parsed.port || env.PGPORT || "5432";
  const user = query.get("user") || decode(parsed.username) || env.PGUSER || (process.platform === "win32" ? env.USERNAME : env.USER) || "";
  return { host, port, database: decode(parsed.pathname.slice(1)), user };
}
