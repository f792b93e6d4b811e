import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, keyProblem, loadConfig } from './app-config';

const ENCRYPT = 'a1'.repeat(16) + 'b2'.repeat(16);
const HASH = 'c3'.repeat(16) + 'd4'.repeat(16);
const base = { MONGO_URI: 'mongodb://db:27017/', LCRYPTO_ENCRYPT_SECRET_KEY: ENCRYPT, LCRYPTO_HASH_SECRET_KEY: HASH };

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to reject the environment');
}

describe('loadConfig', () => {
  it('applies the original service defaults', () => {
    const config = loadConfig(base);
    expect(config.server).toEqual({ host: '0.0.0.0', port: 4003 });
    expect(config.mongo).toMatchObject({ uri: 'mongodb://db:27017/', dbName: 'crm', maxPoolSize: 1000 });
    expect(config.maxPaginationLimit).toBe(100);
    expect(config.bodyLimitBytes).toBe(1024 * 1024);
    expect(config.telemetry).toEqual({
      enabled: false,
      serviceName: 'crm',
      otlpEndpoint: undefined,
      prometheus: false,
    });
    expect(config.crypto.previousHashKeys).toEqual([]);
    expect(config.idempotency).toEqual({ maxTtlSeconds: 86_400 });
  });

  it('answers personal data plain by default, masked on PERSONAL_DATA_ACCESS=masked, and refuses other values', () => {
    expect(loadConfig(base).personalDataAccess).toBe('plain');
    expect(loadConfig({ ...base, PERSONAL_DATA_ACCESS: 'masked' }).personalDataAccess).toBe('masked');
    expect(problemsOf({ ...base, PERSONAL_DATA_ACCESS: 'hidden' })).toEqual([
      'PERSONAL_DATA_ACCESS: must be plain or masked',
    ]);
  });

  it('bounds IDEMPOTENCY_MAX_TTL_SEC to whole seconds from 1 to 30 days', () => {
    expect(loadConfig({ ...base, IDEMPOTENCY_MAX_TTL_SEC: '60' }).idempotency.maxTtlSeconds).toBe(60);
    expect(problemsOf({ ...base, IDEMPOTENCY_MAX_TTL_SEC: '0' })).toEqual([
      'IDEMPOTENCY_MAX_TTL_SEC: must be at least 1',
    ]);
    expect(problemsOf({ ...base, IDEMPOTENCY_MAX_TTL_SEC: String(30 * 86_400 + 1) })).toEqual([
      'IDEMPOTENCY_MAX_TTL_SEC: must be at most 2592000',
    ]);
  });

  it('builds the URI from MONGO_HOST and friends, escaping credentials', () => {
    const config = loadConfig({
      ...base,
      MONGO_URI: undefined,
      MONGO_HOST: 'mongo',
      MONGO_PORT: '27018',
      MONGO_USER: 'crm',
      MONGO_PASSWORD: 'p@ss/word',
      MONGO_PARAMETERS: 'authSource=admin',
    });
    expect(config.mongo.uri).toBe('mongodb://crm:p%40ss%2Fword@mongo:27018/?authSource=admin');
  });

  it('reads SERVER_ADDRESS as host:port or :port', () => {
    expect(loadConfig({ ...base, SERVER_ADDRESS: ':5000' }).server).toEqual({ host: '0.0.0.0', port: 5000 });
    expect(loadConfig({ ...base, SERVER_ADDRESS: '127.0.0.1:5001' }).server).toEqual({ host: '127.0.0.1', port: 5001 });
  });

  it.each([
    ['missing', undefined, /LCRYPTO_HASH_SECRET_KEY: is required/],
    [
      'too short',
      'abcd',
      /LCRYPTO_HASH_SECRET_KEY: must be exactly 64 hexadecimal characters \(32 bytes\); got 4 characters$/,
    ],
    ['not hex', 'z'.repeat(64), /got 64 characters including non-hex ones/],
    ['one repeated byte', '00'.repeat(32), /must not repeat a single byte/],
  ])('rejects a hash key that is %s, naming the variable and the reason', (_case, value, pattern) => {
    const problems = problemsOf({ ...base, LCRYPTO_HASH_SECRET_KEY: value });
    expect(problems.some((problem) => pattern.test(problem))).toBe(true);
  });

  it('rejects equal encryption and hash keys', () => {
    expect(problemsOf({ ...base, LCRYPTO_HASH_SECRET_KEY: ENCRYPT.toUpperCase() })).toContain(
      'LCRYPTO_ENCRYPT_SECRET_KEY: must differ from LCRYPTO_HASH_SECRET_KEY',
    );
  });

  it('never echoes a secret value in its message', () => {
    const secret = 'f'.repeat(63) + 'g';
    const error = (() => {
      try {
        loadConfig({ ...base, LCRYPTO_ENCRYPT_SECRET_KEY: secret, MONGO_URI: 'http://user:hunter2@db' });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a failure');
    })();
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('MONGO_URI: must start with mongodb:// or mongodb+srv://');
  });

  it('requires a database location', () => {
    expect(problemsOf({ ...base, MONGO_URI: undefined })).toContain('MONGO_URI: MONGO_URI or MONGO_HOST is required');
  });

  it.each([
    ['SERVER_PORT', 'http', 'SERVER_PORT: must be a number'],
    ['MAX_PAGINATION_LIMIT', '0', 'MAX_PAGINATION_LIMIT: must be at least 1'],
    ['ENABLE_TELEMETRY', 'maybe', 'ENABLE_TELEMETRY: must be true or false'],
  ])('rejects a malformed %s', (name, value, message) => {
    expect(problemsOf({ ...base, [name]: value })).toContain(message);
  });

  it('validates every previous key and reports its position', () => {
    const problems = problemsOf({ ...base, LCRYPTO_HASH_PREVIOUS_KEYS: `${'e5f6'.repeat(16)},short` });
    expect(problems).toEqual([
      'LCRYPTO_HASH_PREVIOUS_KEYS: entry 2 must be exactly 64 hexadecimal characters (32 bytes); got 5 characters including non-hex ones',
    ]);
  });

  describe('*_FILE secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-config-'));

    it('reads a secret from its file, trimming the newline', () => {
      const file = join(dir, 'hash');
      writeFileSync(file, `${HASH}\n`);
      const config = loadConfig({ ...base, LCRYPTO_HASH_SECRET_KEY: undefined, LCRYPTO_HASH_SECRET_KEY_FILE: file });
      expect(config.crypto.hashKey).toBe(HASH);
    });

    it('refuses both forms at once and unreadable files, naming the variable', () => {
      expect(problemsOf({ ...base, LCRYPTO_HASH_SECRET_KEY_FILE: join(dir, 'hash') })).toContain(
        'LCRYPTO_HASH_SECRET_KEY: set either LCRYPTO_HASH_SECRET_KEY or LCRYPTO_HASH_SECRET_KEY_FILE, not both',
      );
      expect(problemsOf({ ...base, MONGO_PASSWORD_FILE: join(dir, 'absent') })).toContain(
        'MONGO_PASSWORD_FILE: cannot read the secret file (ENOENT)',
      );
    });
  });
});

describe('keyProblem', () => {
  it('accepts a random 32-byte hex key', () => {
    expect(keyProblem(ENCRYPT)).toBeUndefined();
  });
});
