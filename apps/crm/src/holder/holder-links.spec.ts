import { CrmException } from '@crm/errors';
import { InMemoryHolderRepository } from '../../../../test/fakes/holder-repository.fake';
import { LOST_SLOT_AGE_MS, SlotClock } from './alias-slots';
import { HolderLinks } from './holder-links';
import type { HolderRepository } from './holder.repository';

const tenant = { organizationId: 'org-1' };
const holderNotFound = expect.objectContaining({ code: 'CRM-0006' }) as CrmException;

/** HolderLinks over the in-memory repository, with one live and one soft-deleted holder. */
async function setUp() {
  const repository = new InMemoryHolderRepository();
  const clock = new SlotClock();
  const links = new HolderLinks(repository as unknown as HolderRepository, clock);
  const live = await repository.create(tenant.organizationId, {
    type: 'NATURAL_PERSON',
    name: 'Ana Souza',
    document: '52998224725',
    contact: { primaryEmail: 'ana@example.com' },
  });
  const deleted = await repository.create(tenant.organizationId, {
    type: 'NATURAL_PERSON',
    name: 'Bruno Lima',
    document: '39053344705',
  });
  expect(await repository.softDeleteWithoutLiveAliases(tenant.organizationId, deleted._id)).toBe(true);
  const slots = (id: string) => repository.records.get(id)!.liveAliasCount;
  /** Makes the slot clock read `ms` past the real one. */
  const later = (ms: number) => jest.spyOn(clock, 'now').mockReturnValue(Date.now() + ms);
  return { repository, links, live, deleted, slots, later };
}

describe('HolderLinks: what aliases may know of holders', () => {
  it('requires a live holder: passes for one, 404 CRM-0006 otherwise', async () => {
    const { links, live, deleted } = await setUp();
    await expect(links.requireLive(tenant, live._id)).resolves.toBeUndefined();
    await expect(links.requireLive(tenant, deleted._id)).rejects.toEqual(holderNotFound);
    await expect(links.requireLive(tenant, 'unknown')).rejects.toEqual(holderNotFound);
  });

  it('reserves a slot and hands over only what an alias copies (no name, contact or counter)', async () => {
    const { links, live, slots } = await setUp();
    expect(await links.reserveAlias(tenant, live._id)).toEqual({
      holder: { id: live._id, type: live.type, document: live.document },
      slot: { holderId: live._id, reservedAt: expect.any(Number), reservedVersion: 1 },
    });
    expect(slots(live._id)).toBe(1);
  });

  it('refuses a slot on a holder that is not live, counting nothing', async () => {
    const { links, deleted, slots } = await setUp();
    await expect(links.reserveAlias(tenant, deleted._id)).rejects.toEqual(holderNotFound);
    expect(slots(deleted._id)).toBe(0);
  });

  it('releases a slot', async () => {
    const { links, live, slots } = await setUp();
    const { slot } = await links.reserveAlias(tenant, live._id);
    await links.releaseAlias(tenant, slot);
    expect(slots(live._id)).toBe(0);
  });

  it("an alias removal reads the holder's corrections, writing nothing; its release after a correction lowers nothing", async () => {
    const { repository, links, live, slots } = await setUp();
    await links.reserveAlias(tenant, live._id);
    const before = structuredClone(repository.records.get(live._id));
    const removal = await links.beginAliasRemoval(tenant, live._id);
    expect(removal).toEqual({ holderId: live._id, recounts: undefined });
    expect(repository.records.get(live._id)).toEqual(before);
    // A correction counts the alias out, and a creation reserves since: the late release leaves its slot.
    expect(await repository.resetAliasSlots(tenant.organizationId, repository.records.get(live._id)!)).toBe(true);
    const { slot: since } = await links.reserveAlias(tenant, live._id);
    await links.releaseAlias(tenant, removal);
    expect(slots(live._id)).toBe(1);
    // The control: a removal begun after the correction does release.
    await links.releaseAlias(tenant, await links.beginAliasRemoval(tenant, live._id));
    expect(slots(live._id)).toBe(0);
    expect(since.recounts).toBe(1);
  });

  describe('abandoning a slot whose alias was never written', () => {
    const stampOf = (repository: InMemoryHolderRepository, id: string) =>
      repository.records.get(id)!.aliasChangeStartedAt;

    it('releases it and puts back the stamp it replaced', async () => {
      const { repository, links, live, slots, later } = await setUp();
      await links.reserveAlias(tenant, live._id); // an earlier creation, still under way
      const earlier = stampOf(repository, live._id);
      later(1000);
      const { slot } = await links.reserveAlias(tenant, live._id);
      expect(stampOf(repository, live._id)).not.toEqual(earlier);
      await links.abandonAlias(tenant, slot);
      expect(slots(live._id)).toBe(1);
      expect(stampOf(repository, live._id)).toEqual(earlier);
    });

    it('gives the slot up even when the stamp cannot be put back (the creation keeps its own error)', async () => {
      const { repository, links, live, slots } = await setUp();
      const restore = jest.spyOn(repository, 'restoreAliasStamp').mockRejectedValueOnce(new Error('connection lost'));
      const { slot } = await links.reserveAlias(tenant, live._id);
      await expect(links.abandonAlias(tenant, slot)).resolves.toBeUndefined();
      expect(restore).toHaveBeenCalledTimes(1);
      expect(slots(live._id)).toBe(0);
    });

    it('leaves the stamp of a creation that reserved since within the same millisecond (the counter moved)', async () => {
      const { repository, links, live, slots, later } = await setUp();
      later(1000);
      const { slot } = await links.reserveAlias(tenant, live._id);
      const { slot: since } = await links.reserveAlias(tenant, live._id);
      expect(since.reservedAt).toBe(slot.reservedAt);
      await links.abandonAlias(tenant, slot);
      expect(slots(live._id)).toBe(1);
      expect(stampOf(repository, live._id)).toEqual(new Date(since.reservedAt));
    });

    it('leaves the stamp of a creation that reserved since (the counter moved past its release)', async () => {
      const { repository, links, live, slots, later } = await setUp();
      const { slot } = await links.reserveAlias(tenant, live._id);
      later(1000);
      await links.reserveAlias(tenant, live._id);
      const since = stampOf(repository, live._id);
      await links.abandonAlias(tenant, slot);
      expect(slots(live._id)).toBe(1);
      expect(stampOf(repository, live._id)).toEqual(since);
    });
  });

  describe('keeping a slot after the alias is written', () => {
    it('a write within half the stale age keeps it without asking the database', async () => {
      const { repository, links, live, slots, later } = await setUp();
      const asked = jest.spyOn(repository, 'keepAliasSlot');
      const { slot } = await links.reserveAlias(tenant, live._id);
      later(LOST_SLOT_AGE_MS / 2 - 1000);
      expect(await links.keepAlias(tenant, slot)).toBe(true);
      expect(asked).not.toHaveBeenCalled();
      // The control: past half the stale age, it does ask.
      later(LOST_SLOT_AGE_MS / 2);
      expect(await links.keepAlias(tenant, slot)).toBe(true);
      expect(asked).toHaveBeenCalledTimes(1);
      expect(slots(live._id)).toBe(1);
    });

    it('a slower write whose slot a correction took back reserves again while the holder is live', async () => {
      const { repository, links, live, slots, later } = await setUp();
      const { slot } = await links.reserveAlias(tenant, live._id);
      expect(await repository.resetAliasSlots(tenant.organizationId, repository.records.get(live._id)!)).toBe(true);
      expect(slots(live._id)).toBe(0);
      later(LOST_SLOT_AGE_MS);
      expect(await links.keepAlias(tenant, slot)).toBe(true);
      expect(slots(live._id)).toBe(1);
    });

    it('...and is not kept once the holder is gone', async () => {
      const { repository, links, live, later } = await setUp();
      const { slot } = await links.reserveAlias(tenant, live._id);
      await repository.resetAliasSlots(tenant.organizationId, repository.records.get(live._id)!);
      expect(await repository.softDeleteWithoutLiveAliases(tenant.organizationId, live._id)).toBe(true);
      later(LOST_SLOT_AGE_MS);
      expect(await links.keepAlias(tenant, slot)).toBe(false);
    });
  });
});
