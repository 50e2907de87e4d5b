// `cogwheel rpc …`: talk to a running bot's RPC server with the bundled RpcClient.
// Exit codes: 0 success, 1 the server answered with an RPC error (or a usage error),
// 2 no answer: connection refused or lost, or no reply in time.
import { Command, InvalidArgumentError } from "commander";
import { RpcCallError, RpcConnectionError, RpcTimeoutError, type RpcClient } from "../client/index.ts";
import { createNodeRpcClient } from "../client/node.ts";
import { DEFAULT_PORT, TOKEN_FILE } from "../protocol/constants.ts";
import { parseJson, stringifyJson } from "../protocol/json.ts";

/** Options of `cogwheel rpc`, shared by its subcommands. */
export interface RpcFlags {
  port: number;
  url?: string;
  dataDir: string;
  timeout: number;
}

export const EXIT_OK = 0;
export const EXIT_RPC_ERROR = 1;
export const EXIT_CONNECTION = 2;

export function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError("must be a port number from 1 to 65535");
  return n;
}

export function milliseconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError("must be a number of milliseconds (at least 1)");
  return n;
}

export function url(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidArgumentError(`must be a URL such as ws://127.0.0.1:${DEFAULT_PORT}/`);
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") throw new InvalidArgumentError("must be a ws:// or wss:// URL");
  return value;
}

/** PARAMS of `cogwheel rpc call` that cannot be meant as words: printed as one line, exit 1. */
export class CallParamsError extends Error {
  override name = "CallParamsError";
}

/**
 * PARAMS of `cogwheel rpc call`: a single word that is a JSON array or object is sent as is;
 * otherwise every word is a string argument, positional. No words: no params.
 * A single word starting with `[` or `{` was meant as JSON: if it does not parse, that is a
 * usage error, not a string — `'{"name": "Robo"'` must not rename the bot to that text.
 */
export function parseCallParams(words: readonly string[]): unknown {
  if (words.length === 0) return undefined;
  if (words.length === 1) {
    const word = words[0]!;
    try {
      const value: unknown = parseJson(word); // snowflakes stay exact
      if (value !== null && typeof value === "object") return value;
      // A quoted JSON string is that string ('"two words"'), not text with quotes in it.
      if (typeof value === "string") return [value];
    } catch (error) {
      if (/^\s*[[{]/.test(word)) {
        // The parser's own wording differs between Node lines; the user needs only the what.
        throw new CallParamsError(`PARAMS ${word} starts with ${word.trim()[0]} but is not valid JSON; to send it as text, quote it as a JSON string`);
      }
      // not JSON: a plain word
    }
  }
  return [...words];
}

/** Pretty JSON on a terminal, one compact line otherwise. */
function printJson(value: unknown): void {
  process.stdout.write(`${stringifyJson(value ?? null, process.stdout.isTTY ? 2 : undefined)}\n`);
}

function targetUrl(flags: RpcFlags): string {
  return flags.url ?? `ws://127.0.0.1:${flags.port}/`;
}

function portOf(address: string): string {
  try {
    const parsed = new URL(address);
    return parsed.port || (parsed.protocol === "wss:" ? "443" : "80");
  } catch {
    return "?";
  }
}

/** One line on stderr for each way a command can fail; returns the exit code. Never a stack trace. */
export function reportFailure(error: unknown, flags: RpcFlags): number {
  const address = targetUrl(flags);
  if (error instanceof RpcCallError) {
    const data = "data" in error ? ` ${stringifyJson(error.data)}` : "";
    process.stderr.write(`error ${error.code}: ${error.message}${data}\n`);
    return EXIT_RPC_ERROR;
  }
  if (error instanceof RpcTimeoutError) {
    process.stderr.write(`cogwheel rpc: ${error.message} (--timeout ${flags.timeout})\n`);
    return EXIT_CONNECTION;
  }
  if (error instanceof RpcConnectionError) {
    if (error.code === "ERR_RPC_CONNECT" || error.code === "ERR_RPC_UNAUTHORIZED") {
      process.stderr.write(`cogwheel rpc: ${error.message}: ${connectHint(error.message, address, flags)}\n`);
    } else {
      process.stderr.write(`cogwheel rpc: ${error.message}\n`);
    }
    return EXIT_CONNECTION;
  }
  process.stderr.write(`cogwheel rpc: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT_CONNECTION;
}

function connectHint(message: string, address: string, flags: RpcFlags): string {
  if (/\b401\b/.test(message)) return `the bot wants its RPC token: is --data-dir (${flags.dataDir}) the bot's data dir, with a readable ${TOKEN_FILE}?`;
  if (/\b403\b/.test(message)) return "the server refused this client (Host or Origin check)";
  if (/RPC token/.test(message)) return `check ${flags.dataDir}/${TOKEN_FILE}`;
  return `is the bot running with --rpc? on port ${portOf(address)}?`;
}

/** Connects, runs `work`, closes; resolves with the exit code. */
export async function withClient(flags: RpcFlags, work: (client: RpcClient) => Promise<number>): Promise<number> {
  const client = createNodeRpcClient({
    ...(flags.url === undefined ? { port: flags.port } : { url: flags.url }),
    dataDir: flags.dataDir,
    timeout: flags.timeout,
    connectTimeout: flags.timeout,
  });
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    return reportFailure(error, flags);
  } finally {
    await client.close();
  }
}

function flagsOf(command: Command): RpcFlags {
  return command.optsWithGlobals<RpcFlags>();
}

async function methods(options: { json?: boolean }, command: Command): Promise<void> {
  process.exitCode = await withClient(flagsOf(command), async (client) => {
    const names = await client.call<unknown>("GET_METHODS");
    if (options.json) printJson(names);
    else for (const name of Array.isArray(names) ? names : []) process.stdout.write(`${String(name)}\n`);
    return EXIT_OK;
  });
}

async function info(method: string, _options: unknown, command: Command): Promise<void> {
  process.exitCode = await withClient(flagsOf(command), async (client) => {
    const doc = await client.call<unknown>("GET_METHOD_INFO", [method]);
    if (typeof doc === "string") process.stdout.write(`${doc}\n`);
    else printJson(doc);
    return EXIT_OK;
  });
}

async function call(method: string, words: string[], _options: unknown, command: Command): Promise<void> {
  let params: unknown;
  try {
    params = parseCallParams(words);
  } catch (error) {
    // A usage error: checked before connecting, so nothing is sent.
    if (!(error instanceof CallParamsError)) throw error;
    process.stderr.write(`cogwheel rpc: ${error.message}\n`);
    process.exitCode = EXIT_RPC_ERROR;
    return;
  }
  process.exitCode = await withClient(flagsOf(command), async (client) => {
    printJson(await client.call(method, params));
    return EXIT_OK;
  });
}

async function subscribe(topics: string[], _options: unknown, command: Command): Promise<void> {
  const flags = flagsOf(command);
  process.exitCode = await withClient(flags, async (client) => {
    // One compact JSON line per push, whatever stdout is: a stream for `jq`, `while read`, ….
    const print = (data: unknown, topic: string): void => void process.stdout.write(`${stringifyJson({ topic, data: data ?? null })}\n`);
    const subscriptions = topics.map((topic) => client.subscribe(topic, print));
    let stop!: (code: number) => void;
    const stopped = new Promise<number>((resolve) => (stop = resolve));
    const onSignal = (): void => stop(EXIT_OK);
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const dropped = client.on("disconnect", (event) => {
      process.stderr.write(`cogwheel rpc: the connection to ${targetUrl(flags)} closed (code ${event.code}${event.reason ? `: ${event.reason}` : ""})\n`);
      stop(EXIT_CONNECTION);
    });
    try {
      const confirmed = await Promise.race([Promise.all(subscriptions.map((s) => s.ready)), stopped]);
      if (typeof confirmed === "number") return confirmed;
      const unknown = topics.filter((_, i) => !confirmed[i]);
      if (unknown.length > 0) {
        process.stderr.write(`error: no such topic: ${unknown.join(", ")} (GET_TOPICS lists the topics)\n`);
        return EXIT_RPC_ERROR;
      }
      if (process.stderr.isTTY) process.stderr.write(`subscribed to ${subscriptions.map((s) => s.topic).join(", ")}; Ctrl-C to stop\n`);
      return await stopped;
    } finally {
      dropped.dispose(); // close() below is ours, not a lost connection
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    }
  });
}

/** Builds `cogwheel rpc` and its subcommands. */
export function buildRpcCommand(): Command {
  const rpc = new Command("rpc")
    .description("Talk to a running bot's RPC server (the bot must run with --rpc).")
    .option("--port <port>", "RPC server port on 127.0.0.1", portNumber, DEFAULT_PORT)
    .option("--url <url>", `server URL, instead of --port (e.g. ws://127.0.0.1:${DEFAULT_PORT}/)`, url)
    .option("--data-dir <dir>", `the bot's data dir, where its ${TOKEN_FILE} is found when it uses token auth`, "./data")
    .option("--timeout <ms>", "how long to wait for the connection and for each reply", milliseconds, 10_000)
    .addHelpText(
      "after",
      `
Exit codes: 0 success, 1 RPC error (printed as "error <code>: <message> [data]"),
2 no answer (connection refused or lost, or no reply within --timeout).

Examples:
  cogwheel rpc methods
  cogwheel rpc info CORE__LOAD
  cogwheel rpc call CORE__LOAD '[["general", "economy"]]'
  cogwheel rpc call CORE__NAME Robo
  cogwheel rpc subscribe CORE__PACKAGES CORE__STATUS
`,
    );

  // `cogwheel rpc methods | head -1`: the reader went away, so the rest of the output has no
  // one to go to. End quietly with 0, as a reader closing early is its choice, not our failure
  // (not 141 as with SIGPIPE: Node ignores SIGPIPE, and a 1 would read as an RPC error).
  rpc.hook("preAction", () => {
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(EXIT_OK);
      throw error;
    });
  });

  rpc.command("methods").description("list every method, one per line").option("--json", "print a JSON array instead").action(methods);
  rpc.command("info").description("print a method's documentation").argument("<method>", "method name (any case)").action(info);
  rpc
    .command("call")
    .description("call a method and print its result as JSON")
    .argument("<method>", "method name (any case)")
    .argument("[params...]", "one JSON array or object sent as is, or words sent as string arguments")
    .action(call);
  rpc
    .command("subscribe")
    .description('print each push as one JSON line {"topic":…,"data":…} until Ctrl-C')
    .argument("<topics...>", "topic names (any case)")
    .action(subscribe);
  return rpc;
}
