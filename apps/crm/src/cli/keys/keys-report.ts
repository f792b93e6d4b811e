import type { CollectionKeyReport, KeyReport, RotationSummary } from '@crm/crypto';

/** Human-readable renderings of the key commands' results: ids and counts only, never a value. */

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function keyLines(
  counts: CollectionKeyReport['encryptionKeys'],
  label: string,
  currentId: string,
  unit: string,
): string[] {
  return Object.entries(counts).map(
    ([id, count]) =>
      `    ${label} ${id}${id === currentId ? ' (current)' : ''}: ${plural(count.records, 'record')}, ${plural(count.values, unit)}`,
  );
}

export function renderStatus(report: KeyReport): string {
  const current = (kind: 'encryption' | 'hash') =>
    report.keys.find((key) => key.kind === kind && key.role === 'current')!.id;
  const lines = ['Configured keys:'];
  for (const key of report.keys) {
    const state =
      key.role === 'current'
        ? 'current'
        : key.removable
          ? 'previous, can be removed'
          : `previous, ${key.inUse ? 'still in use' : 'keep until nothing is unreadable'}`;
    lines.push(`  ${key.kind.padEnd(10)} ${key.id}  ${state}`);
  }
  lines.push('Collections:');
  for (const collection of report.collections) {
    lines.push(
      `  ${collection.collection}: ${plural(collection.records, 'record')}, ${collection.current} under the current keys, ${collection.unreadable.count} unreadable`,
    );
    lines.push(...keyLines(collection.encryptionKeys, 'encryption key', current('encryption'), 'value'));
    lines.push(...keyLines(collection.hashKeys, 'hash key', current('hash'), 'token'));
    if (collection.unreadable.count > 0) lines.push(`    unreadable ids: ${collection.unreadable.ids.join(', ')}`);
  }
  const canary = report.canary;
  lines.push(
    canary
      ? `Keyring canary: encryption key ${canary.encryption ?? '?'}, hash key ${canary.hashing ?? 'unknown'}${canary.current ? ' (current)' : ' (not under the current keys)'}`
      : 'Keyring canary: not written yet',
  );
  lines.push(`Previous keys can be removed: ${report.previousKeysRemovable ? 'yes' : 'no'}`);
  return `${lines.join('\n')}\n`;
}

/** Why the previous keys cannot go yet (empty when they can). */
export function blockers(report: KeyReport): string[] {
  const reasons: string[] = [];
  for (const collection of report.collections) {
    const stale = collection.records - collection.current - collection.unreadable.count;
    if (stale > 0)
      reasons.push(`${collection.collection}: ${plural(stale, 'record')} not under the current keys (run keys rotate)`);
    if (collection.unreadable.count > 0)
      reasons.push(
        `${collection.collection}: ${plural(collection.unreadable.count, 'unreadable record')}: ${collection.unreadable.ids.join(', ')}`,
      );
  }
  if (report.canary && !report.canary.current)
    reasons.push('keyring canary not under the current keys (a finished keys rotate re-seals it)');
  return reasons;
}

export function renderRotation(summary: RotationSummary): string {
  const verb = summary.dryRun ? 'would rewrite' : 'rewritten';
  const lines = [summary.dryRun ? 'Dry run: nothing was written.' : 'Key rotation finished.'];
  if (summary.tookOverLeaseOf)
    lines.push(`Took over the expired lease of ${summary.tookOverLeaseOf} (a run that stopped without releasing it).`);
  for (const rotation of summary.collections) {
    const resumed = rotation.resumedAfter ? ` (resumed after ${rotation.resumedAfter})` : '';
    lines.push(
      `  ${rotation.collection}: ${rotation.examined} examined, ${rotation.rewritten} ${verb}, ${rotation.alreadyCurrent} already current, ${rotation.goneMeanwhile} gone meanwhile, ${rotation.retried} retried, ${rotation.failed.count} failed${resumed}`,
    );
    for (const failure of rotation.failed.records) lines.push(`    failed: ${failure.id} (${failure.reason})`);
  }
  if (!summary.dryRun)
    lines.push(
      summary.canaryResealed
        ? 'Keyring canary re-sealed under the current keys.'
        : 'Keyring canary left as it was: some records failed.',
    );
  return `${lines.join('\n')}\n`;
}
