/**
 * Wire names of the topic notifications, shared by the server and the client. Import-free.
 *
 * When a topic is removed for good (its package unloaded, not reloaded), each connection that
 * was subscribed to it gets one notification listing every topic it lost at that moment:
 * `{"jsonrpc":"2.0","method":"UNSUBSCRIBED","params":{"topics":["COG__TOPIC"],"reason":"removed"}}`.
 * Red's clients ignore notifications they do not know, so this stays wire-compatible.
 */

/** The `method` of the notification telling a connection that it lost subscriptions. */
export const UNSUBSCRIBED_NOTIFICATION = "UNSUBSCRIBED";

/** The `reason` of an {@link UNSUBSCRIBED_NOTIFICATION} whose topics no longer exist. */
export const UNSUBSCRIBED_REASON_REMOVED = "removed";

/** The `params` of an {@link UNSUBSCRIBED_NOTIFICATION}. */
export interface UnsubscribedParams {
  /** Canonical (upper-case) names of the topics this connection is no longer subscribed to. */
  readonly topics: readonly string[];
  readonly reason: typeof UNSUBSCRIBED_REASON_REMOVED;
}
