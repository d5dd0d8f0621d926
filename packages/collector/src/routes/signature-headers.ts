import { SIGNATURE_HEADERS } from '@reachmap/agent-auth';
import { z } from 'zod';

/** The four headers every signed request carries, for the OpenAPI document (docs/api-agent.md). */
export const SignatureHeaders = z.object({
  [SIGNATURE_HEADERS.agent]: z.string().describe('The agent id (agt_…)'),
  [SIGNATURE_HEADERS.timestamp]: z
    .string()
    .describe('Unix seconds; must be within ±300 s of the server clock'),
  [SIGNATURE_HEADERS.nonce]: z.string().describe('32 hex digits, never reused'),
  [SIGNATURE_HEADERS.signature]: z.string().describe('base64url Ed25519 signature over the signing string'),
});
