import { Injectable } from '@nestjs/common';
import type { TenantContext } from '@crm/http';

/** Answers whether a holder may be deleted; throws the refusal (e.g. 400 CRM-0017) when not. */
export type HolderDeletionCheck = (tenant: TenantContext, holderId: string) => Promise<void>;

/**
 * Other modules veto holder deletion through here (alias accounts register "no active aliases"),
 * so the holder module needs no knowledge of them and no circular import arises.
 */
@Injectable()
export class HolderDeletionChecks {
  private readonly checks: HolderDeletionCheck[] = [];

  register(check: HolderDeletionCheck): void {
    this.checks.push(check);
  }

  async assertDeletable(tenant: TenantContext, holderId: string): Promise<void> {
    for (const check of this.checks) await check(tenant, holderId);
  }
}
