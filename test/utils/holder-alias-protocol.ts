import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { AppConfig } from '@crm/config';
import { MetadataPersonalDataPolicy } from '@crm/personal-data';
import { AliasAccountLinks } from '../../apps/crm/src/alias-account/alias-account-links';
import { AliasAccountRepository } from '../../apps/crm/src/alias-account/alias-account.repository';
import { AliasAccountService } from '../../apps/crm/src/alias-account/alias-account.service';
import type { CreateAliasAccountDto } from '../../apps/crm/src/alias-account/dto/create-alias-account.dto';
import { HolderDeletions } from '../../apps/crm/src/holder/holder-deletions.repository';
import { HolderLinks } from '../../apps/crm/src/holder/holder-links';
import { HolderRepository } from '../../apps/crm/src/holder/holder.repository';
import { HolderService } from '../../apps/crm/src/holder/holder.service';
import { FakeMidazLedger } from '../fakes/midaz-ledger.fake';
import { schedules, StepExplorer } from './interleavings';

/** The stores the protocol runs on: the real repositories, or in-memory ones with the same atomic steps. */
export interface ProtocolStores {
  holders: HolderRepository;
  deletions: HolderDeletions;
  aliases: AliasAccountRepository;
}

/** What the explorer reads of the stored state after each step. */
export interface ProtocolState {
  /** Whether the holder is soft-deleted (or gone). */
  holderDeleted(): Promise<boolean>;
  /** Ids of the holder's confirmed (visible) aliases that are not deleted. */
  liveAliases(): Promise<string[]>;
}

/** A change of the protocol, to show that the exploration finds what it breaks. */
export interface Mutation {
  name: string;
  /** What the exploration reports against it. */
  breaks: RegExp;
  /** Replaces parts of the wiring of one run. */
  wire(parts: {
    links: HolderLinks;
    holders: HolderRepository;
    deletions: HolderDeletions;
    aliases: AliasAccountRepository;
  }): void;
}

export const MUTATIONS: Mutation[] = [
  {
    name: 'a deletion that leaves no mark on its holder',
    breaks: /a confirmed alias is live on a deleted holder/,
    wire: ({ deletions }) => {
      deletions.mark = () => Promise.resolve(randomUUID());
    },
  },
  {
    name: 'a creation that does not cancel the deletions under way',
    breaks: /a confirmed alias is live on a deleted holder/,
    wire: ({ links }) => {
      const holders = (links as unknown as { holders: HolderRepository }).holders;
      links.claimLink = async (tenant, holderId) => (await holders.stateOf(tenant.organizationId, holderId)) === 'live';
    },
  },
  {
    name: 'a deletion that does not wait for its decision',
    breaks: /a confirmed alias is live on a deleted holder/,
    wire: ({ deletions }) => {
      const settle = deletions.settle.bind(deletions);
      deletions.settle = async (organizationId, holderId, mark, wanted) =>
        wanted === 'delete' ? 'delete' : settle(organizationId, holderId, mark, wanted);
    },
  },
  {
    name: 'an alias written confirmed (no pending state)',
    breaks: /a confirmed alias is live on a deleted holder/,
    wire: ({ aliases }) => {
      const createPending = aliases.createPending.bind(aliases);
      aliases.createPending = async (organizationId, alias, pending) => {
        const created = await createPending(organizationId, alias, pending);
        await aliases.confirm(created, pending);
        return created;
      };
    },
  },
];

/** A repository's database operations: its methods, private ones included (an in-memory store names them alike). */
function operationsOf(repository: { prototype: object }): ReadonlySet<string> {
  return new Set(Object.getOwnPropertyNames(repository.prototype).filter((name) => name !== 'constructor'));
}

export interface ProtocolRun {
  tenant: { organizationId: string };
  holderId: string;
  stores: () => ProtocolStores;
  state: ProtocolState;
}

/**
 * Two alias creations and two deletions of one holder, interleaved step by step by fast-check, each
 * possibly killed before any step or seeing any call fail after it happened, and (when `reap`) with every
 * pending alias old enough to be removed as abandoned. After every step: never a confirmed, live alias on
 * a deleted holder. At the end: a 201 left its alias there, a 204 left its holder deleted.
 */
export function protocolProperty(setUp: () => Promise<ProtocolRun>, mutation?: Mutation) {
  return fc.asyncProperty(schedules(4), fc.boolean(), async ({ choices, faults }, reap) => {
    const run = await setUp();
    const explorer = new StepExplorer();
    const settings = { metadataPiiGuard: 'warn', maxPaginationLimit: 100 } as AppConfig;
    const outcomes: Array<{ kind: 'create' | 'delete'; status: number; id?: string; faulty: boolean }> = [];
    const processFor = (index: number) => {
      const taken = { steps: 0 };
      const stores = run.stores();
      // Each process sees the shared stores through objects of its own, which a mutation may change.
      const own = <T extends object>(store: T, operations: ReadonlySet<string>) =>
        explorer.gate(Object.create(store) as T, operations, index, faults[index], taken);
      const holders = own(stores.holders, operationsOf(HolderRepository));
      const deletions = own(stores.deletions, operationsOf(HolderDeletions));
      const aliases = own(stores.aliases, operationsOf(AliasAccountRepository));
      const links = new HolderLinks(holders, deletions);
      mutation?.wire({ links, holders, deletions, aliases });
      const holderService = new HolderService(
        holders,
        new MetadataPersonalDataPolicy(settings),
        settings,
        deletions,
        new AliasAccountLinks(aliases),
      );
      const aliasService = new AliasAccountService(
        aliases,
        links,
        new FakeMidazLedger() as never,
        new MetadataPersonalDataPolicy(settings),
        settings,
      );
      return { holderService, aliasService };
    };
    const body = () => ({ ledgerId: randomUUID(), accountId: randomUUID() }) as CreateAliasAccountDto;
    const answer = async (index: number, kind: 'create' | 'delete', work: () => Promise<{ id: string } | void>) => {
      const faulty = faults[index].failAt !== undefined;
      try {
        const created = await work();
        outcomes.push({ kind, status: kind === 'create' ? 201 : 204, id: created?.id, faulty });
      } catch (error) {
        outcomes.push({ kind, status: (error as { status?: number }).status ?? 500, faulty });
      }
    };
    const processes = [0, 1, 2, 3].map((index) => () => {
      const { holderService, aliasService } = processFor(index);
      return index < 2
        ? answer(index, 'create', () =>
            aliasService.create(run.tenant, run.holderId, body(), { requestId: `c${index}` }),
          )
        : answer(index, 'delete', () => holderService.delete(run.tenant, run.holderId, false));
    });
    const clock = reap ? jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 60 * 60_000) : undefined;
    try {
      await explorer.run(processes, choices, async () => {
        if ((await run.state.holderDeleted()) && (await run.state.liveAliases()).length > 0)
          throw new Error('a confirmed alias is live on a deleted holder');
      });
    } finally {
      clock?.mockRestore();
    }
    const live = await run.state.liveAliases();
    for (const outcome of outcomes) {
      // A process that saw a failed call may answer 500 (the failure is unknown to it); no other may.
      const failed = outcome.faulty ? [500] : [];
      if (outcome.kind === 'create') expect([201, 404, 409, ...failed]).toContain(outcome.status);
      else expect([204, 400, 404, ...failed]).toContain(outcome.status);
      if (outcome.status === 201) expect(live).toContain(outcome.id);
      if (outcome.status === 204) expect(await run.state.holderDeleted()).toBe(true);
    }
  });
}
