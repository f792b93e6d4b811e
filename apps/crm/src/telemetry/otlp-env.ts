import { getNumberFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import { IMetricReader, PeriodicExportingMetricReader, PushMetricExporter } from '@opentelemetry/sdk-metrics';

const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;

function positiveFromEnv(name: string): number | undefined {
  const value = getNumberFromEnv(name);
  return value !== undefined && value > 0 ? value : undefined;
}

/**
 * The OTLP metric reader the SDK would build from the standard variables (OTEL_METRICS_EXPORTER,
 * OTEL_METRIC_EXPORT_INTERVAL, OTEL_METRIC_EXPORT_TIMEOUT), for when code adds a reader of its own and
 * the SDK then reads none from the environment. The exporter reads its endpoint, headers and timeout itself.
 */
export function otlpMetricReadersFromEnv(exporter: () => PushMetricExporter): IMetricReader[] {
  const exporters = getStringListFromEnv('OTEL_METRICS_EXPORTER') ?? [];
  if (exporters.includes('none') || (exporters.length > 0 && !exporters.includes('otlp'))) return [];
  const exportIntervalMillis = positiveFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? DEFAULT_INTERVAL_MS;
  const exportTimeoutMillis = Math.min(
    positiveFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? DEFAULT_TIMEOUT_MS,
    exportIntervalMillis,
  );
  return [new PeriodicExportingMetricReader({ exporter: exporter(), exportIntervalMillis, exportTimeoutMillis })];
}
