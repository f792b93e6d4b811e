import { randomUUID } from 'node:crypto';
import { PROBE_RESULT_PREFIX } from '../telemetry/probe-output';
import { runProbe } from '../utils/probe';
import { testEnv } from '../utils/test-app';
import { organizationHeaders } from '../factories/organization';

/**
 * Distinctive values sent through every channel a caller or a browser controls: headers, invalid paging
 * values, odd paths, metadata keys. None may reach stdout logs (at trace), spans, metrics or the OTLP
 * logs endpoint; the controls show they were sent and that allowed values do get through.
 */
const MARKER = {
  refererDocument: '98765432100',
  refererEmail: 'referer.marker@example.com',
  proxyCredential: 'proxy-credential-marker-5521',
  customerDocument: 'customer-header-marker-7733',
  userAgentEmail: 'agent.marker@example.com',
  userAgentTail: 'agent-tail-marker-9911',
  forwardedFor: 'forwarded-for-marker-4410',
  forwardedHost: 'forwarded-host-marker-3307',
  limit: '38844711002',
  sortOrder: 'SortOrderMarkerSouza',
  cursorDocument: '27711833009',
  includeDeleted: 'include.marker@example.com',
  holderId: '61199244003',
  page: '55522233311',
  pathDocument: '44433322211',
  pathEmail: 'path.marker@example.com',
  unknownRoute: 'unknown-route-marker-6620',
  metadataKeyDocument: '11144477735',
  metadataKeyPhone: '91234-5678',
  filterKeyEmail: 'filterkey-52998224725',
};
const ALLOWED_AGENT = 'privacy-probe/1.0';

interface ProbeResult {
  responses: Array<{ status: number; body: string }>;
  metricsExportedWhileRunning: boolean;
  otlp: { traces: string[]; metrics: string[]; logs: string[] };
  prometheus: string;
}

/** Runs test/telemetry/privacy-probe.ts, exporting quickly over OTLP/JSON, with `requests` to send. */
const runPrivacyProbe = (requests: unknown[], env: Record<string, string>) =>
  runProbe<ProbeResult>(
    'privacy-probe.ts',
    {
      ...testEnv(env),
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '250',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      PROBE_REQUESTS: JSON.stringify(requests),
    },
    90_000,
  );

describe('privacy markers (LOG_LEVEL=trace, ENABLE_TELEMETRY=true, METRICS_ENABLED=true)', () => {
  const organizationId = randomUUID();
  const org = organizationHeaders(organizationId);
  const requests = [
    {
      method: 'GET',
      path: '/probe/headers',
      headers: {
        referer: `https://backoffice.example/holders?document=${MARKER.refererDocument}&email=${MARKER.refererEmail}`,
        'proxy-authorization': `Basic ${MARKER.proxyCredential}`,
        'x-customer-document': MARKER.customerDocument,
        'user-agent': `${ALLOWED_AGENT} (${MARKER.userAgentEmail}) ${'x'.repeat(90)} ${MARKER.userAgentTail}`,
        'x-forwarded-for': MARKER.forwardedFor,
        'x-forwarded-host': MARKER.forwardedHost,
        forwarded: `for=${MARKER.forwardedFor};host=${MARKER.forwardedHost}`,
        'x-request-id': 'privacy-probe-headers',
      },
    },
    { method: 'GET', path: `/v1/holders?limit=${MARKER.limit}`, headers: org },
    { method: 'GET', path: `/v1/holders?sort_order=${MARKER.sortOrder}`, headers: org },
    {
      method: 'GET',
      path: `/v1/holders?cursor=${Buffer.from(MARKER.cursorDocument).toString('base64url')}`,
      headers: org,
    },
    { method: 'GET', path: `/v1/holders?include_deleted=${encodeURIComponent(MARKER.includeDeleted)}`, headers: org },
    { method: 'GET', path: `/v1/aliases?holder_id=${MARKER.holderId}`, headers: org },
    { method: 'GET', path: `/v1/holders?page=1%3Fdocument%3D${MARKER.page}`, headers: org },
    { method: 'GET', path: `/v1/holders/${MARKER.pathDocument}`, headers: org },
    {
      method: 'GET',
      path: `/v1/holders/${randomUUID()}/aliases/${encodeURIComponent(MARKER.pathEmail)}`,
      headers: org,
    },
    { method: 'GET', path: `/v1/${MARKER.unknownRoute}/${MARKER.pathDocument}`, headers: org },
    {
      method: 'POST',
      path: '/v1/holders',
      headers: org,
      body: {
        type: 'NATURAL_PERSON',
        name: 'Marcador Privado',
        document: '52998224725',
        metadata: {
          [`cliente ${MARKER.metadataKeyDocument}`]: 'a',
          [`fone +55 11 ${MARKER.metadataKeyPhone}`]: 'b',
          segment: 'retail',
        },
      },
    },
    {
      method: 'GET',
      path: `/v1/holders?metadata.${encodeURIComponent(MARKER.filterKeyEmail)}=1&metadata.segment=retail&limit=5`,
      headers: { ...org, 'user-agent': ALLOWED_AGENT },
    },
  ];

  it('lets no marker reach stdout logs, spans, metrics or the OTLP logs endpoint', () => {
    const { result, lines } = runPrivacyProbe(requests, {
      LOG_LEVEL: 'trace',
      ENABLE_TELEMETRY: 'true',
      METRICS_ENABLED: 'true',
    });
    const logs = lines.filter((text) => !text.startsWith(PROBE_RESULT_PREFIX)).join('\n');
    const traces = result.otlp.traces.join('\n');
    const metrics = result.otlp.metrics.join('\n') + result.prometheus;

    // Controls: the markers reached the application, each request was answered as expected, and the
    // sinks are live (logs at trace, spans and metrics exported, allowed values visible).
    const echoed = JSON.parse(result.responses[0].body) as Record<string, string>;
    expect(echoed).toMatchObject({
      'x-customer-document': MARKER.customerDocument,
      'proxy-authorization': `Basic ${MARKER.proxyCredential}`,
      'x-forwarded-host': MARKER.forwardedHost,
    });
    expect(echoed.referer).toContain(MARKER.refererEmail);
    expect(result.responses.map((response) => response.status)).toEqual([
      200, 400, 400, 400, 400, 400, 400, 400, 400, 404, 201, 200,
    ]);
    expect(JSON.parse(result.responses[10].body).metadata).toEqual(requests[10].body!.metadata);
    expect(result.metricsExportedWhileRunning).toBe(true);
    expect(logs).toContain('/v1/holders/:invalid');
    expect(logs).toContain(ALLOWED_AGENT);
    expect(logs).toContain('metadata.segment=[REDACTED]');
    expect(traces).toContain('/v1/holders/:invalid');
    expect(traces).toContain(ALLOWED_AGENT);
    expect(traces).toContain('metadata.segment');
    expect(traces).toMatch(/metadata\.\[REDACTED\]/);
    expect(metrics).toContain('http.server.request.duration');
    expect(result.prometheus).toMatch(/^http_server_request_duration_count\{/m);

    const sinks = { logs, traces, metrics, otlpLogs: result.otlp.logs.join('\n') };
    for (const [name, marker] of Object.entries(MARKER)) {
      for (const [sink, text] of Object.entries(sinks)) {
        const found = text.includes(marker) || text.includes(encodeURIComponent(marker));
        expect({ marker: name, sink, found }).toEqual({ marker: name, sink, found: false });
      }
    }
    // Error bodies name the parameter at fault, never its value.
    for (const response of result.responses.slice(1, 10)) {
      for (const marker of Object.values(MARKER)) expect(response.body).not.toContain(marker);
    }
  });

  it('leaves exporters, protocol and intervals to the standard OTEL_* variables when the SDK alone reads them', () => {
    const { result } = runPrivacyProbe([{ method: 'GET', path: '/v1/holders?limit=5', headers: org }], {
      ENABLE_TELEMETRY: 'true',
      METRICS_ENABLED: 'false',
    });
    expect(result.responses.map((response) => response.status)).toEqual([200]);
    // A 250 ms OTEL_METRIC_EXPORT_INTERVAL: exported while running, not only at shutdown (the default is 60 s).
    expect(result.metricsExportedWhileRunning).toBe(true);
    // OTEL_EXPORTER_OTLP_PROTOCOL=http/json: the collector received JSON.
    expect(JSON.parse(result.otlp.metrics[0])).toHaveProperty('resourceMetrics');
    expect(result.otlp.traces.join('\n')).toContain('"/v1/holders"');
  });
});
