import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newMeasurementId } from '@reachmap/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { segmentFileName } from './segment-file.ts';
import { Spool } from './spool.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reachmap-spool-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function items(count: number, padding = 100): { id: string; padding: string }[] {
  return Array.from({ length: count }, () => ({ id: newMeasurementId(), padding: 'x'.repeat(padding) }));
}

async function drain(spool: Spool, maxCount = 500): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const batch = await spool.nextBatch(maxCount, 8 * 1024 * 1024);
    if (batch === null) return ids;
    ids.push(...batch.lines.map((line) => (JSON.parse(line) as { id: string }).id));
    await spool.acknowledge(batch.end, null);
  }
}

async function segmentFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('segment-'));
}

describe('Spool', () => {
  it('hands out appended measurements in order and deletes segments once acknowledged', async () => {
    const { spool } = await Spool.open({ dir, segmentBytes: 1024 });
    const written = items(30);
    await spool.append(written.slice(0, 10));
    await spool.append(written.slice(10));
    expect(spool.stats().pendingMeasurements).toBe(30);

    const first = await spool.nextBatch(7, 1024 * 1024);
    expect(first?.lines.map((line) => JSON.parse(line).id)).toEqual(
      written.slice(0, 7).map((item) => item.id),
    );
    // Not acknowledged yet: asking again gives the same measurements.
    const again = await spool.nextBatch(7, 1024 * 1024);
    expect(again?.end).toEqual(first?.end);

    expect(await drain(spool, 7)).toEqual(written.map((item) => item.id));
    expect(spool.stats().pendingMeasurements).toBe(0);
    expect(await segmentFiles()).toEqual([]);
    await spool.close();
  });

  it('limits a batch by count and by bytes but always returns at least one measurement', async () => {
    const { spool } = await Spool.open({ dir });
    await spool.append(items(5, 1000));
    expect((await spool.nextBatch(2, 1024 * 1024))?.lines).toHaveLength(2);
    expect((await spool.nextBatch(500, 2500))?.lines).toHaveLength(2);
    expect((await spool.nextBatch(500, 10))?.lines).toHaveLength(1);
    await spool.close();
  });

  it('keeps undelivered measurements across a restart and forgets acknowledged ones', async () => {
    const written = items(20);
    const first = (await Spool.open({ dir, segmentBytes: 600 })).spool;
    await first.append(written);
    const batch = await first.nextBatch(12, 1024 * 1024);
    if (batch === null) throw new Error('expected a batch');
    await first.acknowledge(batch.end, null);
    // No close: the process could have died here.

    const { spool: second } = await Spool.open({ dir, segmentBytes: 600 });
    expect(second.stats().pendingMeasurements).toBe(8);
    const more = items(3);
    await second.append(more);
    expect(await drain(second)).toEqual([...written.slice(12), ...more].map((item) => item.id));
    await second.close();
  });

  it('discards a torn last line left by a crash and keeps appending cleanly after it', async () => {
    const written = items(3);
    const first = (await Spool.open({ dir })).spool;
    await first.append(written);
    await first.close();
    const [segment] = await segmentFiles();
    await appendFile(join(dir, segment ?? ''), '{"id":"0190-torn","padding":"xx');

    const { spool, recovery } = await Spool.open({ dir });
    expect(recovery.tornBytes).toBeGreaterThan(0);
    const later = items(2);
    await spool.append(later);
    const lines = (await readFile(join(dir, segment ?? ''), 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).id)).toEqual([...written, ...later].map((item) => item.id));
    expect(await drain(spool)).toEqual([...written, ...later].map((item) => item.id));
    await spool.close();
  });

  it('drops the oldest measurements when full, counts them durably and clears the count once reported', async () => {
    const options = { dir, maxBytes: 20_000, segmentBytes: 4_000 };
    const first = (await Spool.open(options)).spool;
    const written = items(100, 300);
    for (const item of written) await first.append([item]);
    const stats = first.stats();
    expect(stats.bytesOnDisk).toBeLessThanOrEqual(20_000);
    const dropped = stats.dropped?.count ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + stats.pendingMeasurements).toBe(100);
    await first.close();

    const { spool } = await Spool.open(options);
    const report = spool.droppedReport();
    expect(report?.count).toBe(dropped);
    const batch = await spool.nextBatch(500, 8 * 1024 * 1024);
    if (batch === null) throw new Error('expected a batch');
    // The survivors are the newest ones, in order.
    expect(batch.lines.map((line) => JSON.parse(line).id)).toEqual(
      written.slice(dropped).map((item) => item.id),
    );
    await spool.acknowledge(batch.end, report);
    expect(spool.droppedReport()).toBeNull();
    await spool.close();
    expect((await Spool.open(options)).spool.droppedReport()).toBeNull();
  });

  it('does not count measurements already delivered when it drops their segment', async () => {
    const options = { dir, maxBytes: 10_000, segmentBytes: 2_000 };
    const { spool } = await Spool.open(options);
    await spool.append(items(5, 300));
    const batch = await spool.nextBatch(3, 1024 * 1024);
    if (batch === null) throw new Error('expected a batch');
    await spool.acknowledge(batch.end, null);
    for (let i = 0; i < 40; i++) await spool.append(items(1, 300));
    const stats = spool.stats();
    expect((stats.dropped?.count ?? 0) + stats.pendingMeasurements).toBe(42);
    await spool.close();
  });

  it('finishes a delete that a crash interrupted after the drop was counted', async () => {
    const options = { dir, maxBytes: 4_000, segmentBytes: 1_000 };
    const { spool } = await Spool.open(options);
    await spool.append(items(3, 300));
    await spool.close();
    // The state says segment 1 was dropped, but its file is still there.
    const state = {
      cursor: { segment: 0, line: 0 },
      dropped: { count: 3, since: new Date().toISOString(), through_segment: 1 },
    };
    await rm(join(dir, 'spool-state.json'), { force: true });
    await appendFile(join(dir, 'spool-state.json'), JSON.stringify(state));
    expect(await segmentFiles()).toEqual([segmentFileName(1)]);

    const reopened = (await Spool.open(options)).spool;
    expect(await segmentFiles()).toEqual([]);
    expect(reopened.stats().pendingMeasurements).toBe(0);
    expect(reopened.droppedReport()?.count).toBe(3);
    await reopened.close();
  });

  it('refuses a measurement larger than the whole spool instead of dropping everything for it', async () => {
    const { spool } = await Spool.open({ dir, maxBytes: 1_000 });
    await spool.append(items(1, 100));
    await expect(spool.append(items(1, 2_000))).rejects.toThrow(/do not fit/);
    expect(spool.stats().pendingMeasurements).toBe(1);
    await spool.close();
  });

  it('loses nothing it acknowledged when the writing process is killed with SIGKILL mid-append', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const acknowledged = await runWriterUntilKilled(dir, 40 + attempt * 37);
      const { spool } = await Spool.open({ dir, segmentBytes: 64 * 1024 });
      const recovered = new Set(await drain(spool));
      await spool.close();
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const id of acknowledged) expect(recovered.has(id)).toBe(true);
    }
  });
});

/** Starts the writer child, lets it append until it printed `count` ids, then kills it with SIGKILL. */
function runWriterUntilKilled(spoolDir: string, count: number): Promise<string[]> {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '../testing/spool-writer-process.ts'), spoolDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.split('\n').length > count) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited without being killed (${signal})`));
      // Only complete lines were acknowledged to the parent.
      else resolve(output.split('\n').filter((line) => line.length === 36));
    });
  });
}
