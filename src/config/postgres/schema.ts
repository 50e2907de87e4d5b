/**
 * The PostgreSQL schema: one table for every namespace's buckets, a meta table holding the
 * schema version, a sequence issuing bucket versions, and a trigger announcing changes on
 * channel `cogwheel_config`. Created (or checked) at open, under a transaction-scoped advisory
 * lock so that processes starting together do not race on the DDL.
 *
 * @module
 */
import type { PoolClient } from "pg";
import { ConfigError } from "../errors.ts";

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = 1;

/** The NOTIFY channel. */
export const CHANNEL = "cogwheel_config";

/** Any fixed number: the lock only serialises Cogwheel's own schema set-up. */
const SCHEMA_LOCK = 0x636f6777; // "cogw"

// Cogwheel has exactly five scope kinds, so one table keyed by (namespace, scope, ids) fits;
// the primary key's prefix serves allGuilds() and allMembers(guildId). Ids stay text: Cogwheel
// accepts any non-empty string id. Versions come from one sequence, so a bucket deleted and
// created again never gets an old version back (a stale compare-and-set cannot succeed by luck).
//
// The trigger sends only keys and the version: a NOTIFY payload is limited to 8000 bytes, and
// a payload too long for it (very long ids) becomes a whole-namespace invalidation instead of
// failing the writer's transaction.
const DDL = `
CREATE TABLE IF NOT EXISTS cogwheel_meta (key text PRIMARY KEY, value jsonb NOT NULL);
CREATE SEQUENCE IF NOT EXISTS cogwheel_config_version;
CREATE TABLE IF NOT EXISTS cogwheel_config (
  namespace text NOT NULL,
  scope text NOT NULL CHECK (scope IN ('global', 'guild', 'channel', 'user', 'member')),
  id1 text NOT NULL DEFAULT '',
  id2 text NOT NULL DEFAULT '',
  data jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, scope, id1, id2)
);
CREATE OR REPLACE FUNCTION cogwheel_config_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
  payload text;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  payload := json_build_array(r.namespace, r.scope, r.id1, r.id2,
                              CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE r.version END)::text;
  IF octet_length(payload) > 7900 THEN payload := json_build_array(r.namespace)::text; END IF;
  PERFORM pg_notify('${CHANNEL}', payload);
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS cogwheel_config_notify ON cogwheel_config;
CREATE TRIGGER cogwheel_config_notify AFTER INSERT OR UPDATE OR DELETE ON cogwheel_config
  FOR EACH ROW EXECUTE FUNCTION cogwheel_config_notify();
`;

/**
 * Creates the schema if it is missing, or checks its version. Runs in its own transaction.
 *
 * @param client - a connection, not in a transaction
 * @param target - the database, for messages
 * @throws ConfigError `ERR_CONFIG_SCHEMA_TOO_NEW` when a newer Cogwheel set the schema up
 */
export async function ensureSchema(client: PoolClient, target: string): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
    const exists = await client.query<{ t: string | null }>("SELECT to_regclass('cogwheel_meta')::text AS t");
    let current = 0;
    if (exists.rows[0]?.t != null) {
      const row = await client.query<{ value: unknown }>("SELECT value FROM cogwheel_meta WHERE key = 'schema_version'");
      current = typeof row.rows[0]?.value === "number" ? row.rows[0].value : 0;
    }
    if (current > SCHEMA_VERSION) {
      throw new ConfigError(
        "ERR_CONFIG_SCHEMA_TOO_NEW",
        `PostgreSQL database ${target} has config schema version ${current}; this Cogwheel knows version ${SCHEMA_VERSION}: upgrade Cogwheel`,
      );
    }
    if (current < SCHEMA_VERSION) {
      await client.query(DDL);
      await client.query(
        "INSERT INTO cogwheel_meta (key, value) VALUES ('schema_version', $1::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [JSON.stringify(SCHEMA_VERSION)],
      );
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
  await checkPrivileges(client, target);
}

/** What the store does with each object: each privilege is checked on its own. */
const NEEDED: ReadonlyArray<[kind: "table" | "sequence", name: string, privilege: string]> = [
  ["table", "cogwheel_config", "SELECT"],
  ["table", "cogwheel_config", "INSERT"],
  ["table", "cogwheel_config", "UPDATE"],
  ["table", "cogwheel_config", "DELETE"],
  // nextval() needs USAGE or UPDATE; has_sequence_privilege with both is true if either is held.
  ["sequence", "cogwheel_config_version", "USAGE, UPDATE"],
];

/**
 * Refuses to start without the privileges every write needs, so that a role set up without
 * them fails at start with one line, not at a user's first change.
 *
 * @throws ConfigError `ERR_CONFIG_CONNECT_FAILED` naming the missing privileges
 */
async function checkPrivileges(client: PoolClient, target: string): Promise<void> {
  const columns = NEEDED.map(([kind], i) => `has_${kind}_privilege($${2 * i + 1}, $${2 * i + 2}) AS p${i}`);
  const params = NEEDED.flatMap(([, name, privilege]) => [name, privilege]);
  const row = (await client.query<Record<string, boolean>>(`SELECT ${columns.join(", ")}`, params)).rows[0] ?? {};
  const missing = NEEDED.filter((_, i) => row[`p${i}`] !== true).map(([, name, privilege]) => `${privilege.replace(", ", " or ")} on ${name}`);
  if (missing.length > 0) {
    throw new ConfigError(
      "ERR_CONFIG_CONNECT_FAILED",
      `PostgreSQL ${target}: the role lacks ${missing.join(", ")}; grant them (see docs/postgres.md) so that config changes can be stored`,
    );
  }
}
