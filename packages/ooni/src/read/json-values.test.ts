import { describe, expect, it } from 'vitest';
import { JsonValueSplitter, type SplitValue } from './json-values.ts';

/** Feeds text line by line, as the reader does, and gathers every value with the line that gave it. */
function split(text: string, maxChars = 1_000_000): Array<SplitValue & { at: number }> {
  const splitter = new JsonValueSplitter(maxChars);
  const out: Array<SplitValue & { at: number }> = [];
  text.split('\n').forEach((line, index) => {
    for (const value of splitter.push(line, index + 1)) out.push({ ...value, at: index + 1 });
  });
  for (const value of splitter.end()) out.push({ ...value, at: -1 });
  return out;
}

const texts = (values: SplitValue[]) =>
  values.map((value) => (value.kind === 'value' ? value.text : value.kind));

describe('JsonValueSplitter', () => {
  it('gives each element of a top-level array as soon as it ends, not when the array does', () => {
    const text = JSON.stringify([{ a: 1 }, { b: [2, 3] }, { c: '}' }], null, 2);
    const values = split(text);
    expect(values.map((value) => JSON.parse((value as { text: string }).text))).toEqual([
      { a: 1 },
      { b: [2, 3] },
      { c: '}' },
    ]);
    // The first element ends on line 4 of 15: it comes out there.
    expect(values.map((value) => [value.line, value.at])).toEqual([
      [2, 4],
      [5, 10],
      [11, 13],
    ]);
  });

  it('splits documents written one after the other and skips comment lines before them', () => {
    const text = `// from probe-cli\n${JSON.stringify({ x: 1 }, null, 2)}\n\n${JSON.stringify({ y: '[' }, null, 2)}`;
    expect(texts(split(text)).map((value) => JSON.parse(value))).toEqual([{ x: 1 }, { y: '[' }]);
    expect(split(text).map((value) => value.line)).toEqual([2, 6]);
  });

  it('keeps brackets, quotes and escapes inside strings out of the nesting', () => {
    const tricky = { s: 'a "quoted" ] } [ { \\ back', t: '\\"', u: ['x,y', '"'] };
    const text = JSON.stringify([tricky, tricky], null, 1);
    expect(texts(split(text)).map((value) => JSON.parse(value))).toEqual([tricky, tricky]);
  });

  it('gives several values on one line, and scalars of the array as values too', () => {
    expect(texts(split('[{"a":1},{"b":2}, 3, "x,]", null]'))).toEqual([
      '{"a":1}',
      '{"b":2}',
      '3',
      '"x,]"',
      'null',
    ]);
  });

  it('drops a value longer than the limit while still finding where it ends', () => {
    const big = { body: 'x'.repeat(500) };
    const text = JSON.stringify([{ a: 1 }, big, { b: 2 }], null, 2);
    const values = split(text, 200);
    expect(values.map((value) => value.kind)).toEqual(['value', 'too_large', 'value']);
    expect(values[1]).toMatchObject({ kind: 'too_large', line: 5 });
    expect((values[1] as { chars: number }).chars).toBeGreaterThan(500);
    expect(JSON.parse((values[2] as { text: string }).text)).toEqual({ b: 2 });
  });

  it('says where an unterminated value or array began', () => {
    expect(split('{\n "a": [1,\n')).toEqual([{ kind: 'unterminated', line: 1, at: -1 }]);
    expect(split('[\n {"a": 1},\n')).toEqual([
      { kind: 'value', line: 2, text: '{"a": 1}', at: 2 },
      { kind: 'unterminated', line: 1, at: -1 },
    ]);
  });

  it('reads a line that starts with something other than an object or array as one value', () => {
    expect(split('{\n}\nnot json')).toEqual([
      { kind: 'value', line: 1, text: '{\n}', at: 2 },
      { kind: 'value', line: 3, text: 'not json', at: 3 },
    ]);
  });
});
