import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { getModelToken } from '@nestjs/mongoose';
import { HOLDER_MODEL } from '../../apps/crm/src/holder/holder.schema';
import { cnpj, cpf } from '../factories/documents';
import { orgClient, OrgClient } from '../utils/api';
import { openDatabase } from '../utils/crm-with-midaz';
import { expectNoPlaintext, rawCollectionText } from '../utils/raw-scan';
import { startTestApp, testEnv, TestApp } from '../utils/test-app';

/** Personal data encrypted since the privacy pass: every address's line1, line2 and zip code, birth date, social and favorite names. */
const addresses = {
  primary: {
    line1: 'Rua Primeira Linha sem numero',
    line2: 'Apartamento Primeiro Andar',
    zipCode: '01311-911',
    city: 'São Paulo',
    state: 'SP',
    country: 'BR',
  },
  additional1: {
    line1: 'Avenida Segunda Linha',
    line2: 'Bloco Segundo Andar',
    zipCode: '20040-922',
    city: 'Rio de Janeiro',
    state: 'RJ',
    country: 'BR',
  },
  additional2: {
    line1: 'Travessa Terceira Linha',
    line2: 'Casa Terceira dos Fundos',
    zipCode: '30130-933',
    city: 'Belo Horizonte',
    state: 'MG',
    country: 'BR',
  },
};
const naturalPerson = {
  birthDate: '1987-11-23',
  socialName: 'Nome Social Protegido',
  favoriteName: 'Apelido Protegido',
  gender: 'Female',
  nationality: 'Brazilian',
};
const newlyProtectedValues = [
  ...Object.values(addresses).flatMap((address) => [address.line1, address.line2, address.zipCode]),
  naturalPerson.birthDate,
  naturalPerson.socialName,
  naturalPerson.favoriteName,
];

describe('protected fields at rest', () => {
  let crm: TestApp;
  let api: OrgClient;
  let connection: Connection;

  beforeAll(async () => {
    crm = await startTestApp(testEnv());
    api = orgClient(crm);
    connection = await openDatabase(crm);
  });
  afterAll(async () => {
    await connection.close();
    await crm.close();
  });

  const rawHolder = (id: string) => connection.db!.collection('holders').findOne({ _id: id as never });

  it('stores no address line, zip code, birth date, social or favorite name in plain text; the API still returns them', async () => {
    const created = await api.post('/v1/holders', {
      type: 'NATURAL_PERSON',
      name: 'Titular Protegido',
      document: cpf(),
      addresses,
      naturalPerson,
    });
    expect(created.status).toBe(201);
    const company = await api.post('/v1/holders', {
      type: 'LEGAL_PERSON',
      name: 'Empresa Protegida Ltda',
      document: cnpj(),
      addresses: { primary: { line1: 'Rua da Empresa Sede', zipCode: '04538-944', city: 'Curitiba', country: 'BR' } },
      legalPerson: {
        tradeName: 'Empresa Visivel',
        representative: { name: 'Representante Oculto', role: 'Diretora Financeira' },
      },
    });
    expect(company.status).toBe(201);

    // The records exist, and the scan sees what is meant to stay plain.
    const stored = await rawCollectionText(connection, 'holders');
    expect(await rawHolder(created.body.id)).not.toBeNull();
    expect(await rawHolder(company.body.id)).not.toBeNull();
    const plain = [
      'São Paulo',
      'Rio de Janeiro',
      'Belo Horizonte',
      'Curitiba',
      'Female',
      'Empresa Visivel',
      'Diretora Financeira',
    ];
    expectNoPlaintext(
      stored,
      [...newlyProtectedValues, 'Rua da Empresa Sede', '04538-944', 'Representante Oculto'],
      [created.body.id, company.body.id, ...plain],
    );

    const read = await api.get(`/v1/holders/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.addresses).toEqual(addresses);
    expect(read.body.naturalPerson).toEqual(naturalPerson);
    const listed = await api.get('/v1/holders?limit=50');
    expect(listed.body.items.find((item: { id: string }) => item.id === created.body.id)).toMatchObject({
      addresses,
      naturalPerson,
    });
  });

  describe('a record an older version wrote, with these fields in plain text', () => {
    const organizationId = randomUUID();
    let legacyId: string;
    let legacyApi: OrgClient;

    // Written through the API (name, document and e-mail encrypted as always), then the newly
    // protected fields set in plain text, the way the previous version stored them.
    const writeLegacyHolder = async (): Promise<{ id: string; updatedAt: string }> => {
      const created = await legacyApi.post('/v1/holders', {
        type: 'NATURAL_PERSON',
        name: 'Titular Antigo',
        document: cpf(),
        contact: { primaryEmail: 'antigo@example.com' },
      });
      expect(created.status).toBe(201);
      const update = await connection
        .db!.collection('holders')
        .updateOne({ _id: created.body.id as never }, { $set: { addresses, naturalPerson } });
      expect(update.modifiedCount).toBe(1);
      return created.body as { id: string; updatedAt: string };
    };

    beforeAll(async () => {
      legacyApi = orgClient(crm, organizationId);
      legacyId = (await writeLegacyHolder()).id;
    });

    it('is read correctly through the API (plaintext read as it is)', async () => {
      expect(JSON.stringify(await rawHolder(legacyId))).toContain(addresses.primary.line1);
      const read = await legacyApi.get(`/v1/holders/${legacyId}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        id: legacyId,
        name: 'Titular Antigo',
        addresses,
        naturalPerson,
        contact: { primaryEmail: 'antigo@example.com' },
      });
    });

    it('is encrypted by its next write, even one that changes none of those fields', async () => {
      const patched = await legacyApi.patch(`/v1/holders/${legacyId}`, { externalId: 'after-privacy-pass' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ externalId: 'after-privacy-pass', addresses, naturalPerson });

      const raw = await rawHolder(legacyId);
      expect(raw).toMatchObject({ externalId: 'after-privacy-pass' });
      expect(raw!.addresses.primary.line1).toMatch(/^v1:[0-9a-f]{8}:/);
      expect(raw!.naturalPerson.birthDate).toMatch(/^v1:[0-9a-f]{8}:/);
      expectNoPlaintext(JSON.stringify(raw), newlyProtectedValues, [addresses.primary.city]);

      const reread = await legacyApi.get(`/v1/holders/${legacyId}`);
      expect(reread.body).toMatchObject({ addresses, naturalPerson, name: 'Titular Antigo' });
    });

    it('sealed by a PATCH that changes nothing, without undoing a PATCH that landed between its load and its write', async () => {
      const legacy = await writeLegacyHolder();
      const holders = connection.db!.collection('holders');
      const model = crm.app.get<Model<unknown>>(getModelToken(HOLDER_MODEL)).collection as unknown as {
        findOne: (...args: unknown[]) => Promise<unknown>;
      };
      const findOne = model.findOne.bind(model);
      jest.spyOn(model, 'findOne').mockImplementationOnce(async (...args: unknown[]) => {
        const found = await findOne(...args);
        const other = await legacyApi.patch(`/v1/holders/${legacy.id}`, { naturalPerson: { gender: 'Male' } });
        expect(other.status).toBe(200);
        return found;
      });
      const unchanged = await legacyApi.patch(`/v1/holders/${legacy.id}`, { name: 'Titular Antigo' });
      expect(unchanged.status).toBe(200);
      expect(unchanged.body.naturalPerson.gender).toBe('Male');
      const raw = await holders.findOne({ _id: legacy.id as never });
      expect(raw!.naturalPerson.gender).toBe('Male');
      expect(raw!.naturalPerson.birthDate).toMatch(/^v1:[0-9a-f]{8}:/);
      expect(raw!.addresses.primary.line1).toMatch(/^v1:[0-9a-f]{8}:/);
    });

    it('is encrypted by a PATCH that changes nothing, which keeps updatedAt', async () => {
      const legacy = await writeLegacyHolder();
      const patched = await legacyApi.patch(`/v1/holders/${legacy.id}`, { name: 'Titular Antigo' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        name: 'Titular Antigo',
        addresses,
        naturalPerson,
        updatedAt: legacy.updatedAt,
      });

      const raw = await rawHolder(legacy.id);
      expect(raw!.addresses.primary.line1).toMatch(/^v1:[0-9a-f]{8}:/);
      expect(raw!.naturalPerson.birthDate).toMatch(/^v1:[0-9a-f]{8}:/);
      expect(raw!.updatedAt).toEqual(new Date(legacy.updatedAt));
      expectNoPlaintext(JSON.stringify(raw), newlyProtectedValues, [addresses.primary.city]);
      expect((await legacyApi.get(`/v1/holders/${legacy.id}`)).body).toMatchObject({ addresses, naturalPerson });
    });
  });

  it('still fails closed on plaintext in a field encrypted from the start (name): 500 CRM-0036, no data', async () => {
    const created = await api.post('/v1/holders', {
      type: 'NATURAL_PERSON',
      name: 'Titular Adulterado',
      document: cpf(),
      naturalPerson,
    });
    expect(created.status).toBe(201);
    const update = await connection
      .db!.collection('holders')
      .updateOne({ _id: created.body.id as never }, { $set: { name: 'Nome Em Texto Claro' } });
    expect(update.modifiedCount).toBe(1);

    const read = await api.get(`/v1/holders/${created.body.id}`);
    expect(read.status).toBe(500);
    expect(read.body.code).toBe('CRM-0036');
    expect(read.text).not.toContain('Nome Em Texto Claro');
    expect(read.text).not.toContain(naturalPerson.socialName);
  });

  it('fails closed on a damaged ciphertext in a newly protected field too', async () => {
    const created = await api.post('/v1/holders', {
      type: 'NATURAL_PERSON',
      name: 'Titular Danificado',
      document: cpf(),
      addresses,
    });
    expect(created.status).toBe(201);
    const raw = await rawHolder(created.body.id);
    const damaged = `${raw!.addresses.primary.line1.slice(0, -6)}AAAAAA`;
    await connection
      .db!.collection('holders')
      .updateOne({ _id: created.body.id as never }, { $set: { 'addresses.primary.line1': damaged } });

    const read = await api.get(`/v1/holders/${created.body.id}`);
    expect(read.status).toBe(500);
    expect(read.body.code).toBe('CRM-0036');
  });
});
