import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
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
  | { kind: 'malformed'; origin: RecordOrigin; message: string }
  | { kind: 'unreadable'; origin: RecordOrigin; message: string }
  /** A file that is not JSON at all (a README beside the data). */
  | { kind: 'not_json'; origin: RecordOrigin; message: string };

const GZIP_MAGIC = [0x1f, 0x8b];

/** Counts the bytes read from a file or stream before any decompression, for progress. */
export type ByteCounter = (bytes: number) => void;

/** The stream with its first chunk peeked: gzip is recognised by its magic bytes, not by the name. */
async function decompressedIfGzip(stream: Readable, onBytes?: ByteCounter): Promise<Readable> {
  if (onBytes) stream.on('data', (chunk: Buffer) => onBytes(chunk.length));
  const first: Buffer | null = await new Promise((resolve, reject) => {
    const onReadable = () => {
      cleanup();
      resolve(stream.read() as Buffer | null);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.once('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
  const replay = Readable.from(
    (async function* () {
      if (first !== null) yield typeof first === 'string' ? Buffer.from(first) : first;
      for await (const chunk of stream) yield chunk as Buffer;
    })(),
    { objectMode: false },
  );
  const gzip = first !== null && first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  return gzip ? replay.pipe(createGunzip()) : replay;
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
    const input = await decompressedIfGzip(stream, onBytes);
    for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      line += 1;
      if (document !== null) {
        document.push(text);
        continue;
      }
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        if (!seenValue && !/^\s*([[{]|\/\/)/.test(text)) {
          yield { kind: 'not_json', origin: { file, line: null }, message: 'does not start with JSON' };
          return;
        }
        if (!seenValue && opensDocument(text)) {
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
    else if (entry.isFile()) yield* readStream(createReadStream(path), path, onBytes);
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
      : readStream(createReadStream(source.path), source.path, onBytes);
  } catch (error) {
    yield {
      kind: 'unreadable',
      origin: { file: source.path, line: null },
      message: (error as Error).message,
    };
  }
}
