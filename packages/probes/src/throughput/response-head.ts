/** Largest response head we accept before calling the response malformed. */
const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

export type HeadProgress =
  | { kind: 'incomplete' }
  | { kind: 'malformed' }
  | { kind: 'complete'; status: number; contentLength: number | null; bodyBytes: number };

/**
 * Splits an HTTP/1.1 response head from the body as chunks arrive, so a transfer counts body bytes
 * only. Minimal on purpose: status line and Content-Length are all a timed download needs.
 */
export function createResponseHeadReader(): (chunk: Buffer) => HeadProgress {
  let head = Buffer.alloc(0);
  return (chunk) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf(HEAD_END);
    if (end === -1) return head.length > MAX_HEAD_BYTES ? { kind: 'malformed' } : { kind: 'incomplete' };
    const lines = head.subarray(0, end).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1];
    if (status === undefined) return { kind: 'malformed' };
    const lengthLine = lines.find((line) => /^content-length:/i.test(line));
    const contentLength = lengthLine === undefined ? null : Number.parseInt(lengthLine.slice(15).trim(), 10);
    return {
      kind: 'complete',
      status: Number(status),
      contentLength: Number.isFinite(contentLength) ? contentLength : null,
      bodyBytes: head.length - end - HEAD_END.length,
    };
  };
}
