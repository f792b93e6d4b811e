import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSecretFiles } from './secret-files';
import { loadStreamingConfig } from './streaming-config';

const load = (env: Record<string, string>) => {
  const problems: string[] = [];
  const resolved = resolveSecretFiles(env);
  problems.push(...resolved.problems);
  return { config: loadStreamingConfig(resolved.env, problems), problems };
};

describe("the streaming configuration (the original's variables)", () => {
  it('is off by default, with the original source', () => {
    expect(load({}).config).toMatchObject({ enabled: false, source: 'lerian.midaz.crm', createTopics: true });
  });

  it('needs brokers, as host:port, once enabled', () => {
    expect(load({ STREAMING_ENABLED: 'true' }).problems).toEqual([
      'STREAMING_BROKERS: is required when STREAMING_ENABLED is true',
    ]);
    expect(load({ STREAMING_ENABLED: 'true', STREAMING_BROKERS: 'kafka:9092,oops' }).problems).toEqual([
      'STREAMING_BROKERS: "oops" is not host:port',
    ]);
    expect(load({ STREAMING_ENABLED: 'true', STREAMING_BROKERS: 'a:9092, b:9093' }).config?.brokers).toEqual([
      'a:9092',
      'b:9093',
    ]);
  });

  it('refuses SASL credentials over plaintext unless explicitly allowed, as the original', () => {
    const sasl = {
      STREAMING_ENABLED: 'true',
      STREAMING_BROKERS: 'kafka:9092',
      STREAMING_SASL_MECHANISM: 'SCRAM-SHA-512',
      STREAMING_SASL_USERNAME: 'crm',
      STREAMING_SASL_PASSWORD: 'not-in-any-message',
    };
    const refused = load(sasl);
    expect(refused.config).toBeUndefined();
    expect(refused.problems.join()).toContain('STREAMING_SASL_MECHANISM: sends credentials in clear');
    expect(refused.problems.join()).not.toContain('not-in-any-message');
    expect(load({ ...sasl, STREAMING_SASL_ALLOW_PLAINTEXT: 'true' }).config?.sasl?.mechanism).toBe('SCRAM-SHA-512');
    expect(load({ ...sasl, STREAMING_TLS_ENABLED: 'true' }).config?.tls).toEqual({ caCert: undefined });
  });

  it('reads the SASL password from a mounted file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streaming-')), 'password');
    writeFileSync(file, 'from-the-file\n');
    const { config } = load({
      STREAMING_ENABLED: 'true',
      STREAMING_BROKERS: 'kafka:9092',
      STREAMING_TLS_ENABLED: 'true',
      STREAMING_SASL_MECHANISM: 'PLAIN',
      STREAMING_SASL_USERNAME: 'crm',
      STREAMING_SASL_PASSWORD_FILE: file,
    });
    expect(config?.sasl?.password).toBe('from-the-file');
  });
});
