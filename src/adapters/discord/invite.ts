/**
 * The OAuth2 URL that adds the bot to a server.
 */
import { OAuth2Scopes, PermissionFlagsBits, PermissionsBitField } from "discord.js";

/** The page the Developer Portal's URL generator links to. */
export const AUTHORIZE_URL = "https://discord.com/oauth2/authorize";

/** What a prefix-command bot needs in a channel to read commands and answer them. */
export const DEFAULT_INVITE_PERMISSIONS: readonly bigint[] = [
  PermissionFlagsBits.ViewChannel,
  PermissionFlagsBits.SendMessages,
  PermissionFlagsBits.SendMessagesInThreads,
  PermissionFlagsBits.ReadMessageHistory,
  PermissionFlagsBits.EmbedLinks,
  PermissionFlagsBits.AttachFiles,
  PermissionFlagsBits.AddReactions,
];

/**
 * `https://discord.com/oauth2/authorize?client_id=…&scope=bot+applications.commands&permissions=…`.
 * Always Discord's own URL (it is opened by a person in a browser), whatever REST base is used.
 */
export function buildInviteUrl(applicationId: string, permissions: readonly bigint[] = DEFAULT_INVITE_PERMISSIONS): string {
  const query = new URLSearchParams({
    client_id: applicationId,
    scope: [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join(" "),
    permissions: PermissionsBitField.resolve([...permissions]).toString(),
  });
  return `${AUTHORIZE_URL}?${query}`;
}
