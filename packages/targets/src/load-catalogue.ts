import { type CatalogueAddress, labEscapes } from './catalogue-addresses.ts';
import { readShippedCatalogue } from './catalogue-files.ts';
import type { Catalogue, CatalogueEnvironment } from './catalogue-schema.ts';

/** Refusal to hand out the real catalogue inside a lab, test or demo run. */
export class RealCatalogueRefusedError extends Error {
  override readonly name = 'RealCatalogueRefusedError';
  readonly marker: string;

  constructor(marker: string) {
    super(
      `refusing to load the real catalogue because ${marker} is set: lab, test and demo runs measure ` +
        'only the lab catalogue (198.18.0.0/15). Unset it on a production agent.',
    );
    this.marker = marker;
  }
}

/** A lab catalogue that names a destination outside the lab: a generator or editing mistake. */
export class LabCatalogueEscapeError extends Error {
  override readonly name = 'LabCatalogueEscapeError';
  readonly escapes: CatalogueAddress[];

  constructor(escapes: CatalogueAddress[]) {
    const listed = escapes
      .slice(0, 5)
      .map((leak) => `${leak.path}=${leak.value}`)
      .join(', ');
    super(
      `the lab catalogue names ${escapes.length} destination(s) outside 198.18.0.0/15 and .lab: ${listed}`,
    );
    this.escapes = escapes;
  }
}

/** A catalogue file whose `environment` is not the one its name promises. */
export class CatalogueEnvironmentMismatchError extends Error {
  override readonly name = 'CatalogueEnvironmentMismatchError';

  constructor(expected: CatalogueEnvironment, actual: CatalogueEnvironment) {
    super(`the ${expected} catalogue file declares environment "${actual}"`);
  }
}

/** The environment variable marking a lab, test or demo run (where real targets are never measured), or null. */
export function labMarkerIn(env: NodeJS.ProcessEnv): string | null {
  if (env.REACHMAP_LAB === '1') return 'REACHMAP_LAB=1';
  if (env.NODE_ENV === 'test') return 'NODE_ENV=test';
  if (env.VITEST !== undefined && env.VITEST !== '') return 'VITEST';
  return null;
}

/**
 * Whether this process may measure a catalogue, for files and pushed updates alike: a real catalogue
 * is refused in a lab/test run, and a lab catalogue must not name anything outside the lab.
 */
export function guardCatalogue(catalogue: Catalogue, env: NodeJS.ProcessEnv = process.env): Catalogue {
  if (catalogue.environment === 'real') {
    const marker = labMarkerIn(env);
    if (marker !== null) throw new RealCatalogueRefusedError(marker);
    return catalogue;
  }
  const escapes = labEscapes(catalogue);
  if (escapes.length > 0) throw new LabCatalogueEscapeError(escapes);
  return catalogue;
}

export interface LoadCatalogueOptions {
  kind: CatalogueEnvironment;
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The catalogue shipped with this package for `kind`, after `guardCatalogue`. */
export async function loadCatalogue({ kind, env = process.env }: LoadCatalogueOptions): Promise<Catalogue> {
  // Checked before reading so a lab run never even imports the real data.
  if (kind === 'real') {
    const marker = labMarkerIn(env);
    if (marker !== null) throw new RealCatalogueRefusedError(marker);
  }
  const catalogue = await readShippedCatalogue(kind);
  if (catalogue.environment !== kind) {
    throw new CatalogueEnvironmentMismatchError(kind, catalogue.environment);
  }
  return guardCatalogue(catalogue, env);
}
