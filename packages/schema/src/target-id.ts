import { z } from 'zod';

/** Catalogue ids: lowercase slugs such as `whatsapp`, `telegram`, `control-foreign-hetzner`. */
export const TargetId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a lowercase slug such as "whatsapp"');
export type TargetId = z.infer<typeof TargetId>;
