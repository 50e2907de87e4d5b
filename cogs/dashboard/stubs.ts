import type { Answer } from "./guard.ts";
import type { PackageScope } from "./types.ts";

/**
 * `DASHBOARDRPC_DEFAULTCOGS__*`: Red's Alias and CustomCommands cogs do not exist in Cogwheel.
 * `{status: 2}` is AAA3A's "cog absent": the web app hides the aliases and custom commands forms.
 */
export async function defaultCogAbsent(): Promise<Answer> {
  return { status: 2, error: "Cogwheel has no Alias or CustomCommands cog" };
}

/** Third-party pages do not exist in Cogwheel: AAA3A's "not found" answer, shown as a 404. */
export const THIRD_PARTY_NOT_FOUND: Readonly<Answer> = Object.freeze({
  status: 1,
  message: "Third party not found.",
  error_code: 404,
  error_message: "Looks like that third party doesn't exist... Strange...",
});

/** THIRDPARTIES__DATA_RECEIVE and OAUTH_RECEIVE: always the not-found answer. */
export async function thirdPartyNotFound(): Promise<Answer> {
  return { ...THIRD_PARTY_NOT_FOUND };
}

/**
 * WEBHOOKS__WEBHOOK_RECEIVE [payload]: emits `webhookReceived` ({source: "dashboard", payload})
 * for any cog to listen to, and acknowledges. The web app sends the answer back as the HTTP
 * response to whoever posted the webhook.
 */
export async function webhookReceive(bot: PackageScope, payload: unknown): Promise<Answer> {
  bot.emit("webhookReceived", { source: "dashboard", payload: payload ?? null });
  return { status: 0, message: "Webhook received." };
}
