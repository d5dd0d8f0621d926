import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** A path (file or directory) or an already open stream such as stdin, read as JSONL. */
export type OoniSource = { path: string } | { name: string; stream: Readable };

export interface RecordOrigin {
  file: string;
  /** 1-based line for JSONL; null for a whole-file JSON document. */
  line: number | null;
}

export type SourceItem =
  | { kind: 'document'; origin: RecordOrigin; value: unknown }
  | { kind: 'malformed'; origin: RecordOrigin; message: string }
  | { kind: 'unreadable'; origin: RecordOrigin; message: string };

const LINE_FORMATS = ['.jsonl', '.jsonl.gz', '.json.gz'];
const DOCUMENT_FORMATS = ['.json'];

function isGzip(path: string): boolean {
  return path.endsWith('.gz');
}

function isOoniFile(name: string): boolean {
  return [...LINE_FORMATS, ...DOCUMENT_FORMATS].some((extension) => name.endsWith(extension));
}

/** One JSON value per line, streamed: OONI's archive files hold many thousands of measurements. */
async function* readLines(stream: Readable, file: string): AsyncGenerator<SourceItem> {
  let line = 0;
  try {
    for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      line += 1;
      if (text.trim() === '') continue;
      try {
        yield { kind: 'document', origin: { file, line }, value: JSON.parse(text) };
      } catch (error) {
        yield { kind: 'malformed', origin: { file, line }, message: (error as Error).message };
      }
    }
  } catch (error) {
    // A truncated or corrupt .gz ends the file here; what was read before stays imported.
    yield { kind: 'unreadable', origin: { file, line: line + 1 }, message: (error as Error).message };
  }
}

/** A single document (an API response, a raw measurement), possibly pretty-printed over many lines. */
async function* readDocument(file: string): AsyncGenerator<SourceItem> {
  const text = await readFile(file, 'utf8');
  try {
    yield { kind: 'document', origin: { file, line: null }, value: JSON.parse(text) };
  } catch (error) {
    yield { kind: 'malformed', origin: { file, line: null }, message: (error as Error).message };
  }
}

async function* readFileSource(file: string): AsyncGenerator<SourceItem> {
  if (DOCUMENT_FORMATS.some((extension) => file.endsWith(extension))) {
    yield* readDocument(file);
    return;
  }
  const input = createReadStream(file);
  yield* readLines(isGzip(file) ? input.pipe(createGunzip()) : input, file);
}

async function* readDirectory(directory: string): AsyncGenerator<SourceItem> {
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* readDirectory(path);
    else if (entry.isFile() && isOoniFile(entry.name)) yield* readFileSource(path);
  }
}

/**
 * Every JSON document of a source: `.json` files whole, `.jsonl` and `.jsonl.gz` line by line,
 * directories recursively (only files with those extensions), streams as JSONL.
 */
export async function* readOoniSource(source: OoniSource): AsyncGenerator<SourceItem> {
  if ('stream' in source) {
    yield* readLines(source.stream, source.name);
    return;
  }
  try {
    const info = await stat(source.path);
    yield* info.isDirectory() ? readDirectory(source.path) : readFileSource(source.path);
  } catch (error) {
    yield {
      kind: 'unreadable',
      origin: { file: source.path, line: null },
      message: (error as Error).message,
    };
  }
}
