import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { JsonValueSplitter, type SplitValue } from './json-values.ts';

/** A path (file or directory) or an already open stream such as stdin. */
export type OoniSource = { path: string } | { name: string; stream: Readable };

export interface RecordOrigin {
  file: string;
  /** 1-based line for JSONL; null for a whole-file JSON document. */
  line: number | null;
}

export type SourceItem =
  | { kind: 'document'; origin: RecordOrigin; value: unknown }
  /** A JSONL line after the first, not parsed yet: parsing is the mapper's job (in a worker thread). */
  | { kind: 'text'; origin: RecordOrigin; text: string }
  | { kind: 'malformed'; origin: RecordOrigin; message: string }
  | { kind: 'unreadable'; origin: RecordOrigin; message: string }
  /** A file that is not JSON at all (a README beside the data). */
  | { kind: 'not_json'; origin: RecordOrigin; message: string }
  /** One line or value longer than a record may be (`maxRecordChars`); dropped unread. */
  | { kind: 'too_large'; origin: RecordOrigin; chars: number; limit: number };

/**
 * The longest line or JSON value read as one record, in characters: 8 Mi, a hundred times the largest
 * of the 41 real OONI measurements in the shared fixtures (75 KB with its HTTP bodies). The importer's
 * capped heap (`OONI_IMPORT_NODE_FLAGS`) parses and maps a pretty-printed record of 10 Mi and runs out
 * at 12 Mi (measured with the bundled command), so this leaves room. A longer one would end the
 * import with V8 out of memory; it is skipped with its line instead.
 */
export const MAX_RECORD_CHARS = 8 * 1024 * 1024;

export interface ReadLimits {
  maxRecordChars: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Counts the bytes read from a file or stream before any decompression, for progress. */
export type ByteCounter = (bytes: number) => void;

/** Large reads and inflate chunks: fewer round trips through the stream machinery and zlib's pool. */
const READ_CHUNK = 1024 * 1024;
const INFLATE_CHUNK = 256 * 1024;

/** The stream's bytes, gunzipped when they start with gzip's magic bytes (whatever the name says). */
async function* bytesOf(stream: Readable, onBytes?: ByteCounter): AsyncGenerator<Buffer> {
  let inflate: ReturnType<typeof createGunzip> | null = null;
  let first = true;
  const raw = (async function* () {
    for await (const chunk of stream) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      onBytes?.(buffer.length);
      yield buffer;
    }
  })();
  for await (const chunk of raw) {
    if (first) {
      first = false;
      if (chunk[0] === GZIP_MAGIC[0] && chunk[1] === GZIP_MAGIC[1]) {
        inflate = createGunzip({ chunkSize: INFLATE_CHUNK });
        // The first chunk was taken already: put it back in front of the rest.
        const rest = Readable.from(
          (async function* () {
            yield chunk;
            yield* raw;
          })(),
          { objectMode: false },
        );
        rest.on('error', (error) => inflate?.destroy(error));
        rest.pipe(inflate);
        for await (const inflated of inflate) yield inflated as Buffer;
        return;
      }
    }
    yield chunk;
  }
}

/**
 * A piece of a line longer than the limit: such a line comes out in pieces as the bytes arrive, the
 * last with `end`, so it is never held whole.
 */
interface LinePart {
  part: string;
  end: boolean;
}

/**
 * Lines of a byte stream, read with backpressure (readline's iterator buffers lines ahead of a slow
 * consumer, which grows memory with the archive). A line longer than `maxChars` comes out in parts.
 */
async function* linesOf(
  stream: Readable,
  maxChars: number,
  onBytes?: ByteCounter,
): AsyncGenerator<string | LinePart> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  // Inside a line too long to hold, whose earlier parts are out.
  let long = false;
  for await (const chunk of bytesOf(stream, onBytes)) {
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      if (long || line.length > maxChars) yield { part: line, end: true };
      else yield line;
      long = false;
      start = end + 1;
    }
    rest = text.slice(start);
    if (long || rest.length > maxChars) {
      yield { part: rest, end: false };
      long = true;
      rest = '';
    }
  }
  rest += decoder.end();
  if (long) yield { part: rest, end: true };
  else if (rest !== '') yield rest;
}

/** A first line that opens a pretty-printed document rather than being a broken JSONL record. */
function opensDocument(line: string): boolean {
  const text = line.trim();
  return text.startsWith('//') || (/^[[{]/.test(text) && /[[{,:]$/.test(text));
}

/** What the splitter of a pretty-printed file gave, as items of that file. */
function splitItem(value: SplitValue, file: string, limit: number): SourceItem {
  const origin = { file, line: value.line };
  if (value.kind === 'too_large') return { kind: 'too_large', origin, chars: value.chars, limit };
  if (value.kind === 'unterminated')
    return { kind: 'malformed', origin, message: 'unterminated JSON document' };
  try {
    return { kind: 'document', origin, value: JSON.parse(value.text) };
  } catch (error) {
    return { kind: 'malformed', origin, message: (error as Error).message };
  }
}

/**
 * Every JSON value of a byte stream, whatever its name says: gzip by magic bytes; JSONL (one value per
 * line, streamed) when the first line is a whole value; otherwise pretty-printed JSON (one or more
 * documents, a top-level array, `//` comment lines allowed), split into its values as it streams.
 */
async function* readStream(
  stream: Readable,
  file: string,
  limits: ReadLimits,
  onBytes?: ByteCounter,
): AsyncGenerator<SourceItem> {
  const limit = limits.maxRecordChars;
  let line = 0;
  let splitter: JsonValueSplitter | null = null;
  let seenValue = false;
  // The characters so far of a JSONL line too long to be a record, or null.
  let longLine: number | null = null;
  try {
    for await (const text of linesOf(stream, limit, onBytes)) {
      if (typeof text !== 'string') {
        const startsLine = longLine === null;
        if (startsLine) line += 1;
        // A first line too long to hold that opens an array (`jq -c` of a list): its elements are the records.
        if (startsLine && !seenValue && splitter === null && /^\s*\[/.test(text.part))
          splitter = new JsonValueSplitter(limit);
        if (splitter !== null) {
          // The splitter keeps no more of a value than the limit, however long its lines.
          for (const value of splitter.push(text.part, line, text.end)) yield splitItem(value, file, limit);
          longLine = text.end ? null : 0;
          continue;
        }
        longLine = (longLine ?? 0) + text.part.length;
        if (text.end) {
          yield { kind: 'too_large', origin: { file, line }, chars: longLine, limit };
          longLine = null;
          // A first line too long to read is taken as JSONL's first record: the rest follow as lines.
          seenValue = true;
        }
        continue;
      }
      line += 1;
      if (splitter !== null) {
        for (const value of splitter.push(text, line)) yield splitItem(value, file, limit);
        continue;
      }
      if (text.trim() === '') continue;
      if (seenValue) {
        // JSONL established by the first line: the rest is handed on unparsed.
        yield { kind: 'text', origin: { file, line }, text };
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        if (!/^\s*([[{]|\/\/)/.test(text)) {
          yield { kind: 'not_json', origin: { file, line: null }, message: 'does not start with JSON' };
          return;
        }
        if (opensDocument(text)) {
          splitter = new JsonValueSplitter(limit);
          for (const split of splitter.push(text, line)) yield splitItem(split, file, limit);
        } else yield { kind: 'malformed', origin: { file, line }, message: (error as Error).message };
        continue;
      }
      seenValue = true;
      // A compact JSON array (`jq -c` of a list) on the first line: its elements are the documents.
      if (Array.isArray(value))
        for (const element of value) yield { kind: 'document', origin: { file, line }, value: element };
      else yield { kind: 'document', origin: { file, line }, value };
    }
  } catch (error) {
    // A truncated or corrupt .gz ends the file here; what was read before stays imported.
    yield { kind: 'unreadable', origin: { file, line: line + 1 }, message: (error as Error).message };
    return;
  }
  if (splitter !== null) for (const value of splitter.end()) yield splitItem(value, file, limit);
}

async function* readDirectory(
  directory: string,
  limits: ReadLimits,
  onBytes?: ByteCounter,
): AsyncGenerator<SourceItem> {
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* readDirectory(path, limits, onBytes);
    else if (entry.isFile())
      yield* readStream(createReadStream(path, { highWaterMark: READ_CHUNK }), path, limits, onBytes);
  }
}

/**
 * Every JSON document of a source, detected by content (see readStream): files of any name,
 * directories recursively in name order, streams such as stdin.
 */
export async function* readOoniSource(
  source: OoniSource,
  onBytes?: ByteCounter,
  limits: ReadLimits = { maxRecordChars: MAX_RECORD_CHARS },
): AsyncGenerator<SourceItem> {
  if ('stream' in source) {
    yield* readStream(source.stream, source.name, limits, onBytes);
    return;
  }
  try {
    const info = await stat(source.path);
    yield* info.isDirectory()
      ? readDirectory(source.path, limits, onBytes)
      : readStream(
          createReadStream(source.path, { highWaterMark: READ_CHUNK }),
          source.path,
          limits,
          onBytes,
        );
  } catch (error) {
    yield {
      kind: 'unreadable',
      origin: { file: source.path, line: null },
      message: (error as Error).message,
    };
  }
}
