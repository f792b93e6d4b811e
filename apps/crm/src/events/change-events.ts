import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { ChangeEvent, changeEvent, EventDraft } from '@crm/events';
import { HandedOffEvents } from './handed-off-events';

/**
 * The W3C traceparent of the request under way, as the original sends it (sampled); a fresh trace when
 * there is no span (telemetry off), since the header is always present.
 */
function currentTraceparent(): string {
  const context = trace.getActiveSpan()?.spanContext();
  const traceId = context && trace.isSpanContextValid(context) ? context.traceId : randomBytes(16).toString('hex');
  const spanId = context && trace.isSpanContextValid(context) ? context.spanId : randomBytes(8).toString('hex');
  return `00-${traceId}-${spanId}-01`;
}

/**
 * What the holder and alias writes ask for their change events: the event to store beside a change
 * (none while streaming is off), and where a hard delete hands its record's events. Every event made
 * wakes the relay shortly after, so a change is published without waiting for the next poll.
 */
@Injectable()
export class ChangeEvents {
  private readonly enabled: boolean;
  private readonly wakers = new Set<() => void>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly handedOff: HandedOffEvents,
  ) {
    this.enabled = config.streaming.enabled;
  }

  of(draft: EventDraft): ChangeEvent | undefined {
    if (!this.enabled) return undefined;
    for (const wake of this.wakers) wake();
    return changeEvent(draft, currentTraceparent());
  }

  readonly handOff = (events: ChangeEvent[]): Promise<void> => this.handedOff.store(events);

  onEvent(wake: () => void): void {
    this.wakers.add(wake);
  }
}
