import { RpcServerError } from "./errors.ts";
import { toDisposable, type Disposable } from "./disposable.ts";
import { isValidName, nameKey } from "./naming.ts";

/** What every table entry carries: its display name, look-up key and owner. */
export interface NamedEntry {
  readonly name: string;
  readonly key: string;
  readonly owner: string | null;
}

/**
 * A case-insensitive name table shared by methods and topics: it rejects taken names, hands
 * out Disposables that only ever remove their own entry, removes a whole owner at once, and
 * tells listeners when its contents change.
 */
export class OwnedTable<E extends NamedEntry> {
  readonly #entries = new Map<string, E>();
  readonly #listeners = new Set<() => void>();
  readonly #onRemove = new WeakMap<E, (entry: E) => void>();
  readonly #kind: string;

  readonly #onListenerError: (error: unknown) => void;

  constructor(kind: string, onListenerError: (error: unknown) => void) {
    this.#kind = kind;
    this.#onListenerError = onListenerError;
  }

  /** Checks a name and returns its canonical (upper-case) form and key. */
  checkName(name: unknown): { name: string; key: string } {
    if (typeof name !== "string" || !isValidName(name)) {
      throw new RpcServerError(
        "ERR_RPC_INVALID_NAME",
        `${this.#kind} name ${JSON.stringify(name)} is invalid: use letters, digits, "_" and "." (at most 128), starting with a letter or "_"`,
      );
    }
    const key = nameKey(name)!; // isValidName admits ASCII only, so there is a key
    if (key.startsWith("RPC.")) {
      throw new RpcServerError("ERR_RPC_INVALID_NAME", `${this.#kind} names starting with "rpc." are reserved by JSON-RPC 2.0`);
    }
    const taken = this.#entries.get(key);
    if (taken !== undefined) {
      const by = taken.owner === null ? "the server" : `"${taken.owner}"`;
      throw new RpcServerError("ERR_RPC_NAME_TAKEN", `${this.#kind} ${taken.name} is already registered by ${by}`);
    }
    return { name: key, key };
  }

  /** Adds an entry whose name was checked; the Disposable removes exactly this entry. */
  add(entry: E, onRemove?: (entry: E) => void): Disposable {
    this.#entries.set(entry.key, entry);
    if (onRemove !== undefined) this.#onRemove.set(entry, onRemove);
    this.#changed();
    return toDisposable(() => {
      if (this.#remove(entry)) this.#changed();
    });
  }

  /** Removes every entry of `owner`, newest first; returns how many were removed. */
  removeOwner(owner: string): number {
    const mine = [...this.#entries.values()].filter((e) => e.owner === owner).reverse();
    for (const entry of mine) this.#remove(entry);
    if (mine.length > 0) this.#changed();
    return mine.length;
  }

  #remove(entry: E): boolean {
    if (this.#entries.get(entry.key) !== entry) return false;
    this.#entries.delete(entry.key);
    this.#onRemove.get(entry)?.(entry);
    return true;
  }

  /** Adds an entry reserved for the server itself (built-ins), bypassing the name rules. */
  addBuiltin(entry: E): void {
    this.#entries.set(entry.key, entry);
  }

  /**
   * Look-up ignoring ASCII case; exact upper-case names (the common case) skip the folding,
   * and a name with a non-ASCII character finds nothing.
   */
  get(name: string): E | undefined {
    const exact = this.#entries.get(name);
    if (exact !== undefined) return exact;
    const key = nameKey(name);
    return key === undefined ? undefined : this.#entries.get(key);
  }

  values(): IterableIterator<E> {
    return this.#entries.values();
  }

  names(): string[] {
    return Array.from(this.#entries.values(), (e) => e.name);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Calls `listener` after every addition or removal. */
  onDidChange(listener: () => void): Disposable {
    this.#listeners.add(listener);
    return toDisposable(() => this.#listeners.delete(listener));
  }

  #changed(): void {
    // A listener's failure must not undo or break the registration that triggered it.
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
