import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace';

/** The finished spans as plain JSON: what the specs look into. */
export function finishedSpans(exporter: InMemorySpanExporter) {
  return exporter.getFinishedSpans().map((span) => ({
    name: span.name,
    kind: span.kind,
    attributes: span.attributes,
    events: span.events,
    status: span.status,
  }));
}

/** How the line with a probe's result starts (the spec's runProbe, test/utils/probe.ts, looks for it). */
export const PROBE_RESULT_PREFIX = 'PROBE_RESULT ';

export function printProbeResult(result: unknown): void {
  process.stdout.write(`${PROBE_RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** Runs a probe; a failure goes to stderr (which the spec shows) and exits 1. */
export function runProbeMain(run: () => Promise<void>): void {
  run().catch((error) => {
    process.stderr.write(`probe failed: ${(error as Error).stack}\n`);
    process.exit(1);
  });
}
