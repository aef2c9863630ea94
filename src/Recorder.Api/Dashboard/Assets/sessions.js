// The session search: the fields of `recorder sessions`, case and reason, an audited search
// (POST /api/sessions/search), and per session an "Extract packets" action that submits the
// audited query for exactly that session (POST /api/queries with filter.sessions). Everything
// in a session record comes from traffic and is hostile: it is only ever set as text (h(), never
// innerHTML).
import { api, h, replace, showFieldErrors, badge, fmtNumber, fmtBytes } from './app.js';

const form = document.getElementById('sessions-form');
const summary = document.getElementById('search-summary');
const results = document.getElementById('results');
const Fields = ['sni', 'domain', 'url', 'hostHeader', 'userAgent', 'ja3', 'ja4', 'certSha256', 'fileSha256', 'app', 'host', 'port', 'proto', 'from', 'to'];
const Protocols = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6', 132: 'sctp' };

/** "2024-03-05T14:03:22" (a datetime-local value, meant as UTC) as RFC 3339 UTC. */
const asUtc = (value) => (value ? (value.length === 16 ? value + ':00' : value) + 'Z' : null);

function filter() {
  const result = {};
  for (const name of Fields) {
    const value = document.getElementById(name).value.trim();
    if (value) result[name] = name === 'from' || name === 'to' ? asUtc(value) : value;
  }
  return result;
}

/** Nanoseconds since the epoch (a JSON number) as RFC 3339 UTC to the millisecond. */
function time(nanoseconds) {
  const date = new Date(Math.floor(Number(nanoseconds) / 1e6));
  return Number.isNaN(date.getTime()) ? '–' : date.toISOString().replace('.000Z', 'Z');
}

const endpoint = (address, port, hasPorts) => (hasPorts ? (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`) : address);

function names(record) {
  const all = [...(record.dns?.queries || []), ...(record.http?.hosts || []), record.tls?.sni, record.quic?.sni].filter(Boolean);
  return [...new Set(all)];
}

async function extract(record, button, slot) {
  const label = `${record.segmentId}:${record.id}`;
  button.disabled = true;
  replace(slot, h('span', { class: 'muted' }, 'Submitting…'));
  try {
    const query = await api('/api/queries', {
      method: 'POST',
      body: { case: document.getElementById('case').value, reason: document.getElementById('reason').value, filter: { sessions: [label] } },
    });
    replace(slot, badge('ok', 'Submitted'), ' ', h('a', { href: `/ui/queries/${encodeURIComponent(query.id)}` }, `Query ${query.id.slice(0, 8)}`),
      h('span', { class: 'visually-hidden' }, ` for session ${label}`));
  } catch (error) {
    const problem = error.problem;
    const detail = problem?.errors?.length ? problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : (problem?.detail || String(error));
    replace(slot, h('span', { role: 'alert' }, badge('error', 'Not submitted'), ' ', detail));
    button.disabled = false;
  }
}

function row(record) {
  const hasPorts = [6, 17, 132].includes(record.protocol);
  const slot = h('span', { class: 'extract-status' });
  const label = `${record.segmentId}:${record.id}`;
  const button = h('button', { type: 'button', class: 'quiet', 'aria-label': `Extract packets of session ${label}` }, 'Extract packets');
  button.addEventListener('click', () => extract(record, button, slot));
  return h('tr', { dataset: { session: label } },
    h('td', {}, h('code', {}, label)),
    h('td', {}, h('time', { datetime: time(record.firstNanoseconds) }, time(record.firstNanoseconds)), h('br'),
      h('span', { class: 'muted' }, `to ${time(record.lastNanoseconds)}`)),
    h('td', {}, Protocols[record.protocol] || String(record.protocol)),
    h('td', {}, endpoint(record.client, record.clientPort, hasPorts), ' → ', endpoint(record.server, record.serverPort, hasPorts)),
    h('td', {}, record.application || '–'),
    h('td', { class: 'names' }, names(record).slice(0, 6).map((n, i) => [i ? ', ' : '', h('span', {}, n)])),
    h('td', { class: 'num' }, fmtNumber(record.clientPackets + record.serverPackets)),
    h('td', { class: 'num' }, fmtBytes(record.clientBytes + record.serverBytes)),
    h('td', {}, button, ' ', slot));
}

function show(answer) {
  const notBuilt = answer.segmentsNotBuilt || [];
  replace(summary,
    h('p', {}, `${fmtNumber(answer.count)} session(s) in ${answer.segmentsScanned.length} segment(s). Search ${answer.searchId}, ledger entry ${answer.ledgerSeq}; answer SHA-256 `,
      h('code', { class: 'hash' }, answer.answerSha256), '.'),
    notBuilt.length ? h('p', { class: 'notice notice-warn', role: 'alert' }, badge('warn', 'Incomplete'),
      ` Segment(s) ${notBuilt.join(', ')} in the window have no session metadata and were not searched: their sessions are missing from this answer.`) : null);
  if (answer.results.length === 0) {
    replace(results, h('p', { class: 'muted' }, 'No session matched.'));
    return;
  }
  replace(results, h('table', { id: 'sessions-table' },
    h('caption', {}, 'Matching sessions, by segment then first packet'),
    h('thead', {}, h('tr', {}, ['Session', 'Time (UTC)', 'Protocol', 'Endpoints (client → server)', 'Application', 'Names', 'Packets', 'Bytes', 'Packets as PCAP']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, answer.results.map(row))));
}

async function loadCases() {
  try {
    const options = await api('/api/queries/options');
    replace(document.getElementById('case-options'), options.cases.map((c) => h('option', { value: c })));
  } catch {
    // The case list is a convenience; the form works without it.
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const status = document.getElementById('form-status');
  const button = document.getElementById('search');
  button.disabled = true;
  replace(status);
  showFieldErrors(form, { problem: { errors: [] } });
  try {
    const answer = await api('/api/sessions/search', {
      method: 'POST',
      body: { case: document.getElementById('case').value, reason: document.getElementById('reason').value, filter: filter() },
    });
    show(answer);
  } catch (error) {
    const left = showFieldErrors(form, error);
    replace(status, h('p', { class: 'notice notice-error', role: 'alert' }, badge('error', 'Not searched'), ' ',
      left.length ? left.join('; ') : 'Correct the fields marked below.'));
  } finally {
    button.disabled = false;
  }
});

loadCases();
