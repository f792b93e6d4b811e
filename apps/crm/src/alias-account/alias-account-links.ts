import { Injectable } from '@nestjs/common';
import type { TenantContext } from '@crm/http';
import { HolderAliases } from '../holder/holder-aliases.port';
import { abandonedBefore } from './abandoned-creations';
import { AliasAccountRepository } from './alias-account.repository';

/** The aliases of a holder, as a holder deletion sees them (the port HolderModule declares). */
@Injectable()
export class AliasAccountLinks implements HolderAliases {
  constructor(private readonly aliases: AliasAccountRepository) {}

  async anyLinking(tenant: TenantContext, holderId: string): Promise<boolean> {
    if (!(await this.aliases.linksHolder(tenant.organizationId, holderId))) return false;
    await this.aliases.removePendingBefore(tenant.organizationId, { holderId }, abandonedBefore());
    return this.aliases.linksHolder(tenant.organizationId, holderId);
  }

  eraseAll(tenant: TenantContext, holderId: string): Promise<void> {
    return this.aliases.eraseOfHolder(tenant.organizationId, holderId);
  }
}
