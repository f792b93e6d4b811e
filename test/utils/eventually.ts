/**
 * Polls until a condition holds, for effects that land after the response (log lines, audit events,
 * a child process's progress). The last value read is returned either way, so the caller's assertion
 * fails with what was actually there rather than with a bare timeout.
 */
export async function eventually<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}

/** Whether `check` came true in time: `expect(await waitUntil(...)).toBe(true)`. */
export function waitUntil(
  check: () => boolean | Promise<boolean>,
  options?: { timeoutMs?: number; intervalMs?: number },
): Promise<boolean> {
  return eventually(check, (value) => value, options);
}
