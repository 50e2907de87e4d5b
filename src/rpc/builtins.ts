import type { CallContext } from "./dispatcher.ts";
import { RpcError } from "./errors.ts";
import { buildOpenRpcDocument } from "./openrpc.ts";
import { REGISTER_BUILTIN, type MethodRegistry } from "./registry.ts";
import { subscriptionNames, type TopicRegistry } from "./topics.ts";

/** Red's text for a method without documentation. */
export const NO_DOC = "No docstring available.";

/**
 * Registers Red's built-in methods (GET_METHODS, GET_METHOD_INFO, GET_TOPICS and its alias
 * GET_TOPIC, GET_SUBSCRIPTIONS, SUBSCRIBE, UNSUBSCRIBE) and `rpc.discover`.
 */
export function registerBuiltins(
  methods: MethodRegistry,
  topics: TopicRegistry,
  info: { title: string; version: string },
): void {
  methods[REGISTER_BUILTIN]("GET_METHODS", () => methods.names(), {
    doc: "Returns the names of every method, built-ins included.",
    params: [],
  });
  methods[REGISTER_BUILTIN](
    "GET_METHOD_INFO",
    (name: unknown) => {
      if (typeof name !== "string") throw RpcError.invalidParams({ reason: "method must be a string" });
      return methods.get(name)?.doc ?? NO_DOC;
    },
    { doc: "Returns the documentation of a method, or \"No docstring available.\".", params: ["method"] },
  );
  const listTopics = (): string[] => topics.names();
  methods[REGISTER_BUILTIN]("GET_TOPICS", listTopics, { doc: "Returns the names of every topic.", params: [] });
  methods[REGISTER_BUILTIN]("GET_TOPIC", listTopics, { doc: "Alias of GET_TOPICS (the name Red's docs use).", params: [] });
  methods[REGISTER_BUILTIN]("GET_SUBSCRIPTIONS", (ctx: CallContext) => subscriptionNames(ctx.connection), {
    doc: "Returns the topics this connection is subscribed to.",
    params: [],
    contextual: true,
  });
  methods[REGISTER_BUILTIN](
    "SUBSCRIBE",
    (ctx: CallContext, ...names: unknown[]) => {
      const states = topics.subscribe(ctx.connection, topicNames(names));
      if (states.length > 0) (ctx.after ??= []).push(...states);
      return subscriptionNames(ctx.connection);
    },
    {
      doc: "Subscribes this connection to the given topics (unknown ones are ignored) and returns its subscriptions. A topic's stored state is pushed right after the reply.",
      params: ["...topics"],
      contextual: true,
    },
  );
  methods[REGISTER_BUILTIN](
    "UNSUBSCRIBE",
    (ctx: CallContext, ...names: unknown[]) => {
      topics.unsubscribe(ctx.connection, topicNames(names));
      return subscriptionNames(ctx.connection);
    },
    { doc: "Unsubscribes this connection from the given topics and returns its subscriptions.", params: ["...topics"], contextual: true },
  );
  methods[REGISTER_BUILTIN]("rpc.discover", () => buildOpenRpcDocument(methods, topics, info), {
    doc: "Returns the OpenRPC document of this server: every method with its parameters and documentation, and every topic (x-topics).",
    params: [],
  });
}

/** Accepts `["A", "B"]` and, for convenience, one nested list `[["A", "B"]]`. */
function topicNames(names: unknown[]): string[] {
  const flat = names.length === 1 && Array.isArray(names[0]) ? (names[0] as unknown[]) : names;
  for (const name of flat) {
    if (typeof name !== "string") throw RpcError.invalidParams({ reason: "topic names must be strings" });
  }
  return flat as string[];
}
