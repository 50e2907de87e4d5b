// Form fields generated from a JSON Schema, and reading them back into exact JSON values:
// text for strings, digits kept exact for integers and snowflakes (a bigint beyond 2^53, which
// the client writes as bare digits), a checkbox for booleans, a select for enums, nested fields
// for objects with properties, and a JSON textarea for everything else.
import { parseJson } from "../protocol/json.ts";
import type { Schema } from "./discovery.ts";
import { h } from "./dom.ts";
import { compactJson } from "./format.ts";

/**
 * What reading a field gives: a value, nothing (leave the parameter out), or what is wrong. An
 * empty field is left out even when required: the server's -32602 then says what is missing,
 * exactly as it would to any client.
 */
export type FieldValue = { kind: "value"; value: unknown } | { kind: "absent" } | { kind: "invalid"; error: string };

/** One generated field: its element and how to read it. */
export interface Field {
  readonly element: HTMLElement;
  read(): FieldValue;
}

const ABSENT: FieldValue = { kind: "absent" };
const value = (v: unknown): FieldValue => ({ kind: "value", value: v });
const invalid = (path: string, error: string): FieldValue => ({ kind: "invalid", error: `${path}: ${error}` });

/** The schema's types as a list (`type` may be one name or several). */
function typesOf(schema: Schema): string[] {
  const type = schema.type;
  if (typeof type === "string") return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === "string") : [];
}

/** `schema` without its null alternative (`anyOf: [X, {type: "null"}]`, `type: [X, "null"]`). */
export function unwrapNullable(schema: Schema): { schema: Schema; nullable: boolean } {
  const anyOf = schema.anyOf;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const rest = (anyOf as Schema[]).filter((s) => !(typesOf(s).length === 1 && typesOf(s)[0] === "null"));
    if (rest.length === 1) return { schema: { ...schema, anyOf: undefined, ...rest[0] }, nullable: true };
  }
  const types = typesOf(schema);
  if (types.includes("null") && types.length > 1) {
    const others = types.filter((t) => t !== "null");
    return { schema: { ...schema, type: others.length === 1 ? others[0] : others }, nullable: true };
  }
  return { schema, nullable: false };
}

/** A snowflake: marked so, or an integer-or-string id. Entered and sent as exact digits. */
function isSnowflake(schema: Schema, types: readonly string[]): boolean {
  return schema["x-cogwheel"] === "snowflake" || (types.includes("integer") && types.includes("string") && types.length === 2);
}

/** Reads integer digits exactly: a safe integer as a number, a bigger one as a bigint. */
function exactInteger(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** A short type hint for the label. */
function hintOf(schema: Schema): string {
  const { schema: inner, nullable } = unwrapNullable(schema);
  const types = typesOf(inner);
  let hint = Array.isArray(inner.enum) ? "enum" : isSnowflake(inner, types) ? "snowflake" : types.join(" | ") || "JSON";
  if (types.includes("array") && typeof inner.items === "object" && inner.items !== null) {
    const itemTypes = typesOf(inner.items as Schema);
    if (itemTypes.length > 0) hint = `array of ${itemTypes.join(" | ")}`;
  }
  return nullable ? `${hint} or null` : hint;
}

interface FieldSpec {
  /** The parameter path: `name`, or `name.field` inside an object. */
  readonly path: string;
  readonly schema: Schema;
  readonly required: boolean;
  readonly description?: string | undefined;
  /** Called when the user edits the field. */
  readonly changed: () => void;
}

function controlId(path: string): string {
  return `param-${path.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

/** The label, the control and the description, in one block. */
function wrap(spec: FieldSpec, control: HTMLElement, checkbox = false): HTMLElement {
  const own = unwrapNullable(spec.schema).schema.description;
  const description = spec.description ?? (typeof own === "string" ? own : undefined);
  const label = h("label", { for: control.id }, h("span", { class: "param-name" }, spec.path), spec.required ? h("span", { class: "param-required", title: "required" }, " *") : null, " ", h("span", { class: "param-type" }, hintOf(spec.schema)));
  return h("div", { class: checkbox ? "param param-checkbox" : "param" }, checkbox ? control : null, label, checkbox ? null : control, description ? h("p", { class: "param-doc" }, description) : null);
}

/** Builds the field for one parameter or property. */
export function buildField(spec: FieldSpec): Field {
  const { schema: inner, nullable } = unwrapNullable(spec.schema);
  const types = typesOf(inner);
  const optional = !spec.required || nullable;
  const id = controlId(spec.path);

  if (Array.isArray(inner.enum)) {
    const choices = inner.enum as unknown[];
    const select = h("select", { id, "data-param": spec.path }, optional ? h("option", { value: "" }, "(not set)") : null, ...choices.map((c, i) => h("option", { value: String(i) }, compactJson(c))));
    select.addEventListener("change", spec.changed);
    return { element: wrap(spec, select), read: () => (select.value === "" ? ABSENT : value(choices[Number(select.value)])) };
  }

  if (types.length === 1 && types[0] === "boolean") {
    const box = h("input", { id, type: "checkbox", "data-param": spec.path });
    box.addEventListener("change", spec.changed);
    // Optional: unchecked leaves it out (the method's default); required: unchecked is false.
    return { element: wrap(spec, box, true), read: () => (box.checked ? value(true) : spec.required ? value(false) : ABSENT) };
  }

  if (isSnowflake(inner, types) || (types.length === 1 && (types[0] === "integer" || types[0] === "number"))) {
    const snowflake = isSnowflake(inner, types);
    const input = h("input", { id, type: "text", inputmode: "numeric", autocomplete: "off", spellcheck: "false", "data-param": spec.path, placeholder: snowflake ? "digits, e.g. 123456789012345678" : types[0] });
    input.addEventListener("input", spec.changed);
    const read = (): FieldValue => {
      const text = input.value.trim();
      if (text === "") return ABSENT;
      if (snowflake) {
        // Sent as the digit string: exact at any size, and what the method receives anyway.
        if (types.includes("string") || !/^\d+$/.test(text)) return value(text);
        return value(BigInt(text));
      }
      if (/^-?\d+$/.test(text)) return value(exactInteger(text));
      const n = Number(text);
      // Not a number: sent as the text, so the server's -32602 says what it expected.
      return types[0] === "number" && Number.isFinite(n) ? value(n) : value(text);
    };
    return { element: wrap(spec, input), read };
  }

  if (types.length === 1 && types[0] === "string") {
    const input = h("input", { id, type: "text", autocomplete: "off", "data-param": spec.path });
    input.addEventListener("input", spec.changed);
    return { element: wrap(spec, input), read: () => (input.value === "" ? ABSENT : value(input.value)) };
  }

  const properties = inner.properties;
  if (types.length === 1 && types[0] === "object" && typeof properties === "object" && properties !== null && Object.keys(properties).length > 0) {
    return objectField(spec, inner, properties as Record<string, Schema>, optional);
  }

  return jsonField(spec, id);
}

/** Nested fields, one per property (`name.field`). */
function objectField(spec: FieldSpec, schema: Schema, properties: Record<string, Schema>, optional: boolean): Field {
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields = Object.entries(properties).map(([key, sub]) => [key, buildField({ path: `${spec.path}.${key}`, schema: sub, required: required.has(key), changed: spec.changed })] as const);
  const description = typeof schema.description === "string" ? schema.description : spec.description;
  const element = h("fieldset", { class: "param-object", "data-param-object": spec.path }, h("legend", {}, spec.path, spec.required ? " *" : ""), description ? h("p", { class: "param-doc" }, description) : null, ...fields.map(([, f]) => f.element));
  const read = (): FieldValue => {
    const object: Record<string, unknown> = {};
    for (const [key, field] of fields) {
      const result = field.read();
      if (result.kind === "invalid") return result;
      if (result.kind === "value") object[key] = result.value;
    }
    return Object.keys(object).length === 0 && optional ? ABSENT : value(object);
  };
  return { element, read };
}

/** A JSON textarea: arrays, free-form objects, unions, `{}`. Parsed losslessly. */
function jsonField(spec: FieldSpec, id: string): Field {
  const types = typesOf(unwrapNullable(spec.schema).schema);
  const placeholder = types.includes("array") ? '["…"]' : types.includes("object") ? '{"key": "value"}' : "JSON, e.g. \"text\", 42, [1, 2]";
  const area = h("textarea", { id, rows: 2, spellcheck: "false", "data-param": spec.path, placeholder });
  area.addEventListener("input", spec.changed);
  const read = (): FieldValue => {
    const text = area.value.trim();
    if (text === "") return ABSENT;
    try {
      return value(parseJson(text));
    } catch (error) {
      return invalid(spec.path, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return { element: wrap(spec, area), read };
}
