import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { InMemoryAliasAccountRepository } from '../../../../test/fakes/alias-account-repository.fake';
import { InMemoryHolderDeletions } from '../../../../test/fakes/holder-deletions.fake';
import { InMemoryHolderRepository } from '../../../../test/fakes/holder-repository.fake';
import { naturalPerson } from '../../../../test/factories/holders';
import { Mutation, MUTATIONS, ProtocolRun, protocolProperty } from '../../../../test/utils/holder-alias-protocol';
import type { NewHolder } from './holder.repository';

/**
 * Holder deletion against alias creation, on in-memory stores whose every call is one atomic step (as a
 * single-document write or read is in MongoDB): fast-check interleaves two creations and two deletions
 * step by step, kills any of them before any step, makes any call fail after it happened, and lets
 * deletions remove pending aliases as abandoned. The schedules are random, not exhaustive: a violation
 * that needs a long, precise interleaving may escape them, which is why the protocol's argument is
 * written out in docs/adr/0003-holder-alias-integrity.md. test/integration/holder-alias-protocol.int-spec.ts
 * runs the same exploration against the real database.
 */
async function inMemoryRun(): Promise<ProtocolRun> {
  const tenant = { organizationId: randomUUID() };
  const holders = new InMemoryHolderRepository();
  const deletions = new InMemoryHolderDeletions();
  const aliases = new InMemoryAliasAccountRepository();
  const holder = await holders.create(tenant.organizationId, naturalPerson<NewHolder>());
  return {
    tenant,
    holderId: holder._id,
    stores: () => ({ holders, deletions, aliases }) as never,
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
    await fc.assert(protocolProperty(inMemoryRun), { numRuns: 5000 });
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
