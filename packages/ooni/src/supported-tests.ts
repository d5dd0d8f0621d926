import type { TargetId } from '@reachmap/schema';

/**
 * The OONI tests we import and export, and the catalogue target each stands for. A Map, because test
 * names come from files and agents, and a plain object answers `constructor` from its prototype.
 */
export const MESSENGER_TARGETS: ReadonlyMap<string, TargetId> = new Map([
  ['whatsapp', 'whatsapp'],
  ['telegram', 'telegram'],
  ['signal', 'signal'],
  ['facebook_messenger', 'facebook-messenger'],
]);

export const WEB_CONNECTIVITY = 'web_connectivity';

export function isSupportedTest(testName: string): boolean {
  return testName === WEB_CONNECTIVITY || MESSENGER_TARGETS.has(testName);
}
