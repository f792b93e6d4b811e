import { CrmException } from '@crm/errors';
import { InMemoryHolderRepository } from '../../../../test/fakes/holder-repository.fake';
import { HolderLinks } from './holder-links';
import type { HolderRepository } from './holder.repository';

const tenant = { organizationId: 'org-1' };
const holderNotFound = expect.objectContaining({ code: 'CRM-0006' }) as CrmException;

/** HolderLinks over the in-memory repository, with one live and one soft-deleted holder. */
async function setUp() {
  const repository = new InMemoryHolderRepository();
  const links = new HolderLinks(repository as unknown as HolderRepository);
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
  return { links, live, deleted, slots };
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
      id: live._id,
      type: live.type,
      document: live.document,
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
    await links.reserveAlias(tenant, live._id);
    await links.releaseAlias(tenant, live._id);
    expect(slots(live._id)).toBe(0);
  });
});
