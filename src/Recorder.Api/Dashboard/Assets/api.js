// API reference: renders the service's own OpenAPI document (operations by tag: method, path,
// summary, parameters, request body and responses with their schemas). Shipped with the service;
// no Swagger UI, nothing from a CDN.
import { api, h, replace, showError } from './app.js';

const root = document.getElementById('api-reference');
const toc = document.getElementById('api-toc');
const count = document.getElementById('api-count');
const search = document.getElementById('api-search');
const Methods = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
let doc = null;

/** The schema a $ref points at (#/components/schemas/X), or the schema itself. */
function resolve(schema) {
  let seen = 0;
  while (schema && schema.$ref && seen++ < 16) {
    const path = schema.$ref.replace(/^#\//, '').split('/');
    schema = path.reduce((node, key) => (node ? node[key] : undefined), doc);
  }
  return schema || {};
}

function refName(schema) {
  return schema?.$ref ? schema.$ref.split('/').pop() : null;
}

function typeText(schema) {
  const name = refName(schema);
  const s = resolve(schema);
  let type = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null').join(' | ') + (s.type.includes('null') ? ' (nullable)' : '') : s.type;
  if (!type && (s.oneOf || s.anyOf)) type = (s.oneOf || s.anyOf).map((x) => typeText(x)).join(' | ');
  if (type === 'array' || (Array.isArray(s.type) && s.type.includes('array'))) type = `array of ${typeText(s.items || {})}`;
  if (s.format) type = `${type || ''} (${s.format})`;
  if (s.enum) type = `${type || ''}: ${s.enum.map(String).join(', ')}`;
  return [name, type].filter(Boolean).join(' — ') || 'any';
}

/** A schema as a nested list of its properties (depth-limited; $ref cycles stop). */
function schemaView(schema, depth = 0, seen = new Set()) {
  const name = refName(schema);
  const s = resolve(schema);
  if (name && seen.has(name)) return h('span', { class: 'muted' }, `${name} (see above)`);
  const next = new Set(seen);
  if (name) next.add(name);
  const target = s.type === 'array' || (Array.isArray(s.type) && s.type.includes('array')) ? resolve(s.items || {}) : s;
  const props = target.properties ? Object.entries(target.properties) : [];
  const parts = [h('code', {}, typeText(schema))];
  if (s.description) parts.push(' ', h('span', { class: 'muted' }, s.description));
  if (props.length && depth < 4) {
    const required = new Set(target.required || []);
    parts.push(h('ul', { class: 'schema' }, props.map(([prop, value]) => h('li', {},
      h('code', { class: 'prop' }, prop), required.has(prop) ? h('span', { class: 'required' }, ' (required)') : '', ': ',
      schemaView(value, depth + 1, next)))));
  }
  return h('span', {}, parts);
}

function content(block) {
  const entries = Object.entries(block?.content || {});
  if (!entries.length) return h('span', { class: 'muted' }, 'no body');
  return entries.map(([type, media]) => h('div', {}, h('p', {}, 'Content type ', h('code', {}, type)),
    media.schema ? schemaView(media.schema) : h('span', { class: 'muted' }, 'no schema given')));
}

function operationView(path, method, op, index) {
  const id = `op-${index}`;
  const params = [...(doc.paths[path].parameters || []), ...(op.parameters || [])].map((p) => (p.$ref ? resolve(p) : p));
  const body = op.requestBody ? (op.requestBody.$ref ? resolve(op.requestBody) : op.requestBody) : null;
  return h('details', { class: 'operation', id, dataset: { search: `${method} ${path} ${op.summary || ''} ${op.description || ''}`.toLowerCase() } },
    h('summary', {}, h('span', { class: `method method-${method}` }, method.toUpperCase()), ' ', h('code', { class: 'path' }, path),
      op.summary ? [' ', h('span', { class: 'op-summary' }, op.summary)] : ''),
    op.description ? h('p', {}, op.description) : '',
    h('h3', {}, 'Parameters'),
    params.length ? h('table', {}, h('caption', { class: 'visually-hidden' }, `Parameters of ${method.toUpperCase()} ${path}`),
      h('thead', {}, h('tr', {}, ['Name', 'In', 'Type', 'Required', 'Description'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, params.map((p) => h('tr', {}, h('td', {}, h('code', {}, p.name)), h('td', {}, p.in),
        h('td', {}, p.schema ? typeText(p.schema) : '–'), h('td', {}, p.required ? 'yes' : 'no'), h('td', {}, p.description || '')))))
      : h('p', { class: 'muted' }, 'None.'),
    h('h3', {}, 'Request body'),
    body ? [body.required ? h('p', {}, 'Required.') : '', content(body)] : h('p', { class: 'muted' }, 'None.'),
    h('h3', {}, 'Responses'),
    h('dl', { class: 'responses' }, Object.entries(op.responses || {}).map(([code, response]) => {
      const r = response.$ref ? resolve(response) : response;
      return [h('dt', {}, h('code', {}, code), ' ', r.description || ''), h('dd', {}, content(r))];
    })));
}

function render() {
  const groups = new Map();
  let index = 0;
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of Methods) {
      const op = item[method];
      if (!op) continue;
      const tag = (op.tags && op.tags[0]) || 'Other';
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push(operationView(path, method, op, index++));
    }
  }
  const tags = [...groups.keys()].sort();
  replace(toc, h('ul', { class: 'chips' }, tags.map((tag, i) => h('li', {}, h('a', { href: `#tag-${i}` }, `${tag} (${groups.get(tag).length})`)))));
  replace(root,
    h('p', {}, `${doc.info?.title || 'API'} ${doc.info?.version || ''}, OpenAPI ${doc.openapi || ''}`),
    tags.map((tag, i) => h('section', { class: 'api-tag', 'aria-labelledby': `tag-${i}` },
      h('h2', { id: `tag-${i}`, tabindex: '-1' }, tag), groups.get(tag))));
  count.textContent = `${index} operations.`;
}

function filter() {
  const term = search.value.trim().toLowerCase();
  let shown = 0;
  for (const op of root.querySelectorAll('details.operation')) {
    const match = !term || op.dataset.search.includes(term);
    op.hidden = !match;
    if (match) shown++;
  }
  for (const section of root.querySelectorAll('section.api-tag')) {
    section.hidden = !section.querySelector('details.operation:not([hidden])');
  }
  count.textContent = term ? `${shown} operations match "${search.value.trim()}".` : `${shown} operations.`;
}

search.addEventListener('input', filter);
document.getElementById('api-filter').addEventListener('submit', (e) => e.preventDefault());

try {
  doc = await api('/openapi/v1.json');
  render();
} catch (error) {
  showError(root, error);
}
