import type { TenantContext } from '@crm/http';

/**
 * What a holder deletion needs to know of the aliases that link a holder, and may do to them. The alias
 * module provides it (AliasAccountModule): holders never read or write the alias collection.
 */
export abstract class HolderAliases {
  /** Whether an alias links the holder: a live one, or a pending one (a creation under way). */
  abstract anyLinking(tenant: TenantContext, holderId: string): Promise<boolean>;

  /** Removes the holder's pending aliases created before `before`: creations that died or stalled. */
  abstract removeAbandoned(tenant: TenantContext, holderId: string, before: Date): Promise<void>;

  /** Erases every alias record of the holder (they carry copies of its document). */
  abstract eraseAll(tenant: TenantContext, holderId: string): Promise<void>;
}
