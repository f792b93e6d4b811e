/**
 * How a failed CLI run is told: one line naming what failed and what to check, the stack only when
 * asked for (--verbose), and never a database credential.
 */

/** The driver's errors for a server it could not reach (by name: mongoose wraps the driver's). */
const UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
]);

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
};

interface ServerSelectionFailure extends Error {
  reason?: { servers?: Map<string, { error?: Error | null }> };
}

/** `mongodb://user:password@host` → `mongodb://***@host`, wherever a URI appears in a text. */
export function withoutCredentials(text: string): string {
  return text.replace(/(mongodb(?:\+srv)?:\/\/)[^@/\s]+@/g, '$1***@');
}

function reasonOf(error: Error): string {
  const code =
    (error.cause as NodeJS.ErrnoException | undefined)?.code ??
    (error as NodeJS.ErrnoException).code ??
    /\b(E[A-Z_]{4,})\b/.exec(error.message)?.[1];
  if (code && REASONS[code]) return REASONS[code];
  return /timed out/i.test(error.message) ? 'timed out' : 'no answer';
}

/**
 * `cannot reach the database at host:port (connection refused): check <check>` for an error of an
 * unreachable server, otherwise undefined. The addresses come from the driver's topology, never the URI.
 */
export function describeUnreachableDatabase(error: unknown, check: string): string | undefined {
  if (!(error instanceof Error) || !UNREACHABLE.has(error.name)) return undefined;
  const servers = (error as ServerSelectionFailure).reason?.servers;
  const addresses = servers && servers.size > 0 ? [...servers.keys()].join(', ') : 'the configured address';
  const serverError = servers ? [...servers.values()].map((server) => server.error).find(Boolean) : undefined;
  return `cannot reach the database at ${addresses} (${reasonOf(serverError ?? error)}): check ${check}`;
}

/** The one line (and with `verbose` the stack) that reports a failed run. */
export function describeFailure(error: unknown, options: { databaseCheck: string; verbose: boolean }): string {
  const failure = error instanceof Error ? error : new Error(String(error));
  const line =
    describeUnreachableDatabase(failure, options.databaseCheck) ??
    withoutCredentials(`${failure.name}: ${failure.message.split('\n')[0]}`);
  const stack = options.verbose && failure.stack ? `\n${withoutCredentials(failure.stack)}` : '';
  return `crm: ${line}${stack}\n`;
}
