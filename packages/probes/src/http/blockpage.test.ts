import { describe, expect, it } from 'vitest';
import { BLOCKPAGE_FINGERPRINTS, BlockpageFingerprints, matchBlockpage } from './blockpage.ts';

describe('matchBlockpage', () => {
  it.each([
    ['the lab blockpage title', { title: 'Access restricted (reachmap lab)' }, 'lab-blockpage'],
    [
      'the Iranian iframe',
      { body: '<html><iframe src="http://10.10.34.34?type=Invalid"></iframe>' },
      'ooni.ir_0',
    ],
    ['the Iranian stub IP', { ip: '10.10.34.35' }, 'ooni.ir_0'],
    [
      'the Russian federal wording',
      { body: '<p>Доступ к сайту ограничен в соответствии с Федеральными законами</p>' },
      'ooni.ru_0',
    ],
    ['a Rostelecom redirect', { location: 'http://warning.rt.ru/?id=17' }, 'ooni.ru_6'],
    ['a VK RKN redirect', { location: 'https://vk.com/blank.php?rkn=123' }, 'ooni.by_3'],
  ])('recognises %s', (_name, evidence, id) => {
    expect(matchBlockpage(evidence)).toBe(id);
  });

  it.each([
    ['an ordinary page', { title: 'Example Domain', body: '<h1>Example Domain</h1>', ip: '198.18.0.10' }],
    [
      'a title that merely contains the lab wording',
      { title: 'Why is Access restricted (reachmap lab) shown?' },
    ],
    ['nothing at all', {}],
  ])('does not flag %s', (_name, evidence) => {
    expect(matchBlockpage(evidence)).toBeNull();
  });

  it('ships a valid fingerprint file with unique ids', () => {
    expect(BlockpageFingerprints.parse(BLOCKPAGE_FINGERPRINTS)).toHaveLength(BLOCKPAGE_FINGERPRINTS.length);
    expect(() => BlockpageFingerprints.parse([...BLOCKPAGE_FINGERPRINTS, BLOCKPAGE_FINGERPRINTS[0]])).toThrow(
      /duplicate id/,
    );
  });

  it('uses a caller-supplied fingerprint list', () => {
    const custom = BlockpageFingerprints.parse([
      {
        id: 'custom',
        country: 'ZZ',
        source: 'test',
        description: 'test',
        title_patterns: [],
        body_patterns: ['forbidden by order'],
        location_patterns: [],
        stub_ips: [],
      },
    ]);
    expect(matchBlockpage({ body: 'This site is FORBIDDEN BY ORDER' }, custom)).toBe('custom');
    expect(matchBlockpage({ title: 'Access restricted (reachmap lab)' }, custom)).toBeNull();
  });
});
