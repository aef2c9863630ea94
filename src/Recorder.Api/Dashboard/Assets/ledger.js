// Custody ledger (ledger.read): the entries newest first, filtered; each entry's custody (proven
// included in the latest signed head), its hash and sequence number; inclusion proofs as files
// (ledger.prove); the latest checkpoint and whether its signature and time-stamp verify.
import { api, h, replace, can, badge, custody, fmtTime, fmtNumber, showError, showFieldErrors, ApiError } from './app.js';
import { utcFromInput, summarize } from './audit.js';

const PageSize = 50;
const form = document.getElementById('ledger-filters');
const tbody = document.querySelector('#ledger-table tbody');
const status = document.getElementById('ledger-status');
const older = document.getElementById('ledger-older');
const newest = document.getElementById('ledger-newest');
const pageText = document.getElementById('ledger-page');
let before = null;
let nextBefore = null;
let pageNumber = 1;

function query() {
  const params = new URLSearchParams({ order: 'desc', limit: String(PageSize), verify: 'true' });
  const data = new FormData(form);
  for (const name of ['action', 'user', 'case']) {
    const value = String(data.get(name) || '').trim();
    if (value) params.set(name, value);
  }
  const from = utcFromInput(String(data.get('from') || ''));
  const to = utcFromInput(String(data.get('to') || ''));
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  if (before !== null) params.set('beforeSeq', String(before));
  return params;
}

async function load() {
  replace(status, badge('busy', 'Loading'), ' Reading the ledger…');
  let answer;
  try {
    answer = await api('/api/ledger?' + query());
  } catch (error) {
    const left = showFieldErrors(form, error);
    replace(tbody);
    if (left.length) showError(status, new ApiError(error.status || 0, { detail: left.join('; ') }));
    else replace(status, h('p', { class: 'notice notice-error', role: 'alert' }, badge('error', 'Error'), ' Correct the filters marked below.'));
    return;
  }
  showFieldErrors(form, null);
  const rows = answer.entries.map((entry, i) => row(entry, answer.custody?.[i], answer.entryHashes?.[i]));
  replace(tbody, rows.length ? rows : h('tr', {}, h('td', { colspan: '8' }, 'No entry matches these filters.')));
  nextBefore = answer.nextBeforeSeq ?? null;
  older.disabled = nextBefore === null;
  newest.disabled = before === null;
  pageText.textContent = `Page ${pageNumber}`;
  const failing = (answer.custody || []).filter((c) => c.verified !== true).length;
  replace(status,
    `${fmtNumber(answer.entries.length)} entries shown of ${fmtNumber(answer.count)} in the ledger. `,
    failing === 0 ? badge('ok', 'every entry shown verifies') : badge('error', `${failing} shown entries do not verify`));
}

function row(entry, proof, hash) {
  const seq = entry.seq;
  const cells = [
    h('td', { class: 'num' }, String(seq)),
    h('td', {}, fmtTime(entry.time)),
    h('td', {}, h('code', {}, entry.action)),
    h('td', {}, entry.actor ? `${entry.actor.name}` : '–', entry.actor ? h('span', { class: 'muted' }, ` (${entry.actor.kind})`) : ''),
    h('td', {}, entry.case || '–'),
    h('td', { class: 'what' }, summarize(entry)),
    h('td', {}, custody({ verified: proof ? proof.verified : undefined, sha256: proof?.hash || hash, seq, note: proof?.problem })),
    h('td', {}, can('ledger.prove')
      // A plain link the browser downloads (every browser saves a same-origin link with "download" under that name).
      ? h('a', { href: `/api/ledger/proof/${seq}`, download: `proof-${seq}.json`, 'aria-label': `Download the inclusion proof of entry ${seq}` }, 'Proof (JSON)')
      : h('span', { class: 'muted' }, 'needs ledger.prove')),
  ];
  return h('tr', { dataset: { seq: String(seq) } }, cells);
}

async function loadCheckpoint() {
  const box = document.getElementById('checkpoint');
  try {
    const c = await api('/api/ledger/checkpoints/latest');
    const v = c.verification || {};
    replace(box,
      h('p', {}, v.verified ? badge('ok', 'verifies') : badge('error', 'does not verify'), ' ',
        v.signature ? 'The signature verifies with the store key' : 'The signature does NOT verify with the store key', '; ',
        v.timeStamp === true ? 'the RFC 3161 time-stamp verifies.' : `the time-stamp does not verify: ${v.timeStampProblem || 'unknown'}.`),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Entries covered'), h('dd', {}, fmtNumber(c.size)),
        h('dt', {}, 'Signed at'), h('dd', {}, fmtTime(c.time)),
        h('dt', {}, 'Time-stamped at'), h('dd', {}, v.timeStampTime ? fmtTime(v.timeStampTime) : '–'),
        h('dt', {}, 'Root hash (base64)'), h('dd', {}, h('code', {}, c.rootHash)),
        h('dt', {}, 'Key fingerprint'), h('dd', {}, h('code', {}, c.keyFingerprint)),
        h('dt', {}, 'Origin'), h('dd', {}, c.origin)),
      h('p', {}, 'Files for openssl: ',
        ['checkpoint.txt', 'checkpoint.sig', 'checkpoint.tsr', 'tsa.pem'].map((f, i) => [i ? ', ' : '',
          h('a', { href: `/api/ledger/checkpoints/latest?file=${f}`, download: f }, f)])));
  } catch (error) {
    showError(box, error);
  }
}

async function fillActions() {
  // The actions present in the ledger's recent entries, as suggestions (any name or prefix may be typed).
  try {
    const recent = await api('/api/ledger?order=desc&limit=1000');
    const names = [...new Set(recent.entries.map((e) => e.action))].sort();
    replace(document.getElementById('ledger-actions'), names.map((n) => h('option', { value: n })));
  } catch { /* suggestions only */ }
}

form.addEventListener('submit', (event) => { event.preventDefault(); before = null; pageNumber = 1; load(); });
form.addEventListener('reset', () => { before = null; pageNumber = 1; setTimeout(load, 0); });
older.addEventListener('click', () => { if (nextBefore !== null) { before = nextBefore; pageNumber++; load(); } });
newest.addEventListener('click', () => { before = null; pageNumber = 1; load(); });
loadCheckpoint();
load();
fillActions();
