/**
 * The SQL of a commit, inside its transaction: the one-statement compare-and-set for a single
 * bucket, and for several the lock-check-write sequence. Every function throws {@link Stale}
 * naming the stale reads; the caller rolls back.
 *
 * @module
 */
import type pg from "pg";
import type { BucketRead, BucketWrite } from "../bucket-driver.ts";
import type { JsonObject } from "../json.ts";
import type { ScopeRef } from "../state.ts";
import { bucketKey, keyString, rowKey, type RowKey } from "./keys.ts";

export const TABLE = "cogwheel_config";
const UNNEST_KEYS = "unnest($2::text[], $3::text[], $4::text[])";
/** An advisory lock per bucket key, for buckets that have no row to lock (yet). */
export const KEY_HASH = "hashtextextended($1 || chr(1) || s || chr(1) || a || chr(1) || b, 0)";

/** Thrown inside a transaction body to roll back and report stale reads. */
export class Stale {
  constructor(readonly refs: readonly ScopeRef[]) {}
}

/** @returns true for new values that delete the bucket (`null` or `{}`) */
export function isEmpty(data: JsonObject | null): data is null {
  return data === null || Object.keys(data).length === 0;
}

/**
 * One bucket read and written: a compare-and-set in one statement. Creating takes the key's
 * advisory lock, as every creator does, so a transaction that checked "absent" stays right.
 */
export async function compareAndSet(client: pg.PoolClient, namespace: string, write: BucketWrite, version: number): Promise<number> {
  const key = rowKey(write.ref);
  const params: unknown[] = [namespace, key.scope, key.id1, key.id2];
  let rows: { version: string }[];
  if (isEmpty(write.data)) {
    if (version === 0) {
      await lockAbsent(client, namespace, [key]);
      const found = await client.query(`SELECT 1 FROM ${TABLE} WHERE namespace = $1 AND scope = $2 AND id1 = $3 AND id2 = $4`, params);
      if (found.rowCount !== 0) throw new Stale([write.ref]);
      return 0;
    }
    rows = (await client.query<{ version: string }>(
      `DELETE FROM ${TABLE} WHERE namespace = $1 AND scope = $2 AND id1 = $3 AND id2 = $4 AND version = $5 RETURNING '0' AS version`,
      [...params, version],
    )).rows;
  } else if (version === 0) {
    rows = (await client.query<{ version: string }>(
      `WITH l AS (SELECT pg_advisory_xact_lock(${KEY_HASH}) FROM (SELECT $2::text s, $3::text a, $4::text b) k)
       INSERT INTO ${TABLE} (namespace, scope, id1, id2, data, version)
       SELECT $1, $2, $3, $4, $5::jsonb, nextval('cogwheel_config_version') FROM l
       ON CONFLICT DO NOTHING RETURNING version::text`,
      [...params, JSON.stringify(write.data)],
    )).rows;
  } else {
    rows = (await client.query<{ version: string }>(
      `UPDATE ${TABLE} SET data = $5::jsonb, version = nextval('cogwheel_config_version'), updated_at = now()
       WHERE namespace = $1 AND scope = $2 AND id1 = $3 AND id2 = $4 AND version = $6 RETURNING version::text`,
      [...params, JSON.stringify(write.data), version],
    )).rows;
  }
  if (rows.length === 0) throw new Stale([write.ref]);
  return Number(rows[0]!.version);
}

/** Takes the advisory locks of keys, in one order for everyone (no lock-order deadlock). */
export async function lockAbsent(client: pg.PoolClient, namespace: string, keys: readonly RowKey[]): Promise<void> {
  if (keys.length === 0) return;
  await client.query(
    `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT ${KEY_HASH} AS h FROM ${UNNEST_KEYS} AS k(s, a, b)) x ORDER BY h`,
    [namespace, keys.map((k) => k.scope), keys.map((k) => k.id1), keys.map((k) => k.id2)],
  );
}

/**
 * Locks every read bucket until COMMIT (its row FOR UPDATE, in key order; an absent one by
 * its key's advisory lock) and compares versions; throws Stale naming every stale read.
 */
export async function lockAndCheck(client: pg.PoolClient, namespace: string, expected: Map<string, BucketRead>): Promise<void> {
  const reads = [...expected.values()];
  await lockAbsent(client, namespace, reads.filter((r) => r.version === 0).map((r) => rowKey(r.ref)));
  const keys = reads.map((r) => rowKey(r.ref));
  const found = await client.query<{ scope: string; id1: string; id2: string; version: string }>(
    `SELECT scope, id1, id2, version::text FROM ${TABLE} WHERE namespace = $1 AND (scope, id1, id2) IN (SELECT * FROM ${UNNEST_KEYS})
     ORDER BY scope, id1, id2 FOR UPDATE`,
    [namespace, keys.map((k) => k.scope), keys.map((k) => k.id1), keys.map((k) => k.id2)],
  );
  const actual = new Map(found.rows.map((row) => [keyString({ scope: row.scope as RowKey["scope"], id1: row.id1, id2: row.id2 }), Number(row.version)]));
  const stale = [...expected].filter(([key, read]) => (actual.get(key) ?? 0) !== read.version).map(([, read]) => read.ref);
  if (stale.length > 0) throw new Stale(stale);
}

/** Writes (locked, checked) buckets; returns their new versions, in `writes` order. */
export async function writeBuckets(client: pg.PoolClient, namespace: string, writes: readonly BucketWrite[]): Promise<number[]> {
  const upserts = writes.filter((w) => !isEmpty(w.data));
  const deletes = writes.filter((w) => isEmpty(w.data)).map((w) => rowKey(w.ref));
  const versions = new Map<string, number>();
  if (upserts.length > 0) {
    const keys = upserts.map((w) => rowKey(w.ref));
    const rows = await client.query<{ scope: RowKey["scope"]; id1: string; id2: string; version: string }>(
      `INSERT INTO ${TABLE} (namespace, scope, id1, id2, data, version)
       SELECT $1, s, a, b, d::jsonb, nextval('cogwheel_config_version') FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(s, a, b, d)
       ON CONFLICT (namespace, scope, id1, id2) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version, updated_at = now()
       RETURNING scope, id1, id2, version::text`,
      [namespace, keys.map((k) => k.scope), keys.map((k) => k.id1), keys.map((k) => k.id2), upserts.map((w) => JSON.stringify(w.data))],
    );
    for (const row of rows.rows) versions.set(keyString(row), Number(row.version));
  }
  if (deletes.length > 0) {
    await client.query(`DELETE FROM ${TABLE} WHERE namespace = $1 AND (scope, id1, id2) IN (SELECT * FROM ${UNNEST_KEYS})`, [
      namespace,
      deletes.map((k) => k.scope),
      deletes.map((k) => k.id1),
      deletes.map((k) => k.id2),
    ]);
  }
  return writes.map((w) => versions.get(bucketKey(w.ref)) ?? 0);
}
