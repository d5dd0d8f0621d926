import { readFile } from 'node:fs/promises';
import { Command, type CommandUnknownOpts, EXIT, setExitCode } from '@reachmap/command-line';
import type { VerificationReport } from '../evidence/verify-bundle.ts';

export function formatReport(report: VerificationReport): string {
  const lines = report.checks.map(
    (check) => `${check.ok ? 'ok  ' : 'FAIL'} ${check.measurement ?? 'event'}: ${check.what}`,
  );
  for (const note of report.notes) lines.push(`note ${note}`);
  lines.push(report.ok ? 'verified' : 'NOT verified');
  return `${lines.join('\n')}\n`;
}

/** `reachmap verify <bundle.json>`: needs no Redis and no network. */
export function verifyCommand(): CommandUnknownOpts {
  return new Command('verify')
    .description("check an event's evidence bundle offline")
    .argument('<bundle>', 'the bundle, as GET /v1/events/{id}/evidence returns it (JSON)')
    .addHelpText(
      'after',
      `
Checks each measurement's signature by its agent's enrolled key, re-runs each witness's verdict with
this build's classifier, and checks that the witnesses support the event. Exit status 0 when
everything checks, 1 when anything fails (the failing measurement is named), 2 on a usage error.`,
    )
    .action(async (path, _options, command) => setExitCode(command, await verifyFile(path)));
}

async function verifyFile(path: string): Promise<number> {
  let bundle: unknown;
  try {
    bundle = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    process.stderr.write(`reachmap verify: cannot read ${path} as JSON: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  // The verifier is loaded only when a bundle is checked: help and completion stay quick.
  const { verifyBundle } = await import('../evidence/verify-bundle.ts');
  const report = verifyBundle(bundle);
  process.stdout.write(formatReport(report));
  return report.ok ? EXIT.ok : EXIT.failure;
}
