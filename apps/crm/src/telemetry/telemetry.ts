import type { IncomingMessage } from 'node:http';
import { Attributes } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { IMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { SimpleSpanProcessor, SpanExporter } from '@opentelemetry/sdk-trace';
import type { AppConfig } from '@crm/config';
import { requestIdOf } from '@crm/http';
import { loggableHeaders } from '../logging/loggable-headers';
import { INVALID, loggableQuery, loggableUrlParts } from '../logging/loggable-url';
import { otlpMetricReadersFromEnv } from './otlp-env';
import { scrubbedStatement } from './scrubbed-statement';

/** Probe traffic is not worth a span. */
const UNTRACED_PATHS = new Set(['/health', '/readyz', '/metrics']);

/** Headers shown as `server.address` and `user_agent.original`; the other allowed ones as `http.request.header.*`. */
const HEADERS_WITH_OWN_ATTRIBUTE = new Set(['host', 'user-agent']);

/**
 * The attributes of an incoming request's span, replacing the ones the HTTP instrumentation derives from
 * what the caller sent (path, query, Host/Forwarded, X-Forwarded-For, User-Agent): the same allow-list
 * as the logs. Applied before the span starts, so no sampler or processor ever sees the raw values.
 */
function incomingRequestAttributes(request: IncomingMessage, maxLimit: number): Attributes {
  const { path, query } = loggableUrlParts(request.url, maxLimit);
  const headers = loggableHeaders(request.headers, requestIdOf(request));
  const [, host, port] =
    headers.host && headers.host !== INVALID ? (/^(.*?)(?::(\d+))?$/.exec(headers.host) ?? []) : [];
  const attributes: Attributes = {
    'url.path': path,
    'url.query': query,
    'user_agent.original': headers['user-agent'],
    'server.address': host,
    'server.port': port ? Number(port) : undefined,
    // The peer itself, never what a Forwarded or X-Forwarded-For header claims.
    'client.address': request.socket.remoteAddress,
  };
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADERS_WITH_OWN_ATTRIBUTE.has(name)) attributes[`http.request.header.${name}`] = [value];
  }
  return attributes;
}

export interface Telemetry {
  /** Present with METRICS_ENABLED: the reader behind GET /metrics. */
  prometheus?: PrometheusExporter;
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry when ENABLE_TELEMETRY or METRICS_ENABLED is set; otherwise does nothing, and the
 * metric calls in the code stay on the API's no-op meter. It must run before `http` and the MongoDB
 * driver are loaded (main.ts imports the application only afterwards).
 *
 * Exporters, intervals, protocols, endpoints, headers, batching and sampling follow the standard
 * `OTEL_*` variables, read by the SDK itself. Spans carry what logs carry (see incomingRequestAttributes),
 * MongoDB statements with every value replaced and personal metadata keys masked, no bodies.
 */
export function startTelemetry(
  config: AppConfig,
  options: { spanExporter?: SpanExporter } = {},
): Telemetry | undefined {
  const { telemetry } = config;
  if (!telemetry.enabled && !telemetry.prometheus) return undefined;
  const prometheus = telemetry.prometheus ? new PrometheusExporter({ preventServerStart: true }) : undefined;

  const sdk = new NodeSDK({
    serviceName: telemetry.serviceName,
    // Absent: the SDK builds span processors from OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_*, OTEL_BSP_*.
    spanProcessors: options.spanExporter
      ? [new SimpleSpanProcessor({ exporter: options.spanExporter })]
      : telemetry.enabled
        ? undefined
        : [],
    metricReaders: metricReaders(telemetry.enabled, prometheus),
    // Logs go to stdout, never through OpenTelemetry.
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]),
        startIncomingSpanHook: (request) => incomingRequestAttributes(request, config.maxPaginationLimit),
        headersToSpanAttributes: {
          server: { requestHeaders: [], responseHeaders: [] },
          client: { requestHeaders: [], responseHeaders: [] },
        },
      }),
      // Outgoing calls (Midaz) carry ids only, but any query value is masked all the same.
      new UndiciInstrumentation({
        requestHook: (span, request) => {
          const [path, query] = request.path.split('?', 2);
          const masked = query ? `${path}?${loggableQuery(query, config.maxPaginationLimit)}` : path;
          span.setAttribute('url.full', `${request.origin}${masked}`);
          if (query) span.setAttribute('url.query', masked.slice(masked.indexOf('?') + 1));
        },
      }),
      new MongoDBInstrumentation({ enhancedDatabaseReporting: false, dbStatementSerializer: scrubbedStatement }),
    ],
  });
  sdk.start();
  return { prometheus, shutdown: () => sdk.shutdown() };
}

/**
 * Undefined leaves the metric readers to the SDK (OTEL_METRICS_EXPORTER, OTEL_METRIC_EXPORT_INTERVAL…).
 * The SDK takes readers from the environment or from code, not both: with /metrics on, the OTLP
 * reader is built here from the same variables.
 */
function metricReaders(otlp: boolean, prometheus: PrometheusExporter | undefined): IMetricReader[] | undefined {
  if (!prometheus) return undefined;
  return otlp ? [prometheus, ...otlpMetricReadersFromEnv(() => new OTLPMetricExporter())] : [prometheus];
}
