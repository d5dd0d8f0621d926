/** Just enough of an OpenAPI 3.1 document to render it. */
interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths?: object;
}

interface OpenApiOperation {
  summary?: string;
  parameters?: Array<{
    name: string;
    in: string;
    required?: boolean;
    schema?: unknown;
    description?: string;
  }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function schemaSummary(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return '';
  const {
    type,
    enum: values,
    $ref,
    format,
  } = schema as { type?: string; enum?: unknown[]; $ref?: string; format?: string };
  if ($ref !== undefined) return $ref.split('/').at(-1) ?? '';
  if (values !== undefined) return values.map(String).join(' | ');
  return [type, format].filter(Boolean).join(', ');
}

function renderOperation(path: string, method: string, operation: OpenApiOperation): string {
  const parameters = (operation.parameters ?? [])
    .map(
      (parameter) =>
        `<tr><td><code>${escapeHtml(parameter.name)}</code></td><td>${escapeHtml(parameter.in)}</td>` +
        `<td>${parameter.required === true ? 'yes' : ''}</td><td>${escapeHtml(schemaSummary(parameter.schema))}</td></tr>`,
    )
    .join('');
  const body = operation.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries(operation.responses ?? {})
    .map(
      ([status, response]) =>
        `<li><code>${escapeHtml(status)}</code> ${escapeHtml(response.description ?? '')}</li>`,
    )
    .join('');
  return `<section id="${escapeHtml(`${method}-${path}`)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(operation.summary ?? '')}</p>
${parameters === '' ? '' : `<table><tr><th>parameter</th><th>in</th><th>required</th><th>type</th></tr>${parameters}</table>`}
${body === undefined ? '' : `<p>Body: <code>${escapeHtml(schemaSummary(body) || 'JSON')}</code> (schema in <a href="openapi.json">openapi.json</a>)</p>`}
<ul>${responses}</ul>
</section>`;
}

/**
 * The API reference as one self-contained HTML page (no scripts, fonts or styles from elsewhere: the
 * API must document itself on a network without internet access).
 */
export function renderReferencePage(document: OpenApiDocument): string {
  const operations: string[] = [];
  const index: string[] = [];
  const paths = (document.paths ?? {}) as Record<string, Partial<Record<string, OpenApiOperation>>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      operations.push(renderOperation(path, method, operation));
      index.push(
        `<li><a href="#${escapeHtml(`${method}-${path}`)}">${method.toUpperCase()} ${escapeHtml(path)}</a></li>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{font-family:ui-monospace,monospace}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
section{border-top:1px solid #ddd;padding-top:.5rem}.method{font-weight:bold;padding:0 .3rem;border-radius:3px;color:#fff;background:#555}
.get{background:#2a7}.post{background:#27a}.patch{background:#a72}.delete{background:#a33}
</style></head><body>
<h1>${escapeHtml(document.info.title)} <small>v${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description ?? '')}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<ul>${index.join('')}</ul>
${operations.join('\n')}
</body></html>`;
}
