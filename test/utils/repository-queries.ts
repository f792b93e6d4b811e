import mongoose from 'mongoose';
import { AliasAccountSchema } from '../../apps/crm/src/alias-account/alias-account.schema';
import { AliasAccountRepository } from '../../apps/crm/src/alias-account/alias-account.repository';
import { HolderDeletions, HolderDeletionSchema } from '../../apps/crm/src/holder/holder-deletions.repository';
import { HolderLinks } from '../../apps/crm/src/holder/holder-links';
import { HolderSchema } from '../../apps/crm/src/holder/holder.schema';
import { COLLECTIONS } from '@crm/persistence';
import { aliasBody, ledgerAccount, relatedParty } from '../factories/aliases';
import { naturalPerson } from '../factories/holders';
import type { OrgClient } from './api';
import type { FakeMidaz } from './fake-midaz';
import type { CapturedQuery, DeclaredIndex } from './index-planner';
import type { TestApp } from './test-app';

/**
 * The queries the repositories issue, as they issue them: every route and filter driven over HTTP while
 * Mongoose's debug hook records each filter, sort and limit sent to the indexed collections. Both index
 * tests start from this capture and the schemas' declared indexes, so a new query shape is checked by both.
 */

/** Operations whose first argument is a filter (inserts and index builds have none). */
const FILTERED = new Set([
  'find',
  'findOne',
  'countDocuments',
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'deleteOne',
  'deleteMany',
  'findOneAndDelete',
]);

const declared = (schema: Pick<typeof HolderSchema, 'indexes'>): DeclaredIndex[] => [
  { name: '_id_', keys: { _id: 1 }, unique: true },
  ...schema.indexes().map(([keys, options]) => ({
    name: String(options?.name),
    keys: keys,
    unique: Boolean(options?.unique),
  })),
];
export const INDEXES: Record<string, DeclaredIndex[]> = {
  [COLLECTIONS.holders]: declared(HolderSchema),
  [COLLECTIONS.aliasAccounts]: declared(AliasAccountSchema),
  holder_deletions: declared(HolderDeletionSchema),
};

interface Harness {
  crm: TestApp;
  api: OrgClient;
  midaz: FakeMidaz;
}

/** Runs every route and filter through `harness` and returns the queries they issued, in order. */
export async function captureRepositoryQueries(harness: Harness): Promise<CapturedQuery[]> {
  const captured: CapturedQuery[] = [];
  mongoose.set('debug', (collection: string, operation: string, ...args: unknown[]) => {
    if (!(collection in INDEXES) || !FILTERED.has(operation)) return;
    const options = (operation === 'find' || operation === 'findOne' ? (args[2] ?? args[1]) : undefined) as
      { sort?: Record<string, unknown>; limit?: number } | undefined;
    captured.push({
      collection,
      operation,
      filter: { ...(args[0] as Record<string, unknown>) },
      ...(options?.sort ? { sort: options.sort } : {}),
      ...(options?.limit ? { limit: options.limit } : {}),
    });
  });
  try {
    await exerciseEveryRoute(harness);
  } finally {
    mongoose.set('debug', false);
  }
  return captured;
}

/** Drives every route and filter, so the repositories issue every query they can. */
async function exerciseEveryRoute({ crm, api, midaz }: Harness): Promise<void> {
  const person = naturalPerson({
    externalId: 'EXT-9',
    contact: { primaryEmail: 'ana@example.com' },
    metadata: { segment: 'retail' },
  });
  const holder = (await api.post('/v1/holders', person)).body;
  const spare = (await api.post('/v1/holders', naturalPerson())).body;
  expect(holder.id).toBeDefined();
  await api.get(`/v1/holders/${holder.id}`);
  await api.get(`/v1/holders/${holder.id}?include_deleted=true`);
  await api.patch(`/v1/holders/${holder.id}`, {
    contact: { secondaryEmail: 'ana2@example.com' },
    metadata: { tier: 2 },
  });
  const page = (await api.get('/v1/holders?limit=1')).body;
  for (const query of [
    '',
    'external_id=EXT-9',
    `document=${person.document}`,
    'metadata.segment=retail',
    'start_date=2020-01-01&end_date=2100-01-01',
    'count=true',
    'include_deleted=true',
    'sort_order=desc',
    'page=2&limit=1',
    `limit=1&cursor=${page.next_cursor}`,
    `limit=1&sort_order=desc&cursor=${page.next_cursor}`,
  ]) {
    expect((await api.get(`/v1/holders?${query}`)).status).toBe(200);
  }
  const { ledgerId, accountId } = ledgerAccount(midaz, api);
  const party = relatedParty();
  const alias = (await api.post(`/v1/holders/${holder.id}/aliases`, aliasBody({ ledgerId, accountId }))).body;
  expect(alias.id).toBeDefined();
  await api.get(`/v1/holders/${holder.id}/aliases/${alias.id}`);
  await api.patch(`/v1/holders/${holder.id}/aliases/${alias.id}`, {
    bankingDetails: { branch: '0002' },
    relatedParties: [{ ...party, document: '111.444.777-35' }],
  });
  const withParties = (await api.get(`/v1/holders/${holder.id}/aliases/${alias.id}`)).body;
  await api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}/related-parties/${withParties.relatedParties[1].id}`);
  const aliasPage = (await api.get('/v1/aliases?limit=1')).body;
  for (const query of [
    '',
    `holder_id=${holder.id}`,
    `ledger_id=${ledgerId}`,
    `account_id=${accountId}`,
    `document=${person.document}`,
    'banking_details_branch=0002',
    'banking_details_account=12345-6',
    'banking_details_iban=GB82WEST12345698765432',
    'regulatory_fields_participant_document=12345678000195',
    'related_party_document=98765432100',
    'related_party_role=LEGAL_REPRESENTATIVE',
    'metadata.channel=app',
    'count=true',
    `limit=1&cursor=${aliasPage.next_cursor ?? Buffer.from(alias.id).toString('base64url')}`,
  ]) {
    expect((await api.get(`/v1/aliases?${query}`)).status).toBe(200);
  }
  expect((await api.delete(`/v1/holders/${holder.id}`)).status).toBe(400); // live alias: refused
  expect((await api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(204);
  expect((await api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}?hard_delete=true`)).status).toBe(204);
  expect((await api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
  expect((await api.delete(`/v1/holders/${holder.id}?hard_delete=true`)).status).toBe(204);
  await exerciseDeletionRace({ crm, api, midaz }, spare.id);
  expect((await api.delete(`/v1/holders/${spare.id}?hard_delete=true`)).status).toBe(204);
}

/**
 * The protocol's other paths: a creation that cancels a deletion's mark, and a deletion that removes a
 * pending alias abandoned by a creation that died.
 */
async function exerciseDeletionRace({ crm, api, midaz }: Harness, holderId: string): Promise<void> {
  const tenant = { organizationId: api.organizationId };
  await crm.app.get(HolderDeletions).mark(api.organizationId, holderId); // a deletion that died
  const alias = (await api.post(`/v1/holders/${holderId}/aliases`, ledgerAccount(midaz, api))).body;
  expect((await api.delete(`/v1/holders/${holderId}/aliases/${alias.id}?hard_delete=true`)).status).toBe(204);
  const holder = await crm.app.get(HolderLinks).requireLive(tenant, holderId);
  const { ledgerId, accountId } = ledgerAccount(midaz, api);
  await crm.app
    .get(AliasAccountRepository)
    .createPending(
      api.organizationId,
      { holderId, ledgerId, accountId, type: holder.type, document: holder.document },
      'died',
    );
  jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 3 * 60_000); // long abandoned by then
  expect((await api.delete(`/v1/holders/${holderId}`)).status).toBe(204);
  jest.restoreAllMocks();
}
