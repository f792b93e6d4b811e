import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, MessagesStream } from '@platformatic/kafka';
import { ALL_TOPICS } from '@crm/events';
import { eventually } from './eventually';
import { freePort } from './ports';
import { TcpProxy } from './tcp-proxy';

const KAFKA_SCRIPT = join(__dirname, '../../scripts/kafka.sh');
const kafka = () => import('@platformatic/kafka');

/**
 * A real Kafka broker (scripts/kafka.sh) behind a TCP proxy that clients reach it through: the broker
 * advertises the proxy's port, so `proxy.cut()` is a broker outage for the service and the test alike.
 */
export class KafkaBroker {
  private constructor(
    readonly proxy: TcpProxy,
    private readonly dir: string,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.proxy.port}`;
  }

  static async start(): Promise<KafkaBroker> {
    const dir = mkdtempSync(join(tmpdir(), 'crm-kafka-'));
    const port = await freePort();
    const proxy = new TcpProxy('127.0.0.1', port);
    await proxy.start();
    execFileSync('bash', [KAFKA_SCRIPT, 'start', dir], {
      env: { ...process.env, KAFKA_PORT: String(port), KAFKA_ADVERTISED_PORT: String(proxy.port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return new KafkaBroker(proxy, dir);
  }

  async stop(): Promise<void> {
    execFileSync('bash', [KAFKA_SCRIPT, 'stop', this.dir], { stdio: 'inherit' });
    await this.proxy.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async topics(): Promise<string[]> {
    const { Admin } = await kafka();
    const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [this.brokers] });
    try {
      return await admin.listTopics();
    } finally {
      await admin.close();
    }
  }

  /** A consumer of every event topic from the beginning, collecting what arrives. */
  async reader(): Promise<EventReader> {
    const { Consumer, stringDeserializers } = await kafka();
    const consumer = new Consumer({
      clientId: 'test-reader',
      groupId: `test-${Date.now()}-${Math.random()}`,
      bootstrapBrokers: [this.brokers],
      deserializers: stringDeserializers,
      maxWaitTime: 200,
    });
    const stream = await consumer.consume({ topics: [...ALL_TOPICS], mode: 'earliest' });
    return new EventReader(consumer, stream);
  }
}

/** A message as a consumer of the original's events reads it. */
export interface ReadEvent {
  topic: string;
  offset: bigint;
  key: string;
  headers: Array<[string, string]>;
  value: string;
  json: Record<string, unknown>;
}

export class EventReader {
  readonly events: ReadEvent[] = [];

  constructor(
    private readonly consumer: Consumer<string, string, string, string>,
    private readonly stream: MessagesStream<string, string, string, string>,
  ) {
    stream.on('data', (message) => {
      this.events.push({
        topic: message.topic,
        offset: message.offset,
        key: message.key,
        headers: [...message.headers.entries()],
        value: message.value,
        json: JSON.parse(message.value) as Record<string, unknown>,
      });
    });
  }

  header(event: ReadEvent, name: string): string | undefined {
    return event.headers.find(([key]) => key === name)?.[1];
  }

  /** Waits until `count` events match, then returns them (fewer when they did not come in time). */
  async waitFor(match: (event: ReadEvent) => boolean, count = 1, timeoutMs = 30_000): Promise<ReadEvent[]> {
    return eventually(
      () => this.events.filter(match),
      (found) => found.length >= count,
      { timeoutMs, intervalMs: 50 },
    );
  }

  async close(): Promise<void> {
    await this.stream.close();
    await this.consumer.close(true);
  }
}
