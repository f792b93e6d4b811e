/**
 * The service's collections, named once. The holder's hard delete needs the alias collection's name:
 * aliases carry copies of the holder's document, so erasing a holder erases them too.
 */
export const COLLECTIONS = { holders: 'holders', aliasAccounts: 'alias_accounts' } as const;
