// The dashboard's shared module: calling the API with the session (and its anti-forgery token),
// building DOM without HTML strings, formatting, custody badges, the theme and sign-out.
// Every page's own module imports what it needs from here.

const csrfMeta = document.querySelector('meta[name="csrf-token"]');

/** An API answer other than 2xx, with the problem document the service sent. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** Calls the API as the signed-in user; JSON in and out. Throws ApiError for any non-2xx answer. */
export async function api(path, { method = 'GET', body, signal, raw = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['X-CSRF-Token'] = csrfMeta ? csrfMeta.content : '';
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, {
    method, headers, signal, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    location.assign('/ui/signin?next=' + encodeURIComponent(location.pathname + location.search));
    throw new ApiError(401, { detail: 'signed out' });
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { problem = { detail: response.statusText }; }
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/** Builds an element: h('a', { href: '/x', class: 'y' }, 'text', child...). Text is always text, never HTML. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces the children of element with the given ones. */
export function replace(element, ...children) {
  element.replaceChildren(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}

/** True when the signed-in user's role holds the permission (the server enforces it anyway). */
export function can(permission) {
  return (document.body.dataset.permissions || '').split(' ').includes(permission);
}

export const user = () => document.body.dataset.user;

const numberFormat = new Intl.NumberFormat('en');
export const fmtNumber = (n) => (n === undefined || n === null ? '–' : numberFormat.format(n));

export function fmtBytes(n) {
  if (n === undefined || n === null) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = Number(n);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return (unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)) + ' ' + units[unit];
}

/** An RFC 3339 UTC time as "YYYY-MM-DD HH:MM:SS UTC" (nanoseconds kept if given). */
export function fmtTime(iso) {
  if (!iso) return '–';
  return String(iso).replace('T', ' ').replace(/Z$/, ' UTC');
}

/** The same instant in the viewer's own zone, for display beside UTC. */
export function localTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, { timeZoneName: 'short' });
}

export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';

/** A status badge: always a word and a symbol, never colour alone. kind: ok | error | warn | info | busy. */
export function badge(kind, text) {
  const symbols = { ok: '✔', error: '✖', warn: '⚠', info: 'ℹ', busy: '⟳' };
  return h('span', { class: `badge badge-${kind}` }, h('span', { 'aria-hidden': 'true' }, symbols[kind] || ''), ' ', text);
}

/** Custody of one item: whether it verifies, its SHA-256 and its ledger sequence number. */
export function custody({ verified, sha256, seq, note } = {}) {
  const parts = [];
  if (verified === true) parts.push(badge('ok', 'verifies'));
  else if (verified === false) parts.push(badge('error', 'does not verify'));
  if (sha256) parts.push(' ', h('span', { class: 'hash', title: 'SHA-256' }, 'SHA-256 ', h('code', {}, sha256)));
  if (seq !== undefined && seq !== null) parts.push(' ', h('span', { class: 'seq' }, 'ledger #', String(seq)));
  if (note) parts.push(' ', h('span', { class: 'muted' }, note));
  return h('span', { class: 'custody' }, parts);
}

/** Shows an error (an ApiError or any Error) in container, as an alert. */
export function showError(container, error) {
  const message = error instanceof ApiError ? (error.problem.detail || error.message) : String(error?.message || error);
  replace(container, h('p', { class: 'notice notice-error', role: 'alert' }, badge('error', 'Error'), ' ', message));
}

/**
 * Puts the field errors of a 400 problem next to the form's fields: an element with id
 * `${prefix}${field}-error` receives the message, and the field gets aria-invalid. Returns the
 * messages not placed at a field.
 */
export function showFieldErrors(form, error, prefix = '') {
  for (const old of form.querySelectorAll('.field-error')) old.textContent = '';
  for (const old of form.querySelectorAll('[aria-invalid="true"]')) old.removeAttribute('aria-invalid');
  const left = [];
  const errors = error instanceof ApiError ? error.problem.errors || [] : [];
  for (const { field, message } of errors) {
    const slot = form.querySelector(`#${CSS.escape(prefix + String(field).replace(/[^A-Za-z0-9_-]/g, '-'))}-error`);
    if (slot) {
      slot.textContent = message;
      const input = document.getElementById(slot.dataset.for || '');
      if (input) input.setAttribute('aria-invalid', 'true');
    } else {
      left.push(`${field}: ${message}`);
    }
  }
  if (errors.length === 0) left.push(error instanceof ApiError ? error.problem.detail || error.message : String(error));
  return left;
}

/** Follows a Server-Sent Events stream; returns the EventSource (close() it when done). */
export function follow(url, handlers) {
  const source = new EventSource(url, { withCredentials: true });
  for (const [event, handler] of Object.entries(handlers)) {
    source.addEventListener(event, (e) => handler(e.data ? JSON.parse(e.data) : null, e));
  }
  return source;
}

// Theme: auto (the system's), light or dark; only this choice is kept in the browser.
function applyTheme(choice) {
  if (choice === 'light' || choice === 'dark') document.documentElement.dataset.theme = choice;
  else delete document.documentElement.dataset.theme;
  const toggle = document.getElementById('theme-toggle');
  if (toggle) toggle.textContent = `Theme: ${choice || 'auto'}`;
}

function setUp() {
  let theme = null;
  try { theme = localStorage.getItem('recorder.theme'); } catch { theme = null; }
  applyTheme(theme);
  document.getElementById('theme-toggle')?.addEventListener('click', () => {
    const order = [null, 'light', 'dark'];
    theme = order[(order.indexOf(theme) + 1) % order.length];
    try { if (theme) localStorage.setItem('recorder.theme', theme); else localStorage.removeItem('recorder.theme'); } catch { /* private mode */ }
    applyTheme(theme);
  });
  document.getElementById('sign-out')?.addEventListener('click', async () => {
    try { await api('/ui/signout', { method: 'POST' }); } finally { location.assign('/ui/signin?ended=signed-out'); }
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setUp);
else setUp();
