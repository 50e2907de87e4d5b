// The password file read by the driver itself (src/config/postgres/pgpass.ts): parsing and
// matching as libpq does, the permission rule, and one real connection with the password
// only in a .pgpass file, in a child process that would die on pg's DeprecationWarning.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { withPasswordFile, resolvePostgresOptions } from "../../src/config/postgres/options.ts";
import { findPgpassPassword, lookUpPgpass, parsePgpassLine, pgpassFile, pgpassTarget } from "../../src/config/postgres/pgpass.ts";
import { ROOT } from "../support/cli.ts";
import { startPostgres, type PostgresCluster } from "../support/postgres.ts";
import { tempDir } from "../support/temp.ts";

const target = { host: "db.example", port: "5432", database: "cogwheel", user: "bot" };

test("lines: five fields, `*` wildcards, \\: and \\\\ escapes, comments and short lines skipped", () => {
  assert.deepEqual(parsePgpassLine("db.example:5432:cogwheel:bot:s3cret"), { host: "db.example", port: "5432", database: "cogwheel", user: "bot", password: "s3cret" });
  assert.deepEqual(parsePgpassLine("*:*:*:*:pw"), { host: null, port: null, database: null, user: null, password: "pw" });
  // An escaped star is a literal star; escaped colons and backslashes are kept as characters.
  assert.deepEqual(parsePgpassLine("\\*:5432:a\\:b:c\\\\d:p\\:w\\\\x"), { host: "*", port: "5432", database: "a:b", user: "c\\d", password: "p:w\\x" });
  // libpq ends the password at an unescaped colon; a CRLF file works.
  assert.equal(parsePgpassLine("h:1:d:u:pw:extra")?.password, "pw");
  assert.equal(parsePgpassLine("h:1:d:u:pw\r")?.password, "pw");
  assert.equal(parsePgpassLine("# h:1:d:u:pw"), null);
  assert.equal(parsePgpassLine(""), null);
  assert.equal(parsePgpassLine("h:1:d:u"), null);
});

test("matching: the first matching line wins, every field must match, sockets in the default dir are localhost", () => {
  const file = [
    "# comment",
    "other.example:5432:*:bot:wrong-host",
    "db.example:5433:*:bot:wrong-port",
    "db.example:5432:other:bot:wrong-db",
    "db.example:5432:cogwheel:admin:wrong-user",
    "db.example:5432:cogwheel:bot:first",
    "*:*:*:*:second",
  ].join("\n");
  assert.equal(findPgpassPassword(file, target), "first");
  assert.equal(findPgpassPassword(file, { ...target, user: "someone" }), "second");
  assert.equal(findPgpassPassword("db.example:5432:cogwheel:nobody:x", target), undefined);
  assert.equal(findPgpassPassword("db.example:5432:cogwheel:bot:", target), undefined, "an empty password is no password");
  assert.equal(findPgpassPassword("localhost:5432:*:*:sock", { ...target, host: "/var/run/postgresql" }), "sock");
  assert.equal(findPgpassPassword("localhost:5432:*:*:sock", { ...target, host: "/srv/pg" }), undefined);
  assert.equal(findPgpassPassword("/srv/pg:5432:*:*:sock", { ...target, host: "/srv/pg" }), "sock");
  assert.equal(findPgpassPassword("\\:\\:1:5432:*:*:v6", { ...target, host: "::1" }), "v6");
});

test("target: from the URL, with pg's defaults (PGHOST, PGPORT, PGUSER, localhost, 5432) for what it leaves out", () => {
  assert.deepEqual(pgpassTarget("postgres://bot@db.example:6000/cogwheel", {}), { host: "db.example", port: "6000", database: "cogwheel", user: "bot" });
  assert.deepEqual(pgpassTarget("postgresql://[::1]/my%20db", { USER: "os-user" }), { host: "::1", port: "5432", database: "my db", user: "os-user" });
  assert.deepEqual(pgpassTarget("postgres:///cogwheel?host=/run/postgresql&port=7000", { PGUSER: "env-user" }), {
    host: "/run/postgresql",
    port: "7000",
    database: "cogwheel",
    user: "env-user",
  });
  assert.deepEqual(pgpassTarget("postgres://h/d", { PGHOST: "x", PGPORT: "1", PGUSER: "u" }), { host: "h", port: "1", database: "d", user: "u" });
  // As pg reads it: a query parameter wins over the URL's own host, port and user.
  assert.deepEqual(pgpassTarget("postgres://a@h:1/d?host=/sock&port=2&user=b", {}), { host: "/sock", port: "2", database: "d", user: "b" });
});

test("file: PGPASSFILE, else ~/.pgpass; ignored when the group or others may read it or it is no plain file", (t) => {
  const dir = tempDir(t);
  assert.equal(pgpassFile({ HOME: "/home/bot" }, "linux"), "/home/bot/.pgpass");
  assert.equal(pgpassFile({ HOME: "/home/bot", PGPASSFILE: "/etc/pw" }, "linux"), "/etc/pw");
  assert.equal(pgpassFile({ APPDATA: "C:\\Users\\bot\\AppData" }, "win32").replace(/\\/g, "/"), "C:/Users/bot/AppData/postgresql/pgpass.conf");

  const file = join(dir, ".pgpass");
  writeFileSync(file, "*:*:*:*:from-home\n");
  chmodSync(file, 0o600);
  assert.deepEqual(lookUpPgpass(target, { HOME: dir }), { kind: "found", file, password: "from-home" });
  chmodSync(file, 0o640);
  assert.deepEqual(lookUpPgpass(target, { HOME: dir }), { kind: "ignored", file, reason: "the group or others may access it (chmod 0600 it)" });
  chmodSync(file, 0o604);
  assert.equal(lookUpPgpass(target, { HOME: dir }).kind, "ignored");
  assert.deepEqual(lookUpPgpass(target, { PGPASSFILE: join(dir, "missing") }), { kind: "none", file: join(dir, "missing") });
  mkdirSync(join(dir, "a-dir"));
  assert.deepEqual(lookUpPgpass(target, { PGPASSFILE: join(dir, "a-dir") }), { kind: "ignored", file: join(dir, "a-dir"), reason: "it is not a plain file" });
});

test("options: the file's password is used only when neither the URL nor PGPASSWORD gives one, and becomes the secret", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "pgpass");
  writeFileSync(file, "*:*:*:*:p@ss:w%rd\n".replace(":w", "\\:w"));
  chmodSync(file, 0o600);
  const env = { PGPASSFILE: file };
  const resolved = (url: string) => resolvePostgresOptions({ url });

  const found = withPasswordFile(resolved("postgres://bot@db.example/cogwheel"), env);
  assert.equal(found.lookup?.kind, "found");
  assert.equal(found.options.secret, "p@ss:w%rd");
  assert.equal(new URL(found.options.url).searchParams.get("password"), "p@ss:w%rd");
  assert.equal(found.options.target, "postgres://bot@db.example/cogwheel", "the target never shows it");

  for (const [url, e] of [
    ["postgres://bot:given@db.example/cogwheel", env],
    ["postgres://bot@db.example/cogwheel?password=given", env],
    ["postgres://bot@db.example/cogwheel", { ...env, PGPASSWORD: "from-env" }],
  ] as const) {
    const kept = withPasswordFile(resolved(url), e);
    assert.equal(kept.lookup, null, url);
    assert.equal(kept.options.url, url);
  }
});

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

/** Runs a script in a child process that dies on any DeprecationWarning; resolves with its output. */
function runChild(script: string, env: Record<string, string | undefined>): Promise<{ code: number | null; out: string }> {
  const childEnv: Record<string, string | undefined> = { ...process.env, PGPASSWORD: "", ...env };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--throw-deprecation", "--import", "tsx", "--input-type=module", "-e", script], {
      cwd: ROOT,
      env: childEnv,
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test("real server: a URL without password connects with the .pgpass password, and pg prints no DeprecationWarning", async (t) => {
  const home = tempDir(t);
  const file = join(home, ".pgpass");
  writeFileSync(file, `# test cluster\n127.0.0.1:${cluster.port}:*:${cluster.user}:${cluster.password.replace(/([:\\])/g, "\\$1")}\n`);
  chmodSync(file, 0o600);
  const url = `postgres://${cluster.user}@127.0.0.1:${cluster.port}/postgres`;
  // The driver opens (schema, listener) and commits a write: every connection authenticated.
  const script = `
    import { PostgresDriver } from "./src/config/postgres/driver.ts";
    const driver = await PostgresDriver.open({ url: ${JSON.stringify(url)} });
    const done = await driver.commit("Pgpass", [{ ref: { kind: "global" }, version: 0 }], [{ ref: { kind: "global" }, data: { ok: true } }]);
    console.log("committed", done.ok);
    await driver.close();
  `;
  const run = await runChild(script, { HOME: home, PGPASSFILE: "" });
  assert.equal(run.code, 0, run.out);
  assert.match(run.out, /^committed true$/m);
  assert.doesNotMatch(run.out, /Deprecation|pgpass/i);
  assert.doesNotMatch(run.out, new RegExp(cluster.password));

  // The same file readable by others is ignored, and the error says so (no password shown).
  chmodSync(file, 0o644);
  // PGPASSWORD unset (not empty): that is when pg would read the file itself.
  const refused = await runChild(script, { HOME: home, PGPASSFILE: undefined, PGPASSWORD: undefined });
  assert.notEqual(refused.code, 0);
  assert.match(refused.out, new RegExp(`the server asks for a password and none was given \\(in the URL, PGPASSWORD or ${file}\\); the password file ${file} was ignored: the group or others may access it`));
  assert.doesNotMatch(refused.out, new RegExp(cluster.password));
  assert.doesNotMatch(refused.out, /WARNING: password file|Deprecation/, "pg never read the file itself");
});
