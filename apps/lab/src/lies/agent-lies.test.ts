import { sampleMeasurement } from '@reachmap/schema/testing';
import { describe, expect, it } from 'vitest';
import { InvalidLieError, parseLies, reportedMeasurement } from './agent-lies.ts';

describe('parseLies', () => {
  it('reads repeated TARGET=STATUS values', () => {
    expect(parseLies(['whatsapp=blocked', 'youtube=throttled', 'telegram=stalled'])).toEqual(
      new Map([
        ['whatsapp', 'blocked'],
        ['youtube', 'throttled'],
        ['telegram', 'stalled'],
      ]),
    );
  });

  it.each([
    ['whatsapp', '--lie "whatsapp" must be TARGET=STATUS, such as whatsapp=blocked'],
    ['whatsapp=blocked=1', '--lie "whatsapp=blocked=1" must be TARGET=STATUS'],
    ['WhatsApp=blocked', '--lie "WhatsApp=blocked": "WhatsApp" is not a target id'],
    ['whatsapp=ok', 'the agent can fabricate only blocked, throttled, stalled, not "ok"'],
    ['whatsapp=down', 'not "down"'],
  ])('refuses %s', (text, message) => {
    expect(() => parseLies([text])).toThrow(InvalidLieError);
    expect(() => parseLies([text])).toThrow(message);
  });

  it('refuses two lies about one target', () => {
    expect(() => parseLies(['whatsapp=blocked', 'whatsapp=stalled'])).toThrow(
      '--lie names target "whatsapp" twice',
    );
  });
});

describe('reportedMeasurement', () => {
  const lies = parseLies(['whatsapp=blocked', 'control-foreign-hetzner=blocked']);

  it('fabricates only the services it lies about', () => {
    const whatsapp = sampleMeasurement();
    expect(reportedMeasurement(whatsapp, lies).observations.tcp).toEqual([
      { ip: '198.18.0.10', port: 443, failure: 'connection_reset', t0: 0.001, t: 0.021 },
    ]);
    const telegram = sampleMeasurement({ target: { ...whatsapp.target, id: 'telegram' } });
    expect(reportedMeasurement(telegram, lies)).toBe(telegram);
    expect(reportedMeasurement(whatsapp, undefined)).toBe(whatsapp);
  });

  it('never lies about a control, which judges every service of the round', () => {
    const base = sampleMeasurement();
    const control = sampleMeasurement({
      target: { ...base.target, id: 'control-foreign-hetzner', kind: 'control', control: 'foreign' },
    });
    expect(reportedMeasurement(control, lies)).toBe(control);
  });
});
