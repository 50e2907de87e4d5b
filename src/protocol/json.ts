// Lossless JSON for the wire, shared by the server, the browser-safe client and the CLI.
export { parseJson } from "./json-parse.ts";
export { stringifyJson } from "./json-stringify.ts";
