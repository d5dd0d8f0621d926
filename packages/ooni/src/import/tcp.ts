import type { TcpConnect } from '@reachmap/schema';
import type { OoniTcpConnect } from '../ooni-format.ts';
import { ooniFailure } from './failure.ts';
import { timingOf } from './timing.ts';

export function mapTcpConnect(connect: OoniTcpConnect): TcpConnect {
  const failure =
    ooniFailure(connect.status.failure) ??
    // MK-era entries sometimes say only `success: false`; a failure must not read as a success.
    (connect.status.success === false ? ooniFailure('connect_failed') : null);
  return { ip: connect.ip, port: connect.port, failure, ...timingOf(connect) };
}
