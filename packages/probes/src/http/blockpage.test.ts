import { describe, expect, it } from 'vitest';
import { BLOCKPAGE_FINGERPRINTS, BlockpageFingerprints, matchBlockpage } from './blockpage.ts';

describe('matchBlockpage', () => {
  it.each([
    ['the lab blockpage title', { title: 'Access restricted (reachmap lab)' }, 'lab-blockpage'],
    [
      'the Iranian iframe',
      { body: '<html><iframe src="http://10.10.34.34?type=Invalid"></iframe>' },
      'ir-iframe-10.10.34.34',
    ],
    ['the Iranian stub IP', { ip: '10.10.34.34' }, 'ir-iframe-10.10.34.34'],
    ['the second Iranian stub IP', { ip: '10.10.34.36' }, 'ir-dns-10.10.34.36'],
    ['a redirect to peyvandha.ir', { location: 'http://peyvandha.ir/' }, 'ir-peyvandha'],
    [
      'a link to the Roskomnadzor registry',
      { body: '<p>Реестр: <a href="http://eais.rkn.gov.ru/">http://eais.rkn.gov.ru/</a></p>' },
      'ru-rkn-registry-link',
    ],
    [
      "Turkey's protective-measure notice",
      { body: 'Bu İnternet sitesi (twitter.com) hakkında … KORUMA TEDBİRİ uygulanmaktadır' },
      'tr-btk-measure-notice',
    ],
    [
      "Turkey's administrative-measure notice",
      { body: 'tarafından İDARİ TEDBİR uygulanmaktadır.' },
      'tr-btk-measure-notice',
    ],
    ['a redirect to warning.or.kr', { location: 'http://warning.or.kr/i1.html' }, 'kr-warning-or-kr'],
    [
      "Italy's ADM redirect address for blocked gambling sites",
      { ip: '217.175.53.72' },
      'it-adm-gambling-redirect',
    ],
    ['a redirect to Internet Positif', { location: 'http://internet-positif.org/' }, 'id-internet-positif'],
    [
      "Malaysia's MCMC notice",
      { body: 'This website is not available in Malaysia as it violate the National law(s).' },
      'my-mcmc-national-law',
    ],
    [
      "India's DoT notice",
      {
        body: 'This website/URL has been blocked until further notice either pursuant to Court orders or on the Directions issued by the Department of Telecommunications',
      },
      'in-dot-court-orders',
    ],
    [
      "Pakistan's PTA notice",
      {
        body: 'This page is blocked due to restrictions enforced by the Pakistan Telecommunications Authority (PTA).',
      },
      'pk-pta-restrictions',
    ],
    [
      "a redirect to Spain's Ministry of Culture notice",
      { location: 'https://bloqueadaseccionsegunda.cultura.gob.es/' },
      'es-cultura-seccion-segunda',
    ],
    [
      "Orange Spain's notice",
      { body: '<h1>Contenido bloqueado por la autoridad competente</h1>' },
      'es-orange-competent-authority',
    ],
    [
      "Vodafone Spain's notice, HTML-escaped",
      { body: '<p>Por causas ajenas a Vodafone, esta web no est&aacute; disponible</p>' },
      'es-vodafone-beyond-control',
    ],
    [
      "an Australian ISP's landing page",
      {
        body: 'Access to this website has been disabled by an order of the Federal Court of Australia because it infringes or facilitates the infringement of copyright.',
      },
      'au-federal-court-order',
    ],
    [
      "Ziggo's Pirate Bay notice",
      { body: '<h1>Yarrr!</h1><p>Je probeert een pagina van The Pirate Bay te bezoeken.</p>' },
      'nl-ziggo-pirate-bay',
    ],
    [
      "du's prohibited-content notice (UAE)",
      {
        body: 'Sorry, the site you are trying to access contains content that is prohibited for access in the UAE.',
      },
      'ae-du-prohibited-content',
    ],
    [
      "the Russian stub page's federal wording",
      {
        body: '<p>Доступ к информационному ресурсу ограничен на основании Федерального закона от 27 июля 2006 г. № 149-ФЗ «Об информации, информационных технологиях и о защите информации»</p>',
      },
      'ru-federal-law-notice',
    ],
    [
      "Virgin Media's court-order notice (UK)",
      {
        body: 'Virgin Media has received an order from the Courts requiring us to prevent access to this site in order to help protect against copyright infringement.',
      },
      'gb-virgin-media-court-order',
    ],
    [
      "UPC Ireland's Pirate Bay notice",
      {
        body: '<p>The Pirate Bay has been blocked. The website you are trying to reach is currently unavailable. Further to a request from Irma, the Irish courts have ordered UPC to block access to The Pirate Bay website.</p>',
      },
      'ie-upc-court-order',
    ],
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
    [
      'an article that merely names the registry',
      { body: 'Roskomnadzor publishes its register at eais.rkn.gov.ru, which we checked.' },
    ],
    ['a link to peyvandha.ir in a news story', { body: '<a href="https://peyvandha.ir/">the portal</a>' }],
    [
      "a link to Spain's Ministry of Culture (not a redirect)",
      {
        body: '<a href="https://www.cultura.gob.es/">Ministerio de Cultura</a>',
        location: 'https://www.cultura.gob.es/',
      },
    ],
    [
      'an Irish news story about the court order',
      {
        body: 'The High Court has granted an order requiring UPC and other Irish internet service providers to block The Pirate Bay.',
      },
    ],
    [
      'an ordinary Dutch page about The Pirate Bay',
      { body: 'The Pirate Bay is in Nederland geblokkeerd sinds 2017.' },
    ],
  ])('does not flag %s', (_name, evidence) => {
    expect(matchBlockpage(evidence)).toBeNull();
  });

  it('gives every shipped entry a public source (a URL or the published measurement it was seen in)', () => {
    for (const fingerprint of BLOCKPAGE_FINGERPRINTS) {
      if (fingerprint.country === 'ZZ') continue;
      expect(fingerprint.source, fingerprint.id).toMatch(/https?:\/\/|OONI measurement/);
      // reachmap's own set: nothing taken from OONI's unlicensed blocking-fingerprints repository.
      expect(fingerprint.source, fingerprint.id).not.toMatch(/blocking-fingerprints/);
      expect(fingerprint.id, fingerprint.id).not.toMatch(/^ooni\./);
    }
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
