export { isBogonAddress, isNonPublicAddress, reachedAddress, specialRangeOf } from './special-ranges.ts';
