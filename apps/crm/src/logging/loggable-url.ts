/** Query parameters whose values are safe to log; every other value (documents, metadata…) is masked. */
const LOGGABLE_QUERY_PARAMETERS = new Set([
  'page', 'limit', 'sort_order', 'include_deleted', 'hard_delete', 'count', 'start_date', 'end_date', 'cursor', 'holder_id', 'ledger_id', 'account_id',
]);

/** The URL as logged: path kept, values of query parameters outside the allow-list masked. */
export function loggableUrl(url: string | undefined): string {
  if (!url) return '';
  const [path, query] = url.split('?', 2);
  if (!query) return path;
  const params = new URLSearchParams(query);
  const masked = [...params.entries()].map(([key, value]) => `${key}=${LOGGABLE_QUERY_PARAMETERS.has(key) ? encodeURIComponent(value) : '[REDACTED]'}`);
  return `${path}?${masked.join('&')}`;
}
