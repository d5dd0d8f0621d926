import { describe, expect, it } from 'vitest';
import { frameDnsMessage, splitDnsMessages } from './tcp-framing.ts';

describe('DNS over TCP framing', () => {
  const first = Buffer.from('first query');
  const second = Buffer.alloc(300, 7);

  it('splits back-to-back messages and keeps a partial one for the next chunk', () => {
    const stream = Buffer.concat([frameDnsMessage(first), frameDnsMessage(second)]);
    const cut = stream.length - 100;
    const head = splitDnsMessages(stream.subarray(0, cut));
    expect(head.messages).toEqual([first]);
    const tail = splitDnsMessages(Buffer.concat([head.rest, stream.subarray(cut)]));
    expect(tail.messages).toEqual([second]);
    expect(tail.rest.length).toBe(0);
  });

  it('waits for the whole length prefix', () => {
    expect(splitDnsMessages(frameDnsMessage(second).subarray(0, 1))).toEqual({
      messages: [],
      rest: Buffer.from([1]),
    });
  });
});
