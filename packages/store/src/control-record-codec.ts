import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ClassifiedMeasurement } from './classified-measurement.ts';

/** Marks a deflated record; a record written before it is plain JSON and starts with `{`. */
const DEFLATED = 'd1:';

/**
 * A control record as Redis keeps it: its JSON deflated, in base64 so that it passes through the
 * apply-once script's JSON plan unchanged. Controls are 2 of a round's 7 measurements and their
 * records the largest thing the store keeps per measurement (a 1 KB bench control takes 0.75 KB so);
 * level 1 costs ~30 µs per record, a third of level 6's, for 2 % more bytes.
 */
export function encodeControlRecord(classified: ClassifiedMeasurement): string {
  const json = JSON.stringify(classified);
  return DEFLATED + deflateRawSync(json, { level: 1 }).toString('base64');
}

export function decodeControlRecord(text: string): ClassifiedMeasurement {
  const json = text.startsWith(DEFLATED)
    ? inflateRawSync(Buffer.from(text.slice(DEFLATED.length), 'base64')).toString('utf8')
    : text;
  return ClassifiedMeasurement.parse(JSON.parse(json));
}
