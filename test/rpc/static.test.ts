// The `static` option: plain HTTP GET/HEAD answered from files under a root (the web console's
// way in, DESIGN §8), with the same Host/Origin checks as upgrades; WebSocket upgrades unchanged.
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { request, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { gunzipSync } from "node:zlib";
import { createRpcServer, RpcServerError, STATIC_DEFAULT_HEADERS, type RpcServer, type RpcServerOptions } from "../../src/rpc/index.ts";
import { HELP_TEXT } from "../../src/rpc/http-reply.ts";
import { connect, startServer, upgradeStatus } from "../support/rpc.ts";
import { tempDir } from "../support/temp.ts";

const INDEX = "<!doctype html><title>console</title><script type=module src=/app.js></script>\n";
const APP_JS = `// app\n${"console.log('the console, compressible');\n".repeat(200)}`;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request on its own connection; the raw body (not decompressed). Bounded. */
function get(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.setTimeout(2000, () => req.destroy(new Error(`${path}: no answer in time`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * A root with the files the tests ask for, next to a secret outside it that traversal
 * attempts aim at, and symlinks in and out.
 */
function assets(t: TestContext): { root: string; outside: string } {
  const base = tempDir(t, "cogwheel-static-");
  const root = join(base, "console");
  mkdirSync(join(root, "sub"), { recursive: true });
  writeFileSync(join(base, "secret.txt"), "SECRET\n");
  mkdirSync(join(base, "outside-dir"));
  writeFileSync(join(base, "outside-dir", "x.txt"), "SECRET\n");
  writeFileSync(join(root, "index.html"), INDEX);
  writeFileSync(join(root, "app.js"), APP_JS);
  writeFileSync(join(root, "mod.mjs"), "export {};\n");
  writeFileSync(join(root, "style.css"), "body{}\n");
  writeFileSync(join(root, "logo.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>\n");
  writeFileSync(join(root, "logo.png"), PNG);
  writeFileSync(join(root, "data.json"), "{}\n");
  writeFileSync(join(root, "app.js.map"), "{}\n");
  writeFileSync(join(root, "favicon.ico"), PNG);
  writeFileSync(join(root, "notes.txt"), "hi\n");
  writeFileSync(join(root, "blob.bin"), "raw\n");
  writeFileSync(join(root, ".env"), "TOKEN=1\n");
  writeFileSync(join(root, "sub", "deep.css"), "p{}\n");
  symlinkSync(join(base, "secret.txt"), join(root, "link-out.txt"));
  symlinkSync(join(base, "outside-dir"), join(root, "dir-out"));
  symlinkSync(join(root, "notes.txt"), join(root, "link-in.txt"));
  return { root, outside: base };
}

async function staticServer(t: TestContext, extra: RpcServerOptions = {}): Promise<{ server: RpcServer; root: string }> {
  const { root } = assets(t);
  const server = await startServer(t, { static: { root }, ...extra });
  return { server, root };
}

function assertSecurityHeaders(headers: IncomingHttpHeaders, what: string): void {
  assert.equal(headers["content-security-policy"], CSP, what);
  assert.equal(headers["x-frame-options"], "DENY", what);
  assert.equal(headers["x-content-type-options"], "nosniff", what);
  assert.equal(headers["referrer-policy"], "no-referrer", what);
  assert.equal(headers["cache-control"], "no-cache", what);
}

test("GET / answers index.html with its type, length, ETag and the security headers; HEAD the same without a body", async (t) => {
  const { server } = await staticServer(t);
  assert.equal(STATIC_DEFAULT_HEADERS["Content-Security-Policy"], CSP);
  for (const path of ["/", "/index.html", "/?tab=methods"]) {
    const answer = await get(server.port, path);
    assert.equal(answer.status, 200, path);
    assert.equal(answer.headers["content-type"], "text/html; charset=utf-8", path);
    assert.equal(answer.headers["content-length"], String(Buffer.byteLength(INDEX)), path);
    assert.equal(answer.headers["content-encoding"], undefined, path);
    assert.match(answer.headers.etag ?? "", /^"[A-Za-z0-9_-]{27}"$/, path);
    assertSecurityHeaders(answer.headers, path);
    assert.equal(answer.body.toString(), INDEX, path);
  }
  const head = await get(server.port, "/", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers["content-length"], String(Buffer.byteLength(INDEX)));
  assert.equal(head.headers["content-type"], "text/html; charset=utf-8");
  assertSecurityHeaders(head.headers, "HEAD /");
  assert.equal(head.body.length, 0);
});

test("Content-Type by extension; other files are application/octet-stream; files in subfolders and symlinks inside the root are served", async (t) => {
  const { server } = await staticServer(t);
  const expected: Array<[string, string, string | Buffer]> = [
    ["/app.js", "text/javascript; charset=utf-8", APP_JS],
    ["/mod.mjs", "text/javascript; charset=utf-8", "export {};\n"],
    ["/style.css", "text/css; charset=utf-8", "body{}\n"],
    ["/logo.svg", "image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg'/>\n"],
    ["/logo.png", "image/png", PNG],
    ["/data.json", "application/json", "{}\n"],
    ["/app.js.map", "application/json", "{}\n"],
    ["/favicon.ico", "image/x-icon", PNG],
    ["/notes.txt", "text/plain; charset=utf-8", "hi\n"],
    ["/blob.bin", "application/octet-stream", "raw\n"],
    ["/sub/deep.css", "text/css; charset=utf-8", "p{}\n"],
    ["/link-in.txt", "text/plain; charset=utf-8", "hi\n"],
  ];
  for (const [path, type, body] of expected) {
    const answer = await get(server.port, path);
    assert.equal(answer.status, 200, path);
    assert.equal(answer.headers["content-type"], type, path);
    assert.deepEqual(answer.body, Buffer.isBuffer(body) ? body : Buffer.from(body), path);
  }
});

test("nothing outside the root, no dot files, no directories: traversal, encoded dots and slashes, NUL and escaping symlinks get 404", async (t) => {
  const { server } = await staticServer(t);
  const attempts = [
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/..%2fsecret.txt",
    "/sub/..%2F..%2Fsecret.txt",
    "/sub/../../secret.txt",
    "/sub/../index.html",
    "/./index.html",
    "//index.html",
    "/sub%2Fdeep.css",
    "/sub\\deep.css",
    "/sub%5Cdeep.css",
    "/index.html%00",
    "/index.html%00.png",
    "/%00",
    "/%zz",
    "/link-out.txt",
    "/dir-out/x.txt",
    "/.env",
    "/sub",
    "/sub/",
    "/missing.js",
    "/INDEX.HTML",
  ];
  for (const path of attempts) {
    const answer = await get(server.port, path);
    assert.equal(answer.status, 404, path);
    assert.equal(answer.body.toString(), "Not Found\n", path);
    assert.equal(answer.headers["content-type"], "text/plain; charset=utf-8", path);
    assertSecurityHeaders(answer.headers, path);
  }
  // An absolute-form target names no file of ours either.
  assert.equal((await get(server.port, `http://127.0.0.1:${server.port}/index.html`)).status, 404);
});

test("gzip when Accept-Encoding allows it (round-trips to the file), identity otherwise; images are never gzipped", async (t) => {
  const { server } = await staticServer(t);
  const plain = await get(server.port, "/app.js");
  assert.equal(plain.headers.vary, "Accept-Encoding");
  for (const accept of ["gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*"]) {
    const answer = await get(server.port, "/app.js", { headers: { "Accept-Encoding": accept } });
    assert.equal(answer.status, 200, accept);
    assert.equal(answer.headers["content-encoding"], "gzip", accept);
    assert.equal(answer.headers.vary, "Accept-Encoding", accept);
    assert.equal(answer.headers["content-length"], String(answer.body.length), accept);
    assert.ok(answer.body.length < Buffer.byteLength(APP_JS) / 4, `${accept}: ${answer.body.length} bytes`);
    assert.equal(gunzipSync(answer.body).toString(), APP_JS, accept);
    assert.notEqual(answer.headers.etag, plain.headers.etag, "each encoding has its own ETag");
  }
  for (const accept of ["identity", "gzip;q=0", "br", "*;q=1, gzip;q=0"]) {
    const answer = await get(server.port, "/app.js", { headers: { "Accept-Encoding": accept } });
    assert.equal(answer.headers["content-encoding"], undefined, accept);
    assert.equal(answer.body.toString(), APP_JS, accept);
  }
  const png = await get(server.port, "/logo.png", { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(png.headers["content-encoding"], undefined);
  assert.equal(png.headers.vary, undefined);
  assert.deepEqual(png.body, PNG);
});

test("If-None-Match with the current ETag gets 304 without a body", async (t) => {
  const { server } = await staticServer(t);
  const first = await get(server.port, "/app.js", { headers: { "Accept-Encoding": "gzip" } });
  const again = await get(server.port, "/app.js", { headers: { "Accept-Encoding": "gzip", "If-None-Match": first.headers.etag! } });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.etag, first.headers.etag);
  assertSecurityHeaders(again.headers, "304");
  // The identity ETag does not match the gzip variant.
  const plain = await get(server.port, "/app.js");
  assert.equal((await get(server.port, "/app.js", { headers: { "Accept-Encoding": "gzip", "If-None-Match": plain.headers.etag! } })).status, 200);
  assert.equal((await get(server.port, "/app.js", { headers: { "If-None-Match": '"stale"' } })).status, 200);
});

test("methods other than GET and HEAD get 405 with Allow: GET, HEAD", async (t) => {
  const { server } = await staticServer(t);
  for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
    for (const path of ["/", "/app.js", "/missing"]) {
      const answer = await get(server.port, path, { method });
      assert.equal(answer.status, 405, `${method} ${path}`);
      assert.equal(answer.headers.allow, "GET, HEAD", `${method} ${path}`);
      assert.equal(answer.body.toString(), "Method Not Allowed: this server answers GET and HEAD.\n");
      assertSecurityHeaders(answer.headers, `${method} ${path}`);
    }
  }
});

test("the Host and Origin checks apply to static files: a rebinding host or a foreign origin gets 403, loopback names and the own origin get the page", async (t) => {
  const { server } = await staticServer(t);
  const port = server.port;
  for (const host of ["evil.example", `evil.example:${port}`, `127.0.0.1:${port + 1}`, "127.0.0.1"]) {
    const answer = await get(port, "/", { headers: { Host: host } });
    assert.equal(answer.status, 403, host);
    assert.equal(answer.body.toString(), `Host ${JSON.stringify(host)} is not this server's loopback address\n`, host);
    assert.ok(!answer.body.toString().includes("console"), "none of the page leaks");
  }
  for (const origin of ["http://evil.example", "null", `http://127.0.0.1:${port + 1}`]) {
    const answer = await get(port, "/app.js", { headers: { Origin: origin } });
    assert.equal(answer.status, 403, origin);
  }
  for (const host of [`localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
    assert.equal((await get(port, "/", { headers: { Host: host } })).status, 200, host);
  }
  assert.equal((await get(port, "/app.js", { headers: { Origin: `http://127.0.0.1:${port}` } })).status, 200);
  // The token guards the RPC only: a page must load before it can ask for one.
  const { root } = assets(t);
  const guarded = await startServer(t, { static: { root }, authToken: "x".repeat(40) });
  assert.equal((await get(guarded.port, "/")).status, 200);
  assert.equal((await upgradeStatus(guarded.port, {})).status, 401);
});

test("with static files on, WebSocket upgrades at / work as before and other upgrade paths still get 404", async (t) => {
  const { server } = await staticServer(t);
  const client = await connect(t, server);
  const methods = (await client.call("GET_METHODS")).result as string[];
  assert.ok(methods.includes("GET_METHODS"));
  assert.equal((await upgradeStatus(server.port, {}, "/app.js")).status, 404);
  assert.equal((await upgradeStatus(server.port, { Origin: "http://evil.example" })).status, 403);
  assert.equal((await upgradeStatus(server.port, {})).status, 101);
});

test("without the option, GET / still gets 426 with the help text", async (t) => {
  const server = await startServer(t);
  const answer = await get(server.port, "/");
  assert.equal(answer.status, 426);
  assert.equal(answer.body.toString(), `${HELP_TEXT}\n`);
  assert.equal(answer.headers["content-security-policy"], undefined);
  const nulled = await startServer(t, { static: null });
  assert.equal((await get(nulled.port, "/")).status, 426);
});

test("headers merge over the defaults in one place: same name in any case replaces, new names are added", async (t) => {
  const { root } = assets(t);
  const server = await startServer(t, { static: { root, headers: { "cache-control": "max-age=60", "X-Extra": "yes" } } });
  const answer = await get(server.port, "/");
  assert.equal(answer.headers["cache-control"], "max-age=60");
  assert.equal(answer.headers["x-extra"], "yes");
  assert.equal(answer.headers["x-frame-options"], "DENY");
  assert.equal(answer.headers["content-security-policy"], CSP);
});

test("the files are read once at listen(): later changes on disk are not served", async (t) => {
  const { server, root } = await staticServer(t);
  writeFileSync(join(root, "index.html"), "changed\n");
  writeFileSync(join(root, "new.js"), "new\n");
  assert.equal((await get(server.port, "/")).body.toString(), INDEX);
  assert.equal((await get(server.port, "/new.js")).status, 404);
});

test("bad static options are refused up front; an unreadable root fails listen() with ERR_RPC_STATIC_FILES", async (t) => {
  const invalid = (options: unknown, fragment: string): void => {
    assert.throws(
      () => createRpcServer({ port: 0, static: options as RpcServerOptions["static"] }),
      (error: unknown) => error instanceof RpcServerError && error.code === "ERR_RPC_INVALID_OPTION" && error.message.includes(fragment),
      fragment,
    );
  };
  invalid("dist/console", "option static must be");
  invalid({ root: "dist/console" }, "option static.root must be an absolute directory path");
  invalid({}, "option static.root must be an absolute directory path");
  invalid({ root: "/tmp", index: "main.html" }, "unknown option static.index");
  invalid({ root: "/tmp", headers: { "Bad Name": "x" } }, "is not a header name");
  invalid({ root: "/tmp", headers: { "X-A": "line\r\nInjected: 1" } }, "static.headers.X-A must be a string");
  invalid({ root: "/tmp", headers: { "X-A": 1 } }, "static.headers.X-A must be a string");
  invalid({ root: "/tmp", headers: { "Content-Type": "text/plain" } }, "Content-Type is set by the server");

  const missing = join(tempDir(t), "nope");
  const server = createRpcServer({ port: 0, static: { root: missing } });
  t.after(() => server.close());
  await assert.rejects(server.listen(), (error: unknown) => {
    assert.ok(error instanceof RpcServerError);
    assert.equal(error.code, "ERR_RPC_STATIC_FILES");
    assert.ok(error.message.startsWith(`cannot serve static files from ${missing}: `), error.message);
    return true;
  });
  assert.equal(server.state, "closed");
});
