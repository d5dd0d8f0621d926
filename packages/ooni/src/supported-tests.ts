import type { TargetId } from '@reachmap/schema';

/** The OONI tests we import and export, and the catalogue target each stands for. */
export const MESSENGER_TARGETS: Readonly<Record<string, TargetId>> = {
  whatsapp: 'whatsapp',
  telegram: 'telegram',
  signal: 'signal',
  facebook_messenger: 'facebook-messenger',
};

export const WEB_CONNECTIVITY = 'web_connectivity';

export function isSupportedTest(testName: string): boolean {
  return testName === WEB_CONNECTIVITY || testName in MESSENGER_TARGETS;
}
