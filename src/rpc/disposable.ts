// Disposable lives in src/protocol, shared with the client; re-exported here for the server's modules.
export { toDisposable, type Disposable } from "../protocol/disposable.ts";
