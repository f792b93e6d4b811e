/**
 * Runs the holder → alias flow in a process of its own with telemetry on, the way main.ts starts it
 * (telemetry first, application after), spans going to an in-memory exporter. Prints one JSON line:
 * the finished spans and the Prometheus text. Driven by test/integration/telemetry.int-spec.ts.
 */
import 'reflect-metadata';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { loadConfig } from '@crm/config';
import { startTelemetry } from '../../apps/crm/src/telemetry/telemetry';
import { finishedSpans, printProbeResult, runProbeMain } from './probe-output';

interface Flow {
  holder: Record<string, unknown>;
  alias: Record<string, unknown>;
  searches: string[];
}

async function run(): Promise<void> {
  const exporter = new InMemorySpanExporter();
  const config = loadConfig(process.env);
  const telemetry = startTelemetry(config, { spanExporter: exporter })!;
  // Only now the modules telemetry instruments (http, mongodb, undici) are loaded.
  const { createApp } = require('../../apps/crm/src/bootstrap'); // eslint-disable-line @typescript-eslint/no-require-imports
  const { FakeMidaz } = require('../utils/fake-midaz'); // eslint-disable-line @typescript-eslint/no-require-imports
  const flow = JSON.parse(process.env.PROBE_FLOW!) as Flow;
  const organizationId = process.env.PROBE_ORGANIZATION!;

  const midaz = new FakeMidaz();
  await midaz.start();
  const app = await createApp(
    { ...config, midaz: { ...config.midaz, validation: true, ledgerUrl: midaz.url } },
    { telemetry },
  );
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        'x-organization-id': organizationId,
        'content-type': 'application/json',
        authorization: 'Bearer probe-secret-token',
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: await response.json() };
  };

  const holder = (await call('POST', '/v1/holders', flow.holder)) as { status: number; body: { id: string } };
  midaz.addAccount(organizationId, flow.alias.ledgerId, flow.alias.accountId);
  const alias = await call('POST', `/v1/holders/${holder.body.id}/aliases`, flow.alias);
  for (const search of flow.searches) await call('GET', search);
  const prometheus = await (await fetch(`${base}/metrics`)).text();

  await app.close();
  await midaz.stop();
  const spans = finishedSpans(exporter);
  await telemetry.shutdown();
  printProbeResult({ statuses: [holder.status, alias.status], spans, prometheus });
}

runProbeMain(run);
