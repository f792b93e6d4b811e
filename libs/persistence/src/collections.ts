/** The collections of protected records, named once (their schemas name them here). */
export const COLLECTIONS = { holders: 'holders', aliasAccounts: 'alias_accounts' } as const;
