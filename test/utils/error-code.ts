/** The CRM-00xx code a call fails with (its error envelope's `code`); fails when the call succeeds. */
export async function errorCodeOf(call: Promise<unknown>): Promise<string> {
  const reason = await call.then(
    () => {
      throw new Error('expected the call to fail with a CRM error code');
    },
    (error: unknown) => error,
  );
  const code = (reason as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') throw reason;
  return code;
}
