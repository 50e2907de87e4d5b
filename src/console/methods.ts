// The methods panel: every method from `rpc.discover`, grouped by cog and filtered as you type;
// clicking one shows its documentation, schemas and call form.
import { renderCallForm } from "./call-form.ts";
import type { Connection } from "./connection.ts";
import type { DiscoveryStore, MethodInfo } from "./discovery.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { prettyJson } from "./format.ts";

/** The group a method belongs to: `ECONOMY__BALANCE` → `Economy`; built-ins (no `__`) → `Built-in`. */
export function cogOf(name: string): string {
  const at = name.indexOf("__");
  if (at <= 0) return "Built-in";
  const prefix = name.slice(0, at);
  return prefix.charAt(0).toUpperCase() + prefix.slice(1).toLowerCase();
}

/** Methods that change this connection's subscriptions, which the page's panels rely on. */
const SHARED_SUBSCRIPTIONS = new Set(["SUBSCRIBE", "UNSUBSCRIBE"]);

/** Built-ins first, then Core, then the other cogs by name. */
function groupOrder(a: string, b: string): number {
  const rank = (g: string): number => (g === "Built-in" ? 0 : g === "Core" ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
}

function matches(method: MethodInfo, query: string): boolean {
  if (query === "") return true;
  const haystack = `${method.name} ${method.description ?? ""} ${method.params.map((p) => p.name).join(" ")}`.toLowerCase();
  return query.toLowerCase().split(/\s+/).every((word) => haystack.includes(word));
}

/** Wires the methods panel. */
export function setupMethods(store: DiscoveryStore, connection: Connection): void {
  const search = byId<HTMLInputElement>("method-search");
  const list = byId("method-list");
  const detail = byId("method-detail");
  let methods: readonly MethodInfo[] = [];
  let selected: string | null = null;
  // Buttons are kept per method, and an unchanged list is not redrawn: an element a user (or a
  // test) is about to click must not be swapped for an equal one by a refresh.
  const buttons = new Map<string, HTMLButtonElement>();
  let drawn = "";

  const renderList = (): void => {
    const query = search.value.trim();
    const signature = `${query}\n${methods.map((m) => m.name).join(",")}`;
    if (signature === drawn) return;
    drawn = signature;
    for (const name of [...buttons.keys()]) if (!methods.some((m) => m.name === name)) buttons.delete(name);
    const groups = new Map<string, MethodInfo[]>();
    for (const method of methods) {
      if (!matches(method, query)) continue;
      const cog = cogOf(method.name);
      if (!groups.has(cog)) groups.set(cog, []);
      groups.get(cog)!.push(method);
    }
    const sections = [...groups.keys()].sort(groupOrder).map((cog) =>
      h("section", { class: "cog-group", "data-cog": cog },
        h("h3", {}, cog),
        h("ul", {}, ...groups.get(cog)!.map((m) => h("li", {}, methodButton(m))))));
    replaceChildren(list, ...sections, sections.length === 0 ? h("p", { class: "muted" }, methods.length === 0 ? "Waiting for the bot…" : "No method matches.") : null);
  };

  const methodButton = (method: MethodInfo): HTMLButtonElement => {
    let button = buttons.get(method.name);
    if (button === undefined) {
      button = h("button", { type: "button", class: "method-item", "data-method": method.name, "aria-current": method.name === selected ? "true" : undefined }, method.name);
      button.addEventListener("click", () => select(method.name));
      buttons.set(method.name, button);
    }
    return button;
  };

  const select = (name: string): void => {
    selected = name;
    for (const button of list.querySelectorAll<HTMLElement>("[data-method]")) {
      if (button.dataset.method === name) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
    renderDetail();
  };

  const renderDetail = (): void => {
    const method = methods.find((m) => m.name === selected);
    if (method === undefined) {
      replaceChildren(detail, h("p", { class: "muted" }, selected === null ? "Pick a method to see its documentation and call it." : `${selected} is gone (its package was unloaded).`));
      return;
    }
    const form = h("div", { class: "call" });
    const schemas = h("details", { class: "schemas" }, h("summary", {}, "Schemas"),
      h("h4", {}, "Parameters"), h("pre", { class: "json" }, prettyJson(method.params)),
      h("h4", {}, "Result"), h("pre", { class: "json" }, prettyJson(method.result?.schema ?? {})));
    const shared = SHARED_SUBSCRIPTIONS.has(method.name)
      ? h("p", { class: "note" }, "This page's panels subscribe over the same connection: to follow a topic, use the Topics tab; unsubscribing here can stop a panel's live updates.")
      : null;
    replaceChildren(detail, h("h2", { class: "method-name" }, method.name), h("p", { class: "method-doc" }, method.description ?? "No documentation."), shared, schemas, form);
    renderCallForm(form, method, connection);
  };

  search.addEventListener("input", renderList);
  store.listen((discovery) => {
    const hadSelected = methods.some((m) => m.name === selected);
    methods = [...discovery.methods].sort((a, b) => a.name.localeCompare(b.name));
    renderList();
    // Keep a form the user is filling in; redraw only when the method appears or disappears.
    if (hadSelected !== methods.some((m) => m.name === selected)) renderDetail();
  });
  renderDetail();
}
