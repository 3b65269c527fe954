// Server refusals (problem+json) as plain sentences: the problem's type picks a catalogue
// sentence, filled with names the page already knows (staff name, key label, the recipient's
// alarm code and address, dates in the person's language) — never a field name, id or the
// server's English.
import { t, has, currentLang } from './i18n.js';

/** The last segment of a problem type URI: "https://portvakt.org/problems/bearer-blocked" → "bearer-blocked". */
export function problemSlug(type) {
  return String(type || '').split('/').pop().replace(/[^a-z0-9-]/gi, '').toLowerCase();
}

/** "2026-12-03" → "3 december 2026" (or "3 December 2026"); anything else unchanged. */
export function longDate(iso, lang = currentLang()) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(iso || ''))) return iso;
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(lang === 'en' ? 'en-GB' : 'sv-SE', { day: 'numeric', month: 'long', year: 'numeric' });
}

// Today's server puts the member at fault only into its English detail ("valid_until is before
// valid_from."). Until every refusal carries a stable type and its parameters, these patterns
// turn the commonest details into a catalogue sentence; the member becomes the field's label.
const DETAIL_RULES = [
  { re: /valid_until is before valid_from/, key: 'problem.detail.until-before-from' },
  { re: /must be (\d+) to (\d+) bytes long/, key: 'problem.detail.length', params: (m) => ({ min: m[1], max: m[2] }) },
  { re: /is required/, key: 'problem.detail.required' },
  { re: /must not contain control characters/, key: 'problem.detail.control' },
  { re: /must be a date/, key: 'problem.detail.date' },
  { re: /not a valid Ed25519 public key|bytes as lowercase hex/, key: 'problem.detail.public-key' },
  { re: /from and to must be times|distinct weekdays|weekly windows/, key: 'problem.detail.windows' },
  { re: /is not a known member/, key: 'problem.detail.unknown-member' },
  { re: /is not an apartment lock in building/, key: 'problem.detail.lock-building' },
  { re: /username must be/, key: 'problem.detail.username' },
];

/** The API member (as written in the server's detail) that a detail names, if the catalogue knows it. */
function memberIn(detail, fields) {
  const names = new Set([...Object.keys(fields || {}), ...MEMBERS]);
  let best = null;
  for (const name of names) {
    const at = detail.search(new RegExp(`(^|[^\\w])${name.replace(/[^\w]/g, '')}($|[^\\w])`));
    if (at >= 0 && (best === null || at < best.at)) best = { name, at };
  }
  return best && best.name;
}

// API members whose label the catalogue has as field.<member> (for details of forms the page
// did not describe).
const MEMBERS = ['display_name', 'employee_ref', 'label', 'public_key', 'lock_public_key', 'alarm_code', 'apartment',
  'address', 'property_ref', 'reference', 'name', 'org_number', 'username', 'valid_from', 'valid_until', 'effective_date',
  'given_on', 'windows', 'kind', 'role', 'provider_id', 'staff_id', 'recipient_id', 'building_id', 'lock_id', 'owner_id', 'new_password'];

function fieldLabel(member, fields) {
  if (fields && fields[member]) return fields[member];
  return has(`field.${member}`) ? t(`field.${member}`) : '';
}

/** Placeholders of a catalogue text. */
function placeholders(key) { return [...t(key).matchAll(/\{(\w+)\}/g)].map((m) => m[1]); }

/** The first key whose every placeholder has a non-empty value (no empty placeholders ever). */
function firstFilled(keys, params) {
  for (const k of keys) {
    if (!has(k)) continue;
    if (placeholders(k).every((p) => params[p] !== undefined && params[p] !== null && String(params[p]).trim() !== '')) return k;
  }
  return null;
}

/** Sentences from the detail of an invalid-body / invalid-value refusal, when it names something we know. */
function detailSentence(detail, params, fields) {
  const member = memberIn(detail, fields);
  const field = member ? fieldLabel(member, fields) : '';
  for (const rule of DETAIL_RULES) {
    const m = rule.re.exec(detail);
    if (!m) continue;
    const p = { ...params, field, ...(rule.params ? rule.params(m) : {}) };
    const key = firstFilled([`${rule.key}.field`, rule.key], p);
    if (key) return t(key, p);
  }
  return field ? t('problem.invalid-body.field', { field }) : null;
}

// The rules the server names in a problem's "errors" ({member, rule, min, max}), as catalogue keys.
const RULE_KEYS = {
  length: 'problem.detail.length', control: 'problem.detail.control', required: 'problem.detail.required',
  null: 'problem.detail.required', date: 'problem.detail.date', hex: 'problem.detail.public-key',
  unknown: 'problem.detail.unknown-member', 'personal-identity-number': 'problem.detail.personal-identity-number',
  range: 'problem.detail.range', count: 'problem.detail.count', type: 'problem.detail.type',
  // the rules of the older invalid-value refusals (server/handlers/invalid_rules.c)
  'lock-building': 'problem.detail.lock-building', 'unknown-provider': 'problem.detail.unknown-provider',
  windows: 'problem.detail.windows', 'one-of': 'problem.detail.one-of', 'until-before-from': 'problem.detail.until-before-from',
  'temporary-length': 'problem.detail.temporary-length', 'consent-kind': 'problem.detail.consent-kind',
  'other-key': 'problem.detail.other-key', username: 'problem.detail.username',
};

// Parameters the server sends as API words that the catalogue translates (a role's name).
const TRANSLATED_PARAMS = { role: 'role', target_role: 'role' };

/** A sentence from the first structured error the server sent, or null. */
function errorsSentence(errors, params, fields) {
  const e = (errors || []).find((x) => x && RULE_KEYS[x.rule]);
  if (!e) return null;
  const member = String(e.member || '').split('.').pop();
  const field = fieldLabel(member, fields);
  const p = { ...params, field };
  if (Number.isFinite(e.min)) p.min = String(e.min);
  if (Number.isFinite(e.max)) p.max = String(e.max);
  const key = firstFilled([`${RULE_KEYS[e.rule]}.field`, RULE_KEYS[e.rule]], p);
  return key ? t(key, p) : null;
}

/**
 * What to tell the person about a refusal. `err` has status, type (URI or slug), detail and
 * optionally retryAfter; `names` are what the page knows: { action, staff, key, recipient, lock,
 * building, provider, owner, user, date, from, until, fields: {member: label} }. Dates given as
 * YYYY-MM-DD are written out. Always returns a catalogue sentence.
 */
export function problemText(err, names = {}) {
  const slug = problemSlug(err.type);
  const params = {};
  // the server's parameters first (what it refused, by name), then what the page knows
  for (const [k, v] of Object.entries(err.params || {})) {
    if (k === 'object') continue;
    const cat = TRANSLATED_PARAMS[k] && `${TRANSLATED_PARAMS[k]}.${v}`;
    params[k] = cat ? (has(cat) ? t(cat) : '') : longDate(String(v));
  }
  for (const [k, v] of Object.entries(names)) if (k !== 'fields' && k !== 'action' && v !== undefined && v !== null) params[k] = longDate(String(v));
  if (err.retryAfter) params.seconds = String(err.retryAfter);
  const structured = errorsSentence(err.errors, params, names.fields);
  if (structured) return structured;
  if (slug === 'invalid-body' || slug === 'invalid-value') {
    const s = detailSentence(String(err.detail || ''), params, names.fields);
    if (s) return s;
  }
  const keys = [];
  const object = err.params && /^\w+$/.test(err.params.object || '') ? err.params.object : null;
  if (slug && object) keys.push(`problem.${slug}.${object}.named`, `problem.${slug}.${object}`);
  if (slug && names.action) keys.push(`problem.${slug}.${names.action}.named`, `problem.${slug}.${names.action}`);
  if (slug) keys.push(`problem.${slug}.named`, `problem.${slug}`);
  const status = Number(err.status) || 0;
  keys.push(`problem.status.${status}`, `problem.status.${Math.floor(status / 100)}xx`);
  const key = firstFilled(keys, params);
  return key ? t(key, params) : t('problem.generic', { status });
}
