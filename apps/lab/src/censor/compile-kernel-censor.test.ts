import { type Catalogue, loadCatalogue } from '@reachmap/targets';
import { beforeAll, describe, expect, it } from 'vitest';
import { CensorRule } from '../scenario/censor-rule.ts';
import { compileKernelCensor, sniSearchString } from './compile-kernel-censor.ts';
import { resolveRules } from './resolve-rules.ts';

const context = {
  table: 'reachmap_r0',
  generation: 2,
  agentIps: ['198.19.0.2', '198.19.0.6'],
  exemptPrefixes: ['198.19.254.0/24'],
  systemResolverIp: '198.18.0.2',
  censorDaemonIp: '198.19.252.2',
  interfaces: ['up0'],
  netem: true,
};
let catalogue: Catalogue;
beforeAll(async () => {
  catalogue = await loadCatalogue({ kind: 'lab' });
});

function compile(rules: unknown[], netem = true) {
  return compileKernelCensor(
    resolveRules(
      rules.map((rule) => CensorRule.parse(rule)),
      catalogue,
    ),
    { ...context, netem },
  );
}

describe('compileKernelCensor', () => {
  it.each([
    [
      'reset',
      { match: { target: 'signal' }, action: 'reset' },
      'ct mark and 0xffff00ff 0x00020001 meta l4proto tcp reject with tcp reset',
    ],
    ['drop', { match: { ip: '198.18.2.0/24' }, action: 'drop' }, 'ct mark and 0xffff00ff 0x00020001 drop'],
    [
      'stallAfter',
      { match: { target: 'whatsapp' }, action: { stallAfter: 16384 } },
      'ct mark and 0xffff00ff 0x00020001 ct reply bytes > 16384 drop',
    ],
    [
      'police (marked for its shaping class)',
      { match: { target: 'telegram' }, action: { police: '128kbit' } },
      'ct mark and 0xffffff00 0x00020100 meta priority set 1:11',
    ],
    ['loss', { match: {}, action: { loss: 5 } }, 'numgen random mod 10000 < 500 drop'],
    [
      'share',
      { match: { target: 'youtube', share: 0.7 }, action: 'drop' },
      'symhash mod 100 < 70 ct mark set ct mark or 0x00000001',
    ],
    ['agents', { match: { agents: [1] }, action: 'drop' }, 'ct original ip saddr { 198.19.0.6 }'],
    [
      'allowlist',
      { match: {}, action: { allowlist: ['198.18.6.0/24'] } },
      'ct original ip daddr != { 198.18.6.0/24 } ct mark set ct mark or 0x00000001',
    ],
    [
      'dns',
      { match: { target: 'whatsapp' }, action: { dns: 'nxdomain' } },
      'ip daddr 198.18.0.2 udp dport 53 dnat ip to 198.19.252.2:53',
    ],
    [
      'blockpage',
      { match: { ip: '198.18.0.80' }, action: 'blockpage' },
      'tcp dport 80 dnat ip to 198.19.252.2:80',
    ],
    [
      'port and proto',
      { match: { target: 'youtube', proto: 'udp', port: 443 }, action: 'drop' },
      'meta l4proto udp ct original proto-dst 443',
    ],
  ])('%s', (_name, rule, expected) => {
    expect(compile([rule]).nftScript).toContain(expected);
  });

  it('re-classifies flows of an older generation and exempts the collector path', () => {
    const { nftScript } = compile([{ match: { target: 'signal' }, action: 'drop' }]);
    expect(nftScript).toContain('ct mark and 0xffff0000 != 0x00020000 ct mark set 0x00020000');
    expect(nftScript).toContain('ct original ip daddr { 198.19.254.0/24 } accept');
  });

  it('does not exempt the collector path from an outage', () => {
    expect(compile([{ match: {}, action: 'outage' }]).nftScript).not.toContain('198.19.254.0/24');
  });

  it('matches SNI with an iptables string match and lets it outrank later rules', () => {
    const compiled = compile([
      { match: { sni: '*.whatsapp.net' }, action: 'reset' },
      { match: { target: 'whatsapp' }, action: { police: '1mbit' } },
    ]);
    expect(compiled.sniMatches).toEqual([
      [
        '-t',
        'mangle',
        '-A',
        'FORWARD',
        '-p',
        'tcp',
        '-m',
        'string',
        '--algo',
        'bm',
        '--string',
        '.whatsapp.net.lab',
        '-j',
        'MARK',
        '--set-mark',
        '257',
      ],
    ]);
    expect(compiled.nftScript).toContain(
      'meta mark 257 ct mark and 0x000000ff { 0x0, 0x00000002-0x000000ff } ct mark set ct mark and 0xffffff00 or 0x00000001',
    );
  });

  it('applies line conditions underneath filters: a loss for every flow does not swallow a later SNI drop', () => {
    const { nftScript } = compile([
      { match: {}, action: { loss: 3 } },
      { match: { sni: '*.signal.org' }, action: 'drop' },
    ]);
    // The loss takes no slot of the flow's mark: it drops its share of every packet...
    expect(nftScript).toContain('\n    numgen random mod 10000 < 300 drop\n');
    expect(nftScript).not.toMatch(/ct mark set .*0x00000001\b/);
    // ...and the SNI drop still claims flows no filter holds.
    expect(nftScript).toContain(
      'meta mark 258 ct mark and 0x000000ff { 0x0, 0x00000003-0x000000ff } ct mark set ct mark and 0xffffff00 or 0x00000002',
    );
    expect(nftScript).toContain('ct mark and 0xffff00ff 0x00020002 drop');
  });

  it('shapes and filters the same flow: a policer ahead of a stall keeps both', () => {
    const { nftScript } = compile([
      { match: { target: 'whatsapp' }, action: { police: '1mbit' } },
      { match: { target: 'whatsapp' }, action: { stallAfter: 16384 } },
    ]);
    expect(nftScript).toContain('ct mark set ct mark or 0x00000100');
    expect(nftScript).toContain('ct mark set ct mark or 0x00000002');
    expect(nftScript).toContain('ct mark and 0xffffff00 0x00020100 meta priority set 1:11');
    expect(nftScript).toContain('ct mark and 0xffff00ff 0x00020002 ct reply bytes > 16384 drop');
  });

  it('puts delayed flows into a netem leaf selected by skb priority', () => {
    const compiled = compile([{ match: {}, action: { delay: '80ms' } }]);
    expect(compiled.nftScript).toContain('meta priority set 1:11');
    expect(compiled.tcCommands).toContainEqual([
      'qdisc',
      'add',
      'dev',
      'up0',
      'parent',
      '1:11',
      'netem',
      'delay',
      '80ms',
    ]);
  });

  it('shapes a policed rule to its rate in an HTB class with a short queue, on every interface', () => {
    const compiled = compileKernelCensor(
      resolveRules(
        [CensorRule.parse({ match: { target: 'telegram' }, action: { police: '128kbit' } })],
        catalogue,
      ),
      { ...context, interfaces: ['up0', 'a0'] },
    );
    for (const device of ['up0', 'a0']) {
      expect(compiled.tcCommands).toContainEqual(
        [
          'class',
          'add',
          'dev',
          device,
          'parent',
          '1:',
          'classid',
          '1:11',
          'htb',
          'rate',
          '128000bit',
          'ceil',
          '128000bit',
        ].concat(['burst', '16384b', 'cburst', '16384b']),
      );
      expect(compiled.tcCommands).toContainEqual([
        'qdisc',
        'add',
        'dev',
        device,
        'parent',
        '1:11',
        'pfifo',
        'limit',
        '4',
      ]);
    }
  });

  it('without sch_netem keeps the loss, leaves the delay out and says so', () => {
    const compiled = compile([{ match: {}, action: { loss: '5%', delay: '80ms' } }], false);
    expect(compiled.nftScript).toContain('numgen random mod 10000 < 500 drop');
    expect(compiled.nftScript).not.toContain('meta priority');
    expect(compiled.tcCommands).toEqual([]);
    expect(compiled.omitted).toEqual(['rule 1: delay not applied (this kernel has no sch_netem)']);
    expect(compile([{ match: {}, action: { loss: '5%', delay: '80ms' } }]).omitted).toEqual([]);
  });

  it('needs the censor daemon only for DNS and blockpage rules', () => {
    expect(compile([{ match: {}, action: 'drop' }]).needsDaemon).toBe(false);
    expect(compile([{ match: {}, action: { dns: 'servfail' } }]).needsDaemon).toBe(true);
  });

  it.each([
    ['*.whatsapp.net', '.whatsapp.net.lab'],
    ['web.telegram.org', 'web.telegram.org.lab'],
  ])('searches the ClientHello for the fixed tail of %s', (glob, expected) => {
    expect(sniSearchString(glob)).toBe(expected);
  });
});

describe('resolveRules', () => {
  it('turns a target into its lab addresses and hostnames', () => {
    const [rule] = resolveRules(
      [CensorRule.parse({ match: { target: 'telegram' }, action: 'drop' })],
      catalogue,
    );
    expect(rule?.destinations).toEqual(expect.arrayContaining(['198.18.2.1', '198.18.2.3', '198.18.2.8']));
    expect(rule?.hostnames).toContain('web.telegram.org.lab');
    expect(rule?.hostnames).not.toContain('example.com.lab');
  });

  it('refuses SNI matching on UDP and rules that select nothing', () => {
    expect(() =>
      resolveRules([CensorRule.parse({ match: { sni: '*.x', proto: 'udp' }, action: 'drop' })], catalogue),
    ).toThrow(/QUIC/);
    expect(() =>
      resolveRules([CensorRule.parse({ match: { host: 'nothing.example' }, action: 'drop' })], catalogue),
    ).toThrow(/no lab address/);
  });
});
