import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { HttpError } from '@reachmap/server-kit';

const gunzipAsync = promisify(gunzip);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface BodyLimits {
  /** Bytes on the wire (compressed when gzip is used). */
  maxWireBytes: number;
  /** Bytes after gzip decompression: the guard against gzip bombs. */
  maxDecodedBytes: number;
}

/**
 * Reads the request body exactly as sent, refusing it as soon as it passes `maxWireBytes`, so a
 * huge upload costs us at most the limit. The signature covers these bytes, before any decoding.
 */
export async function readWireBody(request: Request, maxWireBytes: number): Promise<Buffer> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxWireBytes)
    throw tooLarge(maxWireBytes);
  if (request.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      // The client went away mid-body: nothing to answer, and not our failure (no 5xx, no error log).
      throw new HttpError(
        400,
        'client_aborted',
        'the client closed the connection before the body was complete',
      );
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxWireBytes) {
      await reader.cancel();
      throw tooLarge(maxWireBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body_too_large', `request body exceeds ${limit} bytes; send smaller batches`, {
    details: { limit_bytes: limit },
  });
}

/** `application/json`, optionally gzip-encoded, parsed into a value; every failure is the client's 4xx. */
export async function decodeJsonBody(
  headers: Headers,
  wire: Buffer,
  maxDecodedBytes: number,
): Promise<unknown> {
  const mediaType = (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as Content-Type: application/json', {
      details: { content_type: headers.get('content-type') },
    });
  }
  const decoded = await decodeContent(headers.get('content-encoding'), wire, maxDecodedBytes);
  let text: string;
  try {
    text = strictUtf8.decode(decoded);
  } catch {
    throw new HttpError(400, 'malformed_json', 'request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'malformed_json', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

async function decodeContent(
  encoding: string | null,
  wire: Buffer,
  maxDecodedBytes: number,
): Promise<Buffer> {
  const normalized = (encoding ?? 'identity').trim().toLowerCase();
  if (normalized === 'identity' || normalized === '') {
    if (wire.byteLength > maxDecodedBytes) throw decodedTooLarge(maxDecodedBytes);
    return wire;
  }
  if (normalized !== 'gzip') {
    throw new HttpError(415, 'unsupported_content_encoding', 'Content-Encoding must be gzip or absent', {
      details: { content_encoding: encoding },
    });
  }
  try {
    // maxOutputLength stops inflating at the cap instead of after it: a gzip bomb costs only the cap.
    return await gunzipAsync(wire, { maxOutputLength: maxDecodedBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw decodedTooLarge(maxDecodedBytes);
    throw new HttpError(400, 'bad_gzip', `the gzip body cannot be decompressed: ${(error as Error).message}`);
  }
}

function decodedTooLarge(limit: number): HttpError {
  return new HttpError(413, 'decoded_body_too_large', `decompressed body exceeds ${limit} bytes`, {
    details: { limit_bytes: limit },
  });
}
