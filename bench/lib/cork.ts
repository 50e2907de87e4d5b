import type { Socket } from "node:net";

/**
 * Write coalescing as Cogwheel does it: the first write of an event-loop turn corks the
 * socket and the next turn uncorks it, so replies sent in one turn leave in one syscall.
 * Returns the function to call before each write.
 */
export function corkPerTurn(socket: Socket): () => void {
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    socket.cork();
    setImmediate(uncork);
  };
}
