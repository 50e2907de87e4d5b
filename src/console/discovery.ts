// What the server offers, from `rpc.discover` (OpenRPC plus `x-topics`), fetched on every new
// connection and again whenever CORE__METHODS says the method table changed.
import type { RpcClient } from "../client/index.ts";
import type { Feeds } from "./feeds.ts";

/** A JSON Schema as published: plain data. */
export type Schema = { readonly [keyword: string]: unknown };

/** One parameter of a method (an OpenRPC content descriptor). */
export interface ParamInfo {
  readonly name: string;
  /** `undefined` marks the rest parameter: it takes every remaining positional argument. */
  readonly required?: boolean;
  readonly schema: Schema;
  readonly description?: string;
}

/** One method as `rpc.discover` describes it. */
export interface MethodInfo {
  readonly name: string;
  readonly description?: string;
  readonly params: readonly ParamInfo[];
  readonly paramStructure?: string;
  /** Declared without parameter names: takes any positional arguments. */
  readonly "x-variadic"?: boolean;
  readonly result?: { readonly schema?: Schema };
}

/** One topic of `x-topics`. */
export interface TopicInfo {
  readonly name: string;
  readonly description: string;
}

/** The methods and topics the server offers now. */
export interface Discovery {
  readonly methods: readonly MethodInfo[];
  readonly topics: readonly TopicInfo[];
}

/** Keeps the latest discovery document and tells listeners when it changes. */
export class DiscoveryStore {
  readonly #listeners: Array<(discovery: Discovery) => void> = [];
  #current: Discovery = { methods: [], topics: [] };
  #client: RpcClient | null = null;
  #stopMethods: (() => void) | null = null;
  #pending: ReturnType<typeof setTimeout> | undefined;

  readonly #feeds: Feeds;

  constructor(feeds: Feeds) {
    this.#feeds = feeds;
  }

  /** The latest document (empty until the first connection answered). */
  get current(): Discovery {
    return this.#current;
  }

  /** Calls `listener` now with what is known, and at every change. */
  listen(listener: (discovery: Discovery) => void): void {
    this.#listeners.push(listener);
    listener(this.#current);
  }

  /** Fetches the document over a new connection, and again whenever CORE__METHODS pushes. */
  attach(client: RpcClient): void {
    this.#client = client;
    void this.refresh();
    // A package load changes methods and topics together; one fetch per burst of pushes.
    this.#stopMethods ??= this.#feeds.listen("CORE__METHODS", () => {
      clearTimeout(this.#pending);
      this.#pending = setTimeout(() => void this.refresh(), 50);
    }).stop;
  }

  /** The connection is gone; the last document stays shown. */
  detach(): void {
    this.#client = null;
  }

  /** Fetches the document again. */
  async refresh(): Promise<void> {
    const client = this.#client;
    if (client === null) return;
    let document: unknown;
    try {
      document = await client.call("rpc.discover");
    } catch {
      return; // the connection dropped; the next one fetches again
    }
    if (client !== this.#client) return;
    const d = document as { methods?: unknown; "x-topics"?: unknown };
    this.#current = {
      methods: Array.isArray(d.methods) ? (d.methods as MethodInfo[]) : [],
      topics: Array.isArray(d["x-topics"]) ? (d["x-topics"] as TopicInfo[]) : [],
    };
    for (const listener of this.#listeners) listener(this.#current);
  }
}
