// Shared look-ups for pages: names for ids, select options, tolerant field access, refusal reasons.
import { listAll } from './api.js';
import { t, has } from './i18n.js';

/** A staff member's display name, whatever the server calls the field. */
export function staffName(s) {
  if (!s) return '';
  return s.name || s.display_name || [s.first_name, s.last_name].filter(Boolean).join(' ') || s.employee_no || `#${s.id}`;
}

/** A key's label: its own label or serial, or its id. */
export function bearerLabel(b) {
  if (!b) return '';
  return b.label || b.serial || b.name || `${t('staff.key')} ${b.id}`;
}

export function recipientLabel(r) {
  if (!r) return '';
  return [r.alarm_code, r.address].filter(Boolean).join(' – ') || `#${r.id}`;
}

export function buildingLabel(b) { return b ? (b.address || b.name || `#${b.id}`) : ''; }
export function providerName(p) { return p ? (p.name || `#${p.id}`) : ''; }
export function ownerName(o) { return o ? (o.name || o.org_number || `#${o.id}`) : ''; }

/** "Port A", "Lägenhetsdörr lgh 1102": the door's kind and its label, never its id. */
export function lockLabel(l) {
  if (!l) return '';
  const kind = t(`lock.kind.${l.kind}`);
  const label = l.label || l.apartment || l.name || '';
  if (!label) return `${kind} ${t('lock.unlabelled')}`;
  return label.toLocaleLowerCase().startsWith(kind.toLocaleLowerCase()) ? label : `${kind} ${label}`;
}

/** Load a list and index it by id. Failures (e.g. no permission) give an empty map. */
export async function byId(path, params) {
  try {
    const items = await listAll(path, params);
    return new Map(items.map((x) => [x.id, x]));
  } catch { return new Map(); }
}

export function options(map, label) {
  return [...map.values()].map((x) => ({ value: x.id, label: label(x) })).sort((a, b) => a.label.localeCompare(b.label));
}

/** A refusal or error reason ("PV_E_EXPIRED", "bearer-blocked") in the person's language. */
export function reasonText(code) {
  if (!code) return '';
  const key = `reason.${code}`;
  return has(key) ? t(key) : String(code);
}

/** A count whether the server sends a number or a list. */
export function count(x) { return Array.isArray(x) ? x.length : Number(x || 0); }

/** A right's weekly windows in words: "mån tis 07:00–22:00", or "every day, all day". */
export function windowsText(ws) {
  const allDay = (w) => (w.days || []).length === 7 && w.from === '00:00' && (w.to === '24:00' || w.to === '00:00');
  if (!Array.isArray(ws) || ws.length === 0 || (ws.length === 1 && allDay(ws[0]))) return t('rights.always');
  return ws.map((w) => `${(w.days || []).map((d) => t(`day.short.${d}`)).join(' ')} ${w.from}–${w.to}`).join('; ');
}

const SAME_PASSAGE_S = 120; // a key's clock and a lock's may differ a little; one passage, two reports

/**
 * One row per passage: a lock's signed record and the key's own report of the same opening (or
 * refusal) — same door, key and outcome within SAME_PASSAGE_S — become one event whose
 * `sources` lists both ('lock' first: the signed record is the one kept). Order is kept.
 */
export function mergePassages(events) {
  const key = (e) => `${e.lock_id}|${e.bearer_id}|${e.kind}`;
  const signed = new Map(); // original lock record → the merged row
  const byDoor = new Map(); // door|key|outcome → merged rows from locks
  for (const e of events) {
    if (e.source !== 'lock') continue;
    const row = { ...e, sources: ['lock'] };
    signed.set(e, row);
    if (!byDoor.has(key(e))) byDoor.set(key(e), []);
    byDoor.get(key(e)).push(row);
  }
  const out = [];
  for (const e of events) {
    if (signed.has(e)) { out.push(signed.get(e)); continue; }
    const twin = (byDoor.get(key(e)) || [])
      .find((x) => x.sources.length === 1 && Math.abs(Number(x.time) - Number(e.time)) <= SAME_PASSAGE_S);
    if (twin) twin.sources.push('key'); else out.push({ ...e, sources: [e.source || 'key'] });
  }
  return out;
}
