import { LAB_DOMAIN_SUFFIX } from '@reachmap/targets';

/**
 * Scenario globs are written for real names (`*.whatsapp.net`); the lab serves the same names with
 * `.lab` appended (docs/catalogue.md), so the suffix is removed before matching. `*` spans dots.
 */
export function matchesHostGlob(glob: string, hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  const real = name.endsWith(LAB_DOMAIN_SUFFIX) ? name.slice(0, -LAB_DOMAIN_SUFFIX.length) : name;
  const pattern = glob
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(real);
}
