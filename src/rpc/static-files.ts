import { createHash } from "node:crypto";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { RpcServerError } from "./errors.ts";

/**
 * Option `static` of {@link createRpcServer}: plain HTTP GET/HEAD requests are answered from the
 * files under `root` instead of with the 426 help text. WebSocket upgrades are not affected.
 */
export interface StaticFilesOptions {
  /** Absolute path of the directory served at `/`; `GET /` answers its `index.html`. */
  root: string;
  /** Headers added to every static answer, over {@link STATIC_DEFAULT_HEADERS} (same name, case-insensitive, replaces). */
  headers?: Readonly<Record<string, string>>;
}

/**
 * The headers every static answer carries unless `headers` replaces them: a page served here
 * runs only its own files (no inline script, no third party), cannot be framed, is not sniffed
 * into another type, leaks no referrer, and is revalidated on every load (ETag makes that cheap).
 */
export const STATIC_DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
};

/** Content types by extension; anything else is application/octet-stream. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".map": "application/json",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};
/** Types worth compressing (png and ico are compressed already). */
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".svg", ".json", ".map", ".txt"]);

/**
 * Limits of the in-memory copy: the files are read once, at `listen()`, so a root that is not a
 * small asset folder (a mistaken `/`) fails the start instead of filling memory.
 */
export const STATIC_LIMITS = { maxFiles: 2000, maxFileBytes: 8 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024 } as const;

const ALLOW = "GET, HEAD";

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly etag: string;
  /** The gzip body, when compressing made it smaller. */
  readonly gzip: Buffer | null;
}

/**
 * The files under a root, read into memory once ({@link loadStaticFiles}). Requests are answered
 * by looking the decoded path up in that table: a path that names no file read from under the
 * root (`..`, encoded slashes, NUL, a symlink that led outside) simply is not in it.
 */
export class StaticFiles {
  readonly #assets: ReadonlyMap<string, Asset>;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(assets: ReadonlyMap<string, Asset>, headers: Readonly<Record<string, string>>) {
    this.#assets = assets;
    this.#headers = headers;
  }

  /** Answers one plain HTTP request: 200/304 with the file, 404, or 405. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    const method = request.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") {
      this.#plain(response, 405, "Method Not Allowed: this server answers GET and HEAD.", { Allow: ALLOW });
      return;
    }
    const asset = this.#assets.get(assetKey(request.url ?? "/") ?? "");
    if (asset === undefined) {
      this.#plain(response, 404, "Not Found", {}, method === "HEAD");
      return;
    }
    const gzip = asset.gzip !== null && acceptsGzip(request.headers["accept-encoding"]);
    const etag = gzip ? `${asset.etag.slice(0, -1)}-gz"` : asset.etag;
    const headers: Record<string, string> = { ...this.#headers, ETag: etag, "Content-Type": asset.type };
    // Whether gzip is offered depends on Accept-Encoding: caches must key on it.
    if (asset.gzip !== null) headers.Vary = "Accept-Encoding";
    if (matches(request.headers["if-none-match"], etag)) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    const body = gzip ? asset.gzip! : asset.body;
    if (gzip) headers["Content-Encoding"] = "gzip";
    headers["Content-Length"] = String(body.length);
    response.writeHead(200, headers);
    response.end(method === "HEAD" ? undefined : body);
  }

  #plain(response: ServerResponse, status: number, message: string, extra: Record<string, string>, head = false): void {
    const body = `${message}\n`;
    response.writeHead(status, {
      ...this.#headers,
      ...extra,
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Length": String(Buffer.byteLength(body)),
    });
    response.end(head ? undefined : body);
  }
}

/**
 * Reads every regular file under `options.root` (dot files left out) into memory, gzipped where
 * that helps. A symlink is followed only when its target is inside the root too.
 * Throws `ERR_RPC_STATIC_FILES` when the root cannot be read or exceeds {@link STATIC_LIMITS}.
 */
export async function loadStaticFiles(options: StaticFilesOptions): Promise<StaticFiles> {
  let root: string;
  try {
    root = await realpath(options.root);
    if (!(await stat(root)).isDirectory()) throw new Error("not a directory");
  } catch (error) {
    throw staticError(`cannot serve static files from ${options.root}: ${(error as Error).message}`, error);
  }
  const assets = new Map<string, Asset>();
  let total = 0;
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue; // .env, .DS_Store: never meant to be served
      let path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await realpath(path).catch(() => null);
        if (target === null || !target.startsWith(root + sep)) continue; // dangling or escaping the root
        path = target;
      }
      const info = await lstat(path);
      if (info.isDirectory()) {
        // A symlinked directory inside the root could loop; only real directories are walked.
        if (!entry.isSymbolicLink()) await walk(path, `${prefix}${entry.name}/`);
        continue;
      }
      if (!info.isFile()) continue;
      if (assets.size >= STATIC_LIMITS.maxFiles) throw staticError(`${options.root} holds more than ${STATIC_LIMITS.maxFiles} files; serve a folder of assets`);
      if (info.size > STATIC_LIMITS.maxFileBytes) throw staticError(`${path} is larger than ${STATIC_LIMITS.maxFileBytes} bytes; serve a folder of assets`);
      total += info.size;
      if (total > STATIC_LIMITS.maxTotalBytes) throw staticError(`${options.root} holds more than ${STATIC_LIMITS.maxTotalBytes} bytes; serve a folder of assets`);
      assets.set(prefix + entry.name, toAsset(entry.name, await readFile(path)));
    }
  };
  try {
    await walk(root, "");
  } catch (error) {
    if (error instanceof RpcServerError) throw error;
    throw staticError(`cannot read static files under ${options.root}: ${(error as Error).message}`, error);
  }
  return new StaticFiles(assets, mergeHeaders(options.headers));
}

function toAsset(name: string, body: Buffer): Asset {
  const ext = extname(name).toLowerCase();
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  let gzip: Buffer | null = null;
  if (COMPRESSIBLE.has(ext)) {
    const packed = gzipSync(body, { level: 9 });
    if (packed.length < body.length) gzip = packed;
  }
  return { type: CONTENT_TYPES[ext] ?? "application/octet-stream", body, etag, gzip };
}

/** The defaults with `headers` over them; a name given in another case replaces the default. */
function mergeHeaders(headers: Readonly<Record<string, string>> = {}): Record<string, string> {
  const merged: Record<string, string> = {};
  const given = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(STATIC_DEFAULT_HEADERS)) if (!given.has(name.toLowerCase())) merged[name] = value;
  return { ...merged, ...headers };
}

/**
 * The table key of a request target, or null when it cannot name a file: each segment is
 * decoded on its own, so `%2F` cannot join segments, and `.`, `..`, empty segments, NUL and
 * backslashes are refused outright. `/` (with or without a query) is index.html.
 */
export function assetKey(target: string): string | null {
  const path = target.split("?", 1)[0]!.split("#", 1)[0]!;
  if (!path.startsWith("/")) return null;
  if (path === "/") return "index.html";
  const segments: string[] = [];
  for (const raw of path.slice(1).split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === "" || segment === "." || segment === ".." || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments.join("/");
}

/** True unless Accept-Encoding leaves gzip out or gives it q=0. */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  const weights = new Map<string, number>();
  for (const part of header.split(",")) {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    weights.set(coding!.trim(), q === undefined ? 1 : Number(q.slice(2)));
  }
  // An explicit gzip entry wins over the wildcard (`*;q=1, gzip;q=0` refuses gzip).
  const weight = weights.get("gzip") ?? weights.get("*") ?? 0;
  return weight > 0;
}

function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed === etag || trimmed === `W/${etag}`;
  });
}

function staticError(message: string, cause?: unknown): RpcServerError {
  return new RpcServerError("ERR_RPC_STATIC_FILES", message, cause === undefined ? undefined : { cause });
}
