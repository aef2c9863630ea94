// Incidents: the query history grouped by case, from GET /api/cases (search, user, dates, sort, pages).
import { api, h, replace, fmtNumber, fmtTime, badge, showError } from './app.js';

const form = document.getElementById('case-search');
const body = document.querySelector('#cases-table tbody');
const summary = document.getElementById('cases-summary');
const errorSlot = document.getElementById('cases-error');
const prev = document.getElementById('prev');
const next = document.getElementById('next');
const pageLabel = document.getElementById('page-label');
const pageSize = 25;

const stateKinds = { succeeded: 'ok', failed: 'error', cancelled: 'warn', running: 'busy', queued: 'info' };

/** The state counts of a case as badges (word and symbol). */
export function stateBadges(states) {
  return Object.entries(states || {}).map(([state, count]) => [badge(stateKinds[state] || 'info', `${count} ${state}`), ' ']);
}

function readParams() {
  const params = new URLSearchParams(location.search);
  for (const name of ['search', 'user', 'from', 'to', 'sort']) {
    if (params.has(name)) form.elements[name].value = params.get(name);
  }
  return Number(params.get('page') || '1') || 1;
}

async function load(page) {
  const params = new URLSearchParams();
  for (const name of ['search', 'user', 'from', 'to', 'sort']) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  const shown = new URLSearchParams(params);
  if (page > 1) shown.set('page', String(page));
  history.replaceState(null, '', location.pathname + (shown.toString() ? '?' + shown : ''));
  params.set('page', String(page));
  params.set('pageSize', String(pageSize));
  errorSlot.textContent = '';
  try {
    const answer = await api('/api/cases?' + params);
    replace(body, answer.cases.map((c) => h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: c.links.page }, c.case)),
      h('td', { class: 'num' }, fmtNumber(c.queries)),
      h('td', {}, stateBadges(c.states)),
      h('td', {}, c.owners.join(', ')),
      h('td', {}, fmtTime(c.firstSubmittedAt)),
      h('td', {}, fmtTime(c.lastSubmittedAt)),
      h('td', { class: 'num' }, fmtNumber(c.packets)),
      h('td', { class: 'num' }, fmtNumber(c.notes)))));
    if (answer.cases.length === 0) {
      replace(body, h('tr', {}, h('td', { colspan: '8' }, 'No case matches.')));
    }
    summary.textContent = `${fmtNumber(answer.total)} case(s)`;
    pageLabel.textContent = `Page ${answer.page} of ${answer.pages}`;
    prev.disabled = answer.page <= 1;
    next.disabled = answer.page >= answer.pages;
    prev.onclick = () => load(answer.page - 1);
    next.onclick = () => load(answer.page + 1);
  } catch (error) {
    showError(errorSlot, error);
  }
}

form.addEventListener('submit', (event) => { event.preventDefault(); load(1); });
form.elements.sort.addEventListener('change', () => load(1));
load(readParams());
