// One query: live progress from GET /api/queries/{id}/events (Server-Sent Events), chunks as they
// are written, sinks, cancel with confirmation, and once done the result, its hash and a summary.
import { api, h, replace, fmtNumber, fmtBytes, fmtTime, badge, custody, showError, follow, can } from './app.js';

const id = decodeURIComponent(location.pathname.split('/').pop());
const status = document.getElementById('query-status');
let summaryLoaded = false;

const stateBadge = (state) => badge({ queued: 'info', running: 'busy', succeeded: 'ok', failed: 'error', cancelled: 'warn', pending: 'info' }[state] || 'info', state);
const stat = (label, value) => h('li', { class: 'stat' }, h('span', { class: 'value' }, value), h('span', { class: 'label' }, label));
const table = (caption, heads, rows) => h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'visually-hidden' }, caption),
  h('thead', {}, h('tr', {}, heads.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows)));

function render(query) {
  const filter = query.filter || {};
  replace(status, h('dl', { class: 'facts' },
    h('dt', {}, 'State'), h('dd', { id: 'state' }, stateBadge(query.state)),
    h('dt', {}, 'Case'), h('dd', {}, query.case),
    h('dt', {}, 'Reason'), h('dd', {}, query.reason),
    h('dt', {}, 'Filter'), h('dd', {}, h('code', {}, query.description || '')),
    h('dt', {}, 'Window'), h('dd', {}, `${fmtTime(filter.from)} to ${fmtTime(filter.to)}`),
    h('dt', {}, 'Submitted'), h('dd', {}, `${fmtTime(query.submittedAt)} by ${query.owner}`, ' ', custody({ seq: query.submittedSeq })),
    query.error ? [h('dt', {}, 'Error'), h('dd', {}, query.error)] : null));
  const progress = query.progress || {};
  replace(document.getElementById('stats'),
    stat('packets so far', fmtNumber(progress.packets)), stat('bytes so far', fmtBytes(progress.bytes)),
    stat('segments read', `${fmtNumber(query.run?.segmentsRead ?? query.sealedSegments)}`),
    stat('chunks written', fmtNumber(query.chunks.length)),
    stat('through the window', `${Math.round((progress.fraction || 0) * 100)} %`));
  document.getElementById('cancel').hidden = ['succeeded', 'failed', 'cancelled'].includes(query.state)
    || !(can('queries.cancel.own') || can('queries.cancel.all'));
  const readable = can('results.read.own') || can('results.read.all');
  if (query.chunks.length) {
    replace(document.getElementById('chunks'), table('Chunks written', ['Chunk', 'Packets', 'Size', 'First packet', 'Custody'],
      query.chunks.map((c) => h('tr', {},
        h('td', {}, readable ? h('a', { href: `/api/queries/${query.id}/chunks/${c.number}`, download: '' }, `Chunk ${c.number}`) : `Chunk ${c.number}`),
        h('td', { class: 'num' }, fmtNumber(c.packets)), h('td', { class: 'num' }, fmtBytes(c.bytes)), h('td', {}, fmtTime(c.firstTimestamp)),
        h('td', {}, custody({ sha256: c.sha256, seq: c.ledgerSeq }))))));
  }
  if (query.sinks.length) {
    replace(document.getElementById('sinks'), table('Sinks', ['Sink', 'State', 'Delivered', 'Output'],
      query.sinks.map((s) => h('tr', {},
        h('td', {}, s.name, ` (${s.definition?.type || ''})`),
        h('td', {}, stateBadge(s.state), s.error ? ` ${s.error}` : ''),
        h('td', {}, s.delivered || '–'),
        h('td', {},
          s.definition?.type === 'folder' ? h('p', {}, 'Open in folder ', h('code', {}, s.definition.directory)) : null,
          s.artifacts.map((a) => h('p', {}, readable ? h('a', { href: `/api/queries/${query.id}/artifacts/${a.name}`, download: '' }, `Open ${a.name}`) : a.name,
            ' ', fmtBytes(a.bytes), ' ', custody({ sha256: a.sha256 }))))))));
  }
  if (query.result) {
    document.getElementById('results').hidden = false;
    const r = query.result;
    replace(document.getElementById('result'), h('p', {},
      readable ? h('a', { href: `/api/queries/${query.id}/pcap`, download: '', id: 'download-pcap' }, `Download the whole ${r.format.toUpperCase()}`) : 'The whole result',
      ` (${fmtNumber(r.packets)} packets, ${fmtBytes(r.bytes)})`, r.partial ? [' ', badge('warn', 'partial')] : null, ' ',
      h('span', { id: 'result-custody' }, custody({ sha256: r.sha256, seq: query.completedSeq }))));
    if (readable && !summaryLoaded) { summaryLoaded = true; loadSummary(); }
  }
}

function chart(series) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = (tag, attributes) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v)); return e; };
  const counts = series.packets;
  const rates = counts.map((c) => c / series.bucketSeconds);
  const peak = Math.max(1, ...rates);
  const width = 640; const height = 160; const bar = width / counts.length;
  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height + 20}`, role: 'img', 'aria-labelledby': 'chart-title' });
  const title = svg('title', { id: 'chart-title' });
  title.textContent = `Packets per second from ${fmtTime(series.start)}, ${counts.length} bars of ${series.bucketSeconds} s, peak ${peak.toFixed(1)}/s`;
  root.append(title, svg('line', { class: 'axis', x1: 0, y1: height, x2: width, y2: height }));
  rates.forEach((rate, i) => {
    const barHeight = (rate / peak) * (height - 10);
    root.append(svg('rect', { class: 'bar', x: i * bar, y: height - barHeight, width: Math.max(1, bar - 1), height: barHeight }));
  });
  const label = svg('text', { x: 0, y: height + 16 });
  label.textContent = `${fmtTime(series.start)} · peak ${peak.toFixed(1)} packets/s`;
  root.append(label);
  return root;
}

async function loadSummary() {
  const target = document.getElementById('summary');
  document.getElementById('summary-section').hidden = false;
  try {
    const s = await api(`/api/queries/${id}/summary`);
    replace(target,
      table('Top talkers', ['Address', 'Packets', 'Bytes'], s.topTalkers.map((t) => h('tr', {}, h('td', {}, h('code', {}, t.address)), h('td', { class: 'num' }, fmtNumber(t.packets)), h('td', { class: 'num' }, fmtBytes(t.bytes))))),
      table('Ports', ['Port', 'Protocol', 'Packets'], s.ports.map((p) => h('tr', {}, h('td', {}, String(p.port)), h('td', {}, p.proto), h('td', { class: 'num' }, fmtNumber(p.packets))))),
      table('Protocols', ['Protocol', 'Packets', 'Bytes'], s.protocols.map((p) => h('tr', {}, h('td', {}, p.proto), h('td', { class: 'num' }, fmtNumber(p.packets)), h('td', { class: 'num' }, fmtBytes(p.bytes))))),
      s.perSecond ? h('figure', {}, chart(s.perSecond), h('figcaption', {}, 'Packets per second over the result')) : h('p', { class: 'muted' }, 'No packets.'));
  } catch (error) {
    showError(target, error);
  }
}

function setUp() {
  const dialog = document.getElementById('cancel-dialog');
  document.getElementById('cancel').addEventListener('click', () => dialog.showModal());
  document.getElementById('cancel-keep').addEventListener('click', () => dialog.close());
  document.getElementById('cancel-confirm').addEventListener('click', async () => {
    dialog.close();
    try { render(await api(`/api/queries/${id}`, { method: 'DELETE' })); } catch (error) { showError(status, error); }
  });
  api(`/api/queries/${id}`).then((query) => {
    render(query);
    const source = follow(`/api/queries/${id}/events`, {
      query: (q) => render(q),
      end: () => source.close(),
    });
  }).catch((error) => showError(status, error));
}

setUp();
