// Property-based tests of the lossless wire codec (src/protocol/json-*.ts): parseJson against the
// independent lossless reader of ./support.ts, and against JSON.parse on what is valid; stringifyJson
// against JSON.stringify (no bigints) and lossless-json's stringify (with bigints).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { stringify as losslessStringify } from "lossless-json";
import { parseJson, stringifyJson } from "../../src/protocol/json.ts";
import { fuzzParams, numberText, parseLossless, RawNumber, stringText, ws, type Lossless } from "../support/fuzz.ts";

/** What parseJson must give: integer literals beyond ±(2^53 − 1) as bigints, other numbers as doubles. */
function expected(value: Lossless): unknown {
  if (value instanceof RawNumber) {
    const exactInteger = /^-?(0|[1-9]\d*)$/.test(value.raw) && !Number.isSafeInteger(value.value);
    return exactInteger ? BigInt(value.raw) : value.value;
  }
  if (Array.isArray(value)) return value.map(expected);
  if (typeof value === "object" && value !== null) {
    const out = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, { value: expected(value[key]!), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

const SNOWFLAKE = fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n }).map(String);

/** Strings a reader could mistake for numbers or markers: digit runs, U+000B and its escapes. */
const trickyString = fc.oneof(
  stringText,
  SNOWFLAKE.map((d) => JSON.stringify(d)),
  fc.constantFrom('"\\u000b123456789012345678"', '"\\u000B9007199254740993"', '"\\u000b"', '"\\\\u000b12345678901234567"', '"\\"12345678901234567890"'),
);

/** JSON text of any value, rich in long integers, with random white space. */
const valueText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthIdentifier: "json" },
    { weight: 3, arbitrary: fc.oneof(numberText, SNOWFLAKE, SNOWFLAKE.map((d) => `-${d}`)) },
    { weight: 2, arbitrary: trickyString },
    { weight: 1, arbitrary: fc.constantFrom("true", "false", "null") },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.array(fc.tuple(ws, tie("value"), ws), { maxLength: 5 })).map(([items]) => `[${items.map(([a, v, b]) => a + v + b).join(",")}]`),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.tuple(fc.oneof(trickyString, fc.constantFrom('"__proto__"', '"id"', '"a"')), ws, tie("value")), { maxLength: 5 })
        .map((members) => `{${members.map(([k, s, v]) => `${k}${s}:${s}${v}`).join(",")}}`),
    },
  ),
})).value;

test("fuzz: parseJson equals the lossless reader's value, with bigints exactly where integers exceed 2^53", () => {
  fc.assert(
    fc.property(valueText, ws, (text, pad) => {
      const framed = pad + text + pad;
      assert.deepStrictEqual(parseJson(framed), expected(parseLossless(framed)));
    }),
    fuzzParams(3000),
  );
});

test("fuzz: parseJson throws exactly when JSON.parse throws, on damaged text", () => {
  const damaged = fc
    .tuple(valueText, fc.nat(), fc.nat({ max: 3 }), fc.constantFrom("", ",", "]", "}", '"', "\\", "0", "-", ".", "e", "1234567890123456789", " "))
    .map(([text, at, cut, insert]) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i + cut);
    });
  fc.assert(
    fc.property(damaged, (text) => {
      try {
        JSON.parse(text);
      } catch {
        assert.throws(() => parseJson(text), SyntaxError);
        return;
      }
      assert.deepStrictEqual(parseJson(text), expected(parseLossless(text)));
    }),
    fuzzParams(3000),
  );
});

test("fuzz: stringifyJson writes what JSON.stringify writes for any JSON value, indented or not", () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.constantFrom(undefined, 0, 2, 4), (value, space) => {
      assert.equal(stringifyJson(value, space), JSON.stringify(value, null, space));
    }),
    fuzzParams(3000),
  );
});

/** Values with bigints anywhere: the shapes handlers return. */
const withBigints = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthIdentifier: "big" },
    { weight: 3, arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }) },
    { weight: 2, arbitrary: fc.oneof(fc.string(), fc.constant("\u000b123456789012345678"), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)) },
    { weight: 2, arbitrary: fc.array(tie("value"), { maxLength: 5 }) },
    { weight: 2, arbitrary: fc.dictionary(fc.oneof(fc.string(), fc.constant("\u000b1234567890123456789")), tie("value"), { maxKeys: 5 }) },
  ),
})).value;

test("fuzz: stringifyJson writes bigints as digits, as lossless-json does, and parseJson reads them back", () => {
  fc.assert(
    fc.property(withBigints, fc.constantFrom(undefined, 2), (value, space) => {
      const text = stringifyJson(value, space);
      assert.equal(text, losslessStringify(value, undefined, space));
      // Read back: bigints within ±(2^53 − 1) come back as numbers, as the reader defines.
      assert.deepStrictEqual(parseJson(text), expected(parseLossless(text)));
    }),
    fuzzParams(2000),
  );
});

test("stringifyJson is strict: functions, symbols and cycles throw; toJSON, dates and boxed values are as JSON.stringify", () => {
  const cyclic: Record<string, unknown> = { a: 1n };
  cyclic.self = cyclic;
  for (const bad of [{ f: () => 1 }, [Symbol("s")], () => 1, cyclic, [1n, { g() {} }]]) {
    assert.throws(() => stringifyJson(bad), TypeError);
  }
  const odd = {
    date: new Date(0),
    boxed: [Object(1), Object("s"), Object(false), Object(12345678901234567890n)],
    custom: { toJSON: (key: string) => `key ${key}` },
    skipped: undefined,
    holes: [undefined, 1n],
    nan: [Number.NaN, -0, Number.POSITIVE_INFINITY],
  };
  assert.equal(
    stringifyJson(odd),
    '{"date":"1970-01-01T00:00:00.000Z","boxed":[1,"s",false,12345678901234567890],"custom":"key custom","holes":[null,1],"nan":[null,0,null]}',
  );
  assert.equal(stringifyJson(undefined), "null");
  assert.equal(stringifyJson(-(2n ** 70n)), "-1180591620717411303424");
});
