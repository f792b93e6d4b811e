import { randomUUID } from 'node:crypto';
import { loggableHeaders, loggableUserAgent, USER_AGENT_MAX_LENGTH } from './loggable-headers';
import { loggableQuery } from './loggable-url';
import { RouteTemplates } from './route-templates';

describe('RouteTemplates', () => {
  const routes = new RouteTemplates();
  for (const url of [
    '/v1/holders',
    '/v1/holders/:id',
    '/v1/holders/:holder_id/aliases/:alias_id',
    '/v1/aliases',
    '/swagger',
    '/swagger/*',
    '/health',
  ])
    routes.add(url);
  const id = randomUUID();

  it.each([
    [`/v1/holders/${id}`, `/v1/holders/${id}`],
    ['/v1/holders/98765432100', '/v1/holders/:invalid'],
    [`/v1/holders/maria@example.com/aliases/${id}`, `/v1/holders/:invalid/aliases/${id}`],
    ['/v1/holders', '/v1/holders'],
    ['/swagger/static/index.css', '/swagger/*'],
    ['/v1/people/98765432100', '/v1/:invalid/:invalid'],
    [`/v1/holders/${id}/other`, `/v1/holders/${id}/:invalid`],
    ['/', '/'],
  ])('%s is logged as %s', (path, shown) => expect(routes.loggablePath(path)).toBe(shown));
});

describe('loggableQuery', () => {
  it.each([
    ['limit=5&page=2&sort_order=DESC&count=true', 'limit=5&page=2&sort_order=DESC&count=true'],
    ['limit=101', 'limit=[INVALID]'],
    ['limit=0', 'limit=[INVALID]'],
    ['page=1%3Fdocument%3D98765432100', 'page=[INVALID]'],
    ['start_date=2026-02-30', 'start_date=[INVALID]'],
    [`cursor=${Buffer.from('98765432100').toString('base64url')}`, 'cursor=[INVALID]'],
    [
      `cursor=${Buffer.from('0198f0aa-0000-7000-8000-000000000000').toString('base64url')}`,
      `cursor=${Buffer.from('0198f0aa-0000-7000-8000-000000000000').toString('base64url')}`,
    ],
    ['hard_delete=true&include_deleted=maybe', 'hard_delete=true&include_deleted=[INVALID]'],
    ['holder_id=98765432100', 'holder_id=[INVALID]'],
    ['document=98765432100&metadata.tier=gold', 'document=[REDACTED]&metadata.tier=[REDACTED]'],
    ['metadata.maria%40example.com=1', 'metadata.[REDACTED]=[REDACTED]'],
    ['98765432100=1&Maria%20Souza=2', '[REDACTED]=[REDACTED]&[REDACTED]=[REDACTED]'],
  ])('%s is logged as %s', (query, shown) => expect(loggableQuery(query, 100)).toBe(shown));
});

describe('loggableHeaders', () => {
  it('keeps allowed headers in valid forms only, and drops every other header', () => {
    const headers = {
      host: 'crm.internal:4003',
      'content-type': 'application/json; charset=utf-8',
      'content-length': '12; x',
      'x-request-id': 'caller-id',
      'x-organization-id': 'not-a-uuid',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      referer: 'https://backoffice.example/?document=98765432100',
      'proxy-authorization': 'Basic c2VjcmV0',
      authorization: 'Bearer secret',
    };
    expect(loggableHeaders(headers, 'another-id')).toEqual({
      host: 'crm.internal:4003',
      'content-type': 'application/json; charset=utf-8',
      'content-length': '[INVALID]',
      'x-request-id': '[INVALID]',
      'x-organization-id': '[INVALID]',
      traceparent: headers.traceparent,
    });
    expect(loggableHeaders({ host: '52998224725' }, undefined)).toEqual({ host: '[INVALID]' });
  });

  it('cuts the user agent and masks words that look like personal data', () => {
    const prefix = 'curl/8.5 (ops maria@example.com; 529.982.247-25) ';
    expect(loggableUserAgent(`${prefix}${'x'.repeat(200)}`)).toBe(
      `curl/8.5 (ops [REDACTED] [REDACTED] ${'x'.repeat(USER_AGENT_MAX_LENGTH - prefix.length)}`,
    );
  });
});
