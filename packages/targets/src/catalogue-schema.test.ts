import { LAYERS } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { readShippedCatalogue } from './catalogue-files.ts';
import { Catalogue, SUITE_LAYERS } from './catalogue-schema.ts';

const lab = await readShippedCatalogue('lab');

/** A valid catalogue with one edit applied, to see which rule rejects it. */
function edited(edit: (draft: Catalogue) => void): unknown {
  const draft = structuredClone(lab);
  edit(draft);
  return draft;
}

function messagesOf(input: unknown): string[] {
  const result = Catalogue.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const target = (draft: Catalogue, id: string) => {
  const found = draft.targets.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`fixture lacks ${id}`);
  return found;
};

describe('Catalogue schema', () => {
  it('accepts both shipped catalogues', async () => {
    expect((await readShippedCatalogue('real')).environment).toBe('real');
    expect(lab.environment).toBe('lab');
  });

  it.each([
    [
      'a domestic control without a country',
      (d: Catalogue) => {
        target(d, 'control-domestic-ru').country = null;
      },
      'country',
    ],
    [
      'a service marked as a control',
      (d: Catalogue) => {
        target(d, 'whatsapp').control = 'foreign';
      },
      'control',
    ],
    [
      'a judge id that does not exist',
      (d: Catalogue) => void target(d, 'whatsapp').judged_by.foreign.push('control-foreign-nowhere'),
      'not a foreign control',
    ],
    [
      'a domestic control listed as a foreign judge',
      (d: Catalogue) => void target(d, 'telegram').judged_by.foreign.push('control-domestic-de'),
      'not a foreign control',
    ],
    [
      'a resolver id that does not exist',
      (d: Catalogue) => void target(d, 'signal').suite.dns?.resolvers.push('nowhere-doh'),
      'unknown resolver',
    ],
    [
      'a duplicate target id',
      (d: Catalogue) => void d.targets.push(target(d, 'max')),
      'duplicate target id "max"',
    ],
    [
      'a malformed known prefix',
      (d: Catalogue) => void target(d, 'telegram').known_prefixes.push('149.154.160.0/33'),
      'known_prefixes',
    ],
    [
      'a reflector id that does not exist',
      (d: Catalogue) => {
        const spec = target(d, 'youtube').suite.throughput.find((run) => run.source.kind === 'reflector');
        if (spec?.source.kind === 'reflector') spec.source.reflector = 'reflector-nowhere';
      },
      'unknown reflector',
    ],
    [
      'a udp resolver without a port',
      (d: Catalogue) => void d.resolvers.push({ id: 'bare', kind: 'udp', address: '198.18.0.99' }),
      'expected "ip:port"',
    ],
  ])('rejects %s', (_, edit, expected) => {
    const messages = messagesOf(edited(edit));
    expect(messages.join('\n')).toContain(expected);
  });
});

describe('the suite part of the layer registry', () => {
  it('gives every registered layer a suite schema, in registry order', () => {
    expect(Object.keys(SUITE_LAYERS)).toEqual([...LAYERS]);
  });
});
