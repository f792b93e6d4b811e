import { z } from 'zod';
import type { Env } from './secret-files';
import { flag, integer } from './env-values';

/** How callers are authenticated and authorized (see the README, "Authentication and audit"). */
export type AuthConfig =
  { mode: 'none' } | { mode: 'lerian'; lerian: LerianAuthConfig } | { mode: 'jwt'; jwt: JwtAuthConfig };

/** Lerian plugin-auth, spoken as lib-auth v2.9 does. */
export interface LerianAuthConfig {
  /** Base URL of plugin-auth (no trailing slash). */
  address: string;
  timeoutMs: number;
  /** How long a positive decision is reused for the same token, resource and action; 0: never. */
  cacheTtlMs: number;
  breakerResetMs: number;
}

/** Local verification of standard bearer tokens. */
export interface JwtAuthConfig {
  jwksUrl?: string;
  /** PEM (SPKI) public key, used when no JWKS URL is given. */
  publicKey?: string;
  issuer: string;
  audience: string;
  algorithms: string[];
  clockToleranceSec: number;
  /** The oldest `iat` accepted, in seconds; 0 leaves the age unbounded (`exp` alone ends a token). */
  maxTokenAgeSec: number;
  /** After a JWKS fetch, how long an unknown `kid` waits before the set is fetched again (rotation). */
  jwksCooldownMs: number;
  permissionsClaim: string;
  organizationsClaim: string;
  /** A claim that, when `true` (or containing `*`), grants every organization. Off when absent. */
  allowAllOrganizationsClaim?: string;
}

/** Where audit events go and what happens when they cannot be written. */
export interface AuditConfig {
  /** required: a request that cannot be audited fails with 503; best-effort: it is logged and dropped; off: no audit. */
  mode: 'required' | 'best-effort' | 'off';
  /** Events waiting for the background writer plus requests in flight (each holds a slot); past it `required` answers 503. */
  queueSize: number;
  /** required: how long an answer waits for its event to be stored before it becomes 503 CRM-0044. */
  waitMs: number;
  /** Events older than this are purged by the service; 0 keeps them forever (no TTL index either way). */
  retentionDays: number;
}

/** Algorithms that verify with a public key; HS* (shared secrets) and `none` are never accepted. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));
const claimName = z.string().regex(/^[A-Za-z0-9_:./-]{1,100}$/, 'must be a claim name (letters, digits, _ : . / -)');
/** http://localhost, 127.x.x.x or [::1]: where plain HTTP cannot be intercepted on a network. */
const LOOPBACK_URL = /^http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?(\/|$)/;
const httpUrl = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
);

const schema = z
  .object({
    AUTH_MODE: z.enum(['none', 'lerian', 'jwt'], { error: 'must be none, lerian or jwt' }).optional(),
    PLUGIN_AUTH_ENABLED: flag.optional(),
    PLUGIN_AUTH_ADDRESS: optionalText,
    PLUGIN_AUTH_TIMEOUT_MS: integer(50, 60_000).default(2000),
    PLUGIN_AUTH_CACHE_TTL_MS: integer(0, 600_000).default(0),
    PLUGIN_AUTH_BREAKER_RESET_MS: integer(100, 600_000).default(10_000),
    AUTH_JWKS_URL: httpUrl.refine((url) => url === undefined || url.startsWith('https://') || LOOPBACK_URL.test(url), {
      error:
        'must be https (plain http only to a loopback address): whoever can change the keys in transit can mint tokens',
    }),
    AUTH_JWT_PUBLIC_KEY: optionalText,
    AUTH_ISSUER: optionalText,
    AUTH_AUDIENCE: optionalText,
    AUTH_ALGORITHMS: z.string().default('RS256,ES256'),
    AUTH_CLOCK_TOLERANCE_SEC: integer(0, 300).default(30),
    AUTH_MAX_TOKEN_AGE_SEC: integer(0, 31_536_000).default(0),
    AUTH_JWKS_COOLDOWN_MS: integer(0, 3_600_000).default(30_000),
    AUTH_PERMISSIONS_CLAIM: claimName.default('scope'),
    AUTH_ORGANIZATIONS_CLAIM: claimName.default('organizations'),
    AUTH_ALLOW_ALL_ORGANIZATIONS_CLAIM: claimName.optional().or(z.literal('').transform(() => undefined)),
    AUDIT_MODE: z
      .enum(['required', 'best-effort', 'off'], { error: 'must be required, best-effort or off' })
      .default('required'),
    AUDIT_QUEUE_SIZE: integer(1, 1_000_000).default(10_000),
    AUDIT_WAIT_MS: integer(100, 60_000).default(3000),
    AUDIT_RETENTION_DAYS: integer(0, 36_500).default(0),
  })
  .superRefine((env, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const mode = env.AUTH_MODE ?? (env.PLUGIN_AUTH_ENABLED ? 'lerian' : 'none');
    if (env.PLUGIN_AUTH_ENABLED && env.AUTH_MODE && env.AUTH_MODE !== 'lerian') {
      problem('AUTH_MODE', `is ${env.AUTH_MODE}, but PLUGIN_AUTH_ENABLED=true asks for lerian`);
    }
    if (mode === 'lerian') {
      // The original lets every request through when enabled without an address; here that is a refusal.
      if (!env.PLUGIN_AUTH_ADDRESS)
        problem(
          'PLUGIN_AUTH_ADDRESS',
          'is required when plugin-auth is enabled (the original would let every request through)',
        );
      else if (!/^https?:\/\/[^\s/]+/.test(env.PLUGIN_AUTH_ADDRESS))
        problem('PLUGIN_AUTH_ADDRESS', 'must be an http(s) URL');
    }
    if (mode === 'jwt') {
      if (!env.AUTH_JWKS_URL && !env.AUTH_JWT_PUBLIC_KEY)
        problem('AUTH_JWKS_URL', 'or AUTH_JWT_PUBLIC_KEY is required when AUTH_MODE=jwt');
      if (env.AUTH_JWKS_URL && env.AUTH_JWT_PUBLIC_KEY)
        problem('AUTH_JWT_PUBLIC_KEY', 'set either AUTH_JWKS_URL or AUTH_JWT_PUBLIC_KEY, not both');
      if (env.AUTH_JWT_PUBLIC_KEY && !env.AUTH_JWT_PUBLIC_KEY.includes('-----BEGIN PUBLIC KEY-----'))
        problem('AUTH_JWT_PUBLIC_KEY', 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
      if (!env.AUTH_ISSUER) problem('AUTH_ISSUER', 'is required when AUTH_MODE=jwt');
      if (!env.AUTH_AUDIENCE) problem('AUTH_AUDIENCE', 'is required when AUTH_MODE=jwt');
      const unknown = algorithmsOf(env.AUTH_ALGORITHMS).filter(
        (alg) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg),
      );
      if (unknown.length > 0 || algorithmsOf(env.AUTH_ALGORITHMS).length === 0) {
        problem(
          'AUTH_ALGORITHMS',
          `must list public-key algorithms among ${ASYMMETRIC_ALGORITHMS.join(', ')} (never none or HS*)${unknown.length ? `; not allowed: ${unknown.join(', ')}` : ''}`,
        );
      }
    }
  });

function algorithmsOf(list: string): string[] {
  return list
    .split(',')
    .map((alg) => alg.trim())
    .filter(Boolean);
}

/** Validates the auth and audit variables; problems are appended as `VARIABLE: reason` (never a value). */
export function loadAuthConfig(env: Env, problems: string[]): { auth: AuthConfig; audit: AuditConfig } | undefined {
  // An empty variable (a blank line of an env file, an empty chart value) means "not set".
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
    return undefined;
  }
  const value = parsed.data;
  const audit: AuditConfig = {
    mode: value.AUDIT_MODE,
    queueSize: value.AUDIT_QUEUE_SIZE,
    waitMs: value.AUDIT_WAIT_MS,
    retentionDays: value.AUDIT_RETENTION_DAYS,
  };
  const mode = value.AUTH_MODE ?? (value.PLUGIN_AUTH_ENABLED ? 'lerian' : 'none');
  if (mode === 'lerian') {
    return {
      audit,
      auth: {
        mode,
        lerian: {
          address: value.PLUGIN_AUTH_ADDRESS!.replace(/\/+$/, ''),
          timeoutMs: value.PLUGIN_AUTH_TIMEOUT_MS,
          cacheTtlMs: value.PLUGIN_AUTH_CACHE_TTL_MS,
          breakerResetMs: value.PLUGIN_AUTH_BREAKER_RESET_MS,
        },
      },
    };
  }
  if (mode === 'jwt') {
    return {
      audit,
      auth: {
        mode,
        jwt: {
          jwksUrl: value.AUTH_JWKS_URL,
          publicKey: value.AUTH_JWT_PUBLIC_KEY,
          issuer: value.AUTH_ISSUER!,
          audience: value.AUTH_AUDIENCE!,
          algorithms: algorithmsOf(value.AUTH_ALGORITHMS),
          clockToleranceSec: value.AUTH_CLOCK_TOLERANCE_SEC,
          maxTokenAgeSec: value.AUTH_MAX_TOKEN_AGE_SEC,
          jwksCooldownMs: value.AUTH_JWKS_COOLDOWN_MS,
          permissionsClaim: value.AUTH_PERMISSIONS_CLAIM,
          organizationsClaim: value.AUTH_ORGANIZATIONS_CLAIM,
          allowAllOrganizationsClaim: value.AUTH_ALLOW_ALL_ORGANIZATIONS_CLAIM,
        },
      },
    };
  }
  return { audit, auth: { mode: 'none' } };
}
