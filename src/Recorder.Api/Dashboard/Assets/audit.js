// Helpers shared by the auditor's and administrator's pages (ledger, verification, administration).
import { h } from './app.js';

/** A datetime-local value (read as UTC) as RFC 3339, or undefined when empty. */
export function utcFromInput(value) {
  if (!value) return undefined;
  const withSeconds = /T\d\d:\d\d$/.test(value) ? value + ':00' : value;
  return withSeconds + 'Z';
}

/** "subjects" and "details" of an entry, as short key=value text. */
export function summarize(entry) {
  const parts = [];
  for (const [key, value] of Object.entries(entry.subjects || {})) parts.push(`${key}=${short(value)}`);
  for (const [key, value] of Object.entries(entry.details || {})) {
    if (parts.length >= 6) { parts.push('…'); break; }
    parts.push(`${key}=${short(value)}`);
  }
  if (entry.reason) parts.push(`reason: ${short(entry.reason)}`);
  return parts.join(' · ');
}

function short(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 48 ? text.slice(0, 47) + '…' : text;
}

/** Polls fn once per interval (≥ 1 s) until it returns true or stop() is called. */
export function poll(fn, intervalMs = 1000) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    let done = false;
    try { done = await fn(); } catch { done = false; }
    if (!done && !stopped) timer = setTimeout(tick, Math.max(1000, intervalMs));
  };
  tick();
  return { stop() { stopped = true; clearTimeout(timer); } };
}
