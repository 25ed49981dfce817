/**
 * Erasing a value from stored JSON (audit details, outbox effects, refs, the stored report): the
 * password guard's tool. Kept in `src/domain/erased.ts` (the transition erases the run's report
 * with it too); re-exported here for the store adapters.
 */
export { ERASED, eraseInJson } from '../domain/erased';
