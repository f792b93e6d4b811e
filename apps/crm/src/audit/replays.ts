import type { IncomingMessage } from 'node:http';

const replayed = new WeakSet<IncomingMessage>();

/**
 * Notes that a request was answered with the stored answer of an earlier one (an idempotent create
 * replayed): its audit event says so, so that the trail never shows a second creation that did not happen.
 */
export function noteReplay(raw: IncomingMessage): void {
  replayed.add(raw);
}

/** Whether the request was answered as a replay (see noteReplay). */
export function isReplay(raw: IncomingMessage): boolean {
  return replayed.has(raw);
}
