import { Command, InvalidArgumentError, Option } from "commander";
import { versions } from "../core/versions.ts";
import { DEFAULT_PORT, TOKEN_FILE } from "../protocol/constants.ts";
import { buildConsoleCommand } from "./console.ts";
import { buildDashboardCommand } from "./dashboard.ts";
import { LOG_LEVELS, type LogLevel } from "./logger.ts";
import { buildRpcCommand } from "./rpc.ts";
import { buildConfigCommand } from "./config.ts";
import { checkStartFlags, collectIntents, DATABASE_URL_ENV } from "./start-flags.ts";
import { runStart, StartError, type StartFlags } from "./start.ts";

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError("must be a port number from 0 to 65535");
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Builds the `cogwheel` command line. Exported for tests of flag parsing. */
export function buildProgram(): Command {
  const program = new Command("cogwheel")
    .description("A modular Discord bot with a Red-compatible JSON-RPC control server.")
    .version(versions.cogwheel)
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("start")
    .description("Run the bot: on Discord with a token, else in console mode (commands on stdin).")
    .option("--rpc", "enable the RPC server on 127.0.0.1", false)
    .option("--rpc-port <port>", "RPC server port", port, DEFAULT_PORT)
    .option("--rpc-allow-origin <origin>", "allow a browser origin to connect (repeatable, exact match)", collect, [])
    .addOption(
      new Option("--rpc-auth <mode>", `RPC authentication: none (Red's behaviour) or token (a fresh token per start in <data-dir>/${TOKEN_FILE})`)
        .choices(["none", "token"])
        .default("none"),
    )
    // Checked by checkStartFlags rather than commander's choices: a bad value is then one line.
    .option("--rpc-console <on|off>", "serve the web console at http://127.0.0.1:<port>/ with the RPC server", "on")
    .option("--data-dir <dir>", "where config and state live", "./data")
    .option("--cog-path <dir>", "also look for packages in this folder (repeatable)", collect, [])
    .option("--prefix <prefix>", "command prefix for this run (repeatable)", collect, [])
    .option("--token <token>", "Discord bot token (default: $DISCORD_TOKEN)")
    .option("--config <url>", `keep config in PostgreSQL, shared by every bot on that database: postgres://user@host:port/database (default: $${DATABASE_URL_ENV}; none: JSON files in <data-dir>/config)`)
    .option("--discord-intents <list>", "privileged Discord intents to ask for, comma-separated: members, presences (enable them in the Developer Portal too)", collectIntents)
    .option("--owner <id>", "user id of an owner (repeatable)", collect, [])
    .addOption(new Option("--log-level <level>", "log level").choices(LOG_LEVELS).default("info"))
    .action(async (options: StartFlags & { logLevel: LogLevel }, command: Command) => {
      checkStartFlags(options, (key) => command.getOptionValueSource(key) === "cli");
      process.exitCode = await runStart(options);
    });

  program.addCommand(buildRpcCommand());
  program.addCommand(buildDashboardCommand());
  program.addCommand(buildConsoleCommand());
  program.addCommand(buildConfigCommand());

  return program;
}

/** Runs the CLI; errors the user can fix are one line on stderr, never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    // Whatever went wrong, the user gets one line; the details are in the logs (debug level).
    const message = error instanceof StartError ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
    process.stderr.write(`cogwheel: ${message}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) {
  await main(process.argv);
  // The app, not a library, decides when the process ends: open handles (stdin) must not keep it.
  process.exit(process.exitCode ?? 0);
}
