import { Catalogue, type ControlResolver, type Reflector, type Target } from './catalogue-schema.ts';
import { guardCatalogue } from './load-catalogue.ts';

/**
 * A lab catalogue of servers a test or benchmark runs on loopback: validated like a pushed catalogue
 * and passed through `guardCatalogue`, so it cannot name anything outside the lab either.
 */
export function loopbackCatalogue(options: {
  resolvers: ControlResolver[];
  targets: Target[];
  reflectors?: Reflector[];
  version?: string;
}): Catalogue {
  return guardCatalogue(
    Catalogue.parse({
      catalogue_version: 1,
      version: options.version ?? '2026.11.23.1',
      issued_at: new Date().toISOString(),
      environment: 'lab',
      resolvers: options.resolvers,
      reflectors: options.reflectors ?? [],
      dns_zone: [],
      targets: options.targets,
    }),
  );
}
