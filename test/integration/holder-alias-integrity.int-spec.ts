import { holderWithAlias, linkableHolder } from '../factories/aliases';
import { crmWithMidazForAll } from '../utils/crm-with-midaz';
import { AliasAccountRepository } from '../../apps/crm/src/alias-account/alias-account.repository';
import { LOST_SLOT_AGE_MS, SlotClock } from '../../apps/crm/src/holder/alias-slots';
import { HolderLinks } from '../../apps/crm/src/holder/holder-links';
import { HolderRepository } from '../../apps/crm/src/holder/holder.repository';

/**
 * A holder and its aliases change together without multi-document transactions: the holder carries a
 * live-alias counter that alias creation raises (atomically, only while the holder is live) before it
 * writes, and holder deletion requires to be zero in the same conditional update.
 */
describe('holder and alias integrity', () => {
  const stack = crmWithMidazForAll({ MIDAZ_CACHE_TTL_MS: '0' });

  const linkable = () => linkableHolder(stack.midaz, stack.api);

  afterEach(() => {
    stack.midaz.delayMs = 0;
    jest.restoreAllMocks();
  });

  /** Moves the service's slot clock `ms` ahead of the real one (from now on). */
  const advanceClock = (ms: number) => {
    const clock = stack.crm.app.get(SlotClock);
    jest.spyOn(clock, 'now').mockImplementation(() => Date.now() + ms);
  };
  /** What a process killed right after reserving a slot leaves: the count raised, no alias written. */
  const reserveAndCrash = (holderId: string) =>
    stack.crm.app.get(HolderLinks).reserveAlias({ organizationId: stack.api.organizationId }, holderId);
  const storedCount = async (holderId: string) =>
    (await stack.connection.db!.collection('holders').findOne({ _id: holderId as never }))!.liveAliasCount as number;

  // The race rests on MongoDB applying each single-document update atomically (the reservation's $inc and
  // the delete's conditional $set). FerretDB, the stand-in where no mongod can be downloaded, does not: two
  // updates of one document landing together can both pass (see README, Testing). There the race cannot be
  // judged; each conditional is tested deterministically below, and the race runs with MONGO_URI at a MongoDB.
  const onFerretDb = process.env.CRM_TEST_DB_KIND === 'ferretdb';
  (onFerretDb ? it.skip : it)(
    `a holder deletion racing an alias creation never leaves a live alias on a deleted holder (50 rounds)${onFerretDb ? ' [skipped: FerretDB does not apply concurrent updates of one document atomically]' : ''}`,
    async () => {
      stack.midaz.delayMs = 25; // alias creation waits on Midaz (ledger, then account) while the delete lands
      const outcomes: string[] = [];
      for (let round = 0; round < 50; round++) {
        const { holder, ledgerId, accountId } = await linkable();
        const creation = stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
        await new Promise((resolve) => setTimeout(resolve, round % 5 === 0 ? 0 : 15)); // mostly inside the Midaz window
        const deletion = stack.api.delete(`/v1/holders/${holder.id}`);
        const [created, deleted] = await Promise.all([creation, deletion]);
        outcomes.push(`${created.status}/${deleted.status}`);
        // Exactly one wins: the alias (and the delete is refused) or the delete (and the alias is refused).
        if (created.status === 201) expect([deleted.status, deleted.body?.code]).toEqual([400, 'CRM-0017']);
        else expect([created.status, created.body?.code, deleted.status]).toEqual([404, 'CRM-0006', 204]);
      }
      const deletedHolders = await stack.connection
        .db!.collection('holders')
        .find({ organizationId: stack.api.organizationId, deletedAt: { $ne: null } })
        .project({ _id: 1 })
        .toArray();
      const orphans = await stack.connection
        .db!.collection('alias_accounts')
        .countDocuments({ holderId: { $in: deletedHolders.map((h) => h._id) }, deletedAt: null });
      expect(deletedHolders.length).toBeGreaterThan(0); // the delete did win inside the window
      expect(orphans).toBe(0);
      expect(outcomes).toContain('404/204');
    },
  );

  it('a holder deleted while its alias creation waits on Midaz refuses the alias: 404, nothing stored', async () => {
    const { holder, ledgerId, accountId } = await linkable();
    stack.midaz.delayMs = 300; // the creation has passed its holder check and waits on Midaz
    const creation = stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
    const created = await creation;
    expect([created.status, created.body?.code]).toEqual([404, 'CRM-0006']);
    const aliases = stack.connection.db!.collection('alias_accounts');
    expect(await aliases.countDocuments({ holderId: holder.id })).toBe(0);
    // The control: the same request on a live holder stores its alias.
    stack.midaz.delayMs = 0;
    const other = await linkable();
    const stored = await stack.api.post(`/v1/holders/${other.holder.id}/aliases`, {
      ledgerId: other.ledgerId,
      accountId: other.accountId,
    });
    expect(stored.status).toBe(201);
    expect(await aliases.countDocuments({ holderId: other.holder.id })).toBe(1);
  });

  it('deleting the last live alias makes the holder deletable again', async () => {
    const { holder, alias } = await holderWithAlias(stack.midaz, stack.api);
    expect((await stack.api.delete(`/v1/holders/${holder.id}`)).body.code).toBe('CRM-0017');
    expect((await stack.api.delete(`/v1/holders/${holder.id}?hard_delete=true`)).body.code).toBe('CRM-0017');
    expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(204);
    expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
  });

  it('a hard-deleted alias frees the holder too, and a refused alias creation leaves no trace on the counter', async () => {
    const { holder, ledgerId, accountId, alias } = await holderWithAlias(stack.midaz, stack.api);
    expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(409);
    expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}?hard_delete=true`)).status).toBe(204);
    expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
  });

  it("counting aliases is bookkeeping: the holder's updatedAt does not move", async () => {
    const { holder, response, alias } = await holderWithAlias(stack.midaz, stack.api);
    expect(response.status).toBe(201);
    expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(204);
    expect((await stack.api.get(`/v1/holders/${holder.id}`)).body.updatedAt).toBe(holder.updatedAt);
    // The control: a real change of the holder does move it.
    expect((await stack.api.patch(`/v1/holders/${holder.id}`, { name: 'Clara N.' })).body.updatedAt).not.toBe(
      holder.updatedAt,
    );
  });

  it('a hard delete of a holder erases its soft-deleted aliases, which carry copies of its data', async () => {
    const { holder, alias } = await holderWithAlias(stack.midaz, stack.api, {
      bankingDetails: { iban: 'GB82WEST12345698765432' },
    });
    expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(204);
    const aliasPath = `/v1/holders/${holder.id}/aliases/${alias.id}?include_deleted=true`;
    expect((await stack.api.get(aliasPath)).status).toBe(200); // still readable while the holder exists
    expect(await stack.connection.db!.collection('alias_accounts').countDocuments({ holderId: holder.id })).toBe(1);

    expect((await stack.api.delete(`/v1/holders/${holder.id}?hard_delete=true`)).status).toBe(204);
    expect((await stack.api.get(aliasPath)).status).toBe(404);
    expect((await stack.api.get(`/v1/holders/${holder.id}?include_deleted=true`)).status).toBe(404);
    expect(await stack.connection.db!.collection('alias_accounts').countDocuments({ holderId: holder.id })).toBe(0);
  });

  it('a hard delete of an already soft-deleted holder erases its aliases too', async () => {
    const { holder, ledgerId, accountId } = await linkable();
    const alias = (await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).body;
    await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`);
    expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
    expect(await stack.connection.db!.collection('alias_accounts').countDocuments({ holderId: holder.id })).toBe(1);
    expect((await stack.api.delete(`/v1/holders/${holder.id}?hard_delete=true`)).status).toBe(204);
    expect(await stack.connection.db!.collection('alias_accounts').countDocuments({ holderId: holder.id })).toBe(0);
  });

  describe('a count a crash left too high is corrected by the next refused deletion', () => {
    it('a reservation whose alias never came: refused while it may be under way, deleted once it is stale', async () => {
      const { holder } = await linkable();
      await reserveAndCrash(holder.id);
      expect(await storedCount(holder.id)).toBe(1);
      // The creation may still be writing its alias: refused, as any holder with a live slot.
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).body.code).toBe('CRM-0017');
      advanceClock(LOST_SLOT_AGE_MS - 60_000);
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).body.code).toBe('CRM-0017');
      advanceClock(LOST_SLOT_AGE_MS + 1000);
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
      expect(await storedCount(holder.id)).toBe(0);
    });

    it("a refused duplicate creation does not hold a stale count's correction back: its stamp goes with its slot", async () => {
      const taken = await holderWithAlias(stack.midaz, stack.api); // the account has its live alias elsewhere
      const { holder } = await linkable();
      await reserveAndCrash(holder.id);
      const holders = stack.connection.db!.collection('holders');
      const stampOf = async () => (await holders.findOne({ _id: holder.id as never }))!.aliasChangeStartedAt as Date;
      const crashed = await stampOf();
      advanceClock(LOST_SLOT_AGE_MS + 1000);
      const duplicate = { ledgerId: taken.ledgerId, accountId: taken.accountId };
      const refused = await stack.api.post(`/v1/holders/${holder.id}/aliases`, duplicate);
      expect([refused.status, refused.body.code]).toEqual([409, 'CRM-0013']);
      expect(await stampOf()).toEqual(crashed);
      expect(await storedCount(holder.id)).toBe(1); // the crash's slot, stale: corrected by the deletion
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
    });

    it('a creation giving its slot up leaves the stamp of one that reserved since, even in the same millisecond', async () => {
      const { holder } = await linkable();
      const links = stack.crm.app.get(HolderLinks);
      const tenant = { organizationId: stack.api.organizationId };
      jest.spyOn(stack.crm.app.get(SlotClock), 'now').mockReturnValue(Date.now());
      const { slot: refused } = await links.reserveAlias(tenant, holder.id);
      const { slot: writing } = await links.reserveAlias(tenant, holder.id);
      await links.abandonAlias(tenant, refused);
      const stored = (await stack.connection.db!.collection('holders').findOne({ _id: holder.id as never }))!;
      expect(stored.aliasChangeStartedAt).toEqual(new Date(writing.reservedAt));
      expect(stored.liveAliasCount).toBe(1);
      // The control: alone, a slot given up takes its stamp along (this holder had none before).
      const alone = (await linkable()).holder;
      await links.abandonAlias(tenant, (await links.reserveAlias(tenant, alone.id)).slot);
      const after = (await stack.connection.db!.collection('holders').findOne({ _id: alone.id as never }))!;
      expect([after.liveAliasCount, after.aliasChangeStartedAt]).toEqual([0, undefined]);
    });

    it('a stale reservation next to a live alias: still refused, the live alias holds it', async () => {
      const { holder, alias } = await holderWithAlias(stack.midaz, stack.api);
      await reserveAndCrash(holder.id);
      advanceClock(LOST_SLOT_AGE_MS + 1000);
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).body.code).toBe('CRM-0017');
      expect(await storedCount(holder.id)).toBe(2);
      // Its alias gone, the count left (1) has nothing behind it, and the reservation is stale: corrected.
      expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(204);
      expect(await storedCount(holder.id)).toBe(1);
      expect((await stack.api.delete(`/v1/holders/${holder.id}?hard_delete=true`)).status).toBe(204);
      expect((await stack.api.get(`/v1/holders/${holder.id}?include_deleted=true`)).status).toBe(404);
    });

    it('an alias deleted without its release (killed in between): the holder is deletable once that is stale', async () => {
      const { holder, alias } = await holderWithAlias(stack.midaz, stack.api);
      await stack.connection
        .db!.collection('alias_accounts')
        .updateOne({ _id: alias.id as never }, { $set: { deletedAt: new Date() } });
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).body.code).toBe('CRM-0017');
      advanceClock(LOST_SLOT_AGE_MS + 1000);
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
    });

    /** Holds the next release of a live-alias slot until `meanwhile` has run. */
    const holdNextRelease = (meanwhile: () => Promise<void>) => {
      const links = stack.crm.app.get(HolderLinks);
      const release = links.releaseAlias.bind(links);
      return jest.spyOn(links, 'releaseAlias').mockImplementationOnce(async (...args) => {
        await meanwhile();
        return release(...args);
      });
    };

    it('a holder deletion while an alias deletion is on its way counts the alias out at once; the release lowers nothing', async () => {
      const { holder, alias } = await holderWithAlias(stack.midaz, stack.api);
      advanceClock(LOST_SLOT_AGE_MS + 1000); // the alias was created long ago
      const held = holdNextRelease(async () => {
        expect(await storedCount(holder.id)).toBe(1); // the alias is deleted, its release still to come
        expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
        expect(await storedCount(holder.id)).toBe(0);
      });
      expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(204);
      expect(held).toHaveBeenCalledTimes(1);
      expect(await storedCount(holder.id)).toBe(0);
    });

    it('a release that a correction overtook lowers nothing: a creation reserved since keeps its slot', async () => {
      const { holder, alias } = await holderWithAlias(stack.midaz, stack.api);
      advanceClock(LOST_SLOT_AGE_MS + 1000);
      const tenant = { organizationId: stack.api.organizationId };
      const holders = stack.crm.app.get(HolderRepository);
      const held = holdNextRelease(async () => {
        // A correction counts the deleted alias out, then a creation reserves its slot before the release lands.
        const read = (await holders.findById(tenant.organizationId, holder.id))!;
        expect(await holders.resetAliasSlots(tenant.organizationId, read)).toBe(true);
        await stack.crm.app.get(HolderLinks).reserveAlias(tenant, holder.id);
        expect(await storedCount(holder.id)).toBe(1);
      });
      expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(204);
      expect(held).toHaveBeenCalledTimes(1);
      expect(await storedCount(holder.id)).toBe(1); // the creation's slot still counts
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).body.code).toBe('CRM-0017');
    });

    it('an alias deletion whose release is still on its way is released once, not again by a retried delete', async () => {
      const { holder, alias } = await holderWithAlias(stack.midaz, stack.api);
      const held = holdNextRelease(async () => {
        // A retried hard delete erases the soft-deleted alias; its release is still to come.
        const erased = await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}?hard_delete=true`);
        expect(erased.status).toBe(204);
        expect(await storedCount(holder.id)).toBe(1); // left for the release to lower
      });
      expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(204);
      expect(held).toHaveBeenCalledTimes(1);
      expect(await storedCount(holder.id)).toBe(0);
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
    });

    it('a creation whose write fails after a correction took its slot back lowers nothing', async () => {
      const { holder } = await linkable();
      const links = stack.crm.app.get(HolderLinks);
      const tenant = { organizationId: stack.api.organizationId };
      const { slot: lost } = await links.reserveAlias(tenant, holder.id);
      const read = (await stack.crm.app.get(HolderRepository).findById(tenant.organizationId, holder.id))!;
      expect(await stack.crm.app.get(HolderRepository).resetAliasSlots(tenant.organizationId, read)).toBe(true);
      const { slot: current } = await links.reserveAlias(tenant, holder.id); // another creation, under way
      await links.releaseAlias(tenant, lost);
      expect(await storedCount(holder.id)).toBe(1);
      await links.releaseAlias(tenant, current); // the control: a slot that still counts is released
      expect(await storedCount(holder.id)).toBe(0);
    });

    it('a holder counted by an earlier version (no reservation stamp) is corrected too', async () => {
      const { holder } = await linkable();
      await stack.connection.db!.collection('holders').updateOne(
        { _id: holder.id as never },
        {
          $set: { liveAliasCount: 1 },
          $unset: { aliasChangeStartedAt: '', aliasCountVersion: '', aliasRecounts: '' },
        },
      );
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
    });

    it('a release never takes the count below zero (a correction may have counted its alias out)', async () => {
      const { holder } = await linkable();
      const links = stack.crm.app.get(HolderLinks);
      const tenant = { organizationId: stack.api.organizationId };
      const { slot } = await links.reserveAlias(tenant, holder.id);
      await links.releaseAlias(tenant, slot); // the control: a release lowers the count
      expect(await storedCount(holder.id)).toBe(0);
      await links.releaseAlias(tenant, slot);
      expect(await storedCount(holder.id)).toBe(0);
    });

    it('a creation so slow that its slot was taken back by a deletion removes its alias: 404, nothing live', async () => {
      const { holder, ledgerId, accountId } = await linkable();
      const repository = stack.crm.app.get(AliasAccountRepository);
      const create = repository.create.bind(repository);
      // Between its reservation and its write, the creation stalls past the stale age and the holder is deleted.
      jest.spyOn(repository, 'create').mockImplementationOnce(async (...args) => {
        advanceClock(LOST_SLOT_AGE_MS + 1000);
        expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
        return create(...args);
      });
      const created = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
      expect([created.status, created.body?.code]).toEqual([404, 'CRM-0006']);
      expect(await stack.connection.db!.collection('alias_accounts').countDocuments({ holderId: holder.id })).toBe(0);
    });

    it('a creation as slow whose slot nobody took back keeps its alias, and its holder stays undeletable', async () => {
      const { holder, ledgerId, accountId } = await linkable();
      const repository = stack.crm.app.get(AliasAccountRepository);
      const create = repository.create.bind(repository);
      jest.spyOn(repository, 'create').mockImplementationOnce((...args) => {
        advanceClock(LOST_SLOT_AGE_MS + 1000);
        return create(...args);
      });
      const checked = jest.spyOn(stack.crm.app.get(HolderRepository), 'keepAliasSlot');
      const created = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
      expect(created.status).toBe(201);
      expect(checked).toHaveBeenCalledTimes(1); // slow enough to check its slot, which still counted it
      expect(await storedCount(holder.id)).toBe(1);
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).body.code).toBe('CRM-0017');
    });
  });
});
