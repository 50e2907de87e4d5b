// What the PostgreSQL driver says about a connection URL, and what it removes from messages: a
// password must never be printed, also from a malformed URL, and messages must stay readable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkUrl, scrub } from "../../src/config/postgres/options.ts";

function refused(url: string): string {
  try {
    checkUrl(url);
  } catch (error) {
    assert.equal((error as { code?: string }).code, "ERR_CONFIG_INVALID_URL");
    return (error as Error).message;
  }
  assert.fail(`accepted ${url}`);
}

test("a malformed URL is refused without echoing any of it: a forgotten scheme, an unencoded @ or / in the password", () => {
  const noScheme = refused("bot:s3cretpw@127.0.0.1/cogwheel");
  assert.equal(noScheme, "PostgreSQL URL must start with postgres:// or postgresql://");
  const otherScheme = refused("mysql://root:hunter2@localhost/db");
  assert.equal(otherScheme, "PostgreSQL URL must start with postgres:// or postgresql:// (not mysql://)");
  const twoAts = refused("postgres://bot:a@b/secretpart@127.0.0.1:55432/cogwheel");
  assert.equal(twoAts, "PostgreSQL URL has more than one @: percent-encode @, /, : and # in the user name and password (%40, %2F, %3A, %23)");
  for (const message of [noScheme, otherScheme, twoAts]) assert.ok(!/s3cretpw|hunter2|secretpart/.test(message), message);
  // Encoded, the same password is fine.
  assert.equal(checkUrl("postgres://bot:a%40b%2Fsecretpart@127.0.0.1:55432/cogwheel").secret, "a@b/secretpart");
});

test("the target names the database without the password, and a socket directory given with a host", () => {
  assert.equal(checkUrl("postgres://bot:s3cretpw@127.0.0.1:55432/cogwheel?sslmode=verify-full").target, "postgres://bot@127.0.0.1:55432/cogwheel");
  assert.equal(checkUrl("postgres://bot@localhost:55432/cogwheel?host=/run/postgresql").target, "postgres://bot@localhost:55432/cogwheel?host=/run/postgresql");
});

test("scrub: a URL's password always; elsewhere only one long enough not to garble ordinary words", () => {
  assert.equal(scrub("connect to postgres://bot:e@127.0.0.1/db failed", "e"), "connect to postgres://bot:***@127.0.0.1/db failed");
  assert.equal(scrub("Cannot connect to PostgreSQL postgres://bot@127.0.0.1:55432/nope", "e"), "Cannot connect to PostgreSQL postgres://bot@127.0.0.1:55432/nope");
  assert.equal(scrub('password authentication failed for user "bot"', "bot"), 'password authentication failed for user "bot"');
  assert.equal(scrub("server said: hunter2-long was wrong", "hunter2-long"), "server said: *** was wrong");
  assert.equal(scrub("postgres://u:p%40ss%2Fword@h/db", "p@ss/word"), "postgres://u:***@h/db");
});
