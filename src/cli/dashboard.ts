// `cogwheel dashboard oauth`: sets the dashboard package's Discord OAuth client secret (and
// redirect URI) in a running bot over RPC. The secret is read from stdin — typed with no echo on
// a terminal, or piped — never from argv (which `ps` and the shell history show), and never
// printed back. Exit codes as `cogwheel rpc`: 0 done, 1 refused, 2 no answer.
import { Command } from "commander";
import { RpcCallError } from "../client/index.ts";
import { DEFAULT_PORT, TOKEN_FILE } from "../protocol/constants.ts";
import { EXIT_OK, EXIT_RPC_ERROR, milliseconds, portNumber, url, withClient, type RpcFlags } from "./rpc.ts";

/** The method the dashboard package answers for this (not one the web app calls). */
export const SET_OAUTH = "DASHBOARD__SET_OAUTH";

/** Longest secret line read; Discord's secrets are 32 characters. */
const MAX_SECRET = 200;

/** What `cogwheel dashboard oauth` takes besides the RPC flags. */
interface OAuthFlags extends RpcFlags {
  redirectUri?: string;
  /** false with --no-secret: keep the stored secret, change only the redirect URI. */
  secret: boolean;
}

/** Reads one line from a terminal without echoing it; Ctrl-C or Ctrl-D abandons (null). */
function readHidden(input: NodeJS.ReadStream, prompt: string): Promise<string | null> {
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    let text = "";
    const finish = (value: string | null): void => {
      input.setRawMode(false);
      input.pause();
      input.removeListener("data", onData);
      process.stderr.write("\n");
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return finish(text);
        if (char === "\u0003" || char === "\u0004") return finish(null);
        if (char === "\u007f" || char === "\b") text = text.slice(0, -1);
        else if (text.length < MAX_SECRET * 2) text += char;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on("data", onData);
  });
}

/** Reads piped stdin to its end (bounded) and returns its first line. */
async function readPiped(input: NodeJS.ReadStream): Promise<string> {
  let text = "";
  for await (const chunk of input) {
    text += (chunk as Buffer).toString("utf8");
    if (text.length > 64 * 1024) break; // a secret is one short line; do not slurp a file
  }
  return text.split(/\r?\n/, 1)[0] ?? "";
}

/** The secret from stdin, trimmed; null when none was given. */
export async function readSecret(input: NodeJS.ReadStream = process.stdin): Promise<string | null> {
  const line = input.isTTY ? await readHidden(input, "Discord OAuth client secret (not shown): ") : await readPiped(input);
  const secret = line?.trim() ?? "";
  return secret === "" ? null : secret;
}

async function oauth(options: OAuthFlags, command: Command): Promise<void> {
  const flags = command.optsWithGlobals<OAuthFlags>();
  let secret: string | null = null;
  if (flags.secret !== false) {
    secret = await readSecret();
    if (secret === null) {
      process.stderr.write("cogwheel dashboard: no secret on stdin (type it when asked, or pipe it: cogwheel dashboard oauth < secret.txt)\n");
      process.exitCode = EXIT_RPC_ERROR;
      return;
    }
  } else if (options.redirectUri === undefined) {
    process.stderr.write("cogwheel dashboard: --no-secret needs --redirect-uri (nothing to change otherwise)\n");
    process.exitCode = EXIT_RPC_ERROR;
    return;
  }
  const params: unknown[] = options.redirectUri === undefined ? [secret] : [secret, options.redirectUri];
  process.exitCode = await withClient(flags, async (client) => {
    try {
      const state = await client.call<{ secret_set: boolean; redirect_uri: string | null }>(SET_OAUTH, params);
      process.stdout.write(
        `${secret === null ? "OAuth client secret unchanged" : "OAuth client secret set"} (${state.secret_set ? "set" : "not set"}); redirect URI: ${state.redirect_uri ?? "not set"}\n`,
      );
      return EXIT_OK;
    } catch (error) {
      if (error instanceof RpcCallError && error.code === -32601) {
        process.stderr.write(`cogwheel dashboard: the bot has no ${SET_OAUTH}: load the dashboard package first (!load dashboard, or cogwheel rpc call CORE__LOAD '[["dashboard"]]')\n`);
        return EXIT_RPC_ERROR;
      }
      throw error; // withClient reports it (refused values: "error -32602 …" with the reason)
    }
  });
}

/** Builds `cogwheel dashboard` and its subcommands. */
export function buildDashboardCommand(): Command {
  const dashboard = new Command("dashboard")
    .description("Configure a running bot's dashboard package (Red-Dashboard) over RPC.")
    .option("--port <port>", "RPC server port on 127.0.0.1", portNumber, DEFAULT_PORT)
    .option("--url <url>", `server URL, instead of --port (e.g. ws://127.0.0.1:${DEFAULT_PORT}/)`, url)
    .option("--data-dir <dir>", `the bot's data dir, where its ${TOKEN_FILE} is found when it uses token auth`, "./data")
    .option("--timeout <ms>", "how long to wait for the connection and for each reply", milliseconds, 10_000);
  dashboard
    .command("oauth")
    .description("set the Discord OAuth client secret (read from stdin, never echoed) and optionally the redirect URI")
    .option("--redirect-uri <url>", "the web app's OAuth redirect URI, ending in /callback")
    .option("--no-secret", "keep the stored secret; change only --redirect-uri")
    .addHelpText(
      "after",
      `
The secret is read from stdin: typed at the prompt (not shown), or piped from a file or a
secret manager. It is never taken as an argument, and never printed.

Examples:
  cogwheel dashboard oauth --redirect-uri https://dash.example.com/callback
  cogwheel dashboard oauth < client-secret.txt
  cogwheel dashboard oauth --no-secret --redirect-uri http://127.0.0.1:42356/callback
`,
    )
    .action(oauth);
  return dashboard;
}
