import { readFileSync } from 'node:fs';

/** Variables that hold secrets: each may instead be given as `<NAME>_FILE`, a path to a mounted secret. */
export const SECRET_VARIABLES = [
  'LCRYPTO_HASH_SECRET_KEY',
  'LCRYPTO_ENCRYPT_SECRET_KEY',
  'LCRYPTO_HASH_PREVIOUS_KEYS',
  'LCRYPTO_ENCRYPT_PREVIOUS_KEYS',
  'MONGO_URI',
  'MONGO_PASSWORD',
  'MIDAZ_AUTH_TOKEN',
  'STREAMING_SASL_PASSWORD',
  // Not a secret, but mounted the same way (a ConfigMap or Secret file).
  'AUTH_JWT_PUBLIC_KEY',
] as const;

export type Env = Record<string, string | undefined>;

/**
 * Returns a copy of `env` where every `<NAME>_FILE` secret is replaced by the file's content.
 * Problems are reported by variable name only: a secret's value never reaches a message.
 */
export function resolveSecretFiles(env: Env): { env: Env; problems: string[] } {
  const resolved: Env = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`];
    if (!path) continue;
    if (env[name]) {
      problems.push(`${name}: set either ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      resolved[name] = readFileSync(path, 'utf8').trim();
    } catch (error) {
      problems.push(`${name}_FILE: cannot read the secret file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return { env: resolved, problems };
}
