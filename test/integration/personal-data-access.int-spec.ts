import { randomUUID } from 'node:crypto';
import type { ProtectedFields } from '@crm/crypto';
import { MASKS } from '@crm/personal-data';
import { ALIAS_PROTECTED_FIELDS } from '../../apps/crm/src/alias-account/alias-account.schema';
import { HOLDER_PROTECTED_FIELDS } from '../../apps/crm/src/holder/holder.schema';
import { aliasBody, ledgerAccount } from '../factories/aliases';
import { cnpj, cpf } from '../factories/documents';
import { startCrmWithMidaz, CrmWithMidaz } from '../utils/crm-with-midaz';
import { FakePluginAuth } from '../utils/fake-plugin-auth';
import { startTestApp, testEnv, TestApp, TestResponse } from '../utils/test-app';
import { signedJwt, signingKey, TestSigningKey, unverifiedJwt } from '../utils/tokens';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'crm';
const ROUTE_SCOPES = [
  'crm:holders:read',
  'crm:holders:write',
  'crm:aliases:read',
  'crm:aliases:write',
  'crm:audit:read',
].join(' ');
const REASON = 'support ticket, customer asked for a copy';

const address = (line: string) => ({
  line1: `Rua ${line}, 100`,
  line2: 'Apto 12',
  zipCode: '01000-000',
  city: 'São Paulo',
  state: 'SP',
  country: 'BR',
});

/** Two holders that together fill in every protected field of a holder (checked below). */
const fullNaturalPerson = () => ({
  type: 'NATURAL_PERSON',
  name: 'Maria Aparecida Silva',
  document: cpf(),
  addresses: { primary: address('das Flores'), additional1: address('Augusta'), additional2: address('Direita') },
  contact: {
    primaryEmail: 'maria.silva@example.com',
    secondaryEmail: 'maria@work.example',
    mobilePhone: '+55 11 98765-4321',
    otherPhone: '+55 11 3333-2222',
  },
  naturalPerson: {
    favoriteName: 'Mari',
    socialName: 'Maria Silva',
    birthDate: '1990-02-28',
    motherName: 'Joana Silva',
    fatherName: 'Carlos Silva',
  },
});
const fullLegalPerson = () => ({
  type: 'LEGAL_PERSON',
  name: 'Acme Pagamentos Ltda',
  document: cnpj(),
  legalPerson: {
    tradeName: 'Acme',
    representative: { name: 'Rita Souza', document: '529.982.247-25', email: 'rita@acme.example', role: 'CEO' },
  },
});

/** The value at a declared path (`relatedParties[].name`: of the first element). */
function valueAt(record: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((target, key) => {
    const fields = target as Record<string, unknown> | undefined;
    return key.endsWith('[]') ? (fields?.[key.slice(0, -2)] as unknown[] | undefined)?.[0] : fields?.[key];
  }, record);
}

/**
 * Generated from the declarations: every protected field the sent bodies hold comes back masked by its
 * declared mask, or plain for the groups revealed. (That the bodies hold every declared field is checked
 * in the jwt suite.)
 */
function expectMasked(
  fields: ProtectedFields,
  pairs: Array<{ sent: unknown; answered: unknown }>,
  revealed: string[] = [],
): void {
  for (const spec of fields.specs) {
    for (const { sent, answered } of pairs) {
      const value = valueAt(sent, spec.path);
      if (typeof value !== 'string') continue;
      const shown = revealed.includes(MASKS[spec.mask!].group) ? value : MASKS[spec.mask!].apply(value);
      expect({ path: spec.path, answered: valueAt(answered, spec.path) }).toEqual({ path: spec.path, answered: shown });
    }
  }
}

/** The declared paths none of the bodies fills in. */
const unsent = (fields: ProtectedFields, bodies: unknown[]) =>
  fields.specs
    .map(({ path }) => path)
    .filter((path) => bodies.every((body) => typeof valueAt(body, path) !== 'string'));

type Client = (
  path: string,
  init?: { method?: string; json?: unknown; reveal?: string; reason?: string; headers?: Record<string, string> },
) => Promise<TestResponse>;

function clientOf(crm: TestApp, organizationId: string, authorization: () => Promise<string>): Client {
  return async (path, init = {}) => {
    const query = init.reveal !== undefined ? `${path.includes('?') ? '&' : '?'}reveal=${init.reveal}` : '';
    return crm.request(`${path}${query}`, {
      method: init.method ?? 'GET',
      headers: {
        'x-organization-id': organizationId,
        authorization: await authorization(),
        ...(init.reason !== undefined ? { 'x-access-reason': init.reason } : {}),
        ...init.headers,
      },
      ...(init.json !== undefined ? { json: init.json } : {}),
    });
  };
}

describe('personal data access, masked, jwt mode', () => {
  const organizationId = randomUUID();
  let stack: CrmWithMidaz;
  let key: TestSigningKey;
  const as = (...extraScopes: string[]) =>
    clientOf(stack.crm, organizationId, async () => {
      const jwt = await signedJwt(key, {
        iss: ISSUER,
        aud: AUDIENCE,
        sub: 'svc-support',
        scope: [ROUTE_SCOPES, ...extraScopes].join(' '),
        organizations: [organizationId],
      });
      return `Bearer ${jwt}`;
    });

  beforeAll(async () => {
    key = await signingKey('key-1');
    stack = await startCrmWithMidaz({
      AUTH_MODE: 'jwt',
      AUTH_JWT_PUBLIC_KEY: key.pem,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ALGORITHMS: 'RS256',
      PERSONAL_DATA_ACCESS: 'masked',
    });
  });
  afterAll(() => stack.close());

  it('the bodies sent fill in every protected field, so each is checked', () => {
    expect(unsent(HOLDER_PROTECTED_FIELDS, [fullNaturalPerson(), fullLegalPerson()])).toEqual([]);
    const alias = { ...aliasBody({ ledgerId: randomUUID(), accountId: randomUUID() }), document: cpf() };
    expect(unsent(ALIAS_PROTECTED_FIELDS, [alias])).toEqual([]);
    // Positive control: a body that leaves fields out is caught.
    expect(unsent(HOLDER_PROTECTED_FIELDS, [fullNaturalPerson()])).toContain('legalPerson.representative.email');
  });

  describe('holders', () => {
    const natural = fullNaturalPerson();
    const legal = fullLegalPerson();
    let naturalId: string;
    let legalId: string;

    beforeAll(async () => {
      const created = [await as()('/v1/holders', { method: 'POST', json: natural })];
      created.push(await as()('/v1/holders', { method: 'POST', json: legal }));
      expect(created.map((response) => response.status)).toEqual([201, 201]);
      // The creation's answer is masked too.
      expectMasked(HOLDER_PROTECTED_FIELDS, [
        { sent: natural, answered: created[0].body },
        { sent: legal, answered: created[1].body },
      ]);
      [naturalId, legalId] = created.map((response) => response.body.id as string);
    });

    it('single reads answer every protected field masked, field by field, for a caller without the permission', async () => {
      const reads = [await as()(`/v1/holders/${naturalId}`), await as()(`/v1/holders/${legalId}`)];
      expectMasked(HOLDER_PROTECTED_FIELDS, [
        { sent: natural, answered: reads[0].body },
        { sent: legal, answered: reads[1].body },
      ]);
      // What is not protected stays plain: city, state and country of the addresses, the type, the trade name.
      expect(reads[0].body.addresses.primary).toMatchObject({ city: 'São Paulo', state: 'SP', country: 'BR' });
      expect(reads[1].body.legalPerson).toMatchObject({ tradeName: 'Acme', representative: { role: 'CEO' } });
      expect(reads[0].body.document).toMatch(/^\*\*\*\.\d{3}\.\d{3}-\*\*$/);
      expect(reads[0].body.document).not.toBe(natural.document);
    });

    it('lists are masked, and the blind-index search by document still finds the holder', async () => {
      const found = await as()(`/v1/holders?document=${natural.document}`);
      expect(found.status).toBe(200);
      expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([naturalId]);
      expectMasked(HOLDER_PROTECTED_FIELDS, [
        { sent: natural, answered: found.body.items[0] },
        {
          sent: legal,
          answered: (await as()('/v1/holders?limit=100')).body.items.find(
            (item: { id: string }) => item.id === legalId,
          ),
        },
      ]);
    });

    it('a permitted reveal with a reason answers the groups asked plain, the others masked, and is audited', async () => {
      const read = await as('crm:personal-data:reveal:contact')(`/v1/holders/${naturalId}`, {
        reveal: 'contact',
        reason: REASON,
      });
      expect(read.status).toBe(200);
      expect(read.body.contact).toEqual(natural.contact);
      expectMasked(HOLDER_PROTECTED_FIELDS, [{ sent: natural, answered: read.body }], ['contact']);

      const revealed = await as()(`/v1/audit-events?revealed=true&resource_id=${naturalId}`);
      expect(revealed.status).toBe(200);
      expect(revealed.body.items).toEqual([
        expect.objectContaining({
          action: 'holders.get',
          actor: { subject: 'svc-support', type: 'jwt' },
          resourceIds: [naturalId],
          revealed: { groups: ['contact'], reason: REASON },
        }),
      ]);
      // The reads that revealed nothing are there too, without `revealed`: the filter told them apart.
      const others = await as()(`/v1/audit-events?revealed=false&resource_id=${naturalId}`);
      expect(others.body.items.length).toBeGreaterThan(0);
      expect(others.body.items.every((event: Record<string, unknown>) => !('revealed' in event))).toBe(true);
    });

    it('reveal=all with the permission for every group answers the holder as stored', async () => {
      const reads = [
        await as('crm:personal-data:reveal')(`/v1/holders/${naturalId}`, { reveal: 'all', reason: REASON }),
        await as('crm:personal-data:reveal')(`/v1/holders/${legalId}`, { reveal: 'all', reason: REASON }),
      ];
      expectMasked(
        HOLDER_PROTECTED_FIELDS,
        [
          { sent: natural, answered: reads[0].body },
          { sent: legal, answered: reads[1].body },
        ],
        ['document', 'identity', 'contact', 'address', 'banking'],
      );
    });

    it('a caller allowed to reveal still gets masked values unless it asks', async () => {
      const read = await as('crm:personal-data:reveal')(`/v1/holders/${naturalId}`);
      expect(read.body.contact.primaryEmail).toBe('m***@example.com');
    });

    it('a reveal without a reason is 400 CRM-0052; a malformed one 400 CRM-0054', async () => {
      const permitted = as('crm:personal-data:reveal');
      const noReason = await permitted(`/v1/holders/${naturalId}`, { reveal: 'document' });
      expect({ status: noReason.status, code: noReason.body.code }).toEqual({ status: 400, code: 'CRM-0052' });
      const personalReason = await permitted(`/v1/holders/${naturalId}`, {
        reveal: 'document',
        reason: 'asked by maria.silva@example.com',
      });
      expect({ status: personalReason.status, code: personalReason.body.code }).toEqual({
        status: 400,
        code: 'CRM-0054',
      });
      expect(personalReason.text).not.toContain('maria.silva@example.com');
      const unknownGroup = await permitted(`/v1/holders/${naturalId}`, { reveal: 'secrets', reason: REASON });
      expect(unknownGroup.body.code).toBe('CRM-0054');
    });

    it('a reveal without the permission is 403 CRM-0053 naming the permission missing', async () => {
      const none = await as()(`/v1/holders/${naturalId}`, { reveal: 'document', reason: REASON });
      expect({ status: none.status, code: none.body.code }).toEqual({ status: 403, code: 'CRM-0053' });
      expect(none.body.message).toContain('crm:personal-data:reveal:document');
      const contactOnly = await as('crm:personal-data:reveal:contact')('/v1/holders', {
        reveal: 'contact,address',
        reason: REASON,
      });
      expect({ status: contactOnly.status, code: contactOnly.body.code }).toEqual({ status: 403, code: 'CRM-0053' });
      expect(contactOnly.body.message).toContain('crm:personal-data:reveal:address');
      expect(contactOnly.text).not.toContain('maria');
    });

    it('an idempotent create is masked for each caller, its stored first answer kept whole for replays', async () => {
      const body = fullNaturalPerson();
      const headers = { 'idempotency-key': randomUUID() };
      const first = await as()('/v1/holders', { method: 'POST', json: body, headers });
      expect(first.status).toBe(201);
      expect(first.body.document).toBe(MASKS.document.apply(body.document));
      const replay = await as('crm:personal-data:reveal')('/v1/holders', {
        method: 'POST',
        json: body,
        headers,
        reveal: 'document',
        reason: REASON,
      });
      expect(replay.headers.get('x-idempotency-replayed')).toBe('true');
      expect(replay.body).toMatchObject({ id: first.body.id, document: body.document, name: 'M*** A*** S***' });
    });

    it('a PATCH answer follows read masking; the write itself is unaffected', async () => {
      const patched = await as()(`/v1/holders/${naturalId}`, {
        method: 'PATCH',
        json: { contact: { primaryEmail: 'new.address@example.org' } },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.contact.primaryEmail).toBe('n***@example.org');
      expect(patched.body.name).toBe('M*** A*** S***');
      const revealed = await as('crm:personal-data:reveal:contact')(`/v1/holders/${naturalId}`, {
        method: 'PATCH',
        json: { contact: { otherPhone: '+55 11 4444-5555' } },
        reveal: 'contact',
        reason: REASON,
      });
      expect(revealed.body.contact).toMatchObject({
        primaryEmail: 'new.address@example.org',
        otherPhone: '+55 11 4444-5555',
      });
      expect(revealed.body.name).toBe('M*** A*** S***');
    });
  });

  describe('aliases and their related parties', () => {
    /** The alias as sent, with the document it takes from its holder. */
    let sent: ReturnType<typeof aliasBody> & { document: string };
    let holderId: string;
    let aliasId: string;

    beforeAll(async () => {
      const holderBody = fullNaturalPerson();
      const holder = await as()('/v1/holders', { method: 'POST', json: holderBody });
      holderId = holder.body.id;
      const body = aliasBody(ledgerAccount(stack.midaz, { organizationId } as never));
      sent = { ...body, document: holderBody.document };
      const created = await as()(`/v1/holders/${holderId}/aliases`, { method: 'POST', json: body });
      expect(created.status).toBe(201);
      expectMasked(ALIAS_PROTECTED_FIELDS, [{ sent, answered: created.body }]);
      aliasId = created.body.id;
    });

    it('single reads, lists and blind-index searches answer every protected field masked', async () => {
      const read = await as()(`/v1/holders/${holderId}/aliases/${aliasId}`);
      expectMasked(ALIAS_PROTECTED_FIELDS, [{ sent, answered: read.body }]);
      expect(read.body.relatedParties[0]).toMatchObject({ name: 'R*** L***', document: '***.654.321-**' });
      expect(read.body.bankingDetails).toMatchObject({ branch: '0001', account: '***456', iban: '***5432' });
      for (const search of [
        `banking_details_iban=${encodeURIComponent(sent.bankingDetails.iban)}`,
        `related_party_document=${encodeURIComponent('987.654.321-00')}&holder_id=${holderId}`,
        `document=${sent.document}`,
      ]) {
        const found = await as()(`/v1/aliases?${search}`);
        expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([aliasId]);
        expectMasked(ALIAS_PROTECTED_FIELDS, [{ sent, answered: found.body.items[0] }]);
      }
    });

    it('reveal=banking answers account and IBAN plain, names and documents still masked; audited', async () => {
      const found = await as('crm:personal-data:reveal:banking')(`/v1/aliases?holder_id=${holderId}`, {
        reveal: 'banking',
        reason: REASON,
      });
      expect(found.status).toBe(200);
      expectMasked(ALIAS_PROTECTED_FIELDS, [{ sent, answered: found.body.items[0] }], ['banking']);
      expect(found.body.items[0].bankingDetails.iban).toBe(sent.bankingDetails.iban);
      const audited = await as()(`/v1/audit-events?revealed=true&resource_id=${aliasId}`);
      expect(audited.body.items).toEqual([
        expect.objectContaining({ action: 'aliases.get', revealed: { groups: ['banking'], reason: REASON } }),
      ]);
    });

    it('a PATCH answer is masked, related parties appended included', async () => {
      const patched = await as()(`/v1/holders/${holderId}/aliases/${aliasId}`, {
        method: 'PATCH',
        json: {
          relatedParties: [
            { document: '111.444.777-35', name: 'Ana Paula Souza', role: 'RESPONSIBLE_PARTY', startDate: '2025-02-01' },
          ],
        },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.relatedParties.map((party: { name: string }) => party.name)).toEqual([
        'R*** L***',
        'A*** P*** S***',
      ]);
      expect(patched.body.relatedParties[1].document).toBe('***.444.777-**');
    });
  });
});

describe('personal data access, masked, lerian mode', () => {
  const pluginAuth = new FakePluginAuth();
  const organizationId = randomUUID();
  let crm: TestApp;
  let mayReveal = false;
  const token = `Bearer ${unverifiedJwt({ type: 'normal-user', owner: 'lerian', sub: 'ana' })}`;
  const client = () => clientOf(crm, organizationId, () => Promise.resolve(token));
  const revealCalls = () =>
    pluginAuth.calls.filter((call) => (JSON.parse(call.body) as { resource: string }).resource === 'personal-data');
  const holder = fullNaturalPerson();
  let holderId: string;

  beforeAll(async () => {
    await pluginAuth.start();
    pluginAuth.decide = (call) => {
      const { resource, action } = JSON.parse(call.body) as { resource: string; action: string };
      const allowed = resource !== 'personal-data' || (action === 'reveal' && mayReveal);
      return { status: 200, body: JSON.stringify({ authorized: allowed }) };
    };
    crm = await startTestApp(
      testEnv({
        PLUGIN_AUTH_ENABLED: 'true',
        PLUGIN_AUTH_ADDRESS: pluginAuth.url,
        PLUGIN_AUTH_CACHE_TTL_MS: '60000',
        PERSONAL_DATA_ACCESS: 'masked',
      }),
    );
    const created = await client()('/v1/holders', { method: 'POST', json: holder });
    expect(created.status).toBe(201);
    holderId = created.body.id;
  });
  afterAll(async () => {
    await crm.close();
    await pluginAuth.stop();
  });

  it('answers masked by default, without asking plugin-auth about personal data', async () => {
    const read = await client()(`/v1/holders/${holderId}`);
    const list = await client()(`/v1/holders?document=${holder.document}`);
    expectMasked(HOLDER_PROTECTED_FIELDS, [
      { sent: holder, answered: read.body },
      { sent: holder, answered: list.body.items[0] },
    ]);
    expect(revealCalls()).toEqual([]);
  });

  it('refuses a reveal plugin-auth does not grant with 403 CRM-0053 naming personal-data/reveal', async () => {
    mayReveal = false;
    const refused = await client()(`/v1/holders/${holderId}`, { reveal: 'all', reason: REASON });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'CRM-0053' });
    expect(refused.body.message).toContain('personal-data/reveal');
    expect(revealCalls()).toHaveLength(1);
  });

  it('a granted reveal is plain and audited; the grant is cached like the other permissions', async () => {
    mayReveal = true;
    pluginAuth.calls.length = 0;
    const noReason = await client()(`/v1/holders/${holderId}`, { reveal: 'identity' });
    expect({ status: noReason.status, code: noReason.body.code }).toEqual({ status: 400, code: 'CRM-0052' });
    for (let attempt = 0; attempt < 2; attempt++) {
      const read = await client()(`/v1/holders/${holderId}`, { reveal: 'identity,document', reason: REASON });
      expect(read.status).toBe(200);
      expect({ name: read.body.name, document: read.body.document }).toEqual({
        name: holder.name,
        document: holder.document,
      });
      expect(read.body.contact.primaryEmail).toBe('m***@example.com');
    }
    expect(revealCalls()).toHaveLength(1);
    const audited = await client()(`/v1/audit-events?revealed=true&resource_id=${holderId}`);
    expect(audited.body.items).toHaveLength(2);
    expect(audited.body.items[0]).toMatchObject({
      actor: { subject: 'lerian/ana', type: 'normal-user' },
      revealed: { groups: ['document', 'identity'], reason: REASON },
    });
  });
});

describe('personal data access, plain mode (the default) and AUTH_MODE=none', () => {
  it.each([{ PERSONAL_DATA_ACCESS: 'plain' }, { PERSONAL_DATA_ACCESS: 'masked', AUTH_MODE: 'none' }])(
    '%o answers every field as stored; a reveal parameter is ignored',
    async (env) => {
      const crm = await startTestApp(testEnv(env));
      try {
        const client = clientOf(crm, randomUUID(), () => Promise.resolve(''));
        const holder = fullNaturalPerson();
        const created = await client('/v1/holders', { method: 'POST', json: holder });
        expect(created.body).toMatchObject(holder);
        expect((await client(`/v1/holders/${created.body.id}`)).body).toMatchObject(holder);
        const listed = await client('/v1/holders', { reveal: 'all' });
        expect(listed.status).toBe(200);
        expect(listed.body.items[0]).toMatchObject(holder);
      } finally {
        await crm.close();
      }
    },
  );
});
