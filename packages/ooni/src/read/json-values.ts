/**
 * Splits JSON written over many lines (one pretty-printed document, several one after the other, a
 * top-level array, `//` comment lines before a value as in probe-cli's `.jsonc` test data) into the
 * text of each value as its lines arrive. A top-level array gives its elements one by one, so a file
 * of any length is never held whole: only the value being read is, up to `maxChars`. Pure: it only
 * tracks nesting and strings; JSON.parse still judges each value.
 */
export type SplitValue =
  | { kind: 'value'; line: number; text: string }
  /** A value longer than `maxChars`: its text was dropped while it was scanned to its end. */
  | { kind: 'too_large'; line: number; chars: number }
  /** The input ended inside a value (or inside the top-level array). */
  | { kind: 'unterminated'; line: number };

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const SLASH = 0x2f;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

export class JsonValueSplitter {
  readonly #maxChars: number;
  /** Inside the top-level array, whose elements are the values; its line, for an unterminated one. */
  #arrayLine: number | null = null;
  /** Reading a value: its first line and, for an object or array, its nesting depth. */
  #valueLine: number | null = null;
  #depth = 0;
  /** A scalar element of the top-level array (ends at the next `,` or `]` outside a string). */
  #scalar = false;
  #inString = false;
  #escaped = false;
  #pieces: string[] = [];
  #chars = 0;

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  /**
   * Input and the 1-based number of its line; gives the values it ended. `lineEnds` false: more of the
   * same line follows (a line too long to hold comes in parts).
   */
  push(text: string, line: number, lineEnds = true): SplitValue[] {
    const out: SplitValue[] = [];
    // Where the current value's text starts on this line (0 when it began on an earlier line).
    let from = 0;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (this.#valueLine === null) {
        if (isSpace(code)) continue;
        if (this.#arrayLine === null) {
          if (code === SLASH && text.charCodeAt(i + 1) === SLASH) break; // a comment line
          if (code === OPEN_BRACKET) {
            this.#arrayLine = line;
            continue;
          }
          if (code !== OPEN_BRACE) {
            // Not an object or array: the rest of the line is one (probably malformed) value.
            out.push({ kind: 'value', line, text: text.slice(i) });
            break;
          }
        } else {
          if (code === COMMA) continue;
          if (code === CLOSE_BRACKET) {
            this.#arrayLine = null;
            continue;
          }
        }
        this.#start(line, code);
        from = i;
        continue;
      }
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (code === BACKSLASH) this.#escaped = true;
        else if (code === QUOTE) this.#inString = false;
        continue;
      }
      if (code === QUOTE) this.#inString = true;
      else if (this.#scalar) {
        if (code === COMMA || code === CLOSE_BRACKET) {
          out.push(this.#finish(text.slice(from, i).trimEnd()));
          if (code === CLOSE_BRACKET) this.#arrayLine = null;
        }
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.#depth += 1;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        this.#depth -= 1;
        if (this.#depth === 0) out.push(this.#finish(text.slice(from, i + 1)));
      }
    }
    if (this.#valueLine !== null) this.#keep(lineEnds ? `${text.slice(from)}\n` : text.slice(from));
    return out;
  }

  /** The end of the input: a value or array still open is unterminated. */
  end(): SplitValue[] {
    if (this.#valueLine !== null) {
      const line = this.#valueLine;
      if (this.#scalar && !this.#inString) {
        // A scalar element left open by a missing `]`: the value is whole, the array is not.
        return [this.#finish(''), { kind: 'unterminated', line: this.#arrayLine ?? line }];
      }
      this.#reset();
      return [{ kind: 'unterminated', line }];
    }
    if (this.#arrayLine !== null) {
      const line = this.#arrayLine;
      this.#arrayLine = null;
      return [{ kind: 'unterminated', line }];
    }
    return [];
  }

  #start(line: number, code: number): void {
    this.#valueLine = line;
    this.#scalar = code !== OPEN_BRACE && code !== OPEN_BRACKET;
    this.#depth = this.#scalar ? 0 : 1;
    this.#inString = code === QUOTE;
    this.#escaped = false;
  }

  #keep(piece: string): void {
    this.#chars += piece.length;
    // Past the limit the text is dropped but still scanned, to find where the value ends.
    if (this.#chars > this.#maxChars) this.#pieces = [];
    else this.#pieces.push(piece);
  }

  #finish(lastPiece: string): SplitValue {
    const line = this.#valueLine ?? 0;
    this.#keep(lastPiece);
    const result: SplitValue =
      this.#chars > this.#maxChars
        ? { kind: 'too_large', line, chars: this.#chars }
        : { kind: 'value', line, text: this.#pieces.join('').trim() };
    this.#reset();
    return result;
  }

  #reset(): void {
    this.#valueLine = null;
    this.#scalar = false;
    this.#depth = 0;
    this.#inString = false;
    this.#escaped = false;
    this.#pieces = [];
    this.#chars = 0;
  }
}
