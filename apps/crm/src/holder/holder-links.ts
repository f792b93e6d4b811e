import { Injectable } from '@nestjs/common';
import { CrmException } from '@crm/errors';
import type { TenantContext } from '@crm/http';
import { HolderRepository } from './holder.repository';
import type { HolderType } from './holder.schema';

/** What an alias copies from its holder when it is created. */
export interface LinkedHolder {
  id: string;
  type: HolderType;
  document: string;
}

const holderNotFound = () => new CrmException('CRM-0006', { entityType: 'Holder' });

/**
 * Holder's API for the aliases that link it, and all they may know of holders: whether one is live, and
 * its count of live aliases (which holder deletion relies on). Exported by HolderModule; aliases never
 * touch the holder repository, schema or records.
 */
@Injectable()
export class HolderLinks {
  constructor(private readonly holders: HolderRepository) {}

  /** 404 CRM-0006 unless the holder exists and is live. */
  async requireLive(tenant: TenantContext, holderId: string): Promise<void> {
    if (!(await this.holders.findById(tenant.organizationId, holderId))) throw holderNotFound();
  }

  /**
   * Just before an alias is written: counts one more live alias on the holder (atomically, only while
   * it is live) and returns what the alias copies; 404 CRM-0006 when it was deleted meanwhile.
   */
  async reserveAlias(tenant: TenantContext, holderId: string): Promise<LinkedHolder> {
    const holder = await this.holders.reserveAliasSlot(tenant.organizationId, holderId);
    if (!holder) throw holderNotFound();
    return { id: holder._id, type: holder.type, document: holder.document };
  }

  /** An alias stopped being live (deleted, or its creation failed after `reserveAlias`). */
  releaseAlias(tenant: TenantContext, holderId: string): Promise<void> {
    return this.holders.releaseAliasSlot(tenant.organizationId, holderId);
  }
}
