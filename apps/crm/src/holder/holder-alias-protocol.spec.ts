import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { InMemoryAliasAccountRepository } from '../../../../test/fakes/alias-account-repository.fake';
import { InMemoryDeletionDecisions } from '../../../../test/fakes/deletion-decisions.fake';
import { InMemoryHolderRepository } from '../../../../test/fakes/holder-repository.fake';
import { naturalPerson } from '../../../../test/factories/holders';
import { Mutation, MUTATIONS, ProtocolRun, protocolProperty } from '../../../../test/utils/holder-alias-protocol';
import type { NewHolder } from './holder.repository';

/**
 * Holder deletion against alias creation, on in-memory stores whose every call is one atomic step (as a
 * single-document write or read is in MongoDB): fast-check interleaves two creations and two deletions
 * step by step, kills any of them before any step, and lets deletions remove pending aliases as
 * abandoned at any moment. test/integration/holder-alias-protocol.int-spec.ts runs the same exploration
 * against the real database.
 */
async function inMemoryRun(): Promise<ProtocolRun> {
  const tenant = { organizationId: randomUUID() };
  const holders = new InMemoryHolderRepository();
  const decisions = new InMemoryDeletionDecisions();
  const aliases = new InMemoryAliasAccountRepository();
  const holder = await holders.create(tenant.organizationId, naturalPerson<NewHolder>());
  return {
    tenant,
    holderId: holder._id,
    stores: () => ({ holders, decisions, aliases }) as never,
    state: {
      holderDeleted: () => Promise.resolve(holders.records.get(holder._id)?.deletedAt !== null),
      liveAliases: () =>
        Promise.resolve(
          [...aliases.records.values()]
            .filter((alias) => alias.holderId === holder._id && alias.pending === undefined && !alias.deletedAt)
            .map((alias) => alias._id),
        ),
    },
  };
}

describe('holder deletion vs alias creation: every explored interleaving, with crashes', () => {
  it('never leaves a confirmed alias live on a deleted holder; every answer tells the truth', async () => {
    await fc.assert(protocolProperty(inMemoryRun), { numRuns: 1500 });
  });

  // Each mutation drops one step of the protocol: the same exploration must find what it breaks, which
  // shows that the property above can fail.
  it.each(MUTATIONS.map((mutation) => [mutation.name, mutation] as [string, Mutation]))(
    'finds the violation of %s',
    async (_name, mutation) => {
      const result = await fc.check(protocolProperty(inMemoryRun, mutation), { numRuns: 1500 });
      expect(result.failed).toBe(true);
      expect((result.errorInstance as Error).message).toMatch(mutation.breaks);
    },
  );
});
