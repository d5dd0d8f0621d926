/**
 * Version of the verdict rules, stored on every verdict so that results of an older rule set can be
 * found and re-classified. Bump the minor version when a threshold changes, the major when a rule does.
 */
export const CLASSIFIER_VERSION = '4.0.0';
