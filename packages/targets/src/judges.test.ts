import { describe, expect, it } from 'vitest';
import { readShippedCatalogue } from './catalogue-files.ts';
import { judgesOf, UnknownTargetError } from './judges.ts';

const lab = await readShippedCatalogue('lab');
const ids = (targets: { id: string }[]) => targets.map((target) => target.id);

describe('judgesOf', () => {
  it("keeps only the agent's own country among the domestic controls", () => {
    const judges = judgesOf(lab, 'whatsapp', 'RU');
    expect(ids(judges.domestic)).toEqual(['control-domestic-ru']);
    expect(ids(judges.foreign)).toContain('control-foreign-hetzner');
  });

  it('has no domestic control for a country the catalogue does not cover', () => {
    expect(judgesOf(lab, 'telegram', 'BR').domestic).toEqual([]);
  });

  it('names the same-hosting control for TCP', () => {
    expect(ids(judgesOf(lab, 'signal', 'IR').sameHosting)).toEqual(['control-foreign-cloudfront']);
  });

  it('refuses an unknown target', () => {
    expect(() => judgesOf(lab, 'myspace', 'DE')).toThrow(UnknownTargetError);
  });
});
