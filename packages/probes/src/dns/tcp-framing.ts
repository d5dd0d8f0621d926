import type { Socket } from 'node:net';

/** DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message is prefixed with its 2-byte length. */
export function frameDnsMessage(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}

/** The complete length-prefixed messages at the start of `buffered`, and the bytes after them. */
export function splitDnsMessages(buffered: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let rest = buffered;
  while (rest.length >= 2 && rest.length >= 2 + rest.readUInt16BE(0)) {
    const length = rest.readUInt16BE(0);
    messages.push(rest.subarray(2, 2 + length));
    rest = rest.subarray(2 + length);
  }
  return { messages, rest };
}

/**
 * Serves DNS over TCP on one accepted connection, several queries per connection as RFC 7766 allows:
 * `answer` gives the reply to a query, or null to stay silent (a resolver that drops it).
 */
export function answerDnsOverTcp(socket: Socket, answer: (query: Buffer) => Buffer | null): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    const { messages, rest } = splitDnsMessages(Buffer.concat([buffered, chunk]));
    buffered = rest;
    for (const query of messages) {
      const reply = answer(query);
      if (reply !== null) socket.write(frameDnsMessage(reply));
    }
  });
}
