import { Injectable } from '@nestjs/common';
import type { TenantContext } from '@crm/http';
import { HolderAliases } from '../holder/holder-aliases.port';
import { AliasAccountRepository } from './alias-account.repository';

/** The aliases of a holder, as a holder deletion sees them (the port HolderModule declares). */
@Injectable()
export class AliasAccountLinks implements HolderAliases {
  constructor(private readonly aliases: AliasAccountRepository) {}

  anyLinking(tenant: TenantContext, holderId: string): Promise<boolean> {
    return this.aliases.linksHolder(tenant.organizationId, holderId);
  }

  removeAbandoned(tenant: TenantContext, holderId: string, before: Date): Promise<void> {
    return this.aliases.removePendingBefore(tenant.organizationId, holderId, before);
  }

  eraseAll(tenant: TenantContext, holderId: string): Promise<void> {
    return this.aliases.eraseOfHolder(tenant.organizationId, holderId);
  }
}
