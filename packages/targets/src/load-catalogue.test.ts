import { describe, expect, it } from 'vitest';
import { readShippedCatalogue } from './catalogue-files.ts';
import {
  guardCatalogue,
  LabCatalogueEscapeError,
  loadCatalogue,
  RealCatalogueRefusedError,
} from './load-catalogue.ts';

describe('loadCatalogue safety guard', () => {
  it('refuses the real catalogue under vitest without being told', async () => {
    await expect(loadCatalogue({ kind: 'real' })).rejects.toBeInstanceOf(RealCatalogueRefusedError);
  });

  it.each([
    [{ REACHMAP_LAB: '1' }, 'REACHMAP_LAB=1'],
    [{ NODE_ENV: 'test' }, 'NODE_ENV=test'],
    [{ VITEST: 'true' }, 'VITEST'],
  ])('refuses the real catalogue when %o is set', async (env, marker) => {
    const refusal = await loadCatalogue({ kind: 'real', env }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RealCatalogueRefusedError);
    expect((refusal as RealCatalogueRefusedError).marker).toBe(marker);
  });

  it('hands out the real catalogue on an agent with none of the markers', async () => {
    const catalogue = await loadCatalogue({ kind: 'real', env: { NODE_ENV: 'production' } });
    expect(catalogue.environment).toBe('real');
  });

  it('hands out the lab catalogue in a lab run', async () => {
    const catalogue = await loadCatalogue({ kind: 'lab', env: { REACHMAP_LAB: '1' } });
    expect(catalogue.environment).toBe('lab');
    expect(catalogue.targets.some((target) => target.id === 'whatsapp')).toBe(true);
  });

  it('refuses a pushed real catalogue in a lab run, as it does the file', async () => {
    const real = await readShippedCatalogue('real');
    expect(() => guardCatalogue(real, { REACHMAP_LAB: '1' })).toThrow(RealCatalogueRefusedError);
  });

  it('refuses a lab catalogue that names a destination outside the lab', async () => {
    const lab = await readShippedCatalogue('lab');
    const leaky = structuredClone(lab);
    leaky.targets[0]?.suite.tcp.push({ host: '149.154.175.50', ports: [443] });
    const refusal = (() => {
      try {
        guardCatalogue(leaky, {});
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(LabCatalogueEscapeError);
    expect((refusal as LabCatalogueEscapeError).escapes.map((leak) => leak.value)).toEqual([
      '149.154.175.50',
    ]);
    expect(guardCatalogue(lab, {})).toBe(lab);
  });
});
