import fc from 'fast-check';
import { aliasBody, ledgerAccount, relatedParty } from '../factories/aliases';
import { naturalPerson } from '../factories/holders';
import { crmWithMidazForAll } from '../utils/crm-with-midaz';

/**
 * Property: whatever a client sends (any JSON body, any query string, any path segment, any media
 * type) to any route, the answer is never a 5xx. fast-check shrinks a failure to a minimal request.
 */
describe('fuzzing every route: no input answers 5xx', () => {
  const stack = crmWithMidazForAll();
  let organizationId: string;
  let holderId: string;
  let aliasId: string;
  let partyId: string;

  beforeAll(async () => {
    const { api, midaz } = stack;
    organizationId = api.organizationId;
    holderId = (await api.post('/v1/holders', naturalPerson({ name: 'Fuzz' }))).body.id;
    const account = ledgerAccount(midaz, api);
    const relatedParties = [relatedParty({ role: 'PRIMARY_HOLDER' })];
    const alias = (await api.post(`/v1/holders/${holderId}/aliases`, aliasBody(account, { relatedParties }))).body;
    aliasId = alias.id;
    partyId = alias.relatedParties[0].id;
  });

  /** Built once the fixtures exist: the generated paths include the ids of a real holder, alias and related party. */
  function requests() {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '',
        ' ',
        '.',
        '..',
        '%',
        '__proto__',
        'constructor',
        '$gt',
        '0x1',
        '1e309',
        'null',
        'TRUE',
        '-1',
        '2025-02-30',
      ),
    );
    const pathSegment = () =>
      fc.oneof(
        fc.constant(holderId),
        fc.constant(aliasId),
        fc.uuid(),
        text.filter((value) => value.length > 0),
      );
    const queryKey = fc.oneof(
      fc.constantFrom(
        'page',
        'limit',
        'cursor',
        'sort_order',
        'start_date',
        'end_date',
        'count',
        'include_deleted',
        'hard_delete',
        'document',
        'external_id',
        'holder_id',
        'ledger_id',
        'account_id',
        'banking_details_iban',
        'related_party_document',
        'related_party_role',
      ),
      text.map((key) => `metadata.${key}`),
      text,
    );
    const query = fc
      .array(fc.tuple(queryKey, text), { maxLength: 4 })
      .map((pairs) => new URLSearchParams(pairs).toString());
    const person = fc.record(
      {
        type: fc.oneof(fc.constantFrom('NATURAL_PERSON', 'LEGAL_PERSON'), text),
        name: fc.oneof(text, fc.jsonValue()),
        document: fc.oneof(text, fc.jsonValue()),
        metadata: fc.oneof(fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })), fc.jsonValue()),
        addresses: fc.jsonValue({ maxDepth: 3 }),
        naturalPerson: fc.jsonValue({ maxDepth: 3 }),
        relatedParties: fc.oneof(
          fc.array(
            fc.dictionary(
              fc.constantFrom('document', 'name', 'role', 'startDate', 'endDate', 'id'),
              fc.oneof(text, fc.jsonValue({ maxDepth: 1 })),
            ),
          ),
          fc.jsonValue(),
        ),
        ledgerId: fc.oneof(fc.uuid(), text),
        accountId: fc.oneof(fc.uuid(), text),
        bankingDetails: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      person.map((value) => JSON.stringify(value)),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      text, // not JSON at all
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/merge-patch+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      undefined,
    );
    const route = fc.oneof(
      fc.record({ method: fc.constant('POST'), path: fc.constant('/v1/holders') }),
      fc.record({ method: fc.constant('GET'), path: fc.constant('/v1/holders') }),
      fc.record({ method: fc.constant('GET'), path: fc.constant('/v1/aliases') }),
      fc.record({
        method: fc.constantFrom('GET', 'PATCH', 'DELETE', 'PUT'),
        path: pathSegment().map((id) => `/v1/holders/${encodeURIComponent(id)}`),
      }),
      fc.record({
        method: fc.constant('POST'),
        path: pathSegment().map((id) => `/v1/holders/${encodeURIComponent(id)}/aliases`),
      }),
      fc.record({
        method: fc.constantFrom('GET', 'PATCH', 'DELETE'),
        path: fc
          .tuple(pathSegment(), pathSegment())
          .map(([h, a]) => `/v1/holders/${encodeURIComponent(h)}/aliases/${encodeURIComponent(a)}`),
      }),
      fc.record({
        method: fc.constant('DELETE'),
        path: fc
          .tuple(fc.constant(holderId), fc.constant(aliasId), fc.oneof(fc.constant(partyId), pathSegment()))
          .map((ids) =>
            `/v1/holders/${ids.map(encodeURIComponent).join('/aliases/')}`.replace(
              /aliases\/([^/]+)$/,
              'related-parties/$1',
            ),
          ),
      }),
    );
    return { route, query, body, contentType };
  }

  it('answers every generated request with a status below 500', async () => {
    const { route, query, body, contentType } = requests();
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(route, query, body, contentType, async ({ method, path }, search, payload, type) => {
        const headers: Record<string, string> = {
          'x-organization-id': organizationId,
          ...(type ? { 'content-type': type } : {}),
        };
        const withBody = method === 'POST' || method === 'PATCH';
        const response = await stack.crm.request(`${path}${search ? `?${search}` : ''}`, {
          method,
          headers,
          ...(withBody ? { body: payload } : {}),
        });
        statuses.push(response.status);
        if (response.status >= 500)
          throw new Error(`${method} ${path}?${search} -> ${response.status} ${response.text}`);
      }),
      // A fixed seed keeps CI repeatable; FUZZ_SEED and FUZZ_RUNS explore further by hand.
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400), seed: Number(process.env.FUZZ_SEED ?? 20_261_123) },
    );
    // The barrage reached real handlers (successes), not only refusals.
    expect(statuses.some((status) => status < 300)).toBe(true);
    expect(statuses.some((status) => status >= 400)).toBe(true);
  });
});
