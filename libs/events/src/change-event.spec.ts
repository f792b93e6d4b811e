import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TOPICS, changeEvent, cloudEventHeaders, eventTime, goJson, topicOf, wholeSeconds } from './change-event';

// The original's messages, captured on a real broker (test/fixtures/lerian-crm-v3.8.0/events/README.md).
const captured = readFileSync(join(__dirname, '../../../test/fixtures/lerian-crm-v3.8.0/events/captured.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map(
    (line) =>
      JSON.parse(line) as { topic: string; headers: Array<[string, string]>; headers_map: Record<string, string> },
  );

describe('the original change-event contract', () => {
  it("names the original's topics, every one it wrote to and none else", () => {
    expect(new Set(ALL_TOPICS)).toEqual(new Set(captured.map((message) => message.topic)));
    expect(topicOf({ resource: 'alias', event: 'related-party-deleted' })).toBe(
      'lerian.streaming.crm_alias.related_party_deleted',
    );
  });

  it("writes the CloudEvents headers with the original's names, order and fixed values", () => {
    for (const message of captured) {
      const [resource, event] = message.headers_map['ce-type'].replace('studio.lerian.', '').split('.') as [
        'holder' | 'alias',
        'created',
      ];
      const ours = cloudEventHeaders(
        {
          ...changeEvent({ resource, event, subject: 'subject', at: new Date(), payload: {} }, 'trace'),
          tenantId: message.headers_map['ce-tenantid'],
        },
        message.headers_map['ce-source'],
      );
      expect(ours.map(([name]) => name)).toEqual(message.headers.map(([name]) => name));
      const fixed = ['ce-specversion', 'ce-source', 'ce-type', 'ce-schemaversion', 'ce-resourcetype', 'ce-eventtype'];
      for (const name of [...fixed, 'ce-datacontenttype', 'ce-tenantid'])
        expect([name, new Map(ours).get(name)]).toEqual([name, message.headers_map[name]]);
    }
  });

  it('encodes JSON as Go does: <, >, & and line separators escaped, nothing else', () => {
    expect(goJson({ externalId: 'a<b>&c\u2028d\u2029', plain: 'é "q"' })).toBe(
      '{"externalId":"a\\u003cb\\u003e\\u0026c\\u2028d\\u2029","plain":"é \\"q\\""}',
    );
    const value = { id: 'x', externalId: null, relatedParties: [{ relatedPartyId: 'p', role: 'R' }] };
    expect(JSON.parse(goJson(value))).toEqual(value);
  });

  it('writes times as the original: ce-time trimmed of trailing zeros, payload times in whole seconds', () => {
    expect(eventTime(new Date('2026-12-06T04:49:43.030Z'))).toBe('2026-12-06T04:49:43.03Z');
    expect(eventTime(new Date('2026-12-06T04:49:43.000Z'))).toBe('2026-12-06T04:49:43Z');
    expect(eventTime(new Date('2026-12-06T04:49:43.658Z'))).toBe('2026-12-06T04:49:43.658Z');
    expect(wholeSeconds(new Date('2026-12-06T04:49:42.999Z'))).toBe('2026-12-06T04:49:42Z');
  });

  it('gives every event its own time-ordered id (the ce-id, kept across redeliveries)', () => {
    const draft = { resource: 'holder', event: 'created', subject: 's', at: new Date(), payload: {} } as const;
    const ids = Array.from({ length: 50 }, () => changeEvent(draft, 'trace').id);
    expect(new Set(ids).size).toBe(50);
    expect([...ids].sort()).toEqual(ids);
  });
});
