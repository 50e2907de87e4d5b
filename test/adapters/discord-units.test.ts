/**
 * The Discord adapter's pure parts: message splitting and option validation.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_MESSAGE_LENGTH, splitMessage } from "../../src/adapters/discord/split.ts";
import { resolveOptions, type DiscordAdapterOptions } from "../../src/adapters/discord/options.ts";

test("splitMessage keeps short texts whole and gives nothing for an empty text", () => {
  assert.equal(MAX_MESSAGE_LENGTH, 2000);
  assert.deepEqual(splitMessage("Pong."), ["Pong."]);
  assert.deepEqual(splitMessage("x".repeat(2000)), ["x".repeat(2000)]);
  assert.deepEqual(splitMessage(""), []);
});

test("splitMessage cuts after a newline, else after a space, else hard at the limit", () => {
  // Newline in the second half of the window wins.
  assert.deepEqual(splitMessage("aaaaaaa\nbbbbb", 10), ["aaaaaaa\n", "bbbbb"]);
  // No newline: the last space.
  assert.deepEqual(splitMessage("aaaaaa bbbbbb", 10), ["aaaaaa ", "bbbbbb"]);
  // A break in the first half of the window is not worth a tiny chunk: hard cut.
  assert.deepEqual(splitMessage("a bbbbbbbbbbbbbb", 10), ["a bbbbbbbb", "bbbbbb"]);
  // No break at all.
  assert.deepEqual(splitMessage("x".repeat(4001)), ["x".repeat(2000), "x".repeat(2000), "x"]);
});

test("splitMessage never cuts a surrogate pair and always joins back to the input", () => {
  const emoji = "😀"; // two UTF-16 code units
  const text = "a" + emoji.repeat(10); // 21 code units: a pair straddles index 10
  const chunks = splitMessage(text, 10);
  assert.deepEqual(chunks, ["a" + emoji.repeat(4), emoji.repeat(5), emoji]);
  assert.equal(chunks.join(""), text);
  for (const chunk of chunks) {
    assert.ok(chunk.length <= 10);
    assert.ok(!/[\uD800-\uDBFF]$/.test(chunk), "no chunk ends in a high surrogate");
  }
});

test("resolveOptions validates the token and options up front with one-line errors", () => {
  const ok = resolveOptions({ token: "  Bot abc.def.ghi  " });
  assert.equal(ok.token, "abc.def.ghi");
  assert.equal(ok.restApiUrl, undefined);
  assert.equal(ok.readyTimeoutMs, 30_000);
  assert.equal(ok.stopTimeoutMs, 5_000);
  assert.equal(resolveOptions({ token: "t", restApiUrl: "http://127.0.0.1:1/api/" }).restApiUrl, "http://127.0.0.1:1/api");

  const bad: [unknown, string, string][] = [
    [{ token: "" }, "INVALID_TOKEN", "Discord adapter: a bot token is required (set DISCORD_TOKEN or pass --token)"],
    [{}, "INVALID_TOKEN", "Discord adapter: a bot token is required (set DISCORD_TOKEN or pass --token)"],
    [{ token: "Bot " }, "INVALID_TOKEN", "Discord adapter: a bot token is required (set DISCORD_TOKEN or pass --token)"],
    [{ token: "a b" }, "INVALID_TOKEN", "Discord adapter: the bot token must not contain whitespace"],
    [{ token: "t", restApiUrl: "nope" }, "INVALID_OPTIONS", "Discord adapter: restApiUrl is not a URL: nope"],
    [{ token: "t", restApiUrl: "ftp://x/api" }, "INVALID_OPTIONS", "Discord adapter: restApiUrl must be http(s)"],
    [{ token: "t", readyTimeoutMs: 0 }, "INVALID_OPTIONS", "Discord adapter: readyTimeoutMs must be a positive number of ms"],
    [null, "INVALID_OPTIONS", "Discord adapter: options object is required"],
  ];
  for (const [options, code, message] of bad) {
    assert.throws(() => resolveOptions(options as DiscordAdapterOptions), { name: "DiscordAdapterError", code, message });
  }
});
