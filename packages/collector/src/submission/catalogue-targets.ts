import type { CatalogueProvider } from '../agent-config/agent-config.ts';

type CatalogueDocument = Awaited<ReturnType<CatalogueProvider>>;

const cache = new WeakMap<CatalogueDocument, ReadonlySet<string> | null>();

/**
 * The target ids of the catalogue agents are sent, which are all an honest agent can measure; null
 * when the document lists none (a bare test catalogue), and then targets are not checked.
 */
export async function knownTargetIds(catalogue: CatalogueProvider): Promise<ReadonlySet<string> | null> {
  const document = await catalogue();
  const cached = cache.get(document);
  if (cached !== undefined) return cached;
  const targets = (document.catalogue as { targets?: unknown } | undefined)?.targets;
  const ids = Array.isArray(targets)
    ? new Set(
        targets.flatMap((target) => {
          const id = (target as { id?: unknown } | null)?.id;
          return typeof id === 'string' ? [id] : [];
        }),
      )
    : null;
  cache.set(document, ids);
  return ids;
}
