import { Injectable } from '@nestjs/common';
import { CrmException } from '@crm/errors';
import type { TenantContext } from '@crm/http';
import { HolderDeletions } from './holder-deletions.repository';
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
 * Holder's API for the aliases that link it, and all they may know of holders. Exported by HolderModule;
 * aliases never touch the holder repository, schema or records. An alias creation asks `requireLive`
 * before anything else, writes its alias pending, then asks `claimLink` before it confirms the alias
 * (docs/adr/0003-holder-alias-integrity.md).
 */
@Injectable()
export class HolderLinks {
  constructor(
    private readonly holders: HolderRepository,
    private readonly deletions: HolderDeletions,
  ) {}

  /** What an alias copies from a live holder; 404 CRM-0006 unless the holder exists and is live. */
  async requireLive(tenant: TenantContext, holderId: string): Promise<LinkedHolder> {
    const holder = await this.holders.findById(tenant.organizationId, holderId);
    if (!holder) throw holderNotFound();
    return { id: holder._id, type: holder.type, document: holder.document };
  }

  /**
   * Once a pending alias of the holder is written: whether the alias may be confirmed. It may when the
   * holder is still live and every deletion under way on it is cancelled; a deletion already decided is
   * carried out instead (its attempt may have died before finishing), and the alias may not.
   */
  async claimLink(tenant: TenantContext, holderId: string): Promise<boolean> {
    const { organizationId } = tenant;
    for (const mark of await this.deletions.marksOf(organizationId, holderId)) {
      if ((await this.deletions.settle(organizationId, holderId, mark, 'cancel')) === 'delete') {
        await this.holders.softDelete(organizationId, holderId);
        await this.deletions.forgetHolder(organizationId, holderId).catch(() => undefined); // leftovers are harmless
        return false;
      }
      await this.deletions.unmark(organizationId, mark);
    }
    // Read after the marks: a deletion that carried the holder off before they were read shows here.
    return (await this.holders.stateOf(organizationId, holderId)) === 'live';
  }
}
