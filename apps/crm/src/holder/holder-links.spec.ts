import { CrmException } from '@crm/errors';
import { HolderLinks } from './holder-links';
import type { HolderRepository } from './holder.repository';
import type { HolderRecord } from './holder.schema';

const tenant = { organizationId: 'org-1' };
const live: HolderRecord = {
  _id: 'holder-1',
  organizationId: 'org-1',
  type: 'NATURAL_PERSON',
  name: 'Ana Souza',
  document: '52998224725',
  contact: { primaryEmail: 'ana@example.com' },
  liveAliasCount: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  deletedAt: null,
};

/** A repository that knows one live holder; the slots it counted are in `counted`. */
function fakeRepository() {
  const counted: Array<[string, number]> = [];
  const repository = {
    findById: (_org: string, id: string) => Promise.resolve(id === live._id ? live : null),
    reserveAliasSlot: (_org: string, id: string) => {
      if (id !== live._id) return Promise.resolve(null);
      counted.push([id, 1]);
      return Promise.resolve(live);
    },
    releaseAliasSlot: (_org: string, id: string) => {
      counted.push([id, -1]);
      return Promise.resolve();
    },
  };
  return { links: new HolderLinks(repository as unknown as HolderRepository), counted };
}

const holderNotFound = expect.objectContaining({ code: 'CRM-0006' }) as CrmException;

describe('HolderLinks: what aliases may know of holders', () => {
  it('requires a live holder: passes for one, 404 CRM-0006 otherwise', async () => {
    const { links } = fakeRepository();
    await expect(links.requireLive(tenant, live._id)).resolves.toBeUndefined();
    await expect(links.requireLive(tenant, 'gone')).rejects.toEqual(holderNotFound);
  });

  it('reserves a slot and hands over only what an alias copies (no name, contact or counter)', async () => {
    const { links, counted } = fakeRepository();
    expect(await links.reserveAlias(tenant, live._id)).toEqual({
      id: live._id,
      type: live.type,
      document: live.document,
    });
    expect(counted).toEqual([[live._id, 1]]);
  });

  it('refuses a slot on a holder that is not live, counting nothing', async () => {
    const { links, counted } = fakeRepository();
    await expect(links.reserveAlias(tenant, 'gone')).rejects.toEqual(holderNotFound);
    expect(counted).toEqual([]);
  });

  it('releases a slot', async () => {
    const { links, counted } = fakeRepository();
    await links.releaseAlias(tenant, live._id);
    expect(counted).toEqual([[live._id, -1]]);
  });
});
