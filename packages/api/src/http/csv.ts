import type { Context } from 'hono';

/** A list endpoint answers CSV when asked by `format=csv` or `Accept: text/csv` (docs/api.md). */
export function wantsCsv(c: Context): boolean {
  const format = c.req.query('format');
  if (format !== undefined) return format.toLowerCase() === 'csv';
  return (c.req.header('accept') ?? '').toLowerCase().includes('text/csv');
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // RFC 4180: quote cells holding a separator, a quote or a line break; double inner quotes.
  // A leading = + - @ is prefixed with ' so spreadsheets do not run the cell as a formula (OWASP CSV injection).
  const guarded = /^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** Rows as RFC 4180 CSV with a header line; nested values are written as JSON. */
export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const row of rows) {
    lines.push(columns.map((column) => csvCell((row as Record<string, unknown>)[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function csvResponse(c: Context, columns: readonly string[], rows: readonly object[]) {
  return c.body(toCsv(columns, rows), 200, { 'content-type': 'text/csv; charset=utf-8' });
}
