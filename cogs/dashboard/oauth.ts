import { createError } from "cogwheel";
import type { DashboardConfig } from "./config.ts";

/**
 * A refused OAuth setting (a secret with spaces, a redirect URI not ending in /callback).
 * Over RPC it is -32602 Invalid params with the reason in `data.reason`; in chat, the message.
 */
export const OAuthSettingError = createError("ERR_DASHBOARD_OAUTH_INVALID", "That OAuth setting won't do.", {
  name: "OAuthSettingError",
  rpc: -32602,
  user: true,
});

/** What a client may learn about the OAuth settings: never the secret itself. */
export interface OAuthState {
  secret_set: boolean;
  redirect_uri: string | null;
}

/** Checks a Discord OAuth client secret (one word, at most 200 characters). */
export function checkSecret(secret: unknown): string {
  if (typeof secret !== "string" || !/^\S{1,200}$/.test(secret.trim())) {
    throw new OAuthSettingError("The OAuth client secret must be one word of 1 to 200 characters (Developer Portal, OAuth2, Client Secret).");
  }
  return secret.trim();
}

/** Checks a redirect URI as AAA3A does: http(s), ending in `/callback`. */
export function checkRedirectUri(uri: unknown): string {
  let parsed: URL | null = null;
  try {
    parsed = typeof uri === "string" ? new URL(uri.trim()) : null;
  } catch {
    parsed = null;
  }
  if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || !parsed.pathname.endsWith("/callback")) {
    throw new OAuthSettingError("The redirect URI must be an http(s) URL ending in /callback, e.g. https://dash.example.com/callback (also add it in the Developer Portal, OAuth2, Redirects).");
  }
  return (uri as string).trim();
}

/**
 * Changes the OAuth settings: a secret (null keeps it), a redirect URI (undefined keeps it, null
 * clears it). Both are checked before either is stored. Returns the state, without the secret.
 */
export async function setOAuth(config: DashboardConfig, secret: unknown, redirectUri?: unknown): Promise<OAuthState> {
  const newSecret = secret === null || secret === undefined ? undefined : checkSecret(secret);
  const newUri = redirectUri === undefined ? undefined : redirectUri === null ? null : checkRedirectUri(redirectUri);
  return config.transaction((tx) => {
    const global = tx.global();
    if (newSecret !== undefined) global.set("secret", newSecret);
    if (newUri !== undefined) global.set("redirectUri", newUri);
    return { secret_set: global.get("secret") !== null, redirect_uri: global.get("redirectUri") };
  });
}

/** A secret as settings show it: whether it is set, nothing of the secret itself. */
export function masked(secret: string | null): string {
  return secret === null ? "not set" : "set (hidden)";
}
