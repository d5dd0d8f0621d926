import { describe, expect, it } from 'vitest';
import { FlowTable } from './flow-table.ts';

describe('FlowTable', () => {
  it('holds at most maxFlows, releasing the least recently used first', () => {
    const released: string[] = [];
    const table = new FlowTable<string>({ maxFlows: 2, idleMs: 60_000, release: (v) => released.push(v) });
    table.use('a', () => 'A');
    table.use('b', () => 'B');
    table.use('a', () => 'never'); // a is now the newest
    table.use('c', () => 'C');
    expect(released).toEqual(['B']);
    expect(table.size).toBe(2);
    table.clear();
    expect(released.sort()).toEqual(['A', 'B', 'C']);
  });

  it('releases a flow after idleMs without use, and a use restarts the timer', async () => {
    const released: string[] = [];
    const table = new FlowTable<string>({ maxFlows: 10, idleMs: 150, release: (v) => released.push(v) });
    table.use('kept', () => 'K');
    table.use('idle', () => 'I');
    await new Promise((resolve) => setTimeout(resolve, 100));
    table.touch('kept', 'K');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(released).toEqual(['I']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(released).toEqual(['I', 'K']);
  });

  it('deletes only the value it was asked to, so a failed old socket cannot close its successor', () => {
    const released: string[] = [];
    const table = new FlowTable<string>({ maxFlows: 10, idleMs: 60_000, release: (v) => released.push(v) });
    table.use('k', () => 'old');
    table.delete('k');
    table.use('k', () => 'new');
    table.delete('k', 'old');
    expect(released).toEqual(['old']);
    expect(table.size).toBe(1);
    table.clear();
  });
});
