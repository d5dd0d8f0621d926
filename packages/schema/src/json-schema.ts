import { z } from 'zod';
import { ScopeEvent } from './event.ts';
import { MeasurementV1 } from './measurement.ts';
import { ScopeState } from './scope.ts';
import { SubmissionBatch } from './submission.ts';
import { Verdict } from './verdict.ts';

const DOCUMENTED = {
  'measurement-v1': MeasurementV1,
  'submission-batch': SubmissionBatch,
  verdict: Verdict,
  'scope-state': ScopeState,
  event: ScopeEvent,
} as const;

/** The JSON Schema documents committed under docs/schema/, keyed by file stem. */
export function jsonSchemaDocuments(): Record<string, string> {
  const documents: Record<string, string> = {};
  for (const [name, schema] of Object.entries(DOCUMENTED)) {
    const jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    documents[name] =
      `${JSON.stringify({ $id: `https://reachmap.dev/schema/${name}.json`, ...jsonSchema }, null, 2)}\n`;
  }
  return documents;
}
