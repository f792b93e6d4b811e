import type { INestApplicationContext } from '@nestjs/common';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { v5 as uuidv5 } from 'uuid';
import { insertRecords } from '@crm/persistence';
import { ALIAS_ACCOUNT_MODEL } from '../../apps/crm/src/alias-account/alias-account.schema';
import { HOLDER_MODEL } from '../../apps/crm/src/holder/holder.schema';
import { cpfOf } from '../factories/documents';

/**
 * A large data set, fast: holder number n of an organization and its one alias, written in batches by
 * the persistence layer's bulk insert, each record validated, defaulted, timestamped and sealed by the
 * crypto plugin (encrypted fields, blind-index tokens) as a created one is. What it bypasses: the HTTP
 * layer, the service's checks (a Midaz account lookup, the holder/alias protocol's pending step and
 * deletion marks) and the audit trail. Every value derives from (organization, n), so a run can resume
 * an interrupted one and a benchmark can look a record up without reading the database.
 */
const NAMESPACE = '6f1c9a52-3d0e-4b7a-9a57-2a4f1c0b8e11';

export const scaleRecord = (organizationId: string, n: number) => ({
  holderId: uuidv5(`${organizationId}/holder/${n}`, NAMESPACE),
  document: cpfOf(700_000_000 + n), // far from the factories' cpf() numbers
  externalId: `EXT-${n}`,
  ledgerId: uuidv5(`${organizationId}/ledger`, NAMESPACE),
  accountId: uuidv5(`${organizationId}/account/${n}`, NAMESPACE),
  iban: `BR${String(n).padStart(27, '0')}`,
  relatedPartyDocument: cpfOf(450_000_000 + n),
});

export interface ScaleSeedOptions {
  organizations: string[];
  /** The number of holders (and of aliases) each organization ends with. */
  perOrganization: number;
  batchSize?: number;
  /** After each batch: records (holders + aliases) written by this run and the total this run writes. */
  onProgress?: (written: number, toWrite: number) => void;
  /** Asked between batches: true stops the seeding there (a Ctrl-C), leaving a resumable data set. */
  stopRequested?: () => boolean;
}

/** Brings each organization to `perOrganization` holders and aliases; returns the records it wrote. */
export async function seedScale(app: INestApplicationContext, options: ScaleSeedOptions): Promise<number> {
  const holders = app.get<Model<unknown>>(getModelToken(HOLDER_MODEL));
  const aliases = app.get<Model<unknown>>(getModelToken(ALIAS_ACCOUNT_MODEL));
  const batchSize = options.batchSize ?? 500;
  const starts = await Promise.all(
    options.organizations.map(async (organizationId) => ({
      organizationId,
      holders: await holders.countDocuments({ organizationId }),
      aliases: await aliases.countDocuments({ organizationId }),
    })),
  );
  const toWrite = starts.reduce(
    (sum, start) =>
      sum + Math.max(0, options.perOrganization - start.holders) + Math.max(0, options.perOrganization - start.aliases),
    0,
  );
  let written = 0;
  for (const start of starts) {
    for (const [model, from, build] of [
      [holders, start.holders, holderFields],
      [aliases, start.aliases, aliasFields],
    ] as const) {
      for (let n = from; n < options.perOrganization; n += batchSize) {
        if (options.stopRequested?.()) return written;
        const batch = Array.from({ length: Math.min(batchSize, options.perOrganization - n) }, (_, i) =>
          build(start.organizationId, n + i),
        );
        await insertRecords(model, batch);
        written += batch.length;
        options.onProgress?.(written, toWrite);
      }
    }
  }
  return written;
}

function holderFields(organizationId: string, n: number): Record<string, unknown> {
  const record = scaleRecord(organizationId, n);
  return {
    _id: record.holderId,
    organizationId,
    type: 'NATURAL_PERSON',
    name: `Holder ${n}`,
    document: record.document,
    externalId: record.externalId,
    contact: { primaryEmail: `holder${n}@example.com` },
    metadata: { segment: n % 2 === 0 ? 'retail' : 'corporate' },
  };
}

function aliasFields(organizationId: string, n: number): Record<string, unknown> {
  const record = scaleRecord(organizationId, n);
  return {
    _id: uuidv5(`${organizationId}/alias/${n}`, NAMESPACE),
    organizationId,
    holderId: record.holderId,
    ledgerId: record.ledgerId,
    accountId: record.accountId,
    type: 'NATURAL_PERSON',
    document: record.document,
    bankingDetails: { branch: String(n % 100).padStart(4, '0'), account: `${n}-0`, iban: record.iban },
    regulatoryFields: { participantDocument: '12345678000195' },
    relatedParties: [
      {
        document: record.relatedPartyDocument,
        name: `Party ${n}`,
        role: 'LEGAL_REPRESENTATIVE',
        startDate: '2025-01-01',
      },
    ],
    metadata: { channel: 'app' },
  };
}
