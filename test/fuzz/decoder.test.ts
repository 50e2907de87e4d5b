// Property-based tests of the decoder: validateRequest (what is a request, which id it gets)
// and findRawId (the source text of a request's id), against an independent lossless reader.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { validateRequest } from "../../src/rpc/protocol.ts";
import { findRawId, RawIds } from "../../src/rpc/raw-id.ts";
import {
  fuzzParams,
  idKey,
  idText,
  isObject,
  jsonText,
  member,
  numberText,
  objectText,
  parseLossless,
  stringText,
  toPlain,
  ws,
  type Lossless,
  type Member,
} from "../support/fuzz.ts";

const jsonrpcText = fc.oneof(
  { weight: 6, arbitrary: fc.constant('"2.0"') },
  { weight: 1, arbitrary: fc.constantFrom('"2"', "2.0", '"1.0"', "null", '"2.0 "', '"\\u0032.0"', "[]") },
);
const methodText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("ECHO", "echo", "Add", "GET_METHODS", "rpc.discover", "").map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: stringText },
  { weight: 1, arbitrary: fc.constantFrom("null", "1", "[]", "{}", "true") },
);

/** A request-like object: optional jsonrpc/method/params, any number of id members, extra keys; shuffled. */
const requestMembers = (keyText: fc.Arbitrary<(key: string) => string> = fc.constant((k: string) => JSON.stringify(k))) =>
  fc
    .tuple(
      fc.option(jsonrpcText, { freq: 8, nil: undefined }),
      fc.option(methodText, { freq: 8, nil: undefined }),
      fc.array(idText, { maxLength: 3 }),
      fc.option(jsonText(3), { nil: undefined }),
      fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("ID", "id ", "Id", "i", "idd", '"id"')), jsonText(2)), { maxLength: 3 }),
      fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
      keyText,
    )
    .map(([jsonrpc, method, ids, params, extras, order, spell]) => {
      const members: Member[] = [];
      if (jsonrpc !== undefined) members.push(member("jsonrpc", jsonrpc));
      if (method !== undefined) members.push(member("method", method));
      if (params !== undefined) members.push(member("params", params));
      for (const [k, v] of extras) if (k !== "id") members.push(member(k, v));
      // Shuffle everything but the ids, then put the ids at random places (their relative order kept).
      const keyed = members.map((m, i) => [order[i % order.length]! + i / 100, m] as const).sort((a, b) => a[0] - b[0]);
      const out = keyed.map(([, m]) => m);
      ids.forEach((text, k) => {
        const at = Math.min(out.length, (order[(k + 5) % order.length]! % (out.length + 1)) + k);
        out.splice(at, 0, { key: "id", keyText: spell("id"), valueText: text });
      });
      return out;
    });

const requestText = (keyText?: fc.Arbitrary<(key: string) => string>) =>
  fc.tuple(requestMembers(keyText), fc.array(ws, { minLength: 4, maxLength: 4 })).map(([members, spaces]) => ({
    members,
    text: objectText(members, spaces),
  }));

/** The last member named "id" (by decoded key), as written. */
function lastIdText(members: readonly Member[]): string | undefined {
  let found: string | undefined;
  for (const m of members) if (m.key === "id") found = m.valueText;
  return found;
}

/** The oracle of validateRequest: JSON-RPC 2.0 §4 and docs/rpc.md §5, from the lossless reading. */
function expectedValidation(message: Lossless): { error: true; idKey: string } | { error: false; method: string; params: unknown; idKey: string | null } {
  if (!isObject(message)) return { error: true, idKey: "null" };
  let key: string | null = null;
  if ("id" in message) {
    key = idKey(message.id!);
    if (key === null) return { error: true, idKey: "null" };
  }
  if (message.jsonrpc !== "2.0" || typeof message.method !== "string") return { error: true, idKey: key ?? "null" };
  return { error: false, method: message.method, params: "params" in message ? toPlain(message.params!) : undefined, idKey: key };
}

test("fuzz: the test's lossless JSON reader agrees with JSON.parse (oracle self-check)", () => {
  fc.assert(
    fc.property(fc.oneof(jsonText(4), requestText().map((r) => r.text)), (text) => {
      assert.deepStrictEqual(toPlain(parseLossless(text)), JSON.parse(text));
    }),
    fuzzParams(300),
  );
});

test("fuzz: validateRequest classifies any request-like object as JSON-RPC 2.0 says, and its id is the one sent (huge numbers digit for digit)", () => {
  fc.assert(
    fc.property(requestText(), ({ members, text }) => {
      const message = JSON.parse(text) as unknown;
      const expected = expectedValidation(parseLossless(text));
      const actual = validateRequest(message, new RawIds(text), -1);
      if ("error" in actual) {
        assert.equal(expected.error, true, `expected a valid request, got ${actual.error.message}`);
        assert.equal(actual.error.code, -32600);
        assert.equal(actual.error.message, "Invalid Request");
        assert.equal(idKey(parseLossless(actual.id)), expected.idKey);
        return;
      }
      assert.equal(expected.error, false, "expected an Invalid Request");
      if (expected.error) return;
      assert.equal(actual.method, expected.method);
      assert.deepStrictEqual(actual.params, expected.params);
      assert.equal(actual.id === null ? null : idKey(parseLossless(actual.id)), expected.idKey);
      // A number a double cannot hold is echoed as written.
      const raw = lastIdText(members);
      if (actual.id !== null && raw !== undefined && expected.idKey?.startsWith("r:")) assert.equal(actual.id, raw);
    }),
    fuzzParams(1500),
  );
});

test("fuzz: validateRequest never throws on any JSON value, and anything that is not a request object is -32600 with id null", () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
      const text = JSON.stringify(value) ?? "null";
      const message = JSON.parse(text) as unknown;
      const actual = validateRequest(message, new RawIds(text), -1);
      if (typeof message !== "object" || message === null || Array.isArray(message)) {
        assert.ok("error" in actual);
        assert.equal(actual.error.code, -32600);
        assert.equal(actual.id, "null");
      } else {
        const expected = expectedValidation(parseLossless(text));
        assert.equal("error" in actual, expected.error);
      }
    }),
    fuzzParams(500),
  );
});

test("fuzz: findRawId returns exactly the source text of the last top-level id member, at any index of a batch", () => {
  const element = fc.oneof(
    { weight: 3, arbitrary: requestText().map((r) => ({ text: r.text, raw: lastIdText(r.members) as string | undefined, exact: true })) },
    { weight: 1, arbitrary: jsonText(3).map((text) => ({ text, raw: undefined, exact: false })) },
  );
  fc.assert(
    fc.property(fc.array(element, { minLength: 1, maxLength: 6 }), ws, fc.nat(), (items, space, pick) => {
      const text = `${space}[${space}${items.map((i) => i.text).join(`${space},${space}`)}${space}]${space}`;
      const index = pick % items.length;
      const item = items[index]!;
      const found = findRawId(text, index);
      const value = parseLossless(item.text);
      if (!isObject(value) || !("id" in value)) {
        assert.equal(found, undefined);
        return;
      }
      if (item.exact) assert.equal(found, item.raw);
      else assert.deepStrictEqual(found === undefined ? undefined : JSON.parse(found), toPlain(value.id!));
      // The single-request form agrees.
      if (item.exact) assert.equal(findRawId(item.text, -1), item.raw);
    }),
    fuzzParams(1000),
  );
});

test("fuzz: findRawId never throws on arbitrary or damaged text, and returns a piece of that text or undefined", () => {
  const damaged = fc
    .tuple(requestText().map((r) => r.text), fc.nat(), fc.nat(), fc.string({ maxLength: 3 }))
    .map(([text, a, b, insert]) => {
      const at = a % (text.length + 1);
      return text.slice(0, at) + insert + text.slice(Math.min(text.length, at + (b % 4)));
    });
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), damaged, damaged.map((t) => `[${t},${t}]`)), fc.integer({ min: -1, max: 3 }), (text, index) => {
      const found = findRawId(text, index);
      if (found !== undefined) {
        assert.equal(typeof found, "string");
        assert.ok(text.includes(found), "the id text is a piece of the source");
      }
    }),
    fuzzParams(1000),
  );
});

// An id member whose key is spelled with escapes ("\u0069d") IS the id for JSON.parse, and so
// for validateRequest; the raw text must then come from that member too.
test("fuzz: an id member whose key is written with escapes is the id: findRawId and validateRequest agree with JSON.parse", () => {
  const spelling = fc.constantFrom(
    (k: string) => JSON.stringify(k),
    (k: string) => (k === "id" ? '"\\u0069d"' : JSON.stringify(k)),
    (k: string) => (k === "id" ? '"i\\u0064"' : JSON.stringify(k)),
    (k: string) => (k === "id" ? '"\\u0069\\u0064"' : JSON.stringify(k)),
  );
  const idsOnly = fc
    .tuple(fc.array(fc.tuple(spelling, numberText), { minLength: 1, maxLength: 3 }))
    .map(([ids]) => [
      member("jsonrpc", '"2.0"'),
      member("method", '"ECHO"'),
      ...ids.map(([spell, text]) => ({ key: "id", keyText: spell("id"), valueText: text })),
    ]);
  fc.assert(
    fc.property(idsOnly, (members) => {
      const text = objectText(members, [""]);
      const expected = expectedValidation(parseLossless(text));
      const actual = validateRequest(JSON.parse(text), new RawIds(text), -1);
      const actualKey = "error" in actual ? "error" : actual.id === null ? null : idKey(parseLossless(actual.id));
      assert.equal(actualKey, expected.error ? "error" : expected.idKey, `request ${text}`);
    }),
    fuzzParams(300, {
      examples: [
        [[member("jsonrpc", '"2.0"'), member("method", '"ECHO"'), member("id", "1.5"), { key: "id", keyText: '"\\u0069d"', valueText: "2.5" }]],
        [[member("jsonrpc", '"2.0"'), member("method", '"ECHO"'), { key: "id", keyText: '"\\u0069d"', valueText: "12345678901234567890" }]],
      ],
    }),
  );
});
