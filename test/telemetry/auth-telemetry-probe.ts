/**
 * Runs authorized, refused and unavailable requests in lerian mode in a process of its own with
 * telemetry on (telemetry first, application after), spans going to an in-memory exporter. Prints one
 * JSON line: the spans, the Prometheus text, and the headers plugin-auth received. Driven by
 * test/integration/auth-telemetry.int-spec.ts.
 */
import 'reflect-metadata';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { loadConfig } from '@crm/config';
import { startTelemetry } from '../../apps/crm/src/telemetry/telemetry';
import { finishedSpans, printProbeResult, runProbeMain } from './probe-output';

async function run(): Promise<void> {
  const exporter = new InMemorySpanExporter();
  const { FakePluginAuth } = require('../utils/fake-plugin-auth'); // eslint-disable-line @typescript-eslint/no-require-imports
  const pluginAuth = new FakePluginAuth();
  await pluginAuth.start();
  const config = loadConfig({ ...process.env, PLUGIN_AUTH_ENABLED: 'true', PLUGIN_AUTH_ADDRESS: pluginAuth.url });
  const telemetry = startTelemetry(config, { spanExporter: exporter })!;
  // Only now the modules telemetry instruments (http, mongodb, undici) are loaded.
  const { createApp } = require('../../apps/crm/src/bootstrap'); // eslint-disable-line @typescript-eslint/no-require-imports
  const app = await createApp(config, { telemetry });
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const call = async (token: string) =>
    (
      await fetch(`${base}/v1/holders`, {
        headers: {
          'x-organization-id': process.env.PROBE_ORGANIZATION!,
          authorization: `Bearer ${token}`,
          'x-request-id': 'probe-request',
        },
      })
    ).status;

  const statuses = [await call(process.env.PROBE_TOKEN!)];
  pluginAuth.answer(200, { authorized: false });
  statuses.push(await call(process.env.PROBE_TOKEN!));
  await pluginAuth.stop();
  statuses.push(await call(process.env.PROBE_TOKEN!));
  const prometheus = await (await fetch(`${base}/metrics`)).text();

  await app.close();
  const spans = finishedSpans(exporter);
  await telemetry.shutdown();
  const received = pluginAuth.calls.map((received: { headers: Record<string, unknown> }) => received.headers);
  printProbeResult({ statuses, spans, prometheus, received });
}

runProbeMain(run);
