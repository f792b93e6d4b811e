import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '@crm/config';
import { importOptions, legacyKeysFrom } from './import.command';

const config = { mongo: { uri: 'mongodb://service-db:27017' } } as AppConfig;
const keys = { LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY: 'a'.repeat(64), LERIAN_LCRYPTO_HASH_SECRET_KEY: 'hash-key' };
const flags = { sourceDb: 'crm', batch: '500', onConflict: 'report' };

describe('import lerian flags', () => {
  it('defaults: the service database as source, every organization, report conflicts', () => {
    expect(importOptions(flags, config, keys)).toEqual({
      sourceUri: 'mongodb://service-db:27017',
      sourceDb: 'crm',
      legacyKeys: { encryptKey: 'a'.repeat(64), hashKey: 'hash-key' },
      organizations: [],
      dryRun: false,
      verify: false,
      batchSize: 500,
      onConflict: 'report',
    });
  });

  it('--source-dir reads an export instead of a database; not together with --source-uri', () => {
    expect(importOptions({ ...flags, sourceDir: 'exports/crm' }, config, keys)).toMatchObject({
      sourceDir: join(process.cwd(), 'exports/crm'),
      sourceDb: 'crm',
    });
    expect(() =>
      importOptions({ ...flags, sourceDir: 'exports/crm', sourceUri: 'mongodb://lerian-db:27017' }, config, keys),
    ).toThrow('--source-dir and --source-uri (LERIAN_MONGO_URI) do not go together: read one source');
  });

  it('refuses bad flags with a message naming the flag', () => {
    expect(() =>
      importOptions({ ...flags, organization: ['0192f1a8-0000-7000-8000-00000000f001', 'acme'] }, config, keys),
    ).toThrow('--organization must be a UUID');
    expect(() => importOptions({ ...flags, batch: '0' }, config, keys)).toThrow(
      '--batch must be an integer from 1 to 10000',
    );
    expect(() => importOptions({ ...flags, batch: 'many' }, config, keys)).toThrow('--batch');
    expect(() => importOptions({ ...flags, onConflict: 'newest' }, config, keys)).toThrow(
      '--on-conflict must be one of report, keep-first, soft-delete-rest',
    );
    expect(() => importOptions({ ...flags, dryRun: true, verify: true }, config, keys)).toThrow(
      '--dry-run and --verify',
    );
  });

  it("reads the original's keys from the environment or from *_FILE, and names a missing one without values", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lerian-keys-'));
    writeFileSync(join(dir, 'hash'), 'hash-from-file\n');
    expect(
      legacyKeysFrom({
        LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY: 'a'.repeat(64),
        LERIAN_LCRYPTO_HASH_SECRET_KEY_FILE: join(dir, 'hash'),
      }),
    ).toEqual({ encryptKey: 'a'.repeat(64), hashKey: 'hash-from-file' });
    expect(() => legacyKeysFrom({ LERIAN_LCRYPTO_HASH_SECRET_KEY: 'x' })).toThrow(
      'LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY (or LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY_FILE) is required',
    );
    expect(() => legacyKeysFrom({ ...keys, LERIAN_LCRYPTO_HASH_SECRET_KEY_FILE: join(dir, 'hash') })).toThrow(
      'set either LERIAN_LCRYPTO_HASH_SECRET_KEY or LERIAN_LCRYPTO_HASH_SECRET_KEY_FILE, not both',
    );
    expect(() =>
      legacyKeysFrom({
        ...keys,
        LERIAN_LCRYPTO_HASH_SECRET_KEY: undefined,
        LERIAN_LCRYPTO_HASH_SECRET_KEY_FILE: join(dir, 'missing'),
      }),
    ).toThrow('LERIAN_LCRYPTO_HASH_SECRET_KEY_FILE: cannot read the secret file (ENOENT)');
  });
});
