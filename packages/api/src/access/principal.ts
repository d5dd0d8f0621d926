import { z } from 'zod';

export const ApiRole = z.enum(['read', 'admin']);
export type ApiRole = z.infer<typeof ApiRole>;

/** Who a request acts as: an API key with its role, or an anonymous client known by its address. */
export type Principal =
  | { kind: 'key'; keyId: string; role: ApiRole }
  | { kind: 'anonymous'; address: string };

export function hasRole(principal: Principal, role: ApiRole): boolean {
  if (principal.kind === 'anonymous') return false;
  return role === 'read' || principal.role === 'admin';
}
