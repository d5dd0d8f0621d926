import type { CountryCode, TargetId } from '@reachmap/schema';
import type { Catalogue, Target } from './catalogue-schema.ts';

/** The controls measured in the same round as a target, which the classifier judges it against. */
export interface Judges {
  domestic: Target[];
  foreign: Target[];
  sameHosting: Target[];
}

export class UnknownTargetError extends Error {
  override readonly name = 'UnknownTargetError';
}

/** Resolves a target's `judged_by` for an agent in `country`: only that country's domestic controls apply. */
export function judgesOf(catalogue: Catalogue, targetId: TargetId, country: CountryCode): Judges {
  const byId = new Map(catalogue.targets.map((target) => [target.id, target]));
  const target = byId.get(targetId);
  if (target === undefined)
    throw new UnknownTargetError(`no target "${targetId}" in catalogue ${catalogue.version}`);
  const lookup = (ids: string[]) => ids.flatMap((id) => byId.get(id) ?? []);
  return {
    domestic: lookup(target.judged_by.domestic).filter((control) => control.country === country),
    foreign: lookup(target.judged_by.foreign),
    sameHosting: lookup(target.judged_by.same_hosting),
  };
}
