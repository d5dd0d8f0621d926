import type { ValidationIssue } from '@reachmap/schema';

/** Why one OONI record was not imported. Each names where to look, so the user can fix or report it. */
export type SkipReason =
  | { kind: 'unreadable'; message: string }
  | { kind: 'malformed_json'; message: string }
  | { kind: 'not_a_measurement'; what: string }
  | { kind: 'unsupported_test'; test_name: string }
  | { kind: 'missing_field'; path: string }
  | { kind: 'invalid_field'; path: string; message: string }
  | { kind: 'invalid_measurement'; issues: ValidationIssue[] }
  /** Older than every rollup retention: counted, it would be deleted at once (docs/ooni.md, Retention). */
  | { kind: 'older_than_retention'; start_time: string }
  | { kind: 'future_date'; start_time: string }
  | { kind: 'not_a_country'; probe_cc: string }
  | { kind: 'not_json'; message: string }
  /** One line or JSON value longer than a record may be (`MAX_RECORD_CHARS`): never parsed. */
  | { kind: 'too_large'; chars: number; limit: number };

export type SkipKind = SkipReason['kind'];

export function describeSkipReason(reason: SkipReason): string {
  switch (reason.kind) {
    case 'unreadable':
      return `unreadable: ${reason.message}`;
    case 'malformed_json':
      return `malformed JSON: ${reason.message}`;
    case 'not_a_measurement':
      return `not a measurement: ${reason.what}`;
    case 'unsupported_test':
      return `unsupported test "${reason.test_name}"`;
    case 'missing_field':
      return `missing field ${reason.path}`;
    case 'invalid_field':
      return `invalid field ${reason.path}: ${reason.message}`;
    case 'invalid_measurement':
      return `mapped measurement is invalid: ${reason.issues
        .slice(0, 3)
        .map((issue) => `${issue.path} ${issue.message}`)
        .join('; ')}`;
    case 'future_date':
      return `starts in the future (${reason.start_time}): the probe's clock was wrong`;
    case 'not_a_country':
      return `probe_cc "${reason.probe_cc}" names no country (OONI writes ZZ for an unknown one)`;
    case 'not_json':
      return `not JSON: ${reason.message}`;
    case 'too_large':
      return `one record of ${mebi(reason.chars)} MiB, over the ${mebi(reason.limit)} MiB a record may take, not read (a whole file in one line or one value? write it as JSONL, e.g. \`jq -c '.[]'\`)`;
    case 'older_than_retention':
      return `started ${reason.start_time}, older than the rollup retention (nothing would keep it)`;
  }
}

function mebi(chars: number): string {
  return (chars / 1024 / 1024).toFixed(1);
}
