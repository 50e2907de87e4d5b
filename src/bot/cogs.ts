import type { Disposable } from "../rpc/index.ts";
import { BotError } from "./errors.ts";

const COG_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A cog: any object with a declared string `name` (never derived from its class). */
export type Cog = object;

/** What the bot keeps for each cog: everything it registered, to undo on removal. */
export interface CogScope {
  readonly name: string;
  readonly instance: Cog;
  /** The scope that added it, compared by identity (never by name). */
  readonly owner: CogOwner;
  readonly disposables: Disposable[];
}

/**
 * The name a cog goes by: its own `name` property. Names are declared, never taken from
 * `constructor.name`, so renaming a class or minifying cannot change a wire name.
 */
export function cogNameOf(cog: Cog): string {
  const name = (cog as { name?: unknown }).name;
  if (typeof name !== "string" || !COG_NAME.test(name)) {
    throw new BotError(
      "ERR_COG_INVALID",
      `a cog needs a declared name: a string "name" property of letters, digits and "_" (got ${typeof name === "string" ? JSON.stringify(name) : typeof name})`,
    );
  }
  return name;
}

/** Who added a cog: a package's scope. Only its name is read; ownership is the object itself. */
export interface CogOwner {
  readonly name: string;
}

/** The loaded cogs. Removing a cog disposes everything it registered, newest first. */
export class CogRegistry {
  readonly #byName = new Map<string, CogScope>();
  readonly #byInstance = new Map<Cog, CogScope>();

  add(cog: Cog, owner: CogOwner): CogScope {
    if (typeof cog !== "object" || cog === null) throw new BotError("ERR_COG_INVALID", "a cog must be an object");
    const name = cogNameOf(cog);
    const taken = this.#byName.get(name.toLowerCase());
    if (taken !== undefined) {
      throw new BotError("ERR_COG_NAME_TAKEN", `a cog named ${taken.name} is already loaded`);
    }
    const scope: CogScope = { name, instance: cog, owner, disposables: [] };
    this.#byName.set(name.toLowerCase(), scope);
    this.#byInstance.set(cog, scope);
    return scope;
  }

  /** The scope of a cog instance that was added; throws ERR_COG_UNKNOWN otherwise. */
  scopeOf(cog: Cog): CogScope {
    const scope = this.#byInstance.get(cog);
    if (scope === undefined) {
      const name = typeof cog === "object" && cog !== null ? (cog as { name?: unknown }).name : cog;
      throw new BotError("ERR_COG_UNKNOWN", `cog ${String(name)} was not added: call bot.addCog(cog) first`);
    }
    return scope;
  }

  /** Adds a registration to a cog's scope; the returned Disposable also forgets it there. */
  own(scope: CogScope, registration: Disposable): Disposable {
    scope.disposables.push(registration);
    return {
      dispose() {
        const at = scope.disposables.indexOf(registration);
        if (at >= 0) scope.disposables.splice(at, 1);
        registration.dispose();
      },
    };
  }

  get(name: string): CogScope | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  /** Every cog, in the order they were added. */
  all(): CogScope[] {
    return [...this.#byName.values()];
  }

  /**
   * Removes a cog's record, if it is still the one registered under its name (a late rollback
   * of an abandoned load must not remove the cog a newer load added under that name), and
   * disposes its registrations newest first; errors in one do not stop the rest (they are
   * returned for logging). Returns null when the record is no longer registered.
   */
  removeRecord(scope: CogScope): { scope: CogScope; errors: unknown[] } | null {
    if (this.#byName.get(scope.name.toLowerCase()) !== scope) return null;
    this.#byName.delete(scope.name.toLowerCase());
    this.#byInstance.delete(scope.instance);
    const errors: unknown[] = [];
    for (const registration of scope.disposables.splice(0).reverse()) {
      try {
        registration.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    return { scope, errors };
  }
}
