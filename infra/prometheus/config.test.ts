import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemToolPresent } from './testing/system-tool.ts';

const found = systemToolPresent('promtool', 'prometheus');
const here = import.meta.dirname;

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { cwd: here, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!found)('Prometheus files', () => {
  it('the scrape configuration is valid and finds the rule file', () => {
    const checked = promtool('check', 'config', 'prometheus.yml');
    expect(checked.output).toContain('SUCCESS: 1 rule files found');
    expect(checked.status).toBe(0);
  });

  it('the alerting rules are valid', () => {
    const checked = promtool('check', 'rules', join('rules', 'reachmap.rules.yml'));
    expect(checked.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(checked.status).toBe(0);
  });

  it('every alert fires on the series that should trigger it, and only then (promtool test rules)', () => {
    const tested = promtool('test', 'rules', join('rules', 'reachmap.rules.test.yml'));
    expect(tested.output).toContain('SUCCESS');
    expect(tested.status).toBe(0);
  });
});
