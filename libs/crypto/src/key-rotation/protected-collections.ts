import { FieldProtector } from '../field-protector';

/**
 * The protectors of the collections an application registered with `protectedModel`: what a key
 * rotation has to walk. One instance per application (tests start several).
 */
export class ProtectedCollections {
  private readonly protectors = new Map<string, FieldProtector>();

  register(protector: FieldProtector): void {
    this.protectors.set(protector.collection, protector);
  }

  /** In a stable order (by collection name), so every run walks them the same way. */
  all(): FieldProtector[] {
    return [...this.protectors.values()].sort((a, b) => a.collection.localeCompare(b.collection));
  }
}
