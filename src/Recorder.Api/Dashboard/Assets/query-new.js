// The new-query form: indicators from pasted text as removable chips, a UTC window with the
// viewer's zone beside it, BPF checked by the server, case and reason, sinks the role may name.
import { api, h, replace, showFieldErrors, showError, badge, viewerZone } from './app.js';
import { extractIndicators, parseIndicator, findTime } from './indicators.js';

const form = document.getElementById('query-form');
const chipList = document.getElementById('chips');
const text = document.getElementById('indicator-text');
const from = document.getElementById('from');
const to = document.getElementById('to');
const indicators = [];

/** "2024-03-05T14:03:22" (a datetime-local value, meant as UTC) as RFC 3339 UTC. */
const asUtc = (value) => (value ? (value.length === 16 ? value + ':00' : value) + 'Z' : null);
const toInput = (date) => date.toISOString().slice(0, 19);

function renderChips() {
  replace(chipList, indicators.map((indicator, i) => h('li', { class: 'chip' },
    h('span', {}, indicator.kind === 'port' ? `port ${indicator.value}` : indicator.value),
    h('button', { type: 'button', 'aria-label': `Remove ${indicator.value}`, onclick: () => remove(i) }, h('span', { 'aria-hidden': 'true' }, '×')))));
  document.getElementById('chips-empty').hidden = indicators.length > 0;
}

function remove(i) {
  indicators.splice(i, 1);
  renderChips();
  const buttons = chipList.querySelectorAll('button');
  (buttons[Math.min(i, buttons.length - 1)] || document.getElementById('add-indicator')).focus();
}

function addAll(found) {
  for (const item of found) {
    if (!indicators.some((x) => x.kind === item.kind && x.value === item.value)) indicators.push(item);
  }
  renderChips();
}

function showLocal(input, output) {
  const iso = asUtc(input.value);
  const date = iso ? new Date(iso) : null;
  output.textContent = date && !Number.isNaN(date.getTime())
    ? `= ${date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })} ${viewerZone()}` : '';
}

function setWindow(start, end) {
  from.value = toInput(start);
  to.value = toInput(end);
  showLocal(from, document.getElementById('from-local'));
  showLocal(to, document.getElementById('to-local'));
}

function body() {
  const filter = {};
  const hosts = indicators.filter((x) => x.kind === 'host').map((x) => x.value);
  const ports = indicators.filter((x) => x.kind === 'port').map((x) => Number(x.value));
  if (hosts.length) filter.hosts = hosts;
  if (ports.length) filter.ports = ports;
  const proto = document.getElementById('proto').value;
  if (proto) filter.proto = [proto];
  if (from.value) filter.from = asUtc(from.value);
  if (to.value) filter.to = asUtc(to.value);
  const bpf = document.getElementById('bpf').value.trim();
  if (bpf) filter.bpf = bpf;
  const sinks = [...form.querySelectorAll('input[name="sink"]:checked')].map((c) => c.value);
  return { case: document.getElementById('case').value, reason: document.getElementById('reason').value, filter, sinks };
}

async function loadOptions() {
  const sinks = document.getElementById('sinks');
  try {
    const options = await api('/api/queries/options');
    replace(document.getElementById('case-options'), options.cases.map((c) => h('option', { value: c })));
    replace(sinks, options.sinks.length === 0 ? h('p', { class: 'muted' }, 'Your role may name no sinks.')
      : options.sinks.map((s) => h('div', {},
        h('input', { type: 'checkbox', name: 'sink', id: `sink-${s.name}`, value: s.name }), ' ',
        h('label', { for: `sink-${s.name}` }, s.name, ` (${s.type})`, s.description ? ` — ${s.description}` : ''))));
    if (options.maxWindowSeconds) {
      document.getElementById('window-hint').textContent = `Your role may query a window of at most ${Math.round(options.maxWindowSeconds / 86400)} days; give both ends.`;
    }
    if (!options.bpfAvailable) {
      document.getElementById('bpf').disabled = true;
      document.getElementById('bpf-hint').textContent = `BPF is unavailable on this service: ${options.bpfUnavailable}`;
    }
  } catch (error) {
    showError(sinks, error);
  }
}

function prefill() {
  const params = new URLSearchParams(location.search);
  const start = params.get('from');
  const end = params.get('to');
  if (start && !Number.isNaN(new Date(start).getTime())) from.value = toInput(new Date(start));
  if (end && !Number.isNaN(new Date(end).getTime())) to.value = toInput(new Date(end));
  for (const item of (params.get('indicators') || '').split(',')) {
    const parsed = parseIndicator(item);
    if (parsed) addAll([parsed]);
  }
  for (const name of ['case', 'reason', 'bpf', 'proto']) {
    if (params.get(name)) document.getElementById(name).value = params.get(name);
  }
  showLocal(from, document.getElementById('from-local'));
  showLocal(to, document.getElementById('to-local'));
}

async function checkBpf() {
  const slot = document.getElementById('filter-bpf-error');
  const input = document.getElementById('bpf');
  if (!input.value.trim()) { slot.textContent = ''; input.removeAttribute('aria-invalid'); return; }
  try {
    await api('/api/queries/check', { method: 'POST', body: { ...body(), case: 'check', reason: 'check' } });
    slot.textContent = '';
    input.removeAttribute('aria-invalid');
  } catch (error) {
    const bpfError = (error.problem?.errors || []).find((e) => e.field === 'filter.bpf');
    slot.textContent = bpfError ? bpfError.message : '';
    if (bpfError) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  }
}

function setUp() {
  document.getElementById('extract').addEventListener('click', () => addAll(extractIndicators(text.value)));
  text.addEventListener('paste', () => setTimeout(() => addAll(extractIndicators(text.value)), 0));
  const add = () => {
    const input = document.getElementById('add-indicator');
    const parsed = parseIndicator(input.value);
    const slot = document.getElementById('add-indicator-error');
    if (!parsed) { slot.textContent = `'${input.value}' is not an address, a CIDR block or a port (1–65535)`; input.setAttribute('aria-invalid', 'true'); return; }
    slot.textContent = '';
    input.removeAttribute('aria-invalid');
    input.value = '';
    addAll([parsed]);
  };
  document.getElementById('add').addEventListener('click', add);
  document.getElementById('add-indicator').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } });
  from.addEventListener('input', () => showLocal(from, document.getElementById('from-local')));
  to.addEventListener('input', () => showLocal(to, document.getElementById('to-local')));
  document.getElementById('last-hour').addEventListener('click', () => { const now = new Date(); setWindow(new Date(now - 3600e3), now); });
  document.getElementById('last-day').addEventListener('click', () => { const now = new Date(); setWindow(new Date(now - 86400e3), now); });
  document.getElementById('around-alert').addEventListener('click', () => {
    const at = findTime(text.value) || (from.value ? new Date(asUtc(from.value)) : null);
    const hint = document.getElementById('window-hint');
    if (!at) { hint.textContent = 'No date and time found in the alert text (e.g. 2024-03-05 14:03:22 UTC); type one in From.'; return; }
    setWindow(new Date(at.getTime() - 600e3), new Date(at.getTime() + 600e3));
    hint.textContent = `Ten minutes either side of ${at.toISOString().replace('.000', '')}.`;
  });
  document.getElementById('bpf').addEventListener('change', checkBpf);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = document.getElementById('form-status');
    const submit = document.getElementById('submit');
    submit.disabled = true;
    replace(status);
    try {
      const query = await api('/api/queries', { method: 'POST', body: body() });
      location.assign(`/ui/queries/${encodeURIComponent(query.id)}`);
    } catch (error) {
      const left = showFieldErrors(form, error);
      replace(status, h('p', { class: 'notice notice-error', role: 'alert' }, badge('error', 'Not submitted'), ' ',
        left.length ? left.join('; ') : 'Correct the fields marked below.'));
      submit.disabled = false;
    }
  });
  renderChips();
  prefill();
  loadOptions();
}

setUp();
