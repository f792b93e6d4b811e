import { holderWithAlias, linkableHolder } from '../factories/aliases';
import { crmWithMidazForAll } from '../utils/crm-with-midaz';
import { AliasAccountRepository } from '../../apps/crm/src/alias-account/alias-account.repository';
import { HolderDeletions } from '../../apps/crm/src/holder/holder-deletions.repository';
import { HolderLinks } from '../../apps/crm/src/holder/holder-links';

/**
 * A holder and its aliases change together without multi-document transactions: an alias is written
 * pending and confirmed only once its holder has cancelled any deletion under way; a deletion marks its
 * holder, looks for aliases and is carried out only if its decision, an insert, comes first
 * (docs/adr/0003-holder-alias-integrity.md). Every interleaving of the steps is explored in
 * holder-alias-protocol.int-spec.ts; here the same rule holds over HTTP.
 */
describe('holder and alias integrity', () => {
  const stack = crmWithMidazForAll({ MIDAZ_CACHE_TTL_MS: '0' });

  const linkable = () => linkableHolder(stack.midaz, stack.api);

  afterEach(() => {
    stack.midaz.delayMs = 0;
    jest.restoreAllMocks();
  });

  // Safety rests on inserts and reads alone (the decision's unique _id), which every engine CI uses
  // applies atomically: the race runs everywhere.
  it('a holder deletion racing an alias creation never leaves a live alias on a deleted holder (50 rounds)', async () => {
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
  });

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

  it('a hard-deleted alias frees the holder too, and a refused alias creation leaves nothing behind', async () => {
    const { holder, ledgerId, accountId, alias } = await holderWithAlias(stack.midaz, stack.api);
    expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(409);
    expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}?hard_delete=true`)).status).toBe(204);
    expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
  });

  it("a deletion's mark is bookkeeping: the holder's updatedAt does not move", async () => {
    const { holder, response, alias } = await holderWithAlias(stack.midaz, stack.api);
    expect(response.status).toBe(201);
    expect((await stack.api.delete(`/v1/holders/${holder.id}`)).body.code).toBe('CRM-0017'); // marked, then not
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

  describe('what a crash leaves is harmless, and later requests clean it up', () => {
    const tenant = () => ({ organizationId: stack.api.organizationId });
    const aliasStore = () => stack.crm.app.get(AliasAccountRepository);
    const aliasesOf = (holderId: string) =>
      stack.connection.db!.collection('alias_accounts').find({ holderId }).toArray();
    /** What a creation killed right after writing its alias leaves: a pending alias. */
    const pendingAlias = async (holderId: string, ledgerId: string, accountId: string) => {
      const holder = await stack.crm.app.get(HolderLinks).requireLive(tenant(), holderId);
      return aliasStore().createPending(
        stack.api.organizationId,
        { holderId, ledgerId, accountId, type: holder.type, document: holder.document },
        'killed-creation',
      );
    };
    /** Moves the deleting service's clock past the age at which a pending alias is abandoned. */
    const afterAbandonment = () => jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 3 * 60_000);

    it('a creation killed after its write: invisible, refuses the deletion while it may be under way, removed once abandoned', async () => {
      const { holder, ledgerId, accountId } = await linkable();
      const pending = await pendingAlias(holder.id, ledgerId, accountId);
      expect((await stack.api.get(`/v1/holders/${holder.id}/aliases/${pending._id}?include_deleted=true`)).status).toBe(
        404,
      );
      expect((await stack.api.get(`/v1/aliases?holder_id=${holder.id}`)).body.items).toEqual([]);
      // The account is taken while the creation may still finish.
      expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).body.code).toBe(
        'CRM-0013',
      );
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).body.code).toBe('CRM-0017');
      afterAbandonment();
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
      expect(await aliasesOf(holder.id)).toEqual([]);
    });

    it('a creation that wakes up after its alias was removed as abandoned: 409 CRM-0049, nothing live', async () => {
      const { holder, ledgerId, accountId } = await linkable();
      const links = stack.crm.app.get(HolderLinks);
      const claim = links.claimLink.bind(links);
      // Between its write and its claim the creation stalls past the abandonment age; the holder is deleted.
      jest.spyOn(links, 'claimLink').mockImplementationOnce(async (...args) => {
        const clock = afterAbandonment();
        expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
        clock.mockRestore();
        return claim(...args);
      });
      const created = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
      expect([created.status, created.body?.code]).toEqual([404, 'CRM-0006']);
      expect(await aliasesOf(holder.id)).toEqual([]);
      // The control: a live holder whose pending alias was reaped answers the retryable 409.
      const other = await linkable();
      jest.spyOn(links, 'claimLink').mockImplementationOnce(async (...args) => {
        const [alias] = await aliasesOf(other.holder.id);
        await stack.connection.db!.collection('alias_accounts').deleteOne({ _id: alias._id });
        return claim(...args);
      });
      const reaped = await stack.api.post(`/v1/holders/${other.holder.id}/aliases`, {
        ledgerId: other.ledgerId,
        accountId: other.accountId,
      });
      expect([reaped.status, reaped.body?.code]).toEqual([409, 'CRM-0049']);
      expect(await aliasesOf(other.holder.id)).toEqual([]);
    });

    it('a deletion killed after marking its holder: the next creation cancels the stale mark and succeeds', async () => {
      const { holder, ledgerId, accountId } = await linkable();
      const deletions = stack.crm.app.get(HolderDeletions);
      const mark = await deletions.mark(stack.api.organizationId, holder.id);
      expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(201);
      expect(await deletions.marksOf(stack.api.organizationId, holder.id)).toEqual([]);
      // The killed deletion, should it wake up, finds its decision taken: refused.
      expect(await deletions.settle(stack.api.organizationId, holder.id, mark, 'delete')).toBe('cancel');
    });

    it('a deletion killed after deciding: the next creation carries it out and is refused, 404', async () => {
      const { holder, ledgerId, accountId } = await linkable();
      const deletions = stack.crm.app.get(HolderDeletions);
      const mark = await deletions.mark(stack.api.organizationId, holder.id);
      expect(await deletions.settle(stack.api.organizationId, holder.id, mark, 'delete')).toBe('delete');
      const created = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
      expect([created.status, created.body?.code]).toEqual([404, 'CRM-0006']);
      expect((await stack.api.get(`/v1/holders/${holder.id}?include_deleted=true`)).body.deletedAt).not.toBeNull();
      expect(await aliasesOf(holder.id)).toEqual([]);
      expect(await deletions.marksOf(stack.api.organizationId, holder.id)).toEqual([]);
    });

    it('an account held by an abandoned creation is freed by the next creation for it', async () => {
      const { holder, ledgerId, accountId } = await linkable();
      await pendingAlias(holder.id, ledgerId, accountId);
      expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).body.code).toBe(
        'CRM-0013',
      ); // it may still be under way
      afterAbandonment();
      const created = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
      expect(created.status).toBe(201);
      expect((await aliasesOf(holder.id)).map((alias) => String(alias._id))).toEqual([created.body.id]);
    });

    it('a holder written by the counter-based version (liveAliasCount and stamps): the old fields are ignored', async () => {
      const { holder, ledgerId, accountId } = await linkable();
      const legacy = { liveAliasCount: 3, aliasChangeStartedAt: new Date(), aliasCountVersion: 7, aliasRecounts: 1 };
      await stack.connection.db!.collection('holders').updateOne({ _id: holder.id as never }, { $set: legacy });
      expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(201);
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).body.code).toBe('CRM-0017'); // a live alias
      const [alias] = await aliasesOf(holder.id);
      expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${String(alias._id)}`)).status).toBe(204);
      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204); // the count of 3 says nothing
    });
  });
});
