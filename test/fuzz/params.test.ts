// Property-based tests of the parameter binder: compileParams and bindParams over random
// declarations and random JSON params.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isRpcError } from "../../src/rpc/errors.ts";
import { ANY_PARAMS, bindParams, compileParams, type ParamSpec } from "../../src/rpc/params.ts";
import { array, integer, optional, snowflake } from "../../src/rpc/schema.ts";
import { fuzzParams } from "../support/fuzz.ts";

const NAMES = ["a", "b", "member_id", "amount", "$x", "_y", "pkg_names", "limit"];

/** A valid declaration: required names, then optional ones, then maybe a rest parameter. */
const declaration = fc
  .tuple(fc.shuffledSubarray(NAMES), fc.nat(), fc.boolean(), fc.constantFrom("items", "rest"))
  .map(([names, split, withRest, restName]) => {
    const cut = names.length === 0 ? 0 : split % (names.length + 1);
    const declared = [...names.slice(0, cut), ...names.slice(cut).map((n) => `${n}?`)];
    if (withRest) declared.push(`...${restName}`);
    return declared;
  });

const spec = fc.oneof({ weight: 4, arbitrary: declaration.map((d) => compileParams(d)) }, { weight: 1, arbitrary: fc.constant(ANY_PARAMS) });

const keyOf = fc.oneof(fc.constantFrom(...NAMES, "items", "rest", "args", "kwargs", "__proto__", "constructor"), fc.string({ maxLength: 5 }));
const small = fc.jsonValue({ maxDepth: 2 });
const kwargsArb = fc.dictionary(keyOf, small, { maxKeys: 4 });
/** Every shape of `params` a client may send, and garbage. */
const paramsArb = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(small, { maxLength: 6 }),
  kwargsArb,
  fc.record({ args: fc.oneof(fc.array(small, { maxLength: 4 }), small), kwargs: fc.oneof(kwargsArb, small) }, { requiredKeys: [] }),
  fc.record({ args: fc.array(small, { maxLength: 4 }), kwargs: kwargsArb }, { requiredKeys: [] }).map((e) => [e]),
  fc.constant(undefined),
);

type Outcome = { ok: unknown[] } | { code: number; message: string; data: unknown };

function outcome(s: ParamSpec, params: unknown): Outcome {
  try {
    return { ok: bindParams(s, params) };
  } catch (error) {
    if (!isRpcError(error)) throw error;
    return { code: error.code, message: error.message, data: error.data };
  }
}

/** Handler-visible equivalence: the declared slots (missing ones are undefined) and the rest. */
function normalise(s: ParamSpec, o: Outcome): unknown {
  if (!("ok" in o)) return o;
  if (s.names === null) return { ok: o.ok };
  const n = s.names.length;
  const slots = Array.from({ length: n }, (_, i) => o.ok[i]);
  return { ok: slots, rest: o.ok.slice(n) };
}

test("fuzz: compileParams accepts a valid declaration and rejects anything else with a TypeError only", () => {
  const entry = fc.oneof(
    fc.constantFrom(...NAMES, ...NAMES.map((n) => `${n}?`), "...rest", "...", "?", "a b", "1a", "a??", "...a?", ""),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 6 }), (declared) => {
      try {
        const s = compileParams(declared);
        assert.equal(s.names!.length + (s.rest === null ? 0 : 1), declared.length);
      } catch (error) {
        assert.ok(error instanceof TypeError, `threw ${String(error)}`);
      }
    }),
    fuzzParams(500),
  );
});

test("fuzz: bindParams binds any JSON params or throws RpcError -32602 Invalid params, nothing else", () => {
  fc.assert(
    fc.property(spec, paramsArb, (s, params) => {
      let bound: unknown[];
      try {
        bound = bindParams(s, params);
      } catch (error) {
        assert.ok(isRpcError(error), `threw a non-RpcError: ${String(error)}`);
        assert.equal(error.code, -32602);
        assert.equal(error.message, "Invalid params");
        return;
      }
      assert.ok(Array.isArray(bound));
      // Nothing silently dropped: a declared method never gets more arguments than it declared (plus rest).
      if (s.names !== null && s.rest === null) assert.ok(bound.length <= s.names.length);
    }),
    fuzzParams(1500),
  );
});

test("fuzz: positional and named forms of the same arguments bind identically", () => {
  const envelopeLike = (v: unknown): boolean =>
    typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k === "args" || k === "kwargs");
  fc.assert(
    fc.property(declaration, fc.array(small, { maxLength: 10 }), fc.array(small, { maxLength: 3 }), fc.nat(), (declared, values, restValues, take) => {
      const s = compileParams(declared);
      const names = s.names!;
      const required = s.optional.filter((o) => !o).length;
      const count = Math.min(values.length, required + (take % (names.length - required + 1)));
      const args = values.slice(0, count);
      if (args.length === 1 && envelopeLike(args[0])) return; // documented: read as an envelope
      const named: Record<string, unknown> = {};
      names.slice(0, args.length).forEach((n, i) => (named[n] = args[i]));
      const positional = [...args];
      const useRest = s.rest !== null && args.length === names.length && restValues.length > 0;
      if (useRest) {
        positional.push(...restValues);
        named[s.rest!] = restValues;
      }
      const a = outcome(s, positional);
      const b = outcome(s, named);
      assert.deepStrictEqual(normalise(s, b), normalise(s, a));
      if (args.length < required) assert.ok("code" in a && a.code === -32602, "missing required is -32602");
      else assert.ok("ok" in a, "a complete positional call binds");
    }),
    fuzzParams(1000),
  );
});

test("fuzz: the envelope forms {args, kwargs}, [{args, kwargs}] and the plain forms are equivalent", () => {
  fc.assert(
    fc.property(spec, fc.array(small, { maxLength: 5 }), kwargsArb, (s, args, kwargs) => {
      const withKw = Object.keys(kwargs).length > 0;
      const bare = outcome(s, withKw ? { args, kwargs } : { args });
      const wrapped = outcome(s, [withKw ? { args, kwargs } : { args }]);
      assert.deepStrictEqual(wrapped, bare);
      assert.deepStrictEqual(outcome(s, { args, kwargs }), bare, "an empty kwargs is the same as none");
      const envelopeLike = (v: unknown): boolean =>
        typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k === "args" || k === "kwargs");
      if (!withKw && !(args.length === 1 && envelopeLike(args[0]))) {
        assert.deepStrictEqual(outcome(s, args), bare, "positional == envelope without kwargs");
      }
      if (args.length === 0 && !envelopeLike(kwargs)) {
        assert.deepStrictEqual(outcome(s, { args: [], kwargs }), outcome(s, kwargs), "named == envelope without args");
      }
    }),
    fuzzParams(1000),
  );
});

// A 400 KB frame of 200 000 zeros is far within the 4 MiB message limit, so it must be bound
// (or refused with -32602) like any other, not die with a RangeError from spreading it.
test("fuzz: a rest parameter or an undeclared list takes a huge positional list without a RangeError", () => {
  fc.assert(
    fc.property(fc.constantFrom(["first", "...rest"], ["...items"]), fc.integer({ min: 150_000, max: 300_000 }), (declared, n) => {
      const args = new Array<number>(n).fill(0);
      for (const s of [compileParams(declared), ANY_PARAMS]) {
        try {
          const bound = bindParams(s, args);
          assert.equal(bound.length, n);
        } catch (error) {
          assert.ok(isRpcError(error) && error.code === -32602, `threw ${String(error)}`);
        }
      }
    }),
    fuzzParams(3),
  );
});

// Typed parameters: a snowflake of any form becomes its canonical digits, and anything else
// is -32602, never another exception.
const snowflakeSpec = compileParams({ id: snowflake(), "rest?": optional(array(integer({ minimum: -(2n ** 70n), maximum: 2n ** 70n }))) });

function checkTyped(params: unknown): Outcome {
  try {
    const args = bindParams(snowflakeSpec, params);
    snowflakeSpec.validate!(args);
    return { ok: args };
  } catch (error) {
    if (!isRpcError(error)) throw error;
    return { code: error.code, message: error.message, data: error.data };
  }
}

test("fuzz: a snowflake given as a number, a bigint or its digits reaches the handler as the same digit string", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
      const digits = value.toString();
      const forms: unknown[] = [value, digits];
      if (value <= BigInt(Number.MAX_SAFE_INTEGER)) forms.push(Number(value));
      for (const form of forms) {
        assert.deepStrictEqual(checkTyped([form]), { ok: [digits] });
        assert.deepStrictEqual(checkTyped({ id: form }), { ok: [digits] });
      }
    }),
    fuzzParams(1000),
  );
});

test("fuzz: typed validation of any JSON params binds or throws -32602 with data.errors, nothing else", () => {
  const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.bigInt(), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String), fc.double());
  fc.assert(
    fc.property(fc.oneof(fc.array(value, { maxLength: 3 }), fc.record({ id: value, rest: fc.oneof(value, fc.array(value, { maxLength: 3 })) }, { requiredKeys: [] })), (params) => {
      const o = checkTyped(params);
      if ("ok" in o) {
        assert.match(o.ok[0] as string, /^(0|[1-9][0-9]{0,19})$/);
        return;
      }
      assert.equal(o.code, -32602);
      const data = o.data as { errors?: Array<{ path: string; message: string }> };
      if (data.errors !== undefined) {
        assert.ok(data.errors.length > 0);
        for (const e of data.errors) assert.match(e.path, /^\/(id|rest)(\/\d+)?$/);
      }
    }),
    fuzzParams(1500),
  );
});
