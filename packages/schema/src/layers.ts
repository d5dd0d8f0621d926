import { z } from 'zod';
import { LAYERS } from './layer-names.ts';

export * from './layer-names.ts';

/** A layer a verdict can name: where the measurement showed interference (the registry's list). */
export const Layer = z.enum(LAYERS);
export type Layer = z.infer<typeof Layer>;
