import type { AppConfig } from '@crm/config';
import { canonicalIdentifier } from '@crm/documents';
import type { AliasAccountRecord } from '../../alias-account/alias-account.schema';
import { aliasProblems, holderProblems } from './lerian-import.rules';
import { LegacyDecryptionError, LerianLegacyCipher } from './lerian-legacy-cipher';
import {
  aliasFromLegacy,
  holderFromLegacy,
  LegacyDocument,
  LegacyShapeError,
  reportedId,
} from './lerian-record.mapper';
import { LerianSource } from './lerian-source';

/** What to do with live records our rules allow only once (same document; same account id, in any ledger). */
export type ConflictPolicy = 'report' | 'keep-first' | 'soft-delete-rest';

export interface Listed {
  id: string;
  reason: string;
}

/** What the import does with each source record of one entity of one organization. */
export class EntityPlan {
  read = 0;
  /** Records that are not imported, with why. */
  readonly skipped = new Map<string, string>();
  /** Records that could not even be read (do not decrypt, no UUID id…). */
  readonly unreadable = new Map<string, string>();
  /** Live records imported soft-deleted, with the date and why (`--on-conflict=soft-delete-rest`). */
  readonly softDeleted = new Map<string, { at: Date; reason: string }>();

  importable(id: string): boolean {
    return !this.skipped.has(id) && !this.unreadable.has(id);
  }
}

export interface OrganizationPlan {
  organizationId: string;
  holders: EntityPlan;
  aliases: EntityPlan;
}

interface LiveCandidate {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A record read from the source: ours, decrypted; or why it cannot be read. */
type ReadRecord<T> = { id: string; record: T } | { id: string; unreadable: string };

/** A reason names our own errors, which carry field names only; any other error by its class alone. */
const reasonOf = (error: unknown, doing: string) =>
  error instanceof LegacyDecryptionError || error instanceof LegacyShapeError
    ? error.message
    : `${doing} failed (${(error as Error | undefined)?.name ?? 'error'})`;

/** Maps one raw document, turning a value that cannot be read into a reason (never the value). */
function readRecord<T extends { _id: string }>(raw: LegacyDocument, map: (raw: LegacyDocument) => T): ReadRecord<T> {
  try {
    const record = map(raw);
    return { id: record._id, record };
  } catch (error) {
    return { id: reportedId(raw), unreadable: reasonOf(error, 'reading') };
  }
}

/** Our rules as a list of reasons; a value no rule expected refuses its record rather than ending the run. */
async function judged(problems: () => Promise<string[]>): Promise<string[]> {
  try {
    return await problems();
  } catch (error) {
    return [reasonOf(error, 'validation')];
  }
}

export const readers = (organizationId: string, cipher: LerianLegacyCipher) => ({
  holders: (raw: LegacyDocument) => readRecord(raw, (doc) => holderFromLegacy(doc, organizationId, cipher)),
  aliases: (raw: LegacyDocument) => readRecord(raw, (doc) => aliasFromLegacy(doc, organizationId, cipher)),
});

/** Earliest created first; ties by id. */
const byCreation = (a: LiveCandidate, b: LiveCandidate) =>
  a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);

/**
 * Settles groups of live records that our rules allow only once. `report` skips the whole group
 * (the operator decides); `keep-first` imports the earliest created; `soft-delete-rest` also imports
 * the others, soft-deleted at their last update (a date that is the same on every run).
 */
function settleGroups(
  groups: Map<string, LiveCandidate[]>,
  plan: EntityPlan,
  policy: ConflictPolicy,
  what: string,
  entity: string,
): void {
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    members.sort(byCreation);
    const [first, ...rest] = members;
    if (policy === 'report') {
      for (const member of members)
        plan.skipped.set(
          member.id,
          `${what}: live ${entity} ${members
            .filter((other) => other !== member)
            .map((other) => other.id)
            .join(', ')} too`,
        );
      continue;
    }
    for (const member of rest) {
      const reason = `${what} as live ${entity} ${first.id}, kept as the first created`;
      if (policy === 'keep-first') plan.skipped.set(member.id, reason);
      else plan.softDeleted.set(member.id, { at: member.updatedAt, reason });
    }
  }
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** An alias is imported only under a holder that is imported too. */
function holderReferenceProblems(alias: AliasAccountRecord, holders: Map<string, unknown>, plan: EntityPlan): string[] {
  if (!holders.has(alias.holderId) && !plan.unreadable.has(alias.holderId))
    return [`holder ${alias.holderId} is not in the source`];
  return plan.importable(alias.holderId) ? [] : [`holder ${alias.holderId} is not imported`];
}

/** Each record of a collection, counted as read; the unreadable ones are noted in the plan and not yielded. */
async function* readable<T extends { _id: string }>(
  raws: AsyncIterable<LegacyDocument>,
  read: (raw: LegacyDocument) => ReadRecord<T>,
  plan: EntityPlan,
): AsyncGenerator<T> {
  for await (const raw of raws) {
    plan.read += 1;
    const result = read(raw);
    if ('unreadable' in result) plan.unreadable.set(result.id, result.unreadable);
    else yield result.record;
  }
}

interface PlanContext {
  source: LerianSource;
  cipher: LerianLegacyCipher;
  config: AppConfig;
  policy: ConflictPolicy;
  batchSize: number;
}

/** Judges every holder; returns the deletion date (or null) of each readable one, for judging aliases. */
async function planHolders(plan: OrganizationPlan, context: PlanContext): Promise<Map<string, Date | null>> {
  const deletedAt = new Map<string, Date | null>();
  const byDocument = new Map<string, LiveCandidate[]>();
  const read = readers(plan.organizationId, context.cipher).holders;
  for await (const holder of readable(
    context.source.documents('holders', plan.organizationId, context.batchSize),
    read,
    plan.holders,
  )) {
    deletedAt.set(holder._id, holder.deletedAt);
    const problems = await judged(() => holderProblems(holder, context.config));
    if (problems.length > 0) plan.holders.skipped.set(holder._id, problems.join('; '));
    else if (!holder.deletedAt)
      addTo(byDocument, canonicalIdentifier(holder.document), {
        id: holder._id,
        createdAt: holder.createdAt,
        updatedAt: holder.updatedAt,
      });
  }
  settleGroups(byDocument, plan.holders, context.policy, 'same normalized document', 'holder');
  return deletedAt;
}

/** Judges every alias against our rules and its holder's fate; counts each holder's live aliases. */
async function planAliases(
  plan: OrganizationPlan,
  context: PlanContext,
  holderDeletedAt: Map<string, Date | null>,
): Promise<void> {
  const byAccount = new Map<string, LiveCandidate[]>();
  const read = readers(plan.organizationId, context.cipher).aliases;
  for await (const alias of readable(
    context.source.documents('aliases', plan.organizationId, context.batchSize),
    read,
    plan.aliases,
  )) {
    const problems = await judged(async () => [
      ...(await aliasProblems(alias, context.config)),
      ...holderReferenceProblems(alias, holderDeletedAt, plan.holders),
    ]);
    if (problems.length > 0) {
      plan.aliases.skipped.set(alias._id, problems.join('; '));
      continue;
    }
    if (alias.deletedAt) continue;
    // Our rules keep no live alias under a deleted holder (a holder is deleted only once it has none).
    const holderDeleted = holderDeletedAt.get(alias.holderId) ?? plan.holders.softDeleted.get(alias.holderId)?.at;
    if (holderDeleted) {
      const reason = `live alias of deleted holder ${alias.holderId}`;
      if (context.policy === 'soft-delete-rest')
        plan.aliases.softDeleted.set(alias._id, {
          at: holderDeleted > alias.createdAt ? holderDeleted : alias.updatedAt,
          reason,
        });
      else plan.aliases.skipped.set(alias._id, reason);
      continue;
    }
    // One live alias per account id in the organization, whatever the ledger (the unique index's rule).
    addTo(byAccount, alias.accountId, { id: alias._id, createdAt: alias.createdAt, updatedAt: alias.updatedAt });
  }
  settleGroups(byAccount, plan.aliases, context.policy, 'same account id', 'alias');
}

/** Builds the plan of one organization: every record is read and judged before anything is written. */
export async function planOrganization(
  source: LerianSource,
  organizationId: string,
  cipher: LerianLegacyCipher,
  config: AppConfig,
  policy: ConflictPolicy,
  batchSize: number,
): Promise<OrganizationPlan> {
  const plan: OrganizationPlan = {
    organizationId,
    holders: new EntityPlan(),
    aliases: new EntityPlan(),
  };
  const context: PlanContext = { source, cipher, config, policy, batchSize };
  await planAliases(plan, context, await planHolders(plan, context));
  return plan;
}
