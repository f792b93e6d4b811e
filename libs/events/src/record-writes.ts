const tails = new Map<string, Promise<unknown>>();

/**
 * Runs this process's writes to one record one after the other. MongoDB applies each single-document
 * update atomically, but FerretDB (a test stand-in) applies an update as read, modify, write: two updates
 * of one document landing together can lose one, and the relay's acknowledgement of published events
 * must never clobber a change stored beside them (or put back events it just removed).
 */
export function oneWriteAtATime<T>(collection: string, id: unknown, write: () => Promise<T>): Promise<T> {
  if (typeof id !== 'string') return write();
  const key = `${collection}/${id}`;
  const current = (tails.get(key) ?? Promise.resolve()).then(write, write);
  const tail = current.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return current;
}
