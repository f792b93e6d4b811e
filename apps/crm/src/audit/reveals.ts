import type { IncomingMessage } from 'node:http';
import type { FieldGroup } from '@crm/personal-data';

/** A reveal of masked personal data: the field groups answered unmasked and the caller's stated reason. */
export interface Reveal {
  groups: FieldGroup[];
  reason: string;
}

const reveals = new WeakMap<IncomingMessage, Reveal>();

/** Notes that a request's answer revealed personal data: its audit event says which groups and why. */
export function noteReveal(raw: IncomingMessage, reveal: Reveal): void {
  reveals.set(raw, reveal);
}

/** The reveal a request's answer made, if any (see noteReveal). */
export function revealOf(raw: IncomingMessage): Reveal | undefined {
  return reveals.get(raw);
}
