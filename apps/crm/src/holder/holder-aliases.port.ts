import type { TenantContext } from '@crm/http';

/**
 * What a holder deletion needs to know of the aliases that link a holder, and may do to them. The alias
 * module provides it (AliasAccountModule): holders never read or write the alias collection.
 */
export abstract class HolderAliases {
  /**
   * Whether an alias links the holder: a live one, or a pending one (a creation under way). Pending
   * aliases of creations abandoned long ago are removed first: they never count.
   */
  abstract anyLinking(tenant: TenantContext, holderId: string): Promise<boolean>;

  /** Erases every alias record of the holder (they carry copies of its document). */
  abstract eraseAll(tenant: TenantContext, holderId: string): Promise<void>;
}
