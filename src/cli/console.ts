import { request } from "node:http";
import { Command } from "commander";
import { DEFAULT_PORT } from "../protocol/constants.ts";
import { EXIT_CONNECTION, EXIT_OK, EXIT_RPC_ERROR, portNumber } from "./rpc.ts";

/** What a GET / on the port answered: a status and content type, or the connection's error code. */
type Probe = { status: number; type: string } | { error: string };

function probe(port: number, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/", method: "HEAD", agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? "") });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

/**
 * `cogwheel console [--port N]`: prints the web console's address of the bot running on that
 * port, after checking that it serves one. The address never holds a token: with
 * `--rpc-auth token` the page asks for it.
 */
export function buildConsoleCommand(): Command {
  return new Command("console")
    .description("print the web console's address of a bot running with --rpc (checked, never with a token in it)")
    .option("--port <port>", "the bot's RPC port on 127.0.0.1", portNumber, DEFAULT_PORT)
    .action(async (flags: { port: number }) => {
      const url = `http://127.0.0.1:${flags.port}/`;
      const answer = await probe(flags.port, 5000);
      if ("error" in answer) {
        process.stderr.write(`cogwheel console: nothing answers on 127.0.0.1:${flags.port} (${answer.error}): start the bot with --rpc, or give its --port\n`);
        process.exitCode = EXIT_CONNECTION;
      } else if (answer.status === 200 && answer.type.startsWith("text/html")) {
        process.stdout.write(`${url}\n`);
        process.exitCode = EXIT_OK;
      } else if (answer.status === 426) {
        process.stderr.write(`cogwheel console: the bot on port ${flags.port} serves no console: it runs with --rpc-console off, or its console is not built (npm run build:console)\n`);
        process.exitCode = EXIT_RPC_ERROR;
      } else {
        process.stderr.write(`cogwheel console: ${url} answered HTTP ${answer.status}, not the console\n`);
        process.exitCode = EXIT_RPC_ERROR;
      }
    });
}
