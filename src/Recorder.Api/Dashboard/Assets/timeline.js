// Traffic timeline: GET /api/traffic as an SVG bar chart; a window selected by dragging (mouse or
// touch) or typed in the inputs opens the new-query form at /ui/queries/new?from=ISO&to=ISO.
import { api, h, replace, fmtNumber, fmtBytes, fmtTime, custody, showError } from './app.js';

const svgNs = 'http://www.w3.org/2000/svg';
const chart = document.getElementById('traffic-chart');
const fromInput = document.getElementById('window-from');
const toInput = document.getElementById('window-to');
const link = document.getElementById('open-query');
const windowError = document.getElementById('window-error');
const width = 1000;
const height = 200;
let range = null;

const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

/** The new-query form's address for a window. */
export function queryUrl(fromIso, toIso) {
  return `/ui/queries/new?from=${encodeURIComponent(fromIso)}&to=${encodeURIComponent(toIso)}`;
}

function setWindow(fromMs, toMs) {
  fromInput.value = iso(fromMs);
  toInput.value = iso(toMs);
  updateLink();
}

function updateLink() {
  const from = Date.parse(fromInput.value);
  const to = Date.parse(toInput.value);
  windowError.textContent = '';
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) {
    link.setAttribute('aria-disabled', 'true');
    link.href = '/ui/queries/new';
    if (fromInput.value && toInput.value) windowError.textContent = 'Give two RFC 3339 times in UTC, the second after the first.';
    return;
  }
  link.removeAttribute('aria-disabled');
  link.href = queryUrl(iso(from), iso(to));
  drawSelection((from - range.from) / (range.to - range.from) * width, (to - range.from) / (range.to - range.from) * width);
}

function drawSelection(x1, x2) {
  chart.querySelector('.selection')?.remove();
  const left = Math.max(0, Math.min(x1, x2));
  const right = Math.min(width, Math.max(x1, x2));
  if (right - left < 0.5) return;
  chart.append(svg('rect', { class: 'selection', x: left, y: 0, width: right - left, height }));
}

function render(answer) {
  const stats = document.getElementById('traffic-stats');
  replace(stats,
    h('div', { class: 'stat' }, h('div', { class: 'value' }, fmtNumber(answer.packets)), h('div', { class: 'label' }, 'packets')),
    h('div', { class: 'stat' }, h('div', { class: 'value' }, fmtNumber(answer.segments.length)), h('div', { class: 'label' }, 'sealed segments')),
    h('div', { class: 'stat' }, h('div', { class: 'value' }, answer.bucketSeconds ? `${fmtNumber(answer.bucketSeconds)} s` : '–'), h('div', { class: 'label' }, 'per bar')));
  const desc = chart.querySelector('desc');
  if (!answer.from) {
    desc.textContent = 'The store holds no sealed segment yet.';
    document.getElementById('chart-caption').textContent = 'No traffic recorded yet.';
    return;
  }
  range = { from: Date.parse(answer.from), to: Date.parse(answer.to) };
  const max = Math.max(1, ...answer.buckets.map((b) => b.packets));
  const barWidth = width / answer.buckets.length;
  const peak = answer.buckets.reduce((best, b) => (b.packets > best.packets ? b : best), answer.buckets[0]);
  desc.textContent = `${fmtNumber(answer.packets)} packets from ${fmtTime(answer.from)} to ${fmtTime(answer.to)} in bars of ${answer.bucketSeconds} seconds; the busiest starts ${fmtTime(peak.start)} with ${fmtNumber(peak.packets)} packets.`;
  for (const old of chart.querySelectorAll('rect, line')) old.remove();
  chart.append(svg('line', { class: 'axis', x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5 }));
  answer.buckets.forEach((b, i) => {
    if (b.packets === 0) return;
    const barHeight = Math.max(1, (b.packets / max) * (height - 10));
    chart.append(svg('rect', { class: 'bar', x: i * barWidth, y: height - barHeight, width: Math.max(barWidth - 0.5, 0.5), height: barHeight },
      svg('title', {}, `${fmtTime(b.start)}: ${fmtNumber(b.packets)} packets`)));
  });
  document.getElementById('chart-caption').textContent = `${fmtTime(answer.from)} — ${fmtTime(answer.to)}; tallest bar ${fmtNumber(max)} packets.`;
  replace(document.querySelector('#segments-table tbody'), answer.segments.map((s) => h('tr', {},
    h('td', { class: 'num' }, String(s.id)),
    h('td', {}, fmtTime(s.firstTimestamp)),
    h('td', {}, fmtTime(s.lastTimestamp)),
    h('td', { class: 'num' }, fmtNumber(s.packets)),
    h('td', { class: 'num' }, fmtBytes(s.bytes)),
    h('td', {}, s.source === 'index' ? 'index time chunks' : 'manifest (not indexed)'),
    h('td', {}, custody({ sha256: s.manifestSha256 })))));
  setWindow(range.from, range.to);
  chart.querySelector('.selection')?.remove();
}

function chartX(event) {
  const box = chart.getBoundingClientRect();
  return Math.max(0, Math.min(width, ((event.clientX - box.left) / box.width) * width));
}

let dragStart = null;
chart.addEventListener('pointerdown', (event) => {
  if (!range) return;
  dragStart = chartX(event);
  chart.setPointerCapture(event.pointerId);
  event.preventDefault();
});
chart.addEventListener('pointermove', (event) => {
  if (dragStart !== null) drawSelection(dragStart, chartX(event));
});
chart.addEventListener('pointerup', (event) => {
  if (dragStart === null) return;
  const end = chartX(event);
  const start = dragStart;
  dragStart = null;
  if (Math.abs(end - start) < 3) return;
  const toMs = (x) => Math.round(range.from + (x / width) * (range.to - range.from));
  const fromMs = Math.floor(toMs(Math.min(start, end)) / 1000) * 1000;
  const toMsValue = Math.ceil(toMs(Math.max(start, end)) / 1000) * 1000;
  setWindow(fromMs, toMsValue);
  location.assign(queryUrl(iso(fromMs), iso(toMsValue)));
});

fromInput.addEventListener('input', updateLink);
toInput.addEventListener('input', updateLink);
link.addEventListener('click', (event) => { if (link.getAttribute('aria-disabled') === 'true') event.preventDefault(); });

api('/api/traffic').then(render).catch((error) => showError(document.getElementById('timeline-error'), error));
