// The call form of one method: fields from its parameter schemas, the params they make (by name,
// or positional when the method takes a rest parameter or declares none), the call, and its
// result or error, with the equivalent `cogwheel rpc call` line.
import { RpcCallError, RpcConnectionError, RpcTimeoutError } from "../client/index.ts";
import type { Connection } from "./connection.ts";
import type { MethodInfo } from "./discovery.ts";
import { h, replaceChildren } from "./dom.ts";
import { cliLine, messageOf, prettyJson } from "./format.ts";
import { buildField, type Field } from "./schema-fields.ts";

type Params = { ok: true; params: unknown } | { ok: false; error: string };

/** How the form's fields become the call's params. */
interface ParamsBuilder {
  readonly fields: HTMLElement[];
  read(): Params;
}

/** A method declared without names: one JSON field for the whole params (array or object). */
function variadicParams(changed: () => void): ParamsBuilder {
  const field = buildField({ path: "params", schema: {}, required: false, description: "All parameters, as one JSON array (positional) or object.", changed });
  return {
    fields: [field.element],
    read: () => {
      const result = field.read();
      if (result.kind === "invalid") return { ok: false, error: result.error };
      return { ok: true, params: result.kind === "value" ? result.value : undefined };
    },
  };
}

/**
 * Declared parameters. By name (`{"name": …}`) unless there is a rest parameter, which only
 * positional arguments can fill: then `[a, b, ...rest]`, a skipped optional sent as null.
 */
function declaredParams(method: MethodInfo, changed: () => void): ParamsBuilder {
  const named: Array<[string, Field]> = [];
  let rest: Field | null = null;
  for (const param of method.params) {
    if (param.required === undefined) {
      rest = buildField({ path: param.name, schema: { type: "array", items: param.schema }, required: false, description: `Every remaining argument, as a JSON array. ${param.description ?? ""}`.trim(), changed });
    } else {
      named.push([param.name, buildField({ path: param.name, schema: param.schema, required: param.required, description: param.description, changed })]);
    }
  }
  const fields = [...named.map(([, f]) => f.element), ...(rest ? [rest.element] : [])];
  const read = (): Params => {
    const values: Array<[string, unknown | undefined]> = [];
    for (const [name, field] of named) {
      const result = field.read();
      if (result.kind === "invalid") return { ok: false, error: result.error };
      values.push([name, result.kind === "value" ? result.value : undefined]);
    }
    if (rest === null) {
      const given = values.filter(([, v]) => v !== undefined);
      return { ok: true, params: given.length === 0 ? undefined : Object.fromEntries(given) };
    }
    const restValue = rest.read();
    if (restValue.kind === "invalid") return { ok: false, error: restValue.error };
    const items = restValue.kind === "value" ? (Array.isArray(restValue.value) ? restValue.value : [restValue.value]) : [];
    const positional = values.map(([, v]) => v);
    while (items.length === 0 && positional.length > 0 && positional[positional.length - 1] === undefined) positional.pop();
    const args = [...positional.map((v) => (v === undefined ? null : v)), ...items];
    return { ok: true, params: args.length === 0 ? undefined : args };
  };
  return { fields, read };
}

/** What an error shows: its code (`data-error-code`), message and data. */
function errorView(error: unknown): HTMLElement {
  if (error instanceof RpcCallError) {
    return h("div", { id: "call-error", class: "error", role: "alert", "data-error-code": error.code },
      h("p", {}, h("strong", { class: "error-code" }, String(error.code)), " ", h("span", { class: "error-message" }, error.message)),
      "data" in error ? h("pre", { class: "error-data json" }, prettyJson(error.data)) : null);
  }
  const code = error instanceof RpcConnectionError || error instanceof RpcTimeoutError ? error.code : "ERR_CONSOLE";
  return h("div", { id: "call-error", class: "error", role: "alert", "data-error-code": code },
    h("p", {}, h("strong", { class: "error-code" }, code), " ", h("span", { class: "error-message" }, messageOf(error))));
}

/** Renders the form of `method` into `container`. */
export function renderCallForm(container: HTMLElement, method: MethodInfo, connection: Connection): void {
  const cli = h("code", { id: "call-cli" });
  const inputError = h("p", { id: "call-input-error", class: "error", role: "alert", hidden: true });
  const output = h("div", { class: "call-output", "aria-live": "polite" });
  const update = (): void => {
    const read = builder.read();
    inputError.hidden = read.ok;
    // No line for input that cannot be sent: a stale one would be a different call.
    inputError.textContent = read.ok ? "" : read.error;
    cli.textContent = read.ok ? cliLine(method.name, read.params) : "";
  };
  const builder = method["x-variadic"] === true ? variadicParams(update) : declaredParams(method, update);
  const submit = h("button", { id: "call-submit", type: "submit" }, "Call");
  const form = h("form", { id: "call-form", "data-form-method": method.name, novalidate: true },
    ...builder.fields,
    builder.fields.length === 0 ? h("p", { class: "muted" }, "No parameters.") : null,
    h("div", { class: "form-actions" }, submit),
    inputError);
  const copy = h("button", { id: "call-cli-copy", type: "button", class: "small" }, "Copy");
  copy.addEventListener("click", () => void copyText(cli.textContent ?? "", copy));

  form.addEventListener("submit", (event) => {
    event.preventDefault(); // the page never navigates (CSP form-action 'none')
    const read = builder.read();
    update();
    if (!read.ok) return;
    const client = connection.client;
    replaceChildren(output, h("p", { class: "muted" }, "Calling…"));
    submit.disabled = true;
    const started = performance.now();
    const call = client === null ? Promise.reject(new Error("not connected to the bot")) : client.call(method.name, read.params);
    call.then(
      (result) => replaceChildren(output, h("p", { class: "muted" }, `Result in ${Math.round(performance.now() - started)} ms`), h("pre", { id: "call-result", class: "json" }, prettyJson(result))),
      (error: unknown) => replaceChildren(output, errorView(error)),
    ).finally(() => (submit.disabled = false));
  });

  update();
  replaceChildren(container, form, h("div", { class: "cli-line" }, h("span", { class: "muted" }, "CLI: "), cli, " ", copy), output);
}

/** Copies `text`; where the Clipboard API is unavailable, selects it for Ctrl-C instead. */
async function copyText(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    const code = document.getElementById("call-cli");
    if (code !== null) getSelection()?.selectAllChildren(code);
    button.textContent = "Press Ctrl-C";
  }
  setTimeout(() => (button.textContent = "Copy"), 1500);
}
