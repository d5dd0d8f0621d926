import { describe, expect, it } from 'vitest';
import { importOoni } from '../import-ooni.ts';
import { HAVE_REAL_OONI_FIXTURES, REAL_OONI_FIXTURES } from '../testing/ooni-fixtures.ts';
import { AgreementTally, formatAgreementTable } from './agreement.ts';

describe.skipIf(!HAVE_REAL_OONI_FIXTURES)('agreement with OONI on its real measurements', () => {
  it('gives the per-test tally of the 11 original fixtures', async () => {
    const tally = new AgreementTally();
    const outcomes = new Map<string, string>();
    await importOoni([{ path: REAL_OONI_FIXTURES }], {
      submit: async () => {},
      onImported: ({ measurement }) => {
        const compared = tally.add(measurement);
        outcomes.set(
          measurement.source.ooni?.report_id ?? '',
          `${compared.verdict.status}/${compared.agreement}`,
        );
      },
    });
    expect(formatAgreementTable(tally.rows())).toBe(
      [
        '| test | measurements | agree | reachmap-only | OONI-only | undecided |',
        '|---|---:|---:|---:|---:|---:|',
        '| signal | 3 | 2 | 0 | 1 | 0 |',
        '| telegram | 3 | 1 | 0 | 1 | 1 |',
        '| web_connectivity | 2 | 1 | 1 | 0 | 0 |',
        '| whatsapp | 3 | 2 | 0 | 1 | 0 |',
      ].join('\n'),
    );
    expect(outcomes.get('20221202T125848Z_whatsapp_IE_6830_n1_qXiNfqqAGfleHPLR')).toBe('ok/agree');
    expect(outcomes.get('20220815T190043Z_webconnectivity_IR_197207_n1_cCbffjGasS4tFgb2')).toBe(
      'blocked/agree',
    );
    expect(outcomes.get('20201029T041242Z_webconnectivity_RU_51604_n1_I0rABGogC4OLATJx')).toBe(
      'blocked/reachmap-only',
    );
  });
});
