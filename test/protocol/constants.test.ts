// src/protocol is the one home of the wire constants: the server, the client and the CLI use the
// same objects, the values are the documented wire, and the folder imports nothing.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as client from "../../src/client/index.ts";
import { TOKEN_FILE as NODE_TOKEN_FILE } from "../../src/client/node.ts";
import * as constants from "../../src/protocol/constants.ts";
import * as protocolDisposable from "../../src/protocol/disposable.ts";
import * as errors from "../../src/protocol/errors.ts";
import { CloseCode as SERVER_CLOSE_CODE } from "../../src/rpc/connection.ts";
import * as rpc from "../../src/rpc/index.ts";

const PROTOCOL_DIR = fileURLToPath(new URL("../../src/protocol/", import.meta.url));

test("the wire values are the documented ones", () => {
  assert.deepEqual(
    [constants.DEFAULT_PORT, constants.RPC_SUBPROTOCOL, constants.AUTH_SUBPROTOCOL_PREFIX, constants.TOKEN_FILE],
    [6133, "cogwheel.rpc", "cogwheel.auth.", "rpc.token"],
  );
  assert.deepEqual(constants.CloseCode, { Normal: 1000, GoingAway: 1001, UnsupportedData: 1003, Abnormal: 1006, PolicyViolation: 1008, MessageTooBig: 1009 });
  assert.deepEqual(
    Object.entries(errors.ErrorCode).map(([name, code]) => [code, errors.ErrorMessage[name as keyof typeof errors.ErrorMessage]]),
    [
      [-32700, "Parse error"],
      [-32600, "Invalid Request"],
      [-32601, "Method not found"],
      [-32602, "Invalid params"],
      [-32603, "Internal error"],
    ],
  );
  assert.deepEqual([-32700, -32600, -32601, -32602, -32603, -32000, 1].map(errors.standardErrorMessage), ["Parse error", "Invalid Request", "Method not found", "Invalid params", "Internal error", undefined, undefined]);
  assert.equal(errors.BATCH_TOO_LARGE_REASON, "batch too large");
});

test("server, client and CLI share one object for each constant, not copies", () => {
  assert.equal(rpc.ErrorCode, errors.ErrorCode);
  assert.equal(client.ErrorCode, errors.ErrorCode);
  assert.equal(client.ErrorMessage, errors.ErrorMessage);
  assert.equal(SERVER_CLOSE_CODE, constants.CloseCode);
  assert.equal(client.CloseCode, constants.CloseCode);
  assert.equal(rpc.DEFAULTS.port, constants.DEFAULT_PORT);
  assert.equal(client.DEFAULT_PORT, constants.DEFAULT_PORT);
  assert.equal(client.RPC_SUBPROTOCOL, constants.RPC_SUBPROTOCOL);
  assert.equal(client.AUTH_SUBPROTOCOL_PREFIX, constants.AUTH_SUBPROTOCOL_PREFIX);
  assert.equal(NODE_TOKEN_FILE, constants.TOKEN_FILE);
  assert.equal(rpc.toDisposable, protocolDisposable.toDisposable);
  // A standard code without a message gets the shared one, on the server's error class.
  assert.equal(new rpc.RpcError(errors.ErrorCode.MethodNotFound).message, errors.ErrorMessage.MethodNotFound);
});

test("toDisposable runs its clean-up once", () => {
  let runs = 0;
  const disposable = protocolDisposable.toDisposable(() => runs++);
  disposable.dispose();
  disposable.dispose();
  assert.equal(runs, 1);
});

test("src/protocol imports nothing but its own files", () => {
  const found: string[] = [];
  for (const file of readdirSync(PROTOCOL_DIR).filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(join(PROTOCOL_DIR, file), "utf8");
    for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']|\brequire\s*\(/g)) {
      const specifier = match[1] ?? match[2] ?? "require(";
      if (!/^\.\/[\w-]+\.ts$/.test(specifier)) found.push(`${file} -> ${specifier}`);
    }
  }
  assert.deepEqual(found, []);
});
