import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { AppConfig } from '@crm/config';
import { MetadataPersonalDataPolicy } from '@crm/personal-data';
import { AliasAccountLinks } from '../../apps/crm/src/alias-account/alias-account-links';
import type { AliasAccountRepository } from '../../apps/crm/src/alias-account/alias-account.repository';
import { AliasAccountService } from '../../apps/crm/src/alias-account/alias-account.service';
import type { CreateAliasAccountDto } from '../../apps/crm/src/alias-account/dto/create-alias-account.dto';
import type { DeletionDecisions } from '../../apps/crm/src/holder/deletion-decisions.repository';
import { HolderLinks } from '../../apps/crm/src/holder/holder-links';
import type { HolderRepository } from '../../apps/crm/src/holder/holder.repository';
import { HolderService } from '../../apps/crm/src/holder/holder.service';
import { FakeMidazLedger } from '../fakes/midaz-ledger.fake';
import { schedules, StepExplorer } from './interleavings';

/** The stores the protocol runs on: the real repositories, or in-memory ones with the same atomic steps. */
export interface ProtocolStores {
  holders: HolderRepository;
  decisions: DeletionDecisions;
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
    decisions: DeletionDecisions;
    aliases: AliasAccountRepository;
  }): void;
}

export const MUTATIONS: Mutation[] = [
  {
    name: 'a deletion that leaves no mark on its holder',
    breaks: /a confirmed alias is live on a deleted holder/,
    wire: ({ holders }) => {
      holders.addDeletionMark = async (organizationId, id) => (await holders.linkState(organizationId, id)).live;
    },
  },
  {
    name: 'a creation that does not cancel the deletions under way',
    breaks: /a confirmed alias is live on a deleted holder/,
    wire: ({ links }) => {
      const holders = (links as unknown as { holders: HolderRepository }).holders;
      links.claimLink = async (tenant, holderId) => (await holders.linkState(tenant.organizationId, holderId)).live;
    },
  },
  {
    name: 'a deletion that does not wait for its decision',
    breaks: /a confirmed alias is live on a deleted holder/,
    wire: ({ decisions }) => {
      const settle = decisions.settle.bind(decisions);
      decisions.settle = async (organizationId, holderId, mark, wanted) =>
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
        await aliases.confirm(organizationId, alias.holderId, created._id, pending);
        return created;
      };
    },
  },
];

export interface ProtocolRun {
  tenant: { organizationId: string };
  holderId: string;
  stores: () => ProtocolStores;
  state: ProtocolState;
}

/**
 * Two alias creations and two deletions of one holder, interleaved step by step by fast-check, each
 * possibly killed before any step, and (when `reap`) with every pending alias old enough to be removed as
 * abandoned by a deletion. After every step: never a confirmed, live alias on a deleted holder. At the
 * end: a 201 left its alias there, a 204 left its holder deleted.
 */
export function protocolProperty(setUp: () => Promise<ProtocolRun>, mutation?: Mutation) {
  return fc.asyncProperty(schedules(4), fc.boolean(), async ({ choices, crashes }, reap) => {
    const run = await setUp();
    const explorer = new StepExplorer();
    const settings = { metadataPiiGuard: 'warn', maxPaginationLimit: 100 } as AppConfig;
    const outcomes: Array<{ kind: 'create' | 'delete'; status: number; id?: string }> = [];
    const processFor = (index: number) => {
      const taken = { steps: 0 };
      const stores = run.stores();
      // Each process sees the shared stores through objects of its own, which a mutation may change.
      const own = <T extends object>(store: T) =>
        explorer.gate(Object.create(store) as T, index, crashes[index], taken);
      const holders = own(stores.holders);
      const decisions = own(stores.decisions);
      const aliases = own(stores.aliases);
      const links = new HolderLinks(holders, decisions);
      mutation?.wire({ links, holders, decisions, aliases });
      const holderService = new HolderService(
        holders,
        new MetadataPersonalDataPolicy(settings),
        settings,
        decisions,
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
    const answer = async (kind: 'create' | 'delete', work: () => Promise<{ id: string } | void>) => {
      try {
        const created = await work();
        outcomes.push({ kind, status: kind === 'create' ? 201 : 204, id: created?.id });
      } catch (error) {
        outcomes.push({ kind, status: (error as { status?: number }).status ?? 500 });
      }
    };
    const processes = [0, 1, 2, 3].map((index) => () => {
      const { holderService, aliasService } = processFor(index);
      return index < 2
        ? answer('create', () => aliasService.create(run.tenant, run.holderId, body(), { requestId: `c${index}` }))
        : answer('delete', () => holderService.delete(run.tenant, run.holderId, false));
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
      if (outcome.kind === 'create') expect([201, 404, 409]).toContain(outcome.status);
      else expect([204, 400, 404]).toContain(outcome.status);
      if (outcome.status === 201) expect(live).toContain(outcome.id);
      if (outcome.status === 204) expect(await run.state.holderDeleted()).toBe(true);
    }
  });
}
