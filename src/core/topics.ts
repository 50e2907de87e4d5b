import type { Bot } from "../bot/bot.ts";

/**
 * Core's stateful topics, so a dashboard never polls: each keeps its last value, which a new
 * subscriber receives right after subscribing, and is pushed again whenever it changes.
 * - CORE__PACKAGES: the loaded packages (a list of names)
 * - CORE__METHODS: every RPC method name
 * - CORE__STATUS: {name, prefixes, connected, adapter, user}
 */
export function registerCoreTopics(bot: Bot, core: object): void {
  const packages = bot.registerRpcTopic(core, "packages", { doc: "The loaded packages, as a list of names; pushed on every change." });
  const methods = bot.registerRpcTopic(core, "methods", { doc: "Every RPC method name; pushed when methods are added or removed." });
  const status = bot.registerRpcTopic(core, "status", { doc: "The bot's status {name, prefixes, connected, adapter, user}; pushed on every change." });

  const publishPackages = (): void => void packages.publish(bot.packages.loaded(), { state: true });
  const publishStatus = (): void => void status.publish(bot.status(), { state: true });
  // A package load registers many methods at once: publish the list once per turn.
  let methodsQueued = false;
  const publishMethods = (): void => {
    if (methodsQueued) return;
    methodsQueued = true;
    setImmediate(() => {
      methodsQueued = false;
      methods.publish(bot.rpc.methods.names(), { state: true });
    });
  };

  bot.on(core, "packagesChanged", publishPackages);
  bot.on(core, "statusChanged", publishStatus);
  bot.on(core, "ready", publishStatus);
  bot.track(core, bot.rpc.methods.onDidChange(publishMethods));
  publishPackages();
  publishStatus();
  methods.publish(bot.rpc.methods.names(), { state: true });
}
