import type { IncomingMessage } from 'node:http';
import { Span } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { IMetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, SimpleSpanProcessor, SpanExporter } from '@opentelemetry/sdk-trace';
import type { AppConfig } from '@crm/config';
import { loggableUrl } from '../logging/loggable-url';

/** Probe traffic is not worth a span. */
const UNTRACED_PATHS = new Set(['/health', '/readyz', '/metrics']);

/** URL attributes as recorded: query values outside the paging allow-list are masked (documents, metadata…). */
const URL_ATTRIBUTES = ['http.url', 'http.target', 'url.full', 'url.query'];

function maskUrlAttributes(span: Span, request: IncomingMessage): void {
  const masked = loggableUrl(request.url);
  const query = masked.includes('?') ? masked.slice(masked.indexOf('?') + 1) : undefined;
  for (const attribute of URL_ATTRIBUTES) {
    if (attribute === 'url.query') {
      if (query !== undefined) span.setAttribute(attribute, query);
    } else {
      span.setAttribute(attribute, attribute === 'http.target' ? masked : `${request.headers.host ? `http://${request.headers.host}` : ''}${masked}`);
    }
  }
}

export interface Telemetry {
  /** Present with METRICS_ENABLED: the reader behind GET /metrics. */
  prometheus?: PrometheusExporter;
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry when ENABLE_TELEMETRY or METRICS_ENABLED is set; otherwise does nothing, and the
 * metric calls in the code stay on the API's no-op meter. It must run before `http` and the MongoDB
 * driver are loaded (main.ts imports the application only afterwards). No request bodies, no query
 * values outside the paging allow-list, and no database statement values (MongoDB's "enhanced
 * reporting" stays off) are recorded.
 */
export function startTelemetry(config: AppConfig, options: { spanExporter?: SpanExporter } = {}): Telemetry | undefined {
  const { telemetry } = config;
  if (!telemetry.enabled && !telemetry.prometheus) return undefined;
  const endpoint = telemetry.otlpEndpoint?.replace(/\/+$/, '');
  const spanExporter = options.spanExporter ?? (telemetry.enabled ? new OTLPTraceExporter(endpoint ? { url: `${endpoint}/v1/traces` } : {}) : undefined);
  const metricReaders: IMetricReader[] = [];
  if (telemetry.enabled && !options.spanExporter) {
    metricReaders.push(new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(endpoint ? { url: `${endpoint}/v1/metrics` } : {}) }));
  }
  const prometheus = telemetry.prometheus ? new PrometheusExporter({ preventServerStart: true }) : undefined;
  if (prometheus) metricReaders.push(prometheus);

  const sdk = new NodeSDK({
    serviceName: telemetry.serviceName,
    spanProcessors: spanExporter ? [options.spanExporter ? new SimpleSpanProcessor({ exporter: spanExporter }) : new BatchSpanProcessor({ exporter: spanExporter })] : [],
    metricReaders,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]),
        requestHook: (span, request) => {
          if ('headers' in request && 'url' in request && !('setHeader' in request)) maskUrlAttributes(span, request as IncomingMessage);
        },
        headersToSpanAttributes: { server: { requestHeaders: [], responseHeaders: [] }, client: { requestHeaders: [], responseHeaders: [] } },
      }),
      // Outgoing calls (Midaz) carry ids only, but any query value is masked all the same.
      new UndiciInstrumentation({
        requestHook: (span, request) => {
          const masked = loggableUrl(request.path);
          span.setAttribute('url.full', `${request.origin}${masked}`);
          if (masked.includes('?')) span.setAttribute('url.query', masked.slice(masked.indexOf('?') + 1));
        },
      }),
      new MongoDBInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  return { prometheus, shutdown: () => sdk.shutdown() };
}
