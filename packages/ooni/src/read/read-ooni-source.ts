import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { type JsonValueText, splitJsonValues } from './json-values.ts';

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
  | { kind: 'not_json'; origin: RecordOrigin; message: string };

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
 * Lines of a byte stream, read with backpressure (readline's iterator buffers lines ahead of a slow
 * consumer, which grows memory with the archive).
 */
async function* linesOf(stream: Readable, onBytes?: ByteCounter): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of bytesOf(stream, onBytes)) {
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      yield text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}

/** A first line that opens a pretty-printed document rather than being a broken JSONL record. */
function opensDocument(line: string): boolean {
  const text = line.trim();
  return text.startsWith('//') || (/^[[{]/.test(text) && /[[{,:]$/.test(text));
}

function* documentsOf(values: readonly JsonValueText[], file: string): Generator<SourceItem> {
  for (const value of values) {
    const origin = { file, line: value.line };
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.text);
    } catch (error) {
      yield { kind: 'malformed', origin, message: (error as Error).message };
      continue;
    }
    // A JSON array of measurements is read as its elements.
    if (Array.isArray(parsed))
      for (const element of parsed) yield { kind: 'document', origin, value: element };
    else yield { kind: 'document', origin, value: parsed };
  }
}

/**
 * Every JSON value of a byte stream, whatever its name says: gzip by magic bytes; JSONL (one value per
 * line, streamed) when the first line is a whole value; otherwise pretty-printed JSON (one or more
 * documents, `//` comment lines allowed), read whole: such files are single API responses.
 */
async function* readStream(
  stream: Readable,
  file: string,
  onBytes?: ByteCounter,
): AsyncGenerator<SourceItem> {
  let line = 0;
  let document: string[] | null = null;
  let seenValue = false;
  try {
    for await (const text of linesOf(stream, onBytes)) {
      line += 1;
      if (document !== null) {
        document.push(text);
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
          // Keep line numbers: blank lines before the document become empty lines of it.
          document = [...Array.from({ length: line - 1 }, () => ''), text];
        } else yield { kind: 'malformed', origin: { file, line }, message: (error as Error).message };
        continue;
      }
      seenValue = true;
      yield { kind: 'document', origin: { file, line }, value };
    }
  } catch (error) {
    // A truncated or corrupt .gz ends the file here; what was read before stays imported.
    yield { kind: 'unreadable', origin: { file, line: line + 1 }, message: (error as Error).message };
    return;
  }
  if (document === null) return;
  const { values, rest } = splitJsonValues(document.join('\n'));
  yield* documentsOf(values, file);
  if (rest !== null)
    yield { kind: 'malformed', origin: { file, line: rest.line }, message: 'unterminated JSON document' };
}

async function* readDirectory(directory: string, onBytes?: ByteCounter): AsyncGenerator<SourceItem> {
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* readDirectory(path, onBytes);
    else if (entry.isFile())
      yield* readStream(createReadStream(path, { highWaterMark: READ_CHUNK }), path, onBytes);
  }
}

/**
 * Every JSON document of a source, detected by content (see readStream): files of any name,
 * directories recursively in name order, streams such as stdin.
 */
export async function* readOoniSource(source: OoniSource, onBytes?: ByteCounter): AsyncGenerator<SourceItem> {
  if ('stream' in source) {
    yield* readStream(source.stream, source.name, onBytes);
    return;
  }
  try {
    const info = await stat(source.path);
    yield* info.isDirectory()
      ? readDirectory(source.path, onBytes)
      : readStream(createReadStream(source.path, { highWaterMark: READ_CHUNK }), source.path, onBytes);
  } catch (error) {
    yield {
      kind: 'unreadable',
      origin: { file: source.path, line: null },
      message: (error as Error).message,
    };
  }
}
