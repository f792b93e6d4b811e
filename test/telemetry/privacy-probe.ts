/**
 * Runs the service in a process of its own the way production does: telemetry started first from the
 * standard OTEL_* variables (exporting OTLP/HTTP JSON to a fake collector in this process), JSON logs on
 * stdout. Sends the requests of PROBE_REQUESTS over raw HTTP (any header, any path), waits for a periodic
 * metric export, and prints one line: statuses and bodies, what the collector received before and after
 * shutdown, and the /metrics text. Driven by test/integration/privacy-markers.int-spec.ts.
 */
import 'reflect-metadata';
import { Controller, Get, Headers, Module } from '@nestjs/common';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { loadConfig } from '@crm/config';
import { startTelemetry } from '../../apps/crm/src/telemetry/telemetry';
import { printProbeResult, runProbeMain } from './probe-output';
import { waitUntil } from '../utils/eventually';

interface ProbeRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Echoes the headers the application received: proof that the markers did reach it. */
@Controller('probe')
class HeaderEchoController {
  @Get('headers')
  headers(@Headers() headers: Record<string, string>): Record<string, string> {
    return headers;
  }
}

@Module({ controllers: [HeaderEchoController] })
class HeaderEchoModule {}

/** Records every OTLP export by signal (`traces`, `metrics`, `logs`). */
async function startCollector() {
  const received: Record<string, string[]> = { traces: [], metrics: [], logs: [] };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const signal = (request.url ?? '').replace(/^\/v1\//, '');
      (received[signal] ??= []).push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** The probe's own requests are the caller's, not the service's: they are sent untraced. */
function send(base: string, probe: ProbeRequest): Promise<{ status: number; body: string }> {
  const payload = probe.body === undefined ? undefined : JSON.stringify(probe.body);
  return context.with(
    suppressTracing(context.active()),
    () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const outgoing = httpRequest(
          `${base}${probe.path}`,
          {
            method: probe.method,
            headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...probe.headers },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
            );
          },
        );
        outgoing.on('error', reject);
        outgoing.end(payload);
      }),
  );
}

async function run(): Promise<void> {
  const collector = await startCollector();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
  const config = loadConfig(process.env);
  const telemetry = startTelemetry(config)!;
  // Only now the modules telemetry instruments (http, mongodb, undici) are loaded.
  const { createApp } = require('../../apps/crm/src/bootstrap'); // eslint-disable-line @typescript-eslint/no-require-imports
  const app = await createApp(config, { telemetry, extraModules: [HeaderEchoModule] });
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  const responses = [];
  for (const probe of JSON.parse(process.env.PROBE_REQUESTS!) as ProbeRequest[])
    responses.push(await send(base, probe));
  const prometheus = config.telemetry.prometheus ? (await send(base, { method: 'GET', path: '/metrics' })).body : '';
  // A periodic export before shutdown shows OTEL_METRIC_EXPORT_INTERVAL at work (shutdown flushes anyway).
  const metricsExportedWhileRunning = await waitUntil(() => collector.received.metrics.length > 0, {
    timeoutMs: 15_000,
  });

  await app.close();
  await telemetry.shutdown();
  collector.close();
  printProbeResult({ responses, metricsExportedWhileRunning, otlp: collector.received, prometheus });
}

runProbeMain(run);
