export { failFastBreaker } from './fail-fast-breaker';
