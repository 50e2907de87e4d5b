/**
 * The shared, in-memory state of one namespace in one store: its data (loaded
 * once from the driver), its write queue, and bucket look-up by scope.
 * Internal: callers use the handles from `namespace.ts` and `scope.ts`.
 *
 * @module
 */
import { decodeDocument, emptyData, encodeDocument, type Bucket, type NamespaceData } from "./document.ts";
import type { ConfigDriver } from "./driver.ts";
import { ConfigError } from "./errors.ts";
import { assertId } from "./validate.ts";
import { CoalescingWriter } from "./write-queue.ts";

/** Which scope a bucket belongs to. */
export type ScopeRef =
  | { readonly kind: "global" }
  | { readonly kind: "guild" | "channel" | "user"; readonly id: string }
  | { readonly kind: "member"; readonly guildId: string; readonly userId: string };

/**
 * Scope look-up: each function validates the ids (`ERR_CONFIG_INVALID_ID`) and names
 * the scope. Used by namespace handles and transactions alike.
 */
export const scopeRefs = {
  global: (): ScopeRef => ({ kind: "global" }),
  guild: (guildId: string): ScopeRef => {
    assertId(guildId, "guildId");
    return { kind: "guild", id: guildId };
  },
  channel: (channelId: string): ScopeRef => {
    assertId(channelId, "channelId");
    return { kind: "channel", id: channelId };
  },
  user: (userId: string): ScopeRef => {
    assertId(userId, "userId");
    return { kind: "user", id: userId };
  },
  member: (guildId: string, userId: string): ScopeRef => {
    assertId(guildId, "guildId");
    assertId(userId, "userId");
    return { kind: "member", guildId, userId };
  },
} as const;

/** Store-wide bookkeeping shared by every namespace: closed flag and operations in flight. */
export interface Lifecycle {
  closed: boolean;
  readonly inflight: Set<Promise<unknown>>;
}

/** One namespace's data, loaded lazily but started at once, plus its write queue. */
export class NamespaceState {
  readonly name: string;
  readonly #lifecycle: Lifecycle;
  readonly #writer: CoalescingWriter;
  readonly #loading: Promise<NamespaceData>;
  #data: NamespaceData | undefined;
  /**
   * Set when loading failed, or when the loaded values did not match a handle's declared types
   * (so that a file fixed by hand is read again); such a state is replaced on the next
   * `namespace()` call.
   */
  failed = false;
  /** Where the data is stored, for messages: the file, or the namespace's name. */
  readonly where: string;

  /**
   * @param name - validated namespace name
   * @param driver - where the data lives
   * @param lifecycle - the owning store's bookkeeping
   */
  constructor(name: string, driver: ConfigDriver, lifecycle: Lifecycle) {
    this.name = name;
    this.where = driver.fileOf?.(name) ?? `namespace "${name}"`;
    this.#lifecycle = lifecycle;
    this.#loading = driver.load(name).then(
      (document) => (this.#data = document === undefined ? emptyData() : decodeDocument(document)),
      (error: unknown) => {
        this.failed = true;
        throw error;
      },
    );
    this.#loading.catch(() => {}); // reported by every operation, not as an unhandled rejection
    this.#writer = new CoalescingWriter(() => {
      if (this.#data === undefined) return Promise.reject(new Error("BUG: write before load"));
      return driver.write(name, encodeDocument(this.#data));
    });
  }

  /**
   * Runs one operation of a handle: refuses it once the store is closed, and
   * tracks it so that `close()` can wait for it.
   *
   * @param operation - receives the loaded data
   * @returns the operation's result
   */
  run<T>(operation: (data: NamespaceData) => T | Promise<T>): Promise<T> {
    if (this.#lifecycle.closed) {
      return Promise.reject(new ConfigError("ERR_CONFIG_CLOSED", `Config store is closed (namespace "${this.name}")`));
    }
    const data = this.#data;
    const result = data !== undefined ? Promise.resolve().then(() => operation(data)) : this.#loading.then(operation);
    const tracked = result.catch(() => {});
    this.#lifecycle.inflight.add(tracked);
    void tracked.then(() => this.#lifecycle.inflight.delete(tracked));
    return result;
  }

  /**
   * @returns a promise that resolves once every change made so far is durable
   */
  persist(): Promise<void> {
    return this.#writer.request();
  }

  /** @returns a promise that settles when no write is running or pending */
  idle(): Promise<void> {
    return this.#writer.idle();
  }
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
 * so cleared scopes leave nothing behind in the file.
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
