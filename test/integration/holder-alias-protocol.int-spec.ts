import fc from 'fast-check';
import { AliasAccountRepository } from '../../apps/crm/src/alias-account/alias-account.repository';
import { HolderDeletions } from '../../apps/crm/src/holder/holder-deletions.repository';
import { HolderRepository, NewHolder } from '../../apps/crm/src/holder/holder.repository';
import { naturalPerson } from '../factories/holders';
import { crmWithMidazForAll } from '../utils/crm-with-midaz';
import { MUTATIONS, ProtocolRun, protocolProperty } from '../utils/holder-alias-protocol';

/**
 * The exploration of apps/crm/src/holder/holder-alias-protocol.spec.ts, each step executed against the
 * real database through the service's own repositories: two creations and two deletions of one holder,
 * interleaved step by step, any of them killed before any step.
 */
describe('holder deletion vs alias creation against the real store: explored interleavings, with crashes', () => {
  const stack = crmWithMidazForAll();

  const realRun = async (): Promise<ProtocolRun> => {
    const tenant = { organizationId: stack.api.organizationId };
    const holders = stack.crm.app.get(HolderRepository);
    const holder = await holders.create(tenant.organizationId, naturalPerson<NewHolder>());
    const db = stack.connection.db!;
    return {
      tenant,
      holderId: holder._id,
      stores: () => ({
        holders,
        deletions: stack.crm.app.get(HolderDeletions),
        aliases: stack.crm.app.get(AliasAccountRepository),
      }),
      state: {
        holderDeleted: async () => {
          const stored = await db.collection('holders').findOne({ _id: holder._id as never });
          return stored === null || stored.deletedAt !== null;
        },
        liveAliases: async () =>
          (
            await db
              .collection('alias_accounts')
              .find({ holderId: holder._id, deletedAt: null, pending: null })
              .project({ _id: 1 })
              .toArray()
          ).map((alias) => String(alias._id)),
      },
    };
  };

  it('never leaves a confirmed alias live on a deleted holder; every answer tells the truth', async () => {
    await fc.assert(protocolProperty(realRun), { numRuns: 60 });
  }, 240_000);

  it('finds the violation of a creation that does not cancel the deletions under way', async () => {
    const mutation = MUTATIONS.find((candidate) => candidate.name.includes('does not cancel'))!;
    const result = await fc.check(protocolProperty(realRun, mutation), { numRuns: 200 });
    expect(result.failed).toBe(true);
    expect((result.errorInstance as Error).message).toMatch(mutation.breaks);
  }, 240_000);
});
