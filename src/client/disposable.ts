// Disposable lives in src/protocol, shared with the server; re-exported here for the client's modules.
export type { Disposable } from "../protocol/disposable.ts";
