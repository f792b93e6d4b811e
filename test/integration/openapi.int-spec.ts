import SwaggerParser from '@apidevtools/swagger-parser';
import { randomUUID } from 'node:crypto';
import type { ProtectedFields } from '@crm/crypto';
import { MASKS } from '@crm/personal-data';
import { ALIAS_PROTECTED_FIELDS } from '../../apps/crm/src/alias-account/alias-account.schema';
import { routeTableOf } from '../../apps/crm/src/bootstrap';
import { HOLDER_PROTECTED_FIELDS } from '../../apps/crm/src/holder/holder.schema';
import { crmWithMidazForAll } from '../utils/crm-with-midaz';
import { organizationHeaders } from '../factories/organization';

type Operation = {
  parameters?: Array<{ name: string; in: string; schema?: Record<string, unknown>; style?: string }>;
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  responses: Record<
    string,
    { content?: Record<string, { schema?: { $ref?: string }; examples?: Record<string, { value: { code: string } }> }> }
  >;
};
type Spec = {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { properties: Record<string, Record<string, unknown>> }>;
    securitySchemes?: unknown;
  };
};

const HTTP_METHODS = ['get', 'post', 'patch', 'put', 'delete'];
const businessOperations = (spec: Spec) =>
  Object.entries(spec.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.includes(method))
        .map(([method, operation]) => ({ path, method, operation })),
    );

describe('OpenAPI and Swagger UI', () => {
  const stack = crmWithMidazForAll();
  let spec: Spec;
  beforeAll(async () => {
    spec = (await stack.crm.request('/swagger/json')).body;
  });

  it('serves a valid OpenAPI 3 document at /swagger/json', async () => {
    const api = await SwaggerParser.validate(structuredClone(spec) as never);
    expect((api as { openapi: string }).openapi).toMatch(/^3\./);
  });

  it('documents exactly the routes the application serves (docs routes aside)', () => {
    const served = routeTableOf(stack.crm.app)!
      .entries()
      .filter((entry) => !entry.startsWith('HEAD ') && !/ \/swagger/.test(entry))
      .map((entry) => entry.replace(/:([A-Za-z_]+)/g, '{$1}'));
    const documented = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => HTTP_METHODS.includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(served.length).toBeGreaterThan(10);
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it('types path ids, Midaz ids, dates, paging and enums so that generated clients and fuzzers send valid shapes', () => {
    for (const { path, operation } of businessOperations(spec)) {
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        const parameter = operation.parameters!.find(
          (candidate) => candidate.in === 'path' && `{${candidate.name}}` === name,
        );
        expect([path, name, parameter?.schema?.format]).toEqual([path, name, 'uuid']);
      }
    }
    const schemas = spec.components.schemas;
    expect(schemas.CreateAliasAccountDto.properties.ledgerId.format).toBe('uuid');
    expect(schemas.CreateAliasAccountDto.properties.accountId.format).toBe('uuid');
    expect(schemas.NaturalPersonDto.properties.birthDate.format).toBe('date');
    expect(schemas.RelatedPartyDto.properties.startDate.format).toBe('date');
    expect(schemas.BankingDetailsDto.properties.closingDate.format).toBe('date');
    expect(schemas.UpdateHolderDto.properties.externalId).toMatchObject({ type: 'string', nullable: true });
    // Optional parts accept null (a merge patch removes the field with it).
    expect(schemas.ContactDto.properties.mobilePhone.nullable).toBe(true);
    expect(schemas.AddressDto.properties.zipCode.nullable).toBe(true);
    const list = spec.paths['/v1/holders'].get.parameters!;
    const parameter = (name: string) => list.find((candidate) => candidate.name === name)!;
    expect(parameter('page').schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100000 });
    expect(parameter('limit').schema).toMatchObject({ type: 'integer', minimum: 1 });
    const enumOf = (schema: Record<string, unknown> | undefined) => {
      const ref = (schema?.allOf as Array<{ $ref: string }> | undefined)?.[0]?.$ref;
      return ref
        ? (spec.components.schemas[ref.split('/').pop()!] as unknown as { enum: string[] }).enum
        : schema?.enum;
    };
    expect(enumOf(parameter('sort_order').schema)).toEqual(['asc', 'desc']);
    expect(parameter('cursor').schema?.pattern).toBeDefined();
    for (const name of ['start_date', 'end_date']) {
      const pattern = new RegExp(parameter(name).schema?.pattern as string);
      expect([
        name,
        pattern.test('2026-01-01'),
        pattern.test('2026-01-01 10:00:00'),
        pattern.test('2026-01-01T10:00'),
      ]).toEqual([name, true, true, false]);
    }
    expect(parameter('metadata')).toMatchObject({ style: 'deepObject', schema: { type: 'object' } });
    expect(list.some((candidate) => candidate.name.includes('<'))).toBe(false);
    expect(
      enumOf(
        spec.paths['/v1/aliases'].get.parameters!.find((candidate) => candidate.name === 'related_party_role')?.schema,
      ),
    ).toEqual(['PRIMARY_HOLDER', 'LEGAL_REPRESENTATIVE', 'RESPONSIBLE_PARTY']);
  });

  it('documents every error answer of every business operation with the envelope and a valid example per code', () => {
    const operations = businessOperations(spec);
    expect(operations.length).toBeGreaterThan(8);
    for (const { path, method, operation } of operations) {
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      expect([path, method, errors.map(([status]) => status)]).toEqual([
        path,
        method,
        expect.arrayContaining(['400', '503']),
      ]);
      for (const [status, response] of errors) {
        const content = response.content!['application/json'];
        expect(content.schema!.$ref).toBe('#/components/schemas/ErrorEnvelopeDto');
        for (const [code, example] of Object.entries(content.examples!))
          expect([status, example.value.code]).toEqual([status, code]);
      }
    }
    expect(Object.keys(spec.paths['/v1/holders'].post.responses)).toEqual(
      expect.arrayContaining(['201', '409', '413', '415']),
    );
    expect(Object.keys(spec.paths['/v1/holders/{holder_id}/aliases'].post.responses)).toEqual(
      expect.arrayContaining(['201', '404', '409', '422', '503']),
    );
  });

  it('describes every protected field as its declaration says, in the request and response bodies', () => {
    type Property = { $ref?: string; allOf?: Array<{ $ref?: string }>; items?: Property; description?: string };
    const schemaOf = (property: Property): string | undefined =>
      (property.$ref ?? property.allOf?.[0]?.$ref ?? property.items?.$ref ?? property.items?.allOf?.[0]?.$ref)
        ?.split('/')
        .pop();
    /** The property a dotted field path (array fields as `parties[].name`) names, from a DTO's schema. */
    const propertyAt = (dto: string, path: string): Property | undefined => {
      let schema: string | undefined = dto;
      let property: Property | undefined;
      for (const segment of path.replace('[]', '').split('.')) {
        property = schema ? spec.components.schemas[schema]?.properties[segment] : undefined;
        schema = property && schemaOf(property);
      }
      return property;
    };
    const cases: Array<[ProtectedFields, string[]]> = [
      [HOLDER_PROTECTED_FIELDS, ['CreateHolderDto', 'HolderResponseDto']],
      [ALIAS_PROTECTED_FIELDS, ['AliasAccountResponseDto']],
    ];
    let checked = 0;
    for (const [fields, dtos] of cases) {
      for (const { path, search, mask } of fields.specs) {
        for (const dto of dtos) {
          const description = propertyAt(dto, path)?.description;
          expect({ dto, path, description }).toEqual({
            dto,
            path,
            description: expect.stringContaining('Encrypted at rest'),
          });
          if (search?.filter) expect(description).toContain(`?${search.filter}=`);
          // Which fields can come masked, and how (PERSONAL_DATA_ACCESS=masked).
          expect(description).toContain(`shows ${MASKS[mask!].shows}`);
          expect(description).toContain(`?reveal=${MASKS[mask!].group}`);
          checked += 1;
        }
      }
    }
    expect(checked).toBe(HOLDER_PROTECTED_FIELDS.specs.length * 2 + ALIAS_PROTECTED_FIELDS.specs.length);
    // The list filters the declarations name are the list routes' query parameters.
    const parameters = (path: string) => spec.paths[path].get.parameters?.map(({ name }) => name) ?? [];
    const filters = (fields: ProtectedFields) => fields.specs.flatMap(({ search }) => search?.filter ?? []);
    expect(filters(HOLDER_PROTECTED_FIELDS)).toEqual(['document']);
    expect(parameters('/v1/holders')).toEqual(expect.arrayContaining(filters(HOLDER_PROTECTED_FIELDS)));
    expect(filters(ALIAS_PROTECTED_FIELDS)).toHaveLength(5);
    expect(parameters('/v1/aliases')).toEqual(expect.arrayContaining(filters(ALIAS_PROTECTED_FIELDS)));
    for (const [path, fields] of [
      ['/v1/holders', HOLDER_PROTECTED_FIELDS],
      ['/v1/aliases', ALIAS_PROTECTED_FIELDS],
    ] as const) {
      for (const { path: field, search } of fields.specs.filter(({ search }) => search?.filter)) {
        const parameter = spec.paths[path].get.parameters!.find(({ name }) => name === search!.filter) as {
          description?: string;
        };
        expect(parameter.description).toContain(`Exact match on \`${field}\``);
      }
    }
    // A plain field says nothing of the kind: the descriptions follow the declarations, not a habit.
    expect(propertyAt('CreateHolderDto', 'addresses.primary.city')?.description ?? '').not.toContain('Encrypted');
  });

  it('documents reveal and X-Access-Reason on every answer that carries personal data, and the revealed audit filter', () => {
    const withPersonalData = businessOperations(spec).filter(
      ({ path, method }) => method !== 'delete' && !path.startsWith('/v1/audit-events'),
    );
    expect(withPersonalData).toHaveLength(8);
    for (const { path, method, operation } of withPersonalData) {
      const reveal = operation.parameters?.find(({ name, in: where }) => name === 'reveal' && where === 'query') as
        { description?: string } | undefined;
      const reason = operation.parameters?.find(
        ({ name, in: where }) => name === 'X-Access-Reason' && where === 'header',
      );
      expect({ path, method, reveal: reveal?.description, reason: Boolean(reason) }).toEqual({
        path,
        method,
        reveal: expect.stringContaining('crm:personal-data:reveal'),
        reason: true,
      });
      const codes = Object.values(operation.responses).flatMap((response) =>
        Object.keys(response.content?.['application/json']?.examples ?? {}),
      );
      expect(codes).toEqual(expect.arrayContaining(['CRM-0052', 'CRM-0053', 'CRM-0054']));
    }
    // Deletes answer no body: nothing to reveal there.
    expect(spec.paths['/v1/holders/{id}'].delete.parameters?.map(({ name }) => name)).not.toContain('reveal');
    expect(spec.paths['/v1/audit-events'].get.parameters?.map(({ name }) => name)).toContain('revealed');
  });

  it('every PATCH lists both media types it accepts, with the same schema and examples', () => {
    const patches = businessOperations(spec).filter(({ method }) => method === 'patch');
    expect(patches.map(({ path }) => path).sort()).toEqual([
      '/v1/holders/{holder_id}/aliases/{alias_id}',
      '/v1/holders/{id}',
    ]);
    for (const { path, operation } of patches) {
      const content = operation.requestBody!.content;
      expect([path, Object.keys(content).sort()]).toEqual([path, ['application/json', 'application/merge-patch+json']]);
      expect(content['application/merge-patch+json']).toEqual(content['application/json']);
      expect(Object.keys(content['application/json'].examples ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('offers no Authorize button while no route uses a security scheme', () => {
    expect(spec.components.securitySchemes).toBeUndefined();
    expect(JSON.stringify(spec.paths)).not.toContain('"security"');
  });

  it('every documented request example is accepted by the server', async () => {
    const organizationId = randomUUID();
    const headers = organizationHeaders(organizationId, { 'content-type': 'application/json' });
    const send = (method: string, path: string, body: unknown) =>
      stack.crm.request(path, { method, headers, body: JSON.stringify(body) });
    const examples = (path: string, method: string) =>
      Object.entries(spec.paths[path][method].requestBody!.content['application/json'].examples!);

    const holders: string[] = [];
    for (const [name, { value }] of examples('/v1/holders', 'post')) {
      const response = await send('POST', '/v1/holders', value);
      expect([name, response.status]).toEqual([name, 201]);
      holders.push(response.body.id);
    }
    for (const [name, { value }] of examples('/v1/holders/{id}', 'patch')) {
      expect([name, (await send('PATCH', `/v1/holders/${holders[0]}`, value)).status]).toEqual([name, 200]);
    }
    const aliases: string[] = [];
    for (const [name, { value }] of examples('/v1/holders/{holder_id}/aliases', 'post')) {
      const { ledgerId, accountId } = value as { ledgerId: string; accountId: string };
      stack.midaz.addAccount(organizationId, ledgerId, accountId);
      const response = await send('POST', `/v1/holders/${holders[0]}/aliases`, value);
      expect([name, response.status]).toEqual([name, 201]);
      aliases.push(response.body.id);
    }
    for (const [name, { value }] of examples('/v1/holders/{holder_id}/aliases/{alias_id}', 'patch')) {
      expect([name, (await send('PATCH', `/v1/holders/${holders[0]}/aliases/${aliases[0]}`, value)).status]).toEqual([
        name,
        200,
      ]);
    }
    expect(holders.length).toBeGreaterThanOrEqual(2);
    expect(aliases.length).toBeGreaterThanOrEqual(1);
  });

  it('accepts metadata filters in the deepObject form the document describes', async () => {
    const headers = organizationHeaders(randomUUID());
    const created = (
      await stack.crm.request('/v1/holders', {
        method: 'POST',
        headers,
        json: { type: 'NATURAL_PERSON', name: 'Deep', document: '12121212121', metadata: { segment: 'retail' } },
      })
    ).body;
    await stack.crm.request('/v1/holders', {
      method: 'POST',
      headers,
      json: { type: 'NATURAL_PERSON', name: 'Other', document: '12121212122', metadata: { segment: 'private' } },
    });
    const found = await stack.crm.request(`/v1/holders?${encodeURIComponent('metadata[segment]')}=retail`, { headers });
    expect(found.body.items.map((holder: { id: string }) => holder.id)).toEqual([created.id]);
  });

  it('serves Swagger UI at /swagger', async () => {
    const response = await stack.crm.request('/swagger');
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger-ui');
  });
});
