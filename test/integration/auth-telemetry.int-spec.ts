import { randomUUID } from 'node:crypto';
import { runProbe } from '../utils/probe';
import { testEnv } from '../utils/test-app';
import { unverifiedJwt } from '../utils/tokens';

describe('auth telemetry (ENABLE_TELEMETRY=true, lerian mode)', () => {
  it('measures decisions and their latency, forwards trace context, and records no token or claim value', () => {
    const claims = {
      type: 'normal-user',
      owner: 'telemetry-owner-corp',
      sub: 'telemetry-subject-77',
      email: 'claim.value@example.com',
    };
    const token = unverifiedJwt(claims);
    const { result } = runProbe<{
      statuses: number[];
      spans: Array<{ kind: number; attributes: Record<string, unknown> }>;
      prometheus: string;
      received: Array<Record<string, string>>;
    }>('auth-telemetry-probe.ts', {
      ...testEnv({ ENABLE_TELEMETRY: 'true', METRICS_ENABLED: 'true' }),
      PROBE_TOKEN: token,
      PROBE_ORGANIZATION: randomUUID(),
    });
    expect(result.statuses).toEqual([200, 403, 503]);

    expect(result.prometheus).toMatch(/^crm_auth_decisions_total\{[^}]*mode="lerian"[^}]*outcome="allowed"[^}]*\} 1$/m);
    expect(result.prometheus).toMatch(/^crm_auth_decisions_total\{[^}]*outcome="forbidden"[^}]*\} 1$/m);
    expect(result.prometheus).toMatch(/^crm_auth_decisions_total\{[^}]*outcome="unavailable"[^}]*\} 1$/m);
    expect(result.prometheus).toMatch(/^crm_auth_duration_count\{[^}]*outcome="allowed"/m);
    expect(result.prometheus).toMatch(/^crm_audit_events_total\{[^}]*outcome="queued"/m);

    // The call to plugin-auth is a client span of the request's trace, and carries its context.
    expect(
      result.spans.some((span) => span.kind === 2 && JSON.stringify(span.attributes).includes('/v1/authorize')),
    ).toBe(true);
    expect(result.received[0].traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(result.received[0]['x-request-id']).toBe('probe-request');

    const recorded = JSON.stringify(result.spans) + result.prometheus;
    expect(recorded).toContain('/v1/holders'); // positive control: requests were recorded
    for (const value of [
      token,
      ...token.split('.').slice(0, 2),
      ...Object.values(claims).slice(1),
      'telemetry-owner-corp/telemetry-subject-77',
    ]) {
      expect({ value, found: recorded.includes(value) }).toEqual({ value, found: false });
    }
  });
});
