export { COLLECTIONS } from './collections';
export { ScopedStore } from './scoped-store';
