export { ScopedStore } from './scoped-store';
