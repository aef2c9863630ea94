// Indicators in free text (an alert, a list): IPv4 and IPv6 addresses, CIDR blocks and ports.
// A convenience for the new-query form: what it finds becomes chips the investigator checks and
// removes; the server validates whatever is submitted.

const IPV4 = /(?<![\w.:])(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?(?::(\d{1,5}))?(?![\w]|\.\d)/g;
const IPV6 = /(?<![\w:.])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?:\/(\d{1,3}))?(?![\w:.])/g;
const IPV6_BRACKETED = /\[([0-9A-Fa-f:]+)\]:(\d{1,5})/g;
const PORT_WORDS = /\b(?:dst|src|s|d)?ports?\b\s*[:=#]?\s*(\d{1,5}(?:\s*(?:,|\/|and|or)\s*\d{1,5})*)\b/gi;
const BARE_PORT = /(?<=^|[\s(,;])(?::)(\d{1,5})(?![\w.:])/g;
const TIME = /\b(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?/;

/** True for a dotted quad whose four parts are 0–255. */
export function isIPv4(text) {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && !(p.length > 1 && p.startsWith('0')));
}

/** True for an IPv6 address in full or compressed form (one "::" at most). */
export function isIPv6(text) {
  if (!text.includes(':') || text.split('::').length > 2) return false;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const groups = (s) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = tail === null ? [] : groups(tail);
  if (![...left, ...right].every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return tail === null ? left.length === 8 : left.length + right.length < 8;
}

const validPort = (p) => /^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535;

/** One indicator typed by hand: { kind: 'host' | 'port', value } or null. */
export function parseIndicator(text) {
  const value = String(text).trim();
  if (validPort(value)) return { kind: 'port', value: String(Number(value)) };
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0) return null;
  if (isIPv4(address) && (prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32))) return { kind: 'host', value };
  if (isIPv6(address) && (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= 128))) return { kind: 'host', value: value.toLowerCase() };
  return null;
}

/** The indicators in text, in order of appearance, without duplicates: [{ kind, value }]. */
export function extractIndicators(text) {
  const found = [];
  const seen = new Set();
  const add = (kind, value) => {
    const key = kind + ' ' + value;
    if (!seen.has(key)) { seen.add(key); found.push({ kind, value, at: found.length }); }
  };
  const source = String(text);
  const hits = [];
  for (const m of source.matchAll(IPV4)) {
    if (!isIPv4(m[1])) continue;
    if (m[2] !== undefined && Number(m[2]) > 32) continue;
    hits.push({ index: m.index, items: [['host', m[2] === undefined ? m[1] : `${m[1]}/${m[2]}`], ...(m[3] && validPort(m[3]) ? [['port', String(Number(m[3]))]] : [])] });
  }
  for (const m of source.matchAll(IPV6_BRACKETED)) {
    if (isIPv6(m[1]) && validPort(m[2])) hits.push({ index: m.index, items: [['host', m[1].toLowerCase()], ['port', String(Number(m[2]))]] });
  }
  for (const m of source.matchAll(IPV6)) {
    if (!isIPv6(m[1])) continue;
    if (m[2] !== undefined && Number(m[2]) > 128) continue;
    hits.push({ index: m.index, items: [['host', (m[2] === undefined ? m[1] : `${m[1]}/${m[2]}`).toLowerCase()]] });
  }
  for (const m of source.matchAll(PORT_WORDS)) {
    hits.push({ index: m.index, items: m[1].split(/\s*(?:,|\/|and|or)\s*/i).filter(validPort).map((p) => ['port', String(Number(p))]) });
  }
  for (const m of source.matchAll(BARE_PORT)) {
    if (validPort(m[1])) hits.push({ index: m.index, items: [['port', String(Number(m[1]))]] });
  }
  hits.sort((a, b) => a.index - b.index);
  for (const hit of hits) for (const [kind, value] of hit.items) add(kind, value);
  return found.map(({ kind, value }) => ({ kind, value }));
}

/** The first date and time in text, as a Date (no zone given: UTC), or null. */
export function findTime(text) {
  const m = TIME.exec(String(text));
  if (!m) return null;
  let zone = m[3] || 'Z';
  if (zone === 'UTC') zone = 'Z';
  if (/^[+-]\d{4}$/.test(zone)) zone = zone.slice(0, 3) + ':' + zone.slice(3);
  const time = m[2].length === 5 ? m[2] + ':00' : m[2];
  const date = new Date(`${m[1]}T${time}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date;
}
