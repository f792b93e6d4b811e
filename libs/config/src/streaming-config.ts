import { z } from 'zod';
import type { Env } from './secret-files';
import { flag } from './env-values';

/** Change events on Kafka, configured with the original's variables (docs/events.md). */
export interface StreamingConfig {
  enabled: boolean;
  /** host:port of each bootstrap broker. */
  brokers: string[];
  /** `ce-source` of every event. */
  source: string;
  clientId: string;
  /** Create the event topics that are missing at start (the original never does, and loses their events). */
  createTopics: boolean;
  tls?: { caCert?: string };
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
}

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

const schema = z
  .object({
    STREAMING_ENABLED: flag.default(false),
    STREAMING_BROKERS: z.string().default(''),
    STREAMING_CLOUDEVENTS_SOURCE: z.string().trim().min(1).max(255).default('lerian.midaz.crm'),
    STREAMING_CLIENT_ID: z.string().trim().min(1).max(255).default('crm'),
    STREAMING_CREATE_TOPICS: flag.default(true),
    STREAMING_TLS_ENABLED: flag.default(false),
    STREAMING_TLS_CA_CERT: z.string().optional(),
    STREAMING_SASL_MECHANISM: z
      .enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], { error: 'must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512' })
      .optional(),
    STREAMING_SASL_USERNAME: z.string().optional(),
    STREAMING_SASL_PASSWORD: z.string().optional(),
    STREAMING_SASL_ALLOW_PLAINTEXT: flag.default(false),
  })
  .superRefine((env, ctx) => {
    if (!env.STREAMING_ENABLED) return;
    const brokers = brokerList(env.STREAMING_BROKERS);
    if (brokers.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['STREAMING_BROKERS'],
        message: 'is required when STREAMING_ENABLED is true',
      });
    for (const broker of brokers.filter((entry) => !BROKER.test(entry)))
      ctx.addIssue({ code: 'custom', path: ['STREAMING_BROKERS'], message: `"${broker}" is not host:port` });
    if (env.STREAMING_SASL_MECHANISM) {
      if (!env.STREAMING_SASL_USERNAME || !env.STREAMING_SASL_PASSWORD)
        ctx.addIssue({
          code: 'custom',
          path: ['STREAMING_SASL_MECHANISM'],
          message: 'needs STREAMING_SASL_USERNAME and STREAMING_SASL_PASSWORD (or STREAMING_SASL_PASSWORD_FILE)',
        });
      if (!env.STREAMING_TLS_ENABLED && !env.STREAMING_SASL_ALLOW_PLAINTEXT)
        ctx.addIssue({
          code: 'custom',
          path: ['STREAMING_SASL_MECHANISM'],
          message:
            'sends credentials in clear without STREAMING_TLS_ENABLED=true (set STREAMING_SASL_ALLOW_PLAINTEXT=true to allow it)',
        });
    }
  });

function brokerList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

export function loadStreamingConfig(env: Env, problems: string[]): StreamingConfig | undefined {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
    return undefined;
  }
  const value = parsed.data;
  return {
    enabled: value.STREAMING_ENABLED,
    brokers: brokerList(value.STREAMING_BROKERS),
    source: value.STREAMING_CLOUDEVENTS_SOURCE,
    clientId: value.STREAMING_CLIENT_ID,
    createTopics: value.STREAMING_CREATE_TOPICS,
    ...(value.STREAMING_TLS_ENABLED ? { tls: { caCert: value.STREAMING_TLS_CA_CERT } } : {}),
    ...(value.STREAMING_SASL_MECHANISM
      ? {
          sasl: {
            mechanism: value.STREAMING_SASL_MECHANISM,
            username: value.STREAMING_SASL_USERNAME!,
            password: value.STREAMING_SASL_PASSWORD!,
          },
        }
      : {}),
  };
}
