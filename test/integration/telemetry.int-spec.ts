import { randomUUID } from 'node:crypto';
import { runProbe } from '../utils/probe';
import { testEnv } from '../utils/test-app';

// Known personal data sent through the whole flow; none of it may reach a span, an attribute or a metric.
const PII = {
  name: 'Telemetria Souza Lima',
  document: '529.982.247-25',
  email: 'telemetria.souza@example.com',
  phone: '+55 11 91234-5678',
  motherName: 'Mae Telemetria Souza',
  account: '98765-4',
  iban: 'GB29NWBK60161331926819',
  partyDocument: '111.444.777-35',
  partyName: 'Parte Relacionada Telemetria',
  token: 'probe-secret-token',
};

describe('telemetry (ENABLE_TELEMETRY=true)', () => {
  it('traces HTTP, MongoDB and Midaz calls, measures them, and records no personal data anywhere', () => {
    const flow = {
      holder: {
        type: 'NATURAL_PERSON',
        name: PII.name,
        document: PII.document,
        contact: { primaryEmail: PII.email, mobilePhone: PII.phone },
        naturalPerson: { motherName: PII.motherName },
      },
      alias: {
        ledgerId: randomUUID(),
        accountId: randomUUID(),
        bankingDetails: { account: PII.account, iban: PII.iban },
        relatedParties: [
          { document: PII.partyDocument, name: PII.partyName, role: 'PRIMARY_HOLDER', startDate: '2025-01-01' },
        ],
      },
      searches: [
        `/v1/holders?document=${encodeURIComponent(PII.document)}&limit=5`,
        `/v1/aliases?banking_details_iban=${PII.iban}&related_party_document=${encodeURIComponent(PII.partyDocument)}`,
      ],
    };
    const { result } = runProbe<{
      statuses: number[];
      spans: Array<{ name: string; kind: number; attributes: Record<string, unknown> }>;
      prometheus: string;
    }>('telemetry-probe.ts', {
      ...testEnv({ ENABLE_TELEMETRY: 'true', METRICS_ENABLED: 'true', OTEL_METRICS_EXPORTER: 'none' }),
      // Change events to a broker that is not there: they wait in the outbox, and the backlog shows it.
      STREAMING_ENABLED: 'true',
      STREAMING_BROKERS: '127.0.0.1:1',
      STREAMING_CREATE_TOPICS: 'false',
      PROBE_FLOW: JSON.stringify(flow),
      PROBE_ORGANIZATION: randomUUID(),
    });
    expect(result.statuses).toEqual([201, 201]);

    const server = result.spans.filter((span) => span.kind === 1);
    expect(server.map((span) => span.attributes['http.route'])).toEqual(
      expect.arrayContaining(['/v1/holders', '/v1/holders/:holder_id/aliases', '/v1/aliases']),
    );
    expect(
      result.spans.some(
        (span) =>
          /mongodb|insert|find/i.test(span.name) && Object.keys(span.attributes).some((key) => key.startsWith('db.')),
      ),
    ).toBe(true);
    expect(result.spans.some((span) => span.kind === 2 && JSON.stringify(span.attributes).includes('/ledgers/'))).toBe(
      true,
    );
    expect(result.prometheus).toMatch(
      /^http_server_request_duration_count\{[^}]*http_route="\/v1\/holders\/:holder_id\/aliases"[^}]*http_response_status_code="201"/m,
    );
    expect(result.prometheus).toMatch(/^crm_crypto_operations_total\{[^}]*operation="encrypt"/m);
    expect(result.prometheus).toMatch(/^crm_crypto_operations_total\{[^}]*operation="hash"/m);
    expect(result.prometheus).toMatch(/^crm_midaz_request_duration_count\{[^}]*outcome="ok"/m);
    expect(result.prometheus).toMatch(/^crm_midaz_circuit_open\{[^}]*\} 0$/m);
    expect(result.prometheus).toMatch(/^db_client_connection_count\{/m);
    expect(result.prometheus).toMatch(/^crm_events_outbox_backlog(\{[^}]*\})? [1-9]/m);

    const recorded = JSON.stringify(result.spans) + result.prometheus;
    for (const value of Object.values(PII)) {
      expect({ value, found: recorded.includes(value) || recorded.includes(encodeURIComponent(value)) }).toEqual({
        value,
        found: false,
      });
    }
    expect(recorded).not.toContain('52998224725');
  });
});
