import { UNSUBSCRIBED_NOTIFICATION, UNSUBSCRIBED_REASON_REMOVED } from "../protocol/topics.ts";
import { encodeNotification } from "./protocol.ts";
import type { Subscriber, TopicEntry } from "./topics.ts";

/**
 * Removes topics for good: every subscriber forgets them, their stored state is dropped, and
 * each subscribed connection gets exactly one `UNSUBSCRIBED` notification listing every topic
 * of `entries` it was subscribed to, so that no client is left silently stale (DESIGN §4).
 *
 * Connections that lost the same topics get the same frame, encoded once: the usual case is
 * many dashboards subscribed to the same few topics of one package.
 */
export function removeForGood(entries: Iterable<TopicEntry>): void {
  const lost = new Map<Subscriber, string[]>();
  for (const entry of entries) {
    for (const subscriber of entry.subscribers) {
      subscriber.subscriptions.delete(entry);
      const names = lost.get(subscriber);
      if (names === undefined) lost.set(subscriber, [entry.name]);
      else names.push(entry.name);
    }
    entry.subscribers.clear();
    entry.state = null;
  }
  // Sending is last, once every table is consistent: a send may cut off a slow connection.
  // Names are identifiers (no ","), so the joined list is a faithful key.
  const frames = new Map<string, Buffer>();
  for (const [subscriber, names] of lost) {
    const key = names.join(",");
    let frame = frames.get(key);
    if (frame === undefined) {
      frame = unsubscribedFrame(names);
      frames.set(key, frame);
    }
    subscriber.send(frame);
  }
}

/** `{"jsonrpc":"2.0","method":"UNSUBSCRIBED","params":{"topics":[…],"reason":"removed"}}` */
function unsubscribedFrame(names: readonly string[]): Buffer {
  const params = `{"topics":${JSON.stringify(names)},"reason":${JSON.stringify(UNSUBSCRIBED_REASON_REMOVED)}}`;
  return Buffer.from(encodeNotification(UNSUBSCRIBED_NOTIFICATION, params));
}
