import type { MethodEntry, MethodRegistry } from "./registry.ts";
import type { TopicRegistry } from "./topics.ts";

/** The OpenRPC version of the document `rpc.discover` returns. */
export const OPENRPC_VERSION = "1.3.2";

interface ContentDescriptor {
  name: string;
  required?: boolean;
  schema: Record<string, unknown>;
  description?: string;
}

/**
 * Builds the OpenRPC document of every method (params and docs) and, as the extension
 * `x-topics`, every topic. Built when asked, so it always matches the live table.
 */
export function buildOpenRpcDocument(
  methods: MethodRegistry,
  topics: TopicRegistry,
  info: { title: string; version: string },
): Record<string, unknown> {
  return {
    openrpc: OPENRPC_VERSION,
    info: { title: info.title, version: info.version },
    methods: Array.from(methods.entries(), describeMethod),
    "x-topics": Array.from(topics.entries(), (t) => ({ name: t.name, description: t.doc ?? "" })),
  };
}

function describeMethod(entry: MethodEntry): Record<string, unknown> {
  const params: ContentDescriptor[] = [];
  const spec = entry.params;
  if (spec.names !== null) {
    // Names without schemas (the list form) publish `{}`: any value.
    spec.names.forEach((name, i) => params.push({ name, required: !spec.optional[i], schema: spec.schemas?.[i] ?? {} }));
    if (spec.rest !== null) {
      params.push({
        name: spec.rest,
        schema: spec.restSchema ?? {},
        description: "takes every remaining positional argument; the schema is that of each one",
      });
    }
  }
  const method: Record<string, unknown> = {
    name: entry.name,
    params,
    result: { name: "result", schema: entry.result ?? {} },
    // Undeclared parameters bind positionally only; declared ones accept both forms.
    paramStructure: spec.names === null ? "by-position" : "either",
  };
  if (entry.doc !== null) method.description = entry.doc;
  if (spec.names === null) method["x-variadic"] = true;
  return method;
}
