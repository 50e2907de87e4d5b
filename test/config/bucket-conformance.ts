// The bucket contract (src/config/bucket-driver.ts) as one suite, run against every driver by
// bucket-conformance.test.ts. Each test opens a fresh, empty store. Where drivers may
// legitimately differ the test says so; none of these checks does.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import type { BucketDriver, CommitResult, ScopeRef } from "../../src/config/bucket-driver.ts";

/** Opens a driver on a fresh, empty store; the suite closes it (maybe more than once). */
export type OpenDriver = (t: TestContext) => Promise<BucketDriver>;

const global: ScopeRef = { kind: "global" };
const guild = (id: string): ScopeRef => ({ kind: "guild", id });
const channel = (id: string): ScopeRef => ({ kind: "channel", id });
const user = (id: string): ScopeRef => ({ kind: "user", id });
const member = (guildId: string, userId: string): ScopeRef => ({ kind: "member", guildId, userId });

function versionsOf(result: CommitResult): readonly number[] {
  assert.ok(result.ok, `commit was stale: ${JSON.stringify(result)}`);
  return result.versions;
}

/** Creates buckets (each from absent) in one commit; returns their versions. */
async function create(driver: BucketDriver, ns: string, buckets: [ScopeRef, object][]): Promise<number[]> {
  const result = await driver.commit(ns, buckets.map(([ref]) => ({ ref, version: 0 })), buckets.map(([ref, data]) => ({ ref, data: data as never })));
  return [...versionsOf(result)];
}

function rejectsWith(code: string, type?: ErrorConstructor) {
  return (e: Error & { code?: string }) => {
    assert.equal(e.code, code, e.message);
    if (type) assert.ok(e instanceof type, `${e.name} is not a ${type.name}`);
    return true;
  };
}

/**
 * Registers the conformance tests for one driver.
 *
 * @param open - opens a driver on a fresh store for one test
 */
export function bucketConformance(open: OpenDriver): void {
  async function fresh(t: TestContext): Promise<BucketDriver> {
    const driver = await open(t);
    t.after(() => driver.close());
    return driver;
  }

  test("load and list: absent is undefined/empty; listings by kind, members by guild, in id order; namespaces apart", async (t) => {
    const d = await fresh(t);
    assert.equal(await d.loadBucket("Economy", global), undefined);
    assert.equal(await d.loadBucket("Economy", member("g1", "u1")), undefined);
    for (const kind of ["global", "guild", "channel", "user", "member"] as const) assert.deepEqual(await d.listBuckets("Economy", kind), []);

    const versions = await create(d, "Economy", [
      [member("g2", "u1"), { balance: 3 }],
      [member("g1", "u2"), { balance: 2 }],
      [member("g1", "u1"), { balance: 1 }],
      [guild("g9"), { open: true }],
      [guild("g1"), { open: false }],
      [channel("c1"), { slow: 5 }],
      [user("u1"), { tz: "UTC" }],
      [global, { currency: "gold" }],
    ]);
    assert.equal(new Set(versions).size, versions.length, "every bucket gets its own version");
    assert.ok(versions.every((v) => Number.isSafeInteger(v) && v > 0));

    assert.deepEqual(await d.loadBucket("Economy", member("g1", "u1")), { data: { balance: 1 }, version: versions[2] });
    assert.deepEqual(await d.loadBucket("Economy", global), { data: { currency: "gold" }, version: versions[7] });
    const shown = (list: { ref: ScopeRef; data: object }[]) => list.map((b) => [b.ref, b.data]);
    assert.deepEqual(shown(await d.listBuckets("Economy", "member", "g1")), [[member("g1", "u1"), { balance: 1 }], [member("g1", "u2"), { balance: 2 }]]);
    assert.deepEqual(shown(await d.listBuckets("Economy", "member")), [
      [member("g1", "u1"), { balance: 1 }],
      [member("g1", "u2"), { balance: 2 }],
      [member("g2", "u1"), { balance: 3 }],
    ]);
    assert.deepEqual(await d.listBuckets("Economy", "member", "g3"), []);
    assert.deepEqual(shown(await d.listBuckets("Economy", "guild")), [[guild("g1"), { open: false }], [guild("g9"), { open: true }]]);
    assert.deepEqual(await d.listBuckets("Economy", "channel"), [{ ref: channel("c1"), data: { slow: 5 }, version: versions[5] }]);
    assert.deepEqual(shown(await d.listBuckets("Economy", "user")), [[user("u1"), { tz: "UTC" }]]);
    assert.deepEqual(await d.listBuckets("Economy", "global"), [{ ref: global, data: { currency: "gold" }, version: versions[7] }]);
    assert.equal(await d.loadBucket("Other", global), undefined, "namespaces are apart");
    assert.deepEqual(await d.listBuckets("Other", "member"), []);
  });

  test("create, then compare-and-set: the current version wins, a stale one or a second create is refused naming the bucket", async (t) => {
    const d = await fresh(t);
    const ref = member("g1", "u1");
    const [v1] = await create(d, "Economy", [[ref, { balance: 1 }]]);
    assert.deepEqual(await d.commit("Economy", [{ ref, version: 0 }], [{ ref, data: { balance: 9 } }]), { ok: false, stale: [ref] }, "created twice");
    assert.deepEqual(await d.commit("Economy", [{ ref, version: v1! + 1000 }], [{ ref, data: { balance: 9 } }]), { ok: false, stale: [ref] }, "a version never issued");
    const [v2] = versionsOf(await d.commit("Economy", [{ ref, version: v1! }], [{ ref, data: { balance: 2, note: "x" } }]));
    assert.ok(v2 !== v1 && v2! > 0);
    assert.deepEqual(await d.loadBucket("Economy", ref), { data: { balance: 2, note: "x" }, version: v2 });
    // The bucket is replaced as a whole, not merged.
    const [v3] = versionsOf(await d.commit("Economy", [{ ref, version: v2! }], [{ ref, data: { balance: 3 } }]));
    assert.deepEqual(await d.loadBucket("Economy", ref), { data: { balance: 3 }, version: v3 });
    // The old version is stale now, and a refused commit changes nothing.
    assert.deepEqual(await d.commit("Economy", [{ ref, version: v2! }], [{ ref, data: { balance: 100 } }]), { ok: false, stale: [ref] });
    assert.deepEqual(await d.loadBucket("Economy", ref), { data: { balance: 3 }, version: v3 });
  });

  test("two commits racing from the same version: exactly one wins", async (t) => {
    const d = await fresh(t);
    const ref = guild("g1");
    const both = await Promise.all([1, 2].map((n) => d.commit("Core", [{ ref, version: 0 }], [{ ref, data: { n } }])));
    assert.equal(both.filter((r) => r.ok).length, 1, JSON.stringify(both));
    const winner = both.findIndex((r) => r.ok) + 1;
    assert.deepEqual((await d.loadBucket("Core", ref))?.data, { n: winner });
  });

  test("a conflict names every stale read, read-only ones included, and applies nothing", async (t) => {
    const d = await fresh(t);
    const [m1, m2, m3] = [member("g1", "u1"), member("g1", "u2"), member("g2", "u1")];
    const [b1, b2, b3] = await create(d, "Economy", [[m1, { balance: 10 }], [m2, { balance: 5 }], [m3, { balance: 1 }]]);
    const conflict = await d.commit("Economy", [{ ref: m1, version: b1! }, { ref: m2, version: b2! + 1 }, { ref: m3, version: b3! + 1 }, { ref: guild("g1"), version: 0 }], [
      { ref: m1, data: { balance: 0 } },
      { ref: guild("g1"), data: { open: true } },
    ]);
    assert.deepEqual(conflict, { ok: false, stale: [m2, m3] });
    assert.deepEqual(await d.loadBucket("Economy", m1), { data: { balance: 10 }, version: b1 }, "nothing of a conflicting commit is applied");
    assert.equal(await d.loadBucket("Economy", guild("g1")), undefined);

    // Read-only stale detection: m3 was read (as absent) but not written; it exists, so the decision is void.
    assert.deepEqual(await d.commit("Economy", [{ ref: m1, version: b1! }, { ref: m3, version: 0 }], [{ ref: m1, data: { balance: 1 } }]), { ok: false, stale: [m3] });
    // …and read at a version that moved since.
    const [b3b] = versionsOf(await d.commit("Economy", [{ ref: m3, version: b3! }], [{ ref: m3, data: { balance: 2 } }]));
    assert.deepEqual(await d.commit("Economy", [{ ref: m1, version: b1! }, { ref: m3, version: b3! }], [{ ref: m1, data: { balance: 1 } }]), { ok: false, stale: [m3] });
    assert.deepEqual(await d.loadBucket("Economy", m1), { data: { balance: 10 }, version: b1 });
    // With the fresh version, the same commit goes through and leaves the read-only bucket alone.
    assert.deepEqual(versionsOf(await d.commit("Economy", [{ ref: m1, version: b1! }, { ref: m3, version: b3b! }], [{ ref: m1, data: { balance: 1 } }])).length, 1);
    assert.deepEqual(await d.loadBucket("Economy", m3), { data: { balance: 2 }, version: b3b });
    // A commit that only reads (no writes) is a consistency check.
    assert.deepEqual(await d.commit("Economy", [{ ref: m3, version: b3b! }], []), { ok: true, versions: [] });
    assert.deepEqual(await d.commit("Economy", [{ ref: m3, version: b3! }], []), { ok: false, stale: [m3] });
  });

  test("delete with null or {}: version 0, gone from loads and listings; a stale delete is refused", async (t) => {
    const d = await fresh(t);
    const [m1, m2, g1] = [member("g1", "u1"), member("g1", "u2"), guild("g1")];
    const [b1, b2, v1] = await create(d, "Economy", [[m1, { balance: 1 }], [m2, { balance: 2 }], [g1, { open: true }]]);
    assert.deepEqual(await d.commit("Economy", [{ ref: m1, version: b1! + 1000 }], [{ ref: m1, data: null }]), { ok: false, stale: [m1] });
    assert.ok(await d.loadBucket("Economy", m1));
    assert.deepEqual(await d.commit("Economy", [{ ref: m1, version: b1! }], [{ ref: m1, data: null }]), { ok: true, versions: [0] });
    assert.deepEqual(await d.commit("Economy", [{ ref: m2, version: b2! }, { ref: g1, version: v1! }], [{ ref: m2, data: {} }, { ref: g1, data: {} }]), { ok: true, versions: [0, 0] });
    for (const ref of [m1, m2, g1]) assert.equal(await d.loadBucket("Economy", ref), undefined);
    assert.deepEqual(await d.listBuckets("Economy", "member"), []);
    assert.deepEqual(await d.listBuckets("Economy", "member", "g1"), []);
    assert.deepEqual(await d.listBuckets("Economy", "guild"), []);
    // Deleting what is absent (read as absent) is a no-op that succeeds; read as present, it is stale.
    assert.deepEqual(await d.commit("Economy", [{ ref: m1, version: 0 }], [{ ref: m1, data: null }]), { ok: true, versions: [0] });
    assert.deepEqual(await d.commit("Economy", [{ ref: m1, version: b1! }], [{ ref: m1, data: null }]), { ok: false, stale: [m1] });
    // The global bucket too.
    const [gv] = await create(d, "Economy", [[global, { a: 1 }]]);
    assert.deepEqual(await d.commit("Economy", [{ ref: global, version: gv! }], [{ ref: global, data: {} }]), { ok: true, versions: [0] });
    assert.equal(await d.loadBucket("Economy", global), undefined);
    assert.deepEqual(await d.listBuckets("Economy", "global"), []);
  });

  test("a bucket deleted and created again gets a version never seen before (no ABA)", async (t) => {
    const d = await fresh(t);
    const ref = member("g1", "u1");
    const seen = new Set<number>();
    let version = 0;
    for (let i = 0; i < 3; i++) {
      [version] = versionsOf(await d.commit("Economy", [{ ref, version: 0 }], [{ ref, data: { i } }])) as [number];
      assert.ok(!seen.has(version), `version ${version} issued twice`);
      seen.add(version);
      const [updated] = versionsOf(await d.commit("Economy", [{ ref, version }], [{ ref, data: { i, more: true } }]));
      assert.ok(!seen.has(updated!));
      seen.add(updated!);
      assert.deepEqual(versionsOf(await d.commit("Economy", [{ ref, version: updated! }], [{ ref, data: null }])), [0]);
      // An old version of a bucket that was deleted and re-created must not pass.
      if (i > 0) assert.equal((await d.commit("Economy", [{ ref, version: 0 }], [{ ref, data: { i } }])).ok, true);
      if (i > 0) {
        const again = await d.loadBucket("Economy", ref);
        assert.ok(again && !seen.has(again.version));
        seen.add(again.version);
        assert.deepEqual(await d.commit("Economy", [{ ref, version }], [{ ref, data: { stale: true } }]), { ok: false, stale: [ref] });
        assert.deepEqual(versionsOf(await d.commit("Economy", [{ ref, version: again.version }], [{ ref, data: null }])), [0]);
      }
    }
  });

  test("blind writes, a bucket written twice or read with two versions: ERR_CONFIG_INVALID_VALUE (a TypeError), nothing applied", async (t) => {
    const d = await fresh(t);
    const [m1, m2] = [member("g1", "u1"), member("g1", "u2")];
    const [b1] = await create(d, "Economy", [[m1, { balance: 1 }]]);
    const invalid = rejectsWith("ERR_CONFIG_INVALID_VALUE", TypeError);
    await assert.rejects(d.commit("Economy", [], [{ ref: m1, data: { balance: 0 } }]), invalid);
    await assert.rejects(d.commit("Economy", [{ ref: m1, version: b1! }], [{ ref: m1, data: { balance: 0 } }, { ref: m2, data: { balance: 0 } }]), invalid);
    await assert.rejects(d.commit("Economy", [], [{ ref: m2, data: null }]), invalid, "a blind delete too");
    await assert.rejects(d.commit("Economy", [{ ref: m1, version: b1! }], [{ ref: m1, data: { a: 1 } }, { ref: m1, data: { a: 2 } }]), invalid);
    await assert.rejects(d.commit("Economy", [{ ref: m1, version: b1! }, { ref: m1, version: 0 }], []), invalid);
    await assert.rejects(d.commit("Economy", [{ ref: m1, version: -1 }], []), invalid);
    await assert.rejects(d.commit("Economy", [{ ref: m1, version: 1.5 }], []), invalid);
    assert.deepEqual(await d.loadBucket("Economy", m1), { data: { balance: 1 }, version: b1 });
    assert.equal(await d.loadBucket("Economy", m2), undefined);
    // The same ref read twice with one version is fine.
    assert.ok((await d.commit("Economy", [{ ref: m1, version: b1! }, { ref: member("g1", "u1"), version: b1! }], [{ ref: m1, data: { balance: 2 } }])).ok);
  });

  test("many buckets in one commit: all or nothing", async (t) => {
    const d = await fresh(t);
    const refs = Array.from({ length: 20 }, (_, i) => member(`g${i % 3}`, `u${i}`));
    const versions = await create(d, "Economy", refs.map((ref, i) => [ref, { balance: i }]));
    assert.equal(new Set(versions).size, 20);
    const reads = refs.map((ref, i) => ({ ref, version: versions[i]! }));
    const writes = refs.map((ref, i) => ({ ref, data: i % 2 === 0 ? { balance: i + 100 } : null }));
    // One stale read among twenty: nothing happens.
    const staleReads = reads.map((r, i) => (i === 13 ? { ...r, version: r.version + 1000 } : r));
    assert.deepEqual(await d.commit("Economy", staleReads, writes), { ok: false, stale: [refs[13]] });
    for (const [i, ref] of refs.entries()) assert.deepEqual(await d.loadBucket("Economy", ref), { data: { balance: i }, version: versions[i] });
    // All fresh: everything happens.
    const next = versionsOf(await d.commit("Economy", reads, writes));
    assert.equal(next.length, 20);
    for (const [i, ref] of refs.entries()) {
      if (i % 2 === 0) {
        assert.ok(next[i]! > 0 && !versions.includes(next[i]!));
        assert.deepEqual(await d.loadBucket("Economy", ref), { data: { balance: i + 100 }, version: next[i] });
      } else {
        assert.equal(next[i], 0);
        assert.equal(await d.loadBucket("Economy", ref), undefined);
      }
    }
    assert.equal((await d.listBuckets("Economy", "member")).length, 10);
  });

  test("stored data is a copy: changing what was committed or loaded changes nothing", async (t) => {
    const d = await fresh(t);
    const ref = guild("g1");
    const data = { prefixes: ["!"], nested: { a: 1 } };
    const [v] = await create(d, "Core", [[ref, data]]);
    data.prefixes.push("?");
    data.nested.a = 2;
    const loaded = await d.loadBucket("Core", ref);
    assert.deepEqual(loaded, { data: { prefixes: ["!"], nested: { a: 1 } }, version: v });
    (loaded!.data.prefixes as string[]).push("x");
    ((await d.listBuckets("Core", "guild"))[0]!.data as Record<string, unknown>).nested = null;
    assert.deepEqual((await d.loadBucket("Core", ref))?.data, { prefixes: ["!"], nested: { a: 1 } });
  });

  test("onInvalidate returns a Disposable; a commit still in flight when close() is called completes", async (t) => {
    const d = await open(t);
    const subscription = d.onInvalidate(() => {});
    subscription.dispose();
    subscription.dispose();
    const ref = guild("g1");
    // Started, then close() at once: the commit resolves (durably) or is reported; here it resolves.
    // Both drivers wait for it: the JSON adapter for its queued write, pg's pool.end() for the
    // checked-out connection.
    let settled = false;
    const pending = d.commit("Core", [{ ref, version: 0 }], [{ ref, data: { n: 1 } }]).finally(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    await d.close();
    assert.ok(settled, "close() resolved before the commit in flight settled");
    assert.equal((await pending).ok, true);
  });

  test("close() twice; every call after close rejects with ERR_CONFIG_CLOSED", async (t) => {
    const d = await open(t);
    const ref = guild("g1");
    const [v] = await create(d, "Core", [[ref, { n: 1 }]]);
    await Promise.all([d.close(), d.close()]);
    await d.close();
    const closed = rejectsWith("ERR_CONFIG_CLOSED");
    await assert.rejects(d.loadBucket("Core", ref), closed);
    await assert.rejects(d.loadBucket("Never", ref), closed, "also for a namespace never loaded");
    await assert.rejects(d.listBuckets("Core", "guild"), closed);
    await assert.rejects(d.commit("Core", [{ ref, version: v! }], [{ ref, data: { n: 2 } }]), closed);
    await assert.rejects(d.commit("Core", [], []), closed);
    d.onInvalidate(() => {}).dispose();
  });
}
