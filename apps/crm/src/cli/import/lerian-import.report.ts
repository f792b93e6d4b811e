import type { Listed, OrganizationPlan } from './lerian-import.plan';

/** Outcome of writing one entity of one organization. */
export interface WriteTally {
  imported: number;
  alreadyPresent: number;
  failed: Listed[];
}

export const emptyTally = (): WriteTally => ({ imported: 0, alreadyPresent: 0, failed: [] });

export interface OrganizationOutcome {
  plan: OrganizationPlan;
  holders: WriteTally;
  aliases: WriteTally;
}

const ENTITY_NAME = { holders: 'holder', aliases: 'alias' } as const;

/**
 * The final report, per organization: counts, then every record not imported as it was, by id and
 * reason. Reasons name fields and codes, never a value.
 */
export function formatReport(outcomes: OrganizationOutcome[], dryRun: boolean): string {
  const lines: string[] = [];
  for (const { plan, ...tallies } of outcomes) {
    lines.push(`organization ${plan.organizationId}${dryRun ? ' (dry run: nothing written)' : ''}`);
    for (const entity of ['holders', 'aliases'] as const) {
      const planned = plan[entity];
      const tally = tallies[entity];
      const failed = [...[...planned.unreadable].map(([id, reason]) => ({ id, reason })), ...tally.failed];
      lines.push(
        `  ${entity.padEnd(8)} read ${planned.read}, ${dryRun ? 'to import' : 'imported'} ${tally.imported}, already present ${tally.alreadyPresent}, ` +
          `skipped ${planned.skipped.size}, failed ${failed.length}${planned.softDeleted.size > 0 ? `, soft-deleted by the import ${planned.softDeleted.size}` : ''}`,
      );
      for (const [id, reason] of planned.skipped) lines.push(`    skipped ${ENTITY_NAME[entity]} ${id}: ${reason}`);
      for (const [id, { reason }] of planned.softDeleted)
        lines.push(`    soft-deleted ${ENTITY_NAME[entity]} ${id}: ${reason}`);
      for (const { id, reason } of failed) lines.push(`    failed ${ENTITY_NAME[entity]} ${id}: ${reason}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** 0: everything imported (or already there); 3: done, but records were skipped; 1: records failed. */
export function exitCodeOf(outcomes: OrganizationOutcome[]): number {
  const failed = outcomes.some(
    ({ plan, holders, aliases }) =>
      holders.failed.length + aliases.failed.length + plan.holders.unreadable.size + plan.aliases.unreadable.size > 0,
  );
  if (failed) return 1;
  return outcomes.some(({ plan }) => plan.holders.skipped.size + plan.aliases.skipped.size > 0) ? 3 : 0;
}
