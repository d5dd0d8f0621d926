import type { Logger } from '@reachmap/telemetry';
import type { ClientLimits } from '../client-limits.ts';

/** What every route needs: the client's address, the shared limits and a logger bound to the client. */
export interface RouteContext {
  clientIp: string;
  limits: ClientLimits;
  logger: Logger;
}
