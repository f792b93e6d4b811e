import { auditEventOf, fieldNamesOf, MAX_AUDITED_IDS } from './audit-event.builder';

const HOLDER = '0190d9a4-7c1e-7000-8000-000000000001';
const ORG = '0190d9a4-7c1e-7000-8000-0000000000aa';

describe('audit events', () => {
  it('names the fields of a write as paths, never reading a value', () => {
    expect(
      fieldNamesOf({
        name: 'Ana',
        contact: { primaryEmail: 'a@b.c', mobilePhone: null },
        metadata: { segment: 'x' },
        relatedParties: [{ name: 'B' }],
        addresses: {},
      }),
    ).toEqual([
      'name',
      'contact.primaryEmail',
      'contact.mobilePhone',
      'metadata.segment',
      'relatedParties',
      'addresses',
    ]);
    expect(fieldNamesOf({ a: { b: { c: { d: { e: 1 } } } } })).toEqual(['a.b.c.d']);
    expect(fieldNamesOf(undefined)).toEqual([]);
    expect(fieldNamesOf({ metadata: { tier: 'gold', 'cpf 111.444.777-35': 'x', 'ana@example.com': 'y' } })).toEqual([
      'metadata.tier',
      'metadata.[REDACTED]',
    ]);
    expect(fieldNamesOf({ metadata: { 'maria@corp': 'x', acct_00012345678: 'y', tier_2: 'z' } })).toEqual([
      'metadata.[REDACTED]',
      'metadata.tier_2',
    ]);
    expect(fieldNamesOf('not an object')).toEqual([]);
  });

  it('takes ids from the path and from a successful response; a list gives its count and capped ids', () => {
    const base = {
      permission: { resource: 'holders', action: 'get' } as const,
      body: undefined,
      requestId: 'r1',
      organizationHeader: ORG.toUpperCase(),
    };
    const read = auditEventOf({
      ...base,
      params: { id: HOLDER.toUpperCase() },
      status: 200,
      payload: JSON.stringify({ id: HOLDER, name: 'Ana' }),
    });
    expect(read).toMatchObject({
      organizationId: ORG,
      action: 'holders.get',
      resourceIds: [HOLDER],
      outcome: 200,
      actor: { subject: 'unauthenticated' },
    });
    expect(read.fields).toBeUndefined();
    const items = Array.from({ length: 150 }, (_, index) => ({
      id: `0190d9a4-7c1e-7000-8000-${String(index).padStart(12, '0')}`,
      name: 'x',
    }));
    const list = auditEventOf({
      ...base,
      params: {},
      status: 200,
      payload: JSON.stringify({ items, page: 1, limit: 150 }),
    });
    expect(list.count).toBe(150);
    expect(list.resourceIds).toHaveLength(MAX_AUDITED_IDS);
    const failed = auditEventOf({
      ...base,
      params: {},
      status: 404,
      payload: JSON.stringify({ code: 'CRM-0006', id: HOLDER }),
    });
    expect(failed.resourceIds).toEqual([]);
  });

  it('records field names for writes, and no organization when the header is not a UUID', () => {
    const event = auditEventOf({
      permission: { resource: 'holders', action: 'patch' },
      params: { id: 'not-a-uuid' },
      body: { name: 'Secret Name' },
      status: 400,
      payload: '{}',
      requestId: 'r2',
      organizationHeader: 'acme',
      actor: { subject: 'o/u', type: 'normal-user' },
    });
    expect(event).toMatchObject({
      organizationId: null,
      resourceIds: [],
      fields: ['name'],
      actor: { subject: 'o/u', type: 'normal-user' },
    });
    expect(JSON.stringify(event)).not.toContain('Secret Name');
  });

  it('marks a replayed create as a replay, with the created id; a create that ran carries no mark', () => {
    const created = {
      permission: { resource: 'holders', action: 'post' } as const,
      params: {},
      body: { name: 'x' },
      status: 201,
      payload: JSON.stringify({ id: HOLDER, name: 'x' }),
      requestId: 'r3',
      organizationHeader: ORG,
    };
    expect(auditEventOf({ ...created, replay: true })).toMatchObject({ replay: true, resourceIds: [HOLDER] });
    expect('replay' in auditEventOf(created)).toBe(false);
    expect('replay' in auditEventOf({ ...created, replay: false })).toBe(false);
  });

  it('records a reveal: the field groups and the reason; an answer that revealed nothing carries no mark', () => {
    const read = {
      permission: { resource: 'holders', action: 'get' } as const,
      params: { id: HOLDER },
      body: undefined,
      status: 200,
      payload: JSON.stringify({ id: HOLDER }),
      requestId: 'r4',
      organizationHeader: ORG,
    };
    const reveal = { groups: ['document' as const, 'contact' as const], reason: 'support ticket' };
    expect(auditEventOf({ ...read, reveal })).toMatchObject({
      resourceIds: [HOLDER],
      revealed: { groups: ['document', 'contact'], reason: 'support ticket' },
    });
    expect('revealed' in auditEventOf(read)).toBe(false);
  });
});
