import { sampleMeasurement } from '@reachmap/schema/testing';
import { describe, expect, it } from 'vitest';
import { generateAgentKeyPair } from './keys.ts';
import { signMeasurement, verifyMeasurementSignature } from './measurement-signature.ts';

describe('per-measurement signatures', () => {
  it('verify one measurement on its own, whatever the key order, and refuse any change', () => {
    const { privateKey, publicKey } = generateAgentKeyPair();
    const measurement = sampleMeasurement();
    const signature = signMeasurement(measurement, privateKey);
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(measurement).reverse())));
    expect(verifyMeasurementSignature(reordered, signature, publicKey)).toBe(true);
    expect(
      verifyMeasurementSignature({ ...measurement, end_time: measurement.start_time }, signature, publicKey),
    ).toBe(false);
    expect(verifyMeasurementSignature(measurement, signature, generateAgentKeyPair().publicKey)).toBe(false);
    expect(verifyMeasurementSignature(measurement, 'not-a-signature', publicKey)).toBe(false);
  });
});
