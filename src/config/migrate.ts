/**
 * Copies a JSON data dir's config into a bucket store (PostgreSQL), for
 * `cogwheel config migrate` (SCALE.md §6a; Red's `redbot-setup convert` does the same job).
 *
 * - Every namespace file `<dir>/config/<name>.json` is read and checked first, so a corrupt file
 *   stops the migration before anything is written.
 * - Each namespace is then written in one commit, i.e. one SQL transaction: all of its buckets
 *   or none (above 1,000 buckets to write, in transactions of 1,000: see MAX_PER_COMMIT).
 * - Only buckets the target lacks are written. A bucket already equal there is left alone. One
 *   that differs is kept as the target has it and reported: on a database bots already use, it
 *   is likely newer than an old data dir, and replacing it would silently revert live config
 *   (a name, prefixes, balances). `overwrite: true` replaces it with the JSON data instead.
 *   Either way a second run writes nothing.
 * - Afterwards every namespace is listed back, per scope kind, and compared with the JSON data,
 *   count and content (a kept bucket, or one another process changed after this run wrote or
 *   checked it, may differ unless `overwrite`); a difference is reported by namespace (the caller
 *   exits non-zero).
 * - Buckets the target has and the JSON files do not (another bot's, on a shared database) are
 *   kept and counted, never deleted: a migration adds a bot's data, it does not take anyone's.
 *
 * The caller must make sure no bot writes the files meanwhile (the CLI holds the data dir's
 * lock while it runs). Not exported from the package: the CLI is its one user.
 *
 * @module
 */
import { readdir, stat } from "node:fs/promises";
import type { BucketDriver, BucketRead, BucketWrite, ListedBucket } from "./bucket-driver.ts";
import type { NamespaceDocument } from "./document.ts";
import { ConfigError } from "./errors.ts";
import { JsonFileDriver } from "./json-driver.ts";
import { toJsonValue, type JsonObject, type JsonValue } from "./json.ts";
import type { ScopeKind } from "./namespace.ts";
import { bucketKey, describeRef } from "./postgres/keys.ts";
import type { ScopeRef } from "./state.ts";
import { join } from "node:path";

/** The five scope kinds, in the order buckets are reported. */
const KINDS: readonly ScopeKind[] = ["global", "guild", "channel", "user", "member"];

/**
 * Most buckets written by one commit. The driver takes a lock per bucket it creates, and
 * PostgreSQL's lock table is shared and small (`max_locks_per_transaction` × connections,
 * 6,400 by default): measured here, 2,000 new buckets in one transaction went through and
 * 20,000 failed with "out of shared memory". So a namespace that large is written in parts,
 * each all-or-nothing; a run interrupted between parts is finished by running it again.
 */
const MAX_PER_COMMIT = 1000;

/** How often a namespace is re-read and committed again when another process changed it meanwhile. */
const ATTEMPTS = 5;

/** Options of {@link migrateConfig}. */
export interface MigrateOptions {
  /** The data dir whose `config/*.json` files are copied. Must exist and hold a `config` folder. */
  readonly dataDir: string;
  /** Where to copy them; not closed here. `target` (if it has one) names it in messages. */
  readonly target: BucketDriver & { readonly target?: string };
  /**
   * Replace buckets whose data in the target differs from the JSON files' (the JSON wins).
   * Default `false`: they are kept as the target has them and listed in
   * {@link NamespaceMigration.kept}.
   */
  readonly overwrite?: boolean;
}

/** What happened to one namespace. */
export interface NamespaceMigration {
  readonly namespace: string;
  /** Non-empty buckets in the JSON file, per scope kind. */
  readonly buckets: Readonly<Record<ScopeKind, number>>;
  /** Buckets written (created, or overwritten with `overwrite`) by this run. */
  readonly written: number;
  /** Buckets already equal in the target, left alone. */
  readonly unchanged: number;
  /**
   * Buckets that differ in the target and were kept as it has them, not written (always empty
   * with `overwrite`). `written + unchanged + kept.length` is the number of buckets in the file.
   */
  readonly kept: readonly ScopeRef[];
  /** Buckets only in the target (kept). */
  readonly onlyInTarget: number;
  /** What the check after writing found wrong (empty: every JSON bucket is in the target, equal). */
  readonly mismatches: readonly string[];
}

/** The outcome of {@link migrateConfig}. */
export interface MigrationReport {
  /** The config folder read. */
  readonly folder: string;
  /** Per namespace, by name. */
  readonly namespaces: readonly NamespaceMigration[];
  /** `.json` files that are not namespaces (their name is not a namespace name), left alone. */
  readonly skipped: readonly string[];
  /** True when every namespace checked out. */
  readonly ok: boolean;
}

/** One bucket of a JSON file. */
interface SourceBucket {
  readonly ref: ScopeRef;
  readonly data: JsonObject;
}

/** Namespace names are identifiers, which also makes them the file names the JSON driver uses. */
const NAMESPACE_FILE = /^([A-Za-z_][A-Za-z0-9_]{0,99})\.json$/;

/**
 * Copies every namespace of a JSON data dir into `target`. See the module comment for the rules.
 *
 * @param options - the data dir and the target
 * @returns what was written and checked, per namespace
 * @throws ConfigError `ERR_CONFIG_INVALID_OPTIONS` (no config folder),
 *   `ERR_CONFIG_CORRUPT_FILE` (before anything is written), the target's errors
 *   (`ERR_CONFIG_QUERY_FAILED`: that namespace's transaction applied nothing; those before it
 *   are done, and running again finishes the job)
 */
export async function migrateConfig(options: MigrateOptions): Promise<MigrationReport> {
  const folder = join(options.dataDir, "config");
  if (!(await stat(folder).then((s) => s.isDirectory(), () => false))) {
    throw new ConfigError("ERR_CONFIG_INVALID_OPTIONS", `No config folder ${folder}: is ${options.dataDir} a Cogwheel data dir?`);
  }
  const files = (await readdir(folder)).filter((name) => name.endsWith(".json")).sort();
  const names = files.map((file) => NAMESPACE_FILE.exec(file)?.[1]).filter((name): name is string => name !== undefined);
  const skipped = files.filter((file) => !NAMESPACE_FILE.test(file));

  // Everything is read and checked before the first write.
  const source = await JsonFileDriver.open(options.dataDir);
  const documents = new Map<string, SourceBucket[]>();
  try {
    for (const name of names) {
      const document = await source.load(name);
      if (document === undefined) continue;
      const buckets = bucketsOf(document);
      // Text PostgreSQL cannot hold (U+0000, unpaired surrogates; an old or hand-edited file) is
      // found here, naming file, scope and key, rather than midway through the copy.
      for (const bucket of buckets) toJsonValue(bucket.data, `${describeRef(bucket.ref)} in ${source.fileOf(name)}`);
      documents.set(name, buckets);
    }
  } finally {
    await source.close();
  }

  const namespaces: NamespaceMigration[] = [];
  const overwrite = options.overwrite ?? false;
  for (const [name, buckets] of documents) namespaces.push(await migrateNamespace(options.target, name, buckets, overwrite));
  return { folder, namespaces, skipped, ok: namespaces.every((n) => n.mismatches.length === 0) };
}

/**
 * Writes one namespace's buckets in one commit (again, if another process got in between), then
 * checks. A namespace with more than {@link MAX_PER_COMMIT} buckets to write is committed in
 * parts of that size (see there). Without `overwrite`, only absent buckets are written.
 */
async function migrateNamespace(
  target: MigrateOptions["target"],
  namespace: string,
  buckets: readonly SourceBucket[],
  overwrite: boolean,
): Promise<NamespaceMigration> {
  const written = new Set<string>();
  // Per bucket, the version this run wrote or found equal to the JSON data: the check afterwards
  // tells by it whether a difference is the target's fault or a later change by another process.
  const versions = new Map<string, number>();
  let kept: ScopeRef[] = [];
  for (let attempt = 1; ; attempt++) {
    const current = await listAll(target, namespace);
    const reads: BucketRead[] = [];
    const writes: BucketWrite[] = [];
    kept = [];
    for (const bucket of buckets) {
      const key = bucketKey(bucket.ref);
      const there = current.get(key);
      if (there !== undefined && canonical(there.data) === canonical(bucket.data)) {
        versions.set(key, there.version);
        continue;
      }
      if (there !== undefined && !overwrite) {
        // Written by an earlier attempt of this run and changed since by a bot: newer, left alone
        // (and still counted as written). Otherwise the database's own data: kept and reported.
        if (!written.has(key)) kept.push(bucket.ref);
        continue;
      }
      // The version read is the compare-and-set's base: a bucket changed meanwhile by a bot
      // already on the database makes the commit stale, and it is re-read, never overwritten blind
      // (without `overwrite`, one a bot created meanwhile is then kept).
      reads.push({ ref: bucket.ref, version: there?.version ?? 0 });
      writes.push({ ref: bucket.ref, data: bucket.data });
    }
    let stale: readonly ScopeRef[] = [];
    for (let start = 0; start < writes.length && stale.length === 0; start += MAX_PER_COMMIT) {
      const part = writes.slice(start, start + MAX_PER_COMMIT);
      const result = await target.commit(namespace, reads.slice(start, start + MAX_PER_COMMIT), part);
      if (result.ok) {
        part.forEach((write, i) => {
          written.add(bucketKey(write.ref));
          versions.set(bucketKey(write.ref), result.versions[i] ?? 0);
        });
      } else stale = result.stale;
    }
    if (stale.length === 0) break;
    if (attempt === ATTEMPTS) {
      throw new ConfigError(
        "ERR_CONFIG_QUERY_FAILED",
        `Cannot migrate namespace "${namespace}"${target.target === undefined ? "" : ` to ${target.target}`}: it kept changing during the migration (${stale.slice(0, 3).map(describeRef).join(", ")}); stop the bots using it and run the migration again`,
      );
    }
  }
  const after = await listAll(target, namespace);
  const expected = new Map(buckets.map((b) => [bucketKey(b.ref), b]));
  const mismatches: string[] = [];
  const counts = Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<ScopeKind, number>;
  for (const bucket of buckets) counts[bucket.ref.kind]++;
  for (const kind of KINDS) {
    const listed = [...after.values()].filter((b) => b.ref.kind === kind && expected.has(bucketKey(b.ref))).length;
    if (listed !== counts[kind]) mismatches.push(`${kind}: ${counts[kind]} bucket(s) in the JSON file, ${listed} in the target`);
  }
  for (const bucket of buckets) {
    const key = bucketKey(bucket.ref);
    const there = after.get(key);
    if (there === undefined || canonical(there.data) === canonical(bucket.data)) continue;
    // With `overwrite` the JSON data must be there. Without, a bucket kept on purpose may differ
    // (no version of it is recorded), and so may one another process changed after this run
    // wrote it or found it equal (its version moved on: the database's is newer). Only the very
    // version written or found equal, holding other data, means the target did not store what
    // it acknowledged.
    if (overwrite || there.version === versions.get(key)) mismatches.push(`${describeRef(bucket.ref)} differs`);
  }
  const onlyInTarget = [...after.keys()].filter((key) => !expected.has(key)).length;
  return {
    namespace,
    buckets: counts,
    written: written.size,
    unchanged: buckets.length - written.size - kept.length,
    kept,
    onlyInTarget,
    mismatches,
  };
}

/** Every bucket of a namespace in the target, by key: one listing per scope kind. */
async function listAll(target: BucketDriver, namespace: string): Promise<Map<string, ListedBucket>> {
  const all = new Map<string, ListedBucket>();
  for (const kind of KINDS) for (const bucket of await target.listBuckets(namespace, kind)) all.set(bucketKey(bucket.ref), bucket);
  return all;
}

/** The non-empty buckets of a stored document (empty ones are not stored anywhere). */
function bucketsOf(document: NamespaceDocument): SourceBucket[] {
  const out: SourceBucket[] = [];
  const add = (ref: ScopeRef, data: JsonObject): void => {
    if (Object.keys(data).length > 0) out.push({ ref, data });
  };
  add({ kind: "global" }, document.global);
  for (const kind of ["guild", "channel", "user"] as const) for (const [id, data] of Object.entries(document[kind])) add({ kind, id }, data);
  for (const [guildId, members] of Object.entries(document.member)) {
    for (const [userId, data] of Object.entries(members)) add({ kind: "member", guildId, userId }, data);
  }
  return out;
}


/**
 * A JSON text with object keys sorted at every level: PostgreSQL's jsonb keeps its own key order,
 * so two equal buckets are compared by this, never by their texts as stored.
 */
function canonical(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as JsonObject)[key]!)}`).join(",")}}`;
}
