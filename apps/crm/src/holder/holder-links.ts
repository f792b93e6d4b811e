import { Injectable } from '@nestjs/common';
import { CrmException } from '@crm/errors';
import type { TenantContext } from '@crm/http';
import { LOST_SLOT_AGE_MS, SlotClock } from './alias-slots';
import { HolderRepository } from './holder.repository';
import type { HolderType } from './holder.schema';

/** What an alias copies from its holder when it is created. */
export interface LinkedHolder {
  id: string;
  type: HolderType;
  document: string;
}

/** A live-alias slot on a holder, as its release needs it (see `releaseAlias`). */
export interface AliasSlotRef {
  holderId: string;
  /** The holder's count of corrections when the alias change began. */
  recounts?: number;
}

/** A live-alias slot reserved on a holder for an alias about to be written (see `keepAlias`). */
export interface AliasSlot extends AliasSlotRef {
  reservedAt: number;
  /** The stamp the reservation replaced (none: the holder had none), for `abandonAlias`. */
  stampBefore?: Date;
  /** The counter's version just after the reservation, for `abandonAlias`. */
  reservedVersion: number;
}

const holderNotFound = () => new CrmException('CRM-0006', { entityType: 'Holder' });

/**
 * Holder's API for the aliases that link it, and all they may know of holders: whether one is live, and
 * its count of live aliases (which holder deletion relies on). Exported by HolderModule; aliases never
 * touch the holder repository, schema or records.
 */
@Injectable()
export class HolderLinks {
  constructor(
    private readonly holders: HolderRepository,
    private readonly clock: SlotClock,
  ) {}

  /** 404 CRM-0006 unless the holder exists and is live. */
  async requireLive(tenant: TenantContext, holderId: string): Promise<void> {
    if (!(await this.holders.findById(tenant.organizationId, holderId))) throw holderNotFound();
  }

  /**
   * Just before an alias is written: counts one more live alias on the holder (atomically, only while
   * it is live) and returns what the alias copies; 404 CRM-0006 when it was deleted meanwhile.
   */
  async reserveAlias(tenant: TenantContext, holderId: string): Promise<{ holder: LinkedHolder; slot: AliasSlot }> {
    const reservedAt = this.clock.now();
    const holder = await this.holders.reserveAliasSlot(tenant.organizationId, holderId, new Date(reservedAt));
    if (!holder) throw holderNotFound();
    return {
      holder: { id: holder._id, type: holder.type, document: holder.document },
      slot: {
        holderId,
        reservedAt,
        recounts: holder.aliasRecounts,
        stampBefore: holder.aliasChangeStartedAt,
        reservedVersion: (holder.aliasCountVersion ?? 0) + 1,
      },
    };
  }

  /**
   * Just after the alias is written: whether its slot still counts it. Only a holder deletion that found
   * no live alias LOST_SLOT_AGE_MS after the last alias change began takes slots back (HolderService
   * .delete): an alias written within half that time was there to be found, and this costs no round trip.
   * A slower one checks that no correction happened since its reservation, and reserves again if one did:
   * false when the holder is gone by then, and the caller removes its alias.
   */
  async keepAlias(tenant: TenantContext, slot: AliasSlot): Promise<boolean> {
    if (this.clock.now() - slot.reservedAt < LOST_SLOT_AGE_MS / 2) return true;
    if (await this.holders.keepAliasSlot(tenant.organizationId, slot.holderId, slot.recounts)) return true;
    const holder = await this.holders.reserveAliasSlot(
      tenant.organizationId,
      slot.holderId,
      new Date(this.clock.now()),
    );
    return holder !== null;
  }

  /**
   * Before a live alias of the holder is deleted: its slot, for the release. A read, not a write: should a
   * holder deletion find the alias gone before the release lands, it may count the alias out at once (its
   * correction counts one more), and the release then lowers nothing (see `releaseAlias`).
   */
  async beginAliasRemoval(tenant: TenantContext, holderId: string): Promise<AliasSlotRef> {
    return { holderId, recounts: await this.holders.aliasRecountsOf(tenant.organizationId, holderId) };
  }

  /**
   * The slot's alias stopped being live (deleted): the slot goes, unless a correction since took it back
   * already (the holder's count of corrections moved).
   */
  releaseAlias(tenant: TenantContext, slot: AliasSlotRef): Promise<void> {
    return this.holders.releaseAliasSlot(tenant.organizationId, slot.holderId, slot.recounts);
  }

  /**
   * The alias of a reserved slot was never written (refused as a duplicate, or its write failed): the slot
   * goes as a release does, and so does its stamp, unless another change came since (the version moved
   * past the release's), so that a refused creation does not hold back for LOST_SLOT_AGE_MS the
   * correction of a count a crash left. The stamp's return is best-effort: left in place, it only delays
   * such a correction, and the creation's own error is what its caller must get.
   */
  async abandonAlias(tenant: TenantContext, slot: AliasSlot): Promise<void> {
    await this.releaseAlias(tenant, slot);
    await this.holders
      .restoreAliasStamp(tenant.organizationId, slot.holderId, {
        stamped: new Date(slot.reservedAt),
        version: slot.reservedVersion + 1,
        previous: slot.stampBefore,
      })
      .catch(() => undefined);
  }
}
