// The packages panel: loaded, available and failed packages from the CORE__PACKAGES topic (live),
// with load, unload and reload buttons calling CORE__LOAD / CORE__UNLOAD / CORE__RELOAD.
import { RpcCallError } from "../client/index.ts";
import type { Connection } from "./connection.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import type { Feeds } from "./feeds.ts";
import { compactJson, messageOf } from "./format.ts";

/** The CORE__PACKAGES state. */
interface PackagesState {
  loaded: string[];
  failed: Record<string, string>;
  available: string[];
}

type PackageState = "loaded" | "available" | "failed";
type Action = "load" | "unload" | "reload";

const METHOD: Record<Action, string> = { load: "CORE__LOAD", unload: "CORE__UNLOAD", reload: "CORE__RELOAD" };

function asState(data: unknown): PackagesState {
  const d = (data ?? {}) as Partial<PackagesState>;
  return {
    loaded: Array.isArray(d.loaded) ? d.loaded : [],
    failed: d.failed !== null && typeof d.failed === "object" ? d.failed : {},
    available: Array.isArray(d.available) ? d.available : [],
  };
}

/** One line about what a load/unload/reload did, from its result's non-empty lists. */
export function summarize(result: unknown): string {
  if (result === null || typeof result !== "object") return compactJson(result);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (Array.isArray(value) && value.length > 0) parts.push(`${key.replace(/_/g, " ")}: ${value.join(", ")}`);
    else if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
      parts.push(`${key.replace(/_/g, " ")}: ${Object.entries(value).map(([k, v]) => `${k} (${String(v)})`).join(", ")}`);
    }
  }
  return parts.join("; ") || "nothing to do";
}

/** Wires the packages panel. */
export function setupPackages(connection: Connection, feeds: Feeds): void {
  const table = byId("package-list");
  const message = byId("package-message");
  const rows = new Map<string, HTMLElement>();
  let state: PackagesState | null = null;

  const act = async (action: Action, name: string, button: HTMLButtonElement): Promise<void> => {
    const client = connection.client;
    if (client === null) {
      message.textContent = "Not connected to the bot.";
      return;
    }
    button.disabled = true;
    message.textContent = `${action} ${name}…`;
    try {
      const result = await client.call(METHOD[action], [[name]]);
      message.textContent = `${action} ${name}: ${summarize(result)}`;
    } catch (error) {
      message.textContent = `${action} ${name} failed: ${error instanceof RpcCallError ? `${error.code} ${error.message}` : messageOf(error)}`;
    } finally {
      button.disabled = false;
      render();
    }
  };

  const rowOf = (name: string): HTMLElement => {
    let row = rows.get(name);
    if (row === undefined) {
      const buttons = (["load", "unload", "reload"] as const).map((action) => {
        const button = h("button", { type: "button", "data-action": action }, action[0]!.toUpperCase() + action.slice(1));
        button.addEventListener("click", () => void act(action, name, button));
        return button;
      });
      row = h("tr", { "data-package": name },
        h("th", { scope: "row" }, name), h("td", { class: "package-state" }), h("td", { class: "package-reason" }), h("td", { class: "package-actions" }, ...buttons));
      rows.set(name, row);
    }
    return row;
  };

  /** Updates rows in place (a test or a user may hold one), and orders them by name. */
  const render = (): void => {
    if (state === null) {
      replaceChildren(table, h("tr", {}, h("td", { colspan: 4, class: "muted" }, "Waiting for the bot…")));
      rows.clear();
      return;
    }
    const names = [...new Set([...state.loaded, ...state.available, ...Object.keys(state.failed)])].sort();
    for (const name of [...rows.keys()]) if (!names.includes(name)) rows.delete(name);
    for (const name of names) {
      const failed = Object.hasOwn(state.failed, name);
      const loaded = state.loaded.includes(name);
      const packageState: PackageState = failed ? "failed" : loaded ? "loaded" : "available";
      const row = rowOf(name);
      row.dataset.state = packageState;
      row.querySelector(".package-state")!.textContent = packageState;
      row.querySelector(".package-reason")!.textContent = failed ? state.failed[name]! : "";
      for (const button of row.querySelectorAll<HTMLButtonElement>("button[data-action]")) {
        const action = button.dataset.action as Action;
        // Load stays offered for a failed package (try again); unload and reload need it loaded.
        button.disabled = action === "load" ? loaded : !loaded;
      }
    }
    replaceChildren(table, ...names.map(rowOf), names.length === 0 ? h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No packages found in the cog paths.")) : null);
  };

  feeds.listen("CORE__PACKAGES", (data) => {
    state = asState(data);
    render();
  });
  connection.listen({ close: () => { state = null; render(); } });
  render();
}
