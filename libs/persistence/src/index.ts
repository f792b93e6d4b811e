export { COLLECTIONS } from './collections';
export { mergePatch } from './merge-patch';
export { decodeCursor, encodeCursor, listFilter, metadataFilterValues, pageFilter } from './paging';
export type { MetadataFilterValue, Paging } from './paging';
export { insertRecord, insertRecords, insertUnlessPresent, ScopedStore } from './scoped-store';
export type { Erasure, EventOf } from './scoped-store';
