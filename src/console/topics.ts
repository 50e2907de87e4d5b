// The topics panel: every topic with subscribe/unsubscribe, its current state (the latest value:
// a stateful topic's stored state arrives right after subscribing), and a capped live log.
import type { DiscoveryStore, TopicInfo } from "./discovery.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { compactJson, prettyJson, timeStamp } from "./format.ts";
import type { Feeds, StopListening } from "./feeds.ts";

/** The log keeps this many pushes; older ones are dropped. */
export const LOG_LIMIT = 200;

/** Wires the topics panel. Subscriptions last across reconnects until unsubscribed. */
export function setupTopics(store: DiscoveryStore, feeds: Feeds): void {
  const list = byId("topic-list");
  const log = byId("topic-log");
  const clear = byId<HTMLButtonElement>("topic-log-clear");
  const subscribed = new Map<string, StopListening>();
  const states = new Map<string, unknown>();
  let topics: readonly TopicInfo[] = [];

  const append = (topic: string, data: unknown): void => {
    const entry = h("div", { class: "topic-push", "data-push-topic": topic },
      h("time", {}, timeStamp()), " ", h("span", { class: "push-topic" }, topic), " ", h("code", { class: "push-data" }, compactJson(data)));
    log.append(entry);
    while (log.childElementCount > LOG_LIMIT) log.firstElementChild?.remove();
    log.scrollTop = log.scrollHeight;
  };

  const subscribe = (topic: string): void => {
    if (subscribed.has(topic)) return;
    const { stop } = feeds.listen(topic, (data) => {
      states.set(topic, data);
      append(topic, data);
      const view = list.querySelector<HTMLElement>(`[data-topic-state="${CSS.escape(topic)}"]`);
      if (view !== null) view.textContent = prettyJson(data);
    });
    subscribed.set(topic, stop);
    render();
  };

  const unsubscribe = (topic: string): void => {
    subscribed.get(topic)?.();
    subscribed.delete(topic);
    states.delete(topic);
    render();
  };

  const row = (topic: TopicInfo): HTMLElement => {
    const on = subscribed.has(topic.name);
    const sub = h("button", { type: "button", "data-action": "subscribe", disabled: on }, "Subscribe");
    const unsub = h("button", { type: "button", "data-action": "unsubscribe", disabled: !on }, "Unsubscribe");
    sub.addEventListener("click", () => subscribe(topic.name));
    unsub.addEventListener("click", () => unsubscribe(topic.name));
    return h("li", { class: on ? "topic subscribed" : "topic", "data-topic": topic.name },
      h("div", { class: "topic-head" }, h("strong", {}, topic.name), " ", sub, " ", unsub),
      topic.description ? h("p", { class: "topic-doc" }, topic.description) : null,
      on ? h("p", { class: "topic-state-label muted" }, "Current state (the latest value):") : null,
      h("pre", { class: "json topic-state", "data-topic-state": topic.name, hidden: !on }, states.has(topic.name) ? prettyJson(states.get(topic.name)) : on ? "(no state yet: waiting for a push)" : ""));
  };

  let drawn = "";
  const render = (): void => {
    // Topics the server no longer has but the user still follows stay listed, to unsubscribe.
    const known = new Set(topics.map((t) => t.name));
    const all = [...topics, ...[...subscribed.keys()].filter((n) => !known.has(n)).map((name) => ({ name, description: "(not offered by the bot now)" }))];
    // An unchanged list is not redrawn, so that a button about to be clicked stays in place.
    const signature = JSON.stringify([all, [...subscribed.keys()]]);
    if (signature === drawn) return;
    drawn = signature;
    replaceChildren(list, ...all.map(row), all.length === 0 ? h("li", { class: "muted" }, "Waiting for the bot…") : null);
  };

  clear.addEventListener("click", () => replaceChildren(log));
  store.listen((discovery) => {
    topics = [...discovery.topics].sort((a, b) => a.name.localeCompare(b.name));
    render();
  });
}
