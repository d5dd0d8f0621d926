/**
 * Splits text holding one or more JSON values written one after the other (a pretty-printed document,
 * several of them, or JSON with `//` comment lines as probe-cli's `.jsonc` test data) into the text of
 * each top-level value with the line it starts on. Pure: it only tracks nesting and strings, so
 * JSON.parse still judges each value.
 */
export interface JsonValueText {
  line: number;
  text: string;
}

export function splitJsonValues(text: string): { values: JsonValueText[]; rest: JsonValueText | null } {
  const values: JsonValueText[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let startLine = 1;
  const lineEnd = (from: number) => {
    const end = text.indexOf('\n', from);
    return end === -1 ? text.length : end;
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\n') line += 1;
    if (start === -1) {
      if (char === ' ' || char === '\t' || char === '\r' || char === '\n') continue;
      const end = lineEnd(i);
      if (char === '/' && text[i + 1] === '/') {
        i = end - 1; // a comment line before a value
        continue;
      }
      if (char !== '{' && char !== '[') {
        // Not an object or array: the rest of the line is one (probably malformed) value.
        values.push({ line, text: text.slice(i, end) });
        i = end - 1;
        continue;
      }
      start = i;
      startLine = line;
      depth = 1;
      continue;
    }
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) {
        values.push({ line: startLine, text: text.slice(start, i + 1) });
        start = -1;
      }
    }
  }
  return { values, rest: start === -1 ? null : { line: startLine, text: text.slice(start) } };
}
