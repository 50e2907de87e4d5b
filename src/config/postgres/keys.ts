/**
 * Scope refs ↔ table keys (scope, id1, id2), how a bucket is named in messages, and how a `pg`
 * failure becomes a catalog error that never carries the password.
 *
 * @module
 */
import { ConfigError, type ConfigErrorCode } from "../errors.ts";
import type { ScopeRef } from "../state.ts";
import { scrub } from "./options.ts";

/** A bucket's primary key in `cogwheel_config`, without the namespace. */
export interface RowKey {
  readonly scope: ScopeRef["kind"];
  readonly id1: string;
  readonly id2: string;
}

/** @returns the table key of `ref` (unused ids are "") */
export function rowKey(ref: ScopeRef): RowKey {
  switch (ref.kind) {
    case "global":
      return { scope: "global", id1: "", id2: "" };
    case "member":
      return { scope: "member", id1: ref.guildId, id2: ref.userId };
    default:
      return { scope: ref.kind, id1: ref.id, id2: "" };
  }
}

/** @returns the ref of a table key, or `undefined` for a scope this code does not know */
export function refOf(scope: string, id1: string, id2: string): ScopeRef | undefined {
  switch (scope) {
    case "global":
      return { kind: "global" };
    case "member":
      return { kind: "member", guildId: id1, userId: id2 };
    case "guild":
    case "channel":
    case "user":
      return { kind: scope, id: id1 };
    default:
      return undefined;
  }
}

/**
 * A string for a key, for maps: unambiguous for any ids (the first id is prefixed by its length).
 * Plain concatenation: the store computes one on every read.
 */
export function keyString(key: RowKey): string {
  return `${key.scope}:${key.id1.length}:${key.id1}${key.id2}`;
}

/** The map key of a bucket: {@link keyString} of its {@link rowKey}. The one bucket key of the config code. */
export function bucketKey(ref: ScopeRef): string {
  return keyString(rowKey(ref));
}

/** `member("g1", "u1")`, `global()`: the handle call that reaches the bucket. */
export function describeRef(ref: ScopeRef): string {
  const q = JSON.stringify;
  switch (ref.kind) {
    case "global":
      return "global()";
    case "member":
      return `member(${q(ref.guildId)}, ${q(ref.userId)})`;
    default:
      return `${ref.kind}(${q(ref.id)})`;
  }
}

/** What a message says about where: `namespace "Economy" member("g1", "u1") in postgres://…/db`. */
export function where(target: string, namespace: string, refs: readonly ScopeRef[] = []): string {
  const shown = refs.slice(0, 3).map(describeRef).join(", ");
  const more = refs.length > 3 ? ` and ${refs.length - 3} more` : "";
  return `namespace "${namespace}"${shown === "" ? "" : ` ${shown}${more}`} in ${target}`;
}

/** SQLSTATE classes meaning "could not connect or lost the connection". */
const CONNECTION_STATES = /^(08|57P0[1-3])/;

/** @returns true when `error` means the connection is gone (or never came) */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === "string" && (CONNECTION_STATES.test(e.code) || /^E(CONNREFUSED|CONNRESET|PIPE|HOSTUNREACH|NOTFOUND|TIMEDOUT|AI_AGAIN)$/.test(e.code))) {
    return true;
  }
  const message = typeof e?.message === "string" ? e.message : "";
  return /Connection terminated|connection timeout|Query read timeout|Client has encountered a connection error|not queryable/i.test(message);
}

/**
 * Wraps a `pg` (or socket) failure in a catalog error: the first line says what failed and
 * where, then the server's reason, both scrubbed of the password. The original error stays as
 * `cause` for logs… scrubbed too, since a logger prints causes.
 */
export function dbError(code: ConfigErrorCode, what: string, error: unknown, secret: string): ConfigError {
  const reason = scrub(error instanceof Error ? error.message : String(error), secret).split("\n")[0];
  const sqlstate = (error as { code?: unknown } | null)?.code;
  const detail = typeof sqlstate === "string" && /^[0-9A-Z]{5}$/.test(sqlstate) ? ` (SQLSTATE ${sqlstate})` : "";
  const cause = error instanceof Error ? Object.assign(new Error(reason), { code: sqlstate }) : undefined;
  return new ConfigError(code, `${scrub(what, secret)}: ${reason}${detail}`, { cause });
}
