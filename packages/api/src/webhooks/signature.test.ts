import { Webhook as StandardWebhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signedHeaders, signMessage } from './signature.ts';
import { newSigningSecret } from './signing-secret.ts';

describe('Standard Webhooks signatures', () => {
  it('match the spec example (standard-webhooks/spec, "Signature scheme")', () => {
    // The example of the reference libraries' test suites.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(signMessage(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('verify with the independent standardwebhooks package, one signature per live secret', () => {
    const [oldSecret, newSecret] = [newSigningSecret(), newSigningSecret()];
    const body = JSON.stringify({ type: 'block.ended', data: {} });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = signedHeaders([newSecret, oldSecret], 'evt_0123456789abcdefABCD', timestamp, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [oldSecret, newSecret])
      expect(new StandardWebhook(secret).verify(body, { ...headers })).toBeTruthy();
    expect(() => new StandardWebhook(newSigningSecret()).verify(body, { ...headers })).toThrow();
    expect(() => new StandardWebhook(newSecret).verify(`${body} `, { ...headers })).toThrow();
  });
});
