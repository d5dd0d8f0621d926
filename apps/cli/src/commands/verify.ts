import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type VerificationReport, verifyBundle } from '../evidence/verify-bundle.ts';

const HELP = `Usage: reachmap verify <bundle.json>

Checks an evidence bundle (GET /v1/events/{id}/evidence) offline: each measurement's signature by its
agent's enrolled key, each witness's verdict re-run with this build's classifier, and that the
witnesses support the event. Needs no Redis and no network. Exit status 0 when everything checks, 1
when anything fails (the failing measurement is named), 2 on a usage error.`;

export function formatReport(report: VerificationReport): string {
  const lines = report.checks.map(
    (check) => `${check.ok ? 'ok  ' : 'FAIL'} ${check.measurement ?? 'event'}: ${check.what}`,
  );
  for (const note of report.notes) lines.push(`note ${note}`);
  lines.push(report.ok ? 'verified' : 'NOT verified');
  return `${lines.join('\n')}\n`;
}

export async function runVerify(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [path] = positionals;
  if (path === undefined || positionals.length > 1) {
    process.stderr.write(`reachmap verify: expected one bundle file\n\n${HELP}\n`);
    return 2;
  }
  let bundle: unknown;
  try {
    bundle = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    process.stderr.write(`reachmap verify: cannot read ${path} as JSON: ${(error as Error).message}\n`);
    return 2;
  }
  const report = verifyBundle(bundle);
  process.stdout.write(formatReport(report));
  return report.ok ? 0 : 1;
}
