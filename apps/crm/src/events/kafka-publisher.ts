import type { Admin, Producer, ProducerOptions } from '@platformatic/kafka';
import type { StreamingConfig } from '@crm/config';
import { ALL_TOPICS, ChangeEvent, cloudEventHeaders, topicOf } from '@crm/events';

/** A send that takes longer fails: the relay backs off and sends the same events again (the same ce-ids). */
const SEND_TIMEOUT_MS = 10_000;
/** Events per produce request: a record's outbox grown during a long outage goes in pieces the broker accepts. */
const EVENTS_PER_SEND = 100;

type KafkaClient = typeof import('@platformatic/kafka');
type Connection = Pick<ProducerOptions<string, string, string, string>, 'bootstrapBrokers' | 'tls' | 'sasl'>;

/** The client library is an ES module: loaded on first use, and only when streaming is on. */
let client: Promise<KafkaClient> | undefined;
const kafka = () => (client ??= import('@platformatic/kafka'));

function connectionOf(config: StreamingConfig): Connection {
  return {
    bootstrapBrokers: config.brokers,
    ...(config.tls ? { tls: config.tls.caCert ? { ca: config.tls.caCert } : {} } : {}),
    ...(config.sasl
      ? { sasl: { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } }
      : {}),
  };
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${SEND_TIMEOUT_MS} ms`)), SEND_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Sends change events to Kafka as the original does: key = tenant id, value = the JSON payload,
 * CloudEvents binary-mode headers in its order, lz4, acks from all in-sync replicas, idempotent producer
 * (a retried batch is not written twice). One send per batch of events, in their order.
 */
export class KafkaPublisher {
  private producer?: Producer<string, string, string, string>;

  constructor(private readonly config: StreamingConfig) {}

  async publish(events: ChangeEvent[]): Promise<void> {
    const producer = await this.ready();
    try {
      for (let start = 0; start < events.length; start += EVENTS_PER_SEND) {
        const messages = events.slice(start, start + EVENTS_PER_SEND).map((event) => ({
          topic: topicOf(event),
          key: event.tenantId,
          value: event.data,
          headers: new Map(cloudEventHeaders(event, this.config.source)),
          // The change's time, not the send's: after an outage records still say when things happened.
          timestamp: BigInt(Date.parse(event.time)),
        }));
        await withTimeout(producer.send({ messages }), 'sending to Kafka');
      }
    } catch (error) {
      await this.reset(); // a fresh connection for the next attempt, whatever state this one is in
      throw error;
    }
  }

  /** Creates the event topics the cluster lacks (with its default partitions and replication). */
  async createMissingTopics(): Promise<string[]> {
    const { Admin } = await kafka();
    const admin: Admin = new Admin({ clientId: this.config.clientId, ...connectionOf(this.config), retries: 0 });
    try {
      const existing = new Set(await withTimeout(admin.listTopics(), 'listing Kafka topics'));
      const missing = ALL_TOPICS.filter((topic) => !existing.has(topic));
      if (missing.length > 0)
        await withTimeout(
          admin.createTopics({ topics: missing, partitions: -1, replicas: -1 }),
          'creating Kafka topics',
        );
      return missing;
    } finally {
      await admin.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }

  private async ready(): Promise<Producer<string, string, string, string>> {
    if (this.producer) return this.producer;
    const { Producer, stringSerializers } = await kafka();
    this.producer = new Producer({
      clientId: this.config.clientId,
      ...connectionOf(this.config),
      idempotent: true,
      acks: -1,
      compression: 'lz4',
      autocreateTopics: false,
      retries: 2,
      connectTimeout: 3000,
      serializers: stringSerializers,
    });
    return this.producer;
  }

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close(true).catch(() => undefined);
  }
}
