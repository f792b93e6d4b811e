import { z } from 'zod';
import { AuditConfig, AuthConfig, loadAuthConfig } from './auth-config';
import { Env, resolveSecretFiles } from './secret-files';
import { flag, integer } from './env-values';
import { loadStreamingConfig, StreamingConfig } from './streaming-config';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** Why a key string is unusable, or undefined when it is a proper 32-byte hex key. Never echoes the key. */
export function keyProblem(value: string): string | undefined {
  if (!HEX_KEY.test(value)) {
    return `must be exactly 64 hexadecimal characters (32 bytes); got ${value.length} characters${/^[0-9a-fA-F]*$/.test(value) ? '' : ' including non-hex ones'}`;
  }
  if (/^(..)\1{31}$/i.test(value)) return 'must not repeat a single byte (generate one with `openssl rand -hex 32`)';
  return undefined;
}

const hexKey = z
  .string({ error: 'is required (generate one with `openssl rand -hex 32`)' })
  .superRefine((value, ctx) => {
    const problem = keyProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const previousKeys = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter(Boolean),
  )
  .superRefine((keys, ctx) => {
    keys.forEach((key, index) => {
      const problem = keyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: `entry ${index + 1} ${problem}` });
    });
  });

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

const schema = z
  .object({
    SERVER_PORT: integer(1, 65535).default(4003),
    SERVER_ADDRESS: optionalText,
    MONGO_URI: optionalText,
    MONGO_HOST: optionalText,
    MONGO_PORT: integer(1, 65535).default(27017),
    MONGO_USER: optionalText,
    MONGO_PASSWORD: optionalText,
    MONGO_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -')
      .default('crm'),
    MONGO_PARAMETERS: optionalText,
    MONGO_MAX_POOL_SIZE: integer(1, 100_000).default(1000),
    MONGO_TLS_CA_CERT: optionalText,
    LCRYPTO_HASH_SECRET_KEY: hexKey,
    LCRYPTO_ENCRYPT_SECRET_KEY: hexKey,
    LCRYPTO_HASH_PREVIOUS_KEYS: previousKeys,
    LCRYPTO_ENCRYPT_PREVIOUS_KEYS: previousKeys,
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    ENABLE_TELEMETRY: flag.default(false),
    MAX_PAGINATION_LIMIT: integer(1, 10_000).default(100),
    BODY_LIMIT_BYTES: integer(1024, 64 * 1024 * 1024).default(1024 * 1024),
    SHUTDOWN_DELAY_MS: integer(0, 120_000).default(0),
    SHUTDOWN_TIMEOUT_MS: integer(100, 300_000).default(10_000),
    DOCUMENT_VALIDATION: z.enum(['off', 'br'], { error: 'must be off or br' }).default('off'),
    METADATA_PII_GUARD: z.enum(['off', 'warn', 'reject'], { error: 'must be off, warn or reject' }).default('warn'),
    PERSONAL_DATA_ACCESS: z.enum(['plain', 'masked'], { error: 'must be plain or masked' }).default('plain'),
    MIDAZ_LEDGER_URL: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    ),
    MIDAZ_AUTH_TOKEN: optionalText,
    MIDAZ_VALIDATION: z.enum(['on', 'off'], { error: 'must be on or off' }).optional(),
    MIDAZ_TIMEOUT_MS: integer(50, 60_000).default(3000),
    MIDAZ_RETRIES: integer(0, 10).default(2),
    MIDAZ_CACHE_TTL_MS: integer(0, 3_600_000).default(30_000),
    MIDAZ_BREAKER_RESET_MS: integer(100, 600_000).default(10_000),
    OTEL_SERVICE_NAME: z.string().min(1).default('crm'),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    ),
    METRICS_ENABLED: flag.default(false),
    IDEMPOTENCY_MAX_TTL_SEC: integer(1, 30 * 86_400).default(86_400),
  })
  .superRefine((env, ctx) => {
    if (!env.MONGO_URI && !env.MONGO_HOST) {
      ctx.addIssue({ code: 'custom', path: ['MONGO_URI'], message: 'MONGO_URI or MONGO_HOST is required' });
    }
    if (env.MONGO_URI && !/^mongodb(\+srv)?:\/\//.test(env.MONGO_URI)) {
      ctx.addIssue({ code: 'custom', path: ['MONGO_URI'], message: 'must start with mongodb:// or mongodb+srv://' });
    }
    if (env.SERVER_ADDRESS && !/^[^:]*:\d{1,5}$/.test(env.SERVER_ADDRESS)) {
      ctx.addIssue({ code: 'custom', path: ['SERVER_ADDRESS'], message: 'must look like host:port or :port' });
    }
    if (env.MIDAZ_VALIDATION === 'on' && !env.MIDAZ_LEDGER_URL) {
      ctx.addIssue({ code: 'custom', path: ['MIDAZ_VALIDATION'], message: 'is on, but MIDAZ_LEDGER_URL is not set' });
    }
    if (
      env.LCRYPTO_HASH_SECRET_KEY &&
      env.LCRYPTO_HASH_SECRET_KEY.toLowerCase() === env.LCRYPTO_ENCRYPT_SECRET_KEY?.toLowerCase()
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['LCRYPTO_ENCRYPT_SECRET_KEY'],
        message: 'must differ from LCRYPTO_HASH_SECRET_KEY',
      });
    }
  });

export interface AppConfig {
  server: { host: string; port: number };
  mongo: { uri: string; dbName: string; maxPoolSize: number; tlsCaCert?: string };
  crypto: { encryptKey: string; hashKey: string; previousEncryptKeys: string[]; previousHashKeys: string[] };
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  telemetry: {
    /** Traces and metrics exported over OTLP (ENABLE_TELEMETRY). */
    enabled: boolean;
    serviceName: string;
    otlpEndpoint?: string;
    /** A Prometheus scrape endpoint at /metrics (METRICS_ENABLED). */
    prometheus: boolean;
  };
  maxPaginationLimit: number;
  bodyLimitBytes: number;
  shutdown: { delayMs: number; timeoutMs: number };
  /** `br`: NATURAL_PERSON documents must be valid CPFs and LEGAL_PERSON documents valid CNPJs. */
  documentValidation: 'off' | 'br';
  /** What to do with metadata values that look like personal data (metadata is stored in plain text). */
  metadataPiiGuard: 'off' | 'warn' | 'reject';
  /** `masked`: protected fields are answered masked unless the caller reveals them (permission and reason). */
  personalDataAccess: 'plain' | 'masked';
  midaz: MidazConfig;
  auth: AuthConfig;
  audit: AuditConfig;
  idempotency: IdempotencyConfig;
  streaming: StreamingConfig;
}

export interface IdempotencyConfig {
  /** The longest an idempotency key may be kept (`X-TTL` above it is refused); the default of 300 s is capped by it. */
  maxTtlSeconds: number;
}

export interface MidazConfig {
  /** Whether alias accounts are checked against the ledger (default: on when a URL is set). */
  validation: boolean;
  ledgerUrl?: string;
  authToken?: string;
  timeoutMs: number;
  retries: number;
  cacheTtlMs: number;
  breakerResetMs: number;
}

/** Thrown when the environment cannot configure the service; its message names each variable and why. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function mongoUri(env: z.infer<typeof schema>): string {
  if (env.MONGO_URI) return env.MONGO_URI;
  const credentials = env.MONGO_USER
    ? `${encodeURIComponent(env.MONGO_USER)}:${encodeURIComponent(env.MONGO_PASSWORD ?? '')}@`
    : '';
  const parameters = env.MONGO_PARAMETERS ? `?${env.MONGO_PARAMETERS.replace(/^\?/, '')}` : '';
  return `mongodb://${credentials}${env.MONGO_HOST}:${env.MONGO_PORT}/${parameters}`;
}

function serverAddress(env: z.infer<typeof schema>): { host: string; port: number } {
  if (!env.SERVER_ADDRESS) return { host: '0.0.0.0', port: env.SERVER_PORT };
  const separator = env.SERVER_ADDRESS.lastIndexOf(':');
  return {
    host: env.SERVER_ADDRESS.slice(0, separator) || '0.0.0.0',
    port: Number(env.SERVER_ADDRESS.slice(separator + 1)),
  };
}

/** Validates the environment once, at boot, into a typed configuration. */
export function loadConfig(rawEnv: Env): AppConfig {
  const { env, problems } = resolveSecretFiles(rawEnv);
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
  }
  const access = loadAuthConfig(env, problems);
  const streaming = loadStreamingConfig(env, problems);
  if (problems.length > 0 || !parsed.success || !access || !streaming) throw new ConfigError(problems);
  const value = parsed.data;
  return {
    server: serverAddress(value),
    mongo: {
      uri: mongoUri(value),
      dbName: value.MONGO_NAME,
      maxPoolSize: value.MONGO_MAX_POOL_SIZE,
      tlsCaCert: value.MONGO_TLS_CA_CERT,
    },
    crypto: {
      encryptKey: value.LCRYPTO_ENCRYPT_SECRET_KEY.toLowerCase(),
      hashKey: value.LCRYPTO_HASH_SECRET_KEY.toLowerCase(),
      previousEncryptKeys: value.LCRYPTO_ENCRYPT_PREVIOUS_KEYS.map((key) => key.toLowerCase()),
      previousHashKeys: value.LCRYPTO_HASH_PREVIOUS_KEYS.map((key) => key.toLowerCase()),
    },
    logLevel: value.LOG_LEVEL,
    telemetry: {
      enabled: value.ENABLE_TELEMETRY,
      serviceName: value.OTEL_SERVICE_NAME,
      otlpEndpoint: value.OTEL_EXPORTER_OTLP_ENDPOINT,
      prometheus: value.METRICS_ENABLED,
    },
    maxPaginationLimit: value.MAX_PAGINATION_LIMIT,
    bodyLimitBytes: value.BODY_LIMIT_BYTES,
    shutdown: { delayMs: value.SHUTDOWN_DELAY_MS, timeoutMs: value.SHUTDOWN_TIMEOUT_MS },
    documentValidation: value.DOCUMENT_VALIDATION,
    metadataPiiGuard: value.METADATA_PII_GUARD,
    personalDataAccess: value.PERSONAL_DATA_ACCESS,
    midaz: {
      validation: (value.MIDAZ_VALIDATION ?? (value.MIDAZ_LEDGER_URL ? 'on' : 'off')) === 'on',
      ledgerUrl: value.MIDAZ_LEDGER_URL?.replace(/\/+$/, ''),
      authToken: value.MIDAZ_AUTH_TOKEN,
      timeoutMs: value.MIDAZ_TIMEOUT_MS,
      retries: value.MIDAZ_RETRIES,
      cacheTtlMs: value.MIDAZ_CACHE_TTL_MS,
      breakerResetMs: value.MIDAZ_BREAKER_RESET_MS,
    },
    idempotency: { maxTtlSeconds: value.IDEMPOTENCY_MAX_TTL_SEC },
    streaming,
    ...access,
  };
}
