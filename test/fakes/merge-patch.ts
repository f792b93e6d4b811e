import { mergePatch } from '@crm/persistence';

/** Applies a JSON merge patch in place as ScopedStore.patch does: each patched top-level key takes its merged value, absent once nulled. */
export function applyPatchInPlace<T extends object>(record: T, patch: Record<string, unknown>): void {
  const merged = mergePatch(record, patch) as Record<string, unknown>;
  const fields = record as Record<string, unknown>;
  for (const key of Object.keys(patch)) {
    if (merged[key] === undefined) delete fields[key];
    else fields[key] = merged[key];
  }
}
