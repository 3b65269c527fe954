// The administrative audit trail (append-only, hash-chained) in words, newest first, with date
// and text filters, CSV export and the chain's verification.
import { api } from '../api.js';
import { t, has } from '../i18n.js';
import { h, field, table, fmtTime, badge, say } from '../dom.js';
import { byId, staffName, bearerLabel, recipientLabel, providerName, buildingLabel, ownerName, lockLabel } from '../lookup.js';
import { newestFirst, paged, dateShortcuts, dayStart, dayEnd, csvButton } from '../listing.js';

/** Details with the values of an erased person ({"erased": true}, docs/privacy.md) left out. */
function readable(details) {
  return Object.fromEntries(Object.entries(details || {}).filter(([, v]) => typeof v !== 'object' || v === null));
}

/** The name people know an audited object by: from the record's own details, else from the lists. */
function objectName(e, maps) {
  const d = readable(e.details);
  const id = e.object_id;
  switch (e.object_type) {
    case 'staff': return d.display_name || staffName(maps.staff.get(id));
    case 'bearer': return d.label || bearerLabel(maps.bearers.get(id)) || '';
    case 'recipient': return d.alarm_code || maps.recipients.get(id)?.alarm_code || '';
    case 'provider': return d.name || providerName(maps.providers.get(id));
    case 'building': return d.address || buildingLabel(maps.buildings.get(id));
    case 'owner': return d.name || ownerName(maps.owners.get(id));
    case 'lock': return d.label || (maps.locks.get(id) ? lockLabel(maps.locks.get(id)) : '');
    case 'user': return maps.users.get(id)?.display_name || d.display_name || d.username || '';
    case 'station': case 'token': case 'api_token': return d.name || d.label || '';
    case 'alarm_grant': case 'resident_link':
      return recipientLabel(maps.recipients.get(d.recipient_id)) || d.alarm_ref || '';
    case 'consent': return d.reference || '';
    case 'right': {
      const staff = staffName(maps.staff.get(d.staff_id));
      const rcp = recipientLabel(maps.recipients.get(d.recipient_id));
      return staff && rcp ? t('audit.rightObject', { staff, recipient: rcp }) : '';
    }
    default: return '';
  }
}

/** "Pia Planerare registrerade personal Karin Lund": the action's sentence with the names filled in. */
export function auditSentence(e, maps) {
  // the person's name when the page can read the users (central roles), else the sign-in name
  const actor = maps.users.get(e.actor_user_id)?.display_name || e.actor_name || t('audit.system');
  const key = `audit.action.${e.action}`;
  if (!has(key)) return t('audit.action.unknown', { actor });
  const object = objectName(e, maps);
  return object && has(`${key}.named`) ? t(`${key}.named`, { actor, object }) : t(key, { actor });
}

function filterForm(ctx) {
  const q = ctx.query;
  const form = h('form.card.filters', { 'aria-labelledby': 'audit-filter-h', role: 'search' },
    h('h2#audit-filter-h', t('audit.filter')),
    dateShortcuts((r) => ctx.go(`#/audit?${new URLSearchParams({ ...q, from: r.from, to: r.to })}`)),
    h('div.filter-row',
      field(t('list.dateFrom'), 'from', 'date', { value: q.from }),
      field(t('list.dateTo'), 'to', 'date', { value: q.to }),
      field(t('audit.text'), 'q', 'search', { value: q.q })),
    h('div.actions', h('button', { type: 'submit' }, t('log.search'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = {};
    for (const k of ['from', 'to', 'q']) if (form.elements[k].value.trim()) p[k] = form.elements[k].value.trim();
    ctx.go(`#/audit?${new URLSearchParams(p)}`);
  });
  return form;
}

async function names(ctx) {
  const central = ctx.user.role === 'central_admin' || ctx.user.role === 'auditor';
  const none = Promise.resolve(new Map());
  const [staff, bearers, recipients, providers, buildings, owners, locks, users] = await Promise.all([
    byId('/staff'), byId('/bearers'), byId('/recipients'), central ? byId('/providers') : none,
    byId('/buildings'), central ? byId('/owners') : none, central ? byId('/locks') : none, byId('/users')]);
  return { staff, bearers, recipients, providers, buildings, owners, locks, users };
}

export async function render(ctx) {
  const [{ items, capped }, maps] = await Promise.all([newestFirst('/audit'), names(ctx)]);
  const q = ctx.query;
  const from = /^\d{4}-\d{2}-\d{2}$/.test(q.from || '') ? dayStart(q.from) : null;
  const to = /^\d{4}-\d{2}-\d{2}$/.test(q.to || '') ? dayEnd(q.to) : null;
  const text = (q.q || '').toLocaleLowerCase();
  const rows = items.map((e) => ({ ...e, sentence: auditSentence(e, maps) }))
    .filter((e) => (from === null || e.at >= from) && (to === null || e.at <= to)
      && (!text || `${e.sentence} ${e.actor_name || ''}`.toLocaleLowerCase().includes(text)));
  const result = h('div#verify-result', { 'aria-live': 'polite' });
  const verify = async () => {
    result.replaceChildren(h('p', t('audit.verifying')));
    try {
      const v = await api('GET', '/audit/verify');
      const ok = v.ok ?? v.valid ?? false;
      const n = v.entries ?? v.checked ?? v.count ?? items.length;
      const msg = ok ? t('audit.chainOk', { n }) : t('audit.chainBroken', { at: v.broken_at ?? v.first_bad ?? '?' });
      result.replaceChildren(h('p', badge(msg, ok ? 'good' : 'bad')));
      say(msg);
    } catch (e) { result.replaceChildren(h('p.error-text', e.forPerson())); }
  };
  const cols = [
    { label: t('log.time'), cls: 'nowrap', get: (e) => fmtTime(e.at, ctx.lang) },
    { label: t('audit.event'), get: (e) => e.sentence },
    { label: t('audit.seq'), get: (e) => String(e.seq) },
    { label: t('audit.hash'), get: (e) => h('code', String(e.hash || '').slice(0, 12)) },
  ];
  const csv = () => ({
    name: `${t('audit.csvName')}.csv`,
    header: [t('log.time'), t('audit.event'), t('audit.actor'), t('audit.seq'), t('audit.hash')],
    rows: rows.map((e) => [fmtTime(e.at, ctx.lang), e.sentence, maps.users.get(e.actor_user_id)?.display_name || e.actor_name || '', e.seq, e.hash]),
  });
  return h('section',
    h('h1', t('audit.title')),
    h('p.lead', t('audit.lead')),
    ctx.user.role === 'provider_admin' ? null : h('div.row-actions', h('button', { type: 'button', onclick: verify }, t('audit.verify'))),
    result,
    filterForm(ctx),
    capped ? h('p.notice', t('list.capped', { n: items.length })) : null,
    h('div.row-actions', h('p#audit-count', t('audit.count', { n: rows.length })), rows.length ? csvButton(t('list.csv'), csv) : null),
    paged(rows, 50, (slice) => table(t('audit.title'), cols, slice, t('audit.none')), t('audit.title')));
}
