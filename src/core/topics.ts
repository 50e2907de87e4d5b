import type { Bot } from "../bot/bot.ts";
import type { PackageScope } from "../bot/scope.ts";

/**
 * Core's stateful topics, so a dashboard never polls: each keeps its last value, which a new
 * subscriber receives right after subscribing, and is pushed again whenever it changes.
 * - CORE__PACKAGES: {loaded, failed, available} (see PackagesState in src/bot/packages.ts)
 * - CORE__METHODS: every RPC method name
 * - CORE__STATUS: {name, prefixes, connected, adapter, user}
 * CORE__METRICS, published once a second while subscribed, lives in metrics.ts.
 */
export function registerCoreTopics(bot: Bot, scope: PackageScope, core: object): void {
  const packages = scope.registerRpcTopic(core, "packages", {
    doc:
      "The packages: {loaded: names in load order, failed: {name: reason} for those whose latest load failed " +
      "(remembered ones included, tried again at the next start), available: names found in the cog paths}; pushed on every change.",
  });
  const methods = scope.registerRpcTopic(core, "methods", { doc: "Every RPC method name; pushed when methods are added or removed." });
  const status = scope.registerRpcTopic(core, "status", { doc: "The bot's status {name, prefixes, connected, adapter, user}; pushed on every change." });

  // The snapshot reads the cog paths: one snapshot per burst of changes (a reload or the
  // start-up load changes the state several times), published in order.
  let publishing: Promise<void> = Promise.resolve();
  let packagesQueued = false;
  const publishPackages = (): void => {
    if (packagesQueued) return;
    packagesQueued = true;
    publishing = publishing.then(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      packagesQueued = false;
      try {
        packages.publish(await bot.packages.snapshot(), { state: true });
      } catch (error) {
        // A change made while the bot stops (packages unloading) finds the config closed: there
        // is nobody left to tell, and nothing went wrong.
        if ((error as { code?: unknown } | null)?.code === "ERR_CONFIG_CLOSED") return;
        scope.logger.warn({ err: error }, "could not publish CORE__PACKAGES");
      }
    });
  };
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

  scope.on(core, "packagesChanged", publishPackages);
  scope.on(core, "statusChanged", publishStatus);
  scope.on(core, "ready", publishStatus);
  scope.track(core, bot.rpc.methods.onDidChange(publishMethods));
  publishPackages();
  publishStatus();
  methods.publish(bot.rpc.methods.names(), { state: true });
}
