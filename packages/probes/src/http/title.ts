const TITLE = /<title[^>]*>([\s\S]*?)<\/title\s*>/i;

/** The page's `<title>` text, whitespace collapsed; null when the page has none. */
export function extractTitle(html: string): string | null {
  const raw = TITLE.exec(html)?.[1];
  if (raw === undefined) return null;
  return raw.replace(/\s+/g, ' ').trim().slice(0, 500);
}
