import { newMeasurementId } from '@reachmap/schema';
import { Spool } from '../spool/spool.ts';

/**
 * A child process for crash tests: appends measurements to the spool at argv[2] as fast as it can
 * and prints each id once `append` resolved, i.e. once the spool promised it durable. The test kills
 * it with SIGKILL at a random moment and checks that every printed id survived.
 */
const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: spool-writer-process.ts <spool dir>');
const { spool } = await Spool.open({ dir, segmentBytes: 64 * 1024 });
for (;;) {
  const id = newMeasurementId();
  await spool.append([{ id, padding: 'x'.repeat(2000) }]);
  process.stdout.write(`${id}\n`);
}
