/** Thrown for values JSON cannot represent exactly (NaN, Infinity, functions, bigint...). */
export class NotCanonicalisableError extends Error {
  override readonly name = 'NotCanonicalisableError';
}

/**
 * JSON Canonicalization Scheme (RFC 8785): object keys sorted by UTF-16 code units, no whitespace,
 * strings and numbers serialised as ECMAScript's JSON.stringify does. The same catalogue therefore
 * hashes and signs identically on the collector and on every agent, whatever key order it was written in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotCanonicalisableError(`cannot canonicalise the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  throw new NotCanonicalisableError(`cannot canonicalise a value of type ${typeof value}`);
}
