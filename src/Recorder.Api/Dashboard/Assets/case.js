// One case: its queries (state, who, when, reason, result hash), packages and append-only notes,
// from GET /api/cases/{case}; notes are added with POST /api/cases/{case}/notes.
import { api, h, replace, can, fmtNumber, fmtTime, localTime, badge, custody, showError, showFieldErrors } from './app.js';

const encoded = location.pathname.replace(/^\/ui\/cases\//, '').replace(/\/$/, '');
const errorSlot = document.getElementById('case-error');
const stateKinds = { succeeded: 'ok', failed: 'error', cancelled: 'warn', running: 'busy', queued: 'info' };

function note(n) {
  return h('li', { class: 'note' },
    h('p', { class: 'note-meta' }, h('strong', {}, n.author), ` (${n.authorRole}) · `,
      h('time', { datetime: n.at, title: localTime(n.at) }, fmtTime(n.at)), ' · ', custody({ sha256: n.sha256, seq: n.ledgerSeq })),
    h('p', { class: 'note-text' }, n.text));
}

function render(found) {
  document.querySelector('main h1').textContent = `Case ${found.case}`;
  document.title = `Case ${found.case} · Recorder`;
  replace(document.getElementById('case-facts'),
    h('dt', {}, 'Queries'), h('dd', {}, fmtNumber(found.queries.length)),
    h('dt', {}, 'Users'), h('dd', {}, found.owners.join(', ')),
    h('dt', {}, 'First query'), h('dd', {}, fmtTime(found.firstSubmittedAt)),
    h('dt', {}, 'Latest query'), h('dd', {}, fmtTime(found.lastSubmittedAt)),
    h('dt', {}, 'Packets extracted'), h('dd', {}, fmtNumber(found.packets)));
  replace(document.querySelector('#queries-table tbody'), found.queries.map((q) => h('tr', {},
    h('td', {}, h('a', { href: q.links.page }, fmtTime(q.submittedAt))),
    h('td', {}, badge(stateKinds[q.state] || 'info', q.state), q.partial ? [' ', badge('warn', 'partial')] : null),
    h('td', {}, q.owner),
    h('td', {}, q.reason),
    h('td', {}, h('code', {}, q.description)),
    h('td', { class: 'num' }, fmtNumber(q.packets)),
    h('td', {}, q.resultSha256
      ? custody({ sha256: q.resultSha256, seq: q.completedSeq })
      : custody({ seq: q.submittedSeq, note: 'submitted' })))));
  const packages = document.getElementById('packages');
  if (found.packages.length === 0) {
    replace(packages, h('p', { class: 'muted' }, 'No package has been built from this case.'));
  } else {
    replace(packages, h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Packages of the case'),
      h('thead', {}, h('tr', {}, ['Built', 'Title', 'By', 'Queries', 'Zip'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, found.packages.map((p) => h('tr', {},
        h('td', {}, fmtTime(p.builtAt)),
        h('td', {}, can('packages.build') ? h('a', { href: `/ui/packages?case=${encodeURIComponent(found.case)}&package=${p.id}` }, p.title) : p.title),
        h('td', {}, p.builtBy),
        h('td', { class: 'num' }, fmtNumber((p.queries || []).length)),
        h('td', {}, custody({ sha256: p.sha256, seq: p.packageSeq }))))))));
  }
  const notes = document.getElementById('notes');
  replace(notes, found.notes.length ? found.notes.map(note) : h('li', { class: 'muted' }, 'No notes yet.'));
}

async function load() {
  try {
    render(await api(`/api/cases/${encoded}`));
  } catch (error) {
    showError(errorSlot, error);
  }
}

const form = document.getElementById('note-form');
if (can('queries.submit') || can('packages.build')) {
  form.hidden = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      await api(`/api/cases/${encoded}/notes`, { method: 'POST', body: { text: form.elements.text.value } });
      form.reset();
      showFieldErrors(form, null);
      await load();
    } catch (error) {
      const left = showFieldErrors(form, error);
      if (left.length) showError(errorSlot, error);
    } finally {
      button.disabled = false;
    }
  });
}
load();
