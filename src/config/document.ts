/**
 * The data of one namespace: its in-memory form (nested Maps, safe for any id or
 * key) and its stored form (a plain JSON document), with conversions both ways.
 *
 * Stored form, version 1:
 * ```json
 * { "version": 1,
 *   "global":  { "key": value },
 *   "guild":   { "<guildId>":   { "key": value } },
 *   "channel": { "<channelId>": { "key": value } },
 *   "user":    { "<userId>":    { "key": value } },
 *   "member":  { "<guildId>": { "<userId>": { "key": value } } } }
 * ```
 * Only values that were set are stored; defaults live in code.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";
import type { JsonObject, JsonValue } from "./json.ts";
import type { ScopeRef } from "./state.ts";

/** The stored (serialisable) form of one namespace's data. */
export interface NamespaceDocument {
  /** Format version; always 1 for now. */
  readonly version: 1;
  /** Global values. */
  readonly global: JsonObject;
  /** Per-guild values, keyed by guild id. */
  readonly guild: { readonly [guildId: string]: JsonObject };
  /** Per-channel values, keyed by channel id. */
  readonly channel: { readonly [channelId: string]: JsonObject };
  /** Per-user values, keyed by user id. */
  readonly user: { readonly [userId: string]: JsonObject };
  /** Per-member values, keyed by guild id, then user id. */
  readonly member: { readonly [guildId: string]: { readonly [userId: string]: JsonObject } };
}

/** The values set in one scope: key → value. Values are never mutated in place. */
export type Bucket = Map<string, JsonValue>;

/** In-memory form of one namespace's data. Empty buckets and maps are removed. */
export interface NamespaceData {
  global: Bucket;
  guild: Map<string, Bucket>;
  channel: Map<string, Bucket>;
  user: Map<string, Bucket>;
  member: Map<string, Map<string, Bucket>>;
}

/** @returns data with nothing set */
export function emptyData(): NamespaceData {
  return { global: new Map(), guild: new Map(), channel: new Map(), user: new Map(), member: new Map() };
}

/**
 * Builds the stored form of `data`. The result shares (immutable) values with
 * `data` but no containers, so later changes to `data` do not affect it.
 *
 * @param data - in-memory data
 * @returns the document to store
 */
export function encodeDocument(data: NamespaceData): NamespaceDocument {
  const bucket = (b: Bucket): JsonObject => Object.fromEntries(b);
  const buckets = (m: Map<string, Bucket>) => Object.fromEntries([...m].map(([id, b]) => [id, bucket(b)]));
  return {
    version: 1,
    global: bucket(data.global),
    guild: buckets(data.guild),
    channel: buckets(data.channel),
    user: buckets(data.user),
    member: Object.fromEntries([...data.member].map(([gid, members]) => [gid, buckets(members)])),
  };
}

/**
 * Converts a (checked) stored document to in-memory data.
 *
 * @param document - a document returned by {@link checkDocument} or a driver
 * @returns in-memory data, sharing values (never mutated) with `document`
 */
export function decodeDocument(document: NamespaceDocument): NamespaceData {
  const bucket = (o: JsonObject): Bucket => new Map(Object.entries(o));
  const buckets = (o: { readonly [id: string]: JsonObject }): Map<string, Bucket> =>
    new Map(Object.entries(o).filter(([, b]) => Object.keys(b).length > 0).map(([id, b]) => [id, bucket(b)]));
  const member = new Map<string, Map<string, Bucket>>();
  for (const [guildId, members] of Object.entries(document.member)) {
    const m = buckets(members);
    if (m.size > 0) member.set(guildId, m);
  }
  return {
    global: bucket(document.global),
    guild: buckets(document.guild),
    channel: buckets(document.channel),
    user: buckets(document.user),
    member,
  };
}

/**
 * Checks that a parsed value has the shape of a stored document. Missing scope
 * sections are filled in as empty.
 *
 * @param raw - the result of `JSON.parse`
 * @param source - where it came from (a file path), for error messages
 * @returns the document
 * @throws ConfigError with code `ERR_CONFIG_CORRUPT_FILE` naming `source`
 */
export function checkDocument(raw: unknown, source: string): NamespaceDocument {
  const bad = (why: string): never => {
    throw new ConfigError("ERR_CONFIG_CORRUPT_FILE", `Config file ${source} is not a valid config document: ${why}`, {
      path: source,
    });
  };
  const object = (v: unknown, at: string): { [key: string]: unknown } => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) bad(`${at} must be an object`);
    return v as { [key: string]: unknown };
  };
  const map = <T>(v: unknown, at: string, each: (v: unknown, at: string) => T): { [key: string]: T } =>
    Object.fromEntries(Object.entries(object(v, at)).map(([k, x]) => [k, each(x, `${at}[${JSON.stringify(k)}]`)]));
  // Values came from JSON.parse, so they are JSON; only the nesting needs checking.
  const bucket = (v: unknown, at: string) => object(v, at) as JsonObject;
  const buckets = (v: unknown, at: string) => map(v, at, bucket);

  const doc = object(raw, "the top level");
  const known = new Set(["version", "global", "guild", "channel", "user", "member"]);
  for (const key of Object.keys(doc)) if (!known.has(key)) bad(`unknown top-level key ${JSON.stringify(key)}`);
  if (doc.version !== 1) bad(`unsupported version ${JSON.stringify(doc.version)} (expected 1)`);
  return {
    version: 1,
    global: bucket(doc.global ?? {}, "global"),
    guild: buckets(doc.guild ?? {}, "guild"),
    channel: buckets(doc.channel ?? {}, "channel"),
    user: buckets(doc.user ?? {}, "user"),
    member: map(doc.member ?? {}, "member", buckets),
  };
}

/**
 * @param data - a namespace's data
 * @param ref - the scope
 * @returns the scope's bucket, or `undefined` when nothing is set in it
 */
export function findBucket(data: NamespaceData, ref: ScopeRef): Bucket | undefined {
  switch (ref.kind) {
    case "global":
      return data.global;
    case "member":
      return data.member.get(ref.guildId)?.get(ref.userId);
    default:
      return data[ref.kind].get(ref.id);
  }
}

/**
 * @param data - a namespace's data
 * @param ref - the scope
 * @returns the scope's bucket, created (empty) if needed
 */
export function ensureBucket(data: NamespaceData, ref: ScopeRef): Bucket {
  let bucket = findBucket(data, ref);
  if (bucket !== undefined) return bucket;
  bucket = new Map();
  if (ref.kind === "member") {
    let members = data.member.get(ref.guildId);
    if (members === undefined) data.member.set(ref.guildId, (members = new Map()));
    members.set(ref.userId, bucket);
  } else if (ref.kind !== "global") {
    data[ref.kind].set(ref.id, bucket);
  }
  return bucket;
}

/**
 * Removes the scope's bucket (and an emptied guild of members) if it is empty,
 * so cleared scopes leave nothing behind in the file (used by the JSON adapter).
 *
 * @param data - a namespace's data
 * @param ref - the scope
 */
export function pruneBucket(data: NamespaceData, ref: ScopeRef): void {
  if (ref.kind === "global" || (findBucket(data, ref)?.size ?? 0) > 0) return;
  if (ref.kind === "member") {
    const members = data.member.get(ref.guildId);
    members?.delete(ref.userId);
    if (members?.size === 0) data.member.delete(ref.guildId);
  } else {
    data[ref.kind].delete(ref.id);
  }
}
