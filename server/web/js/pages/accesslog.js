// The access log by recipient, door, staff member and key together, by time ("who entered on the
// 3rd"), newest first in pages, with date shortcuts and CSV export.
import { qs, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, table, fmtTime, badge, newId } from '../dom.js';
import { paged, dateShortcuts, csvButton } from '../listing.js';
import { byId, options, staffName, bearerLabel, recipientLabel, lockLabel, reasonText } from '../lookup.js';

const DIMENSIONS = ['recipient_id', 'lock_id', 'staff_id', 'bearer_id'];

/** datetime-local value ↔ unix seconds, in the browser's time zone. */
function toUnix(local) { const ms = Date.parse(local); return Number.isFinite(ms) ? Math.floor(ms / 1000) : ''; }
function toLocal(unix) {
  if (!unix) return '';
  const d = new Date(Number(unix) * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The day a from/to pair covers exactly (00:00–23:59:59 local), for showing it back. */
function dayOf(q) {
  if (!q.from || !q.to) return '';
  const a = new Date(Number(q.from) * 1000); const b = new Date(Number(q.to) * 1000);
  const p = (n) => String(n).padStart(2, '0');
  const same = a.toDateString() === b.toDateString() && a.getHours() === 0 && a.getMinutes() === 0 && b.getHours() === 23 && b.getMinutes() === 59;
  return same ? `${a.getFullYear()}-${p(a.getMonth() + 1)}-${p(a.getDate())}` : '';
}

const LABELERS = { recipient_id: recipientLabel, lock_id: lockLabel, staff_id: staffName, bearer_id: bearerLabel };

/** One select per dimension (recipient, door, staff member, key); all chosen ones apply together. */
function dimSelect(d, map, value, labeler) {
  const id = newId(d);
  const sel = h('select', { id, name: d }, h('option', { value: '' }, t('log.all')));
  for (const o of options(map, labeler)) sel.append(h('option', { value: o.value, selected: String(o.value) === String(value || '') }, o.label));
  return h('div.field', h('label', { for: id }, t(`log.dim.${d}`)), sel);
}

function filterForm(ctx, maps, doorLabel) {
  const q = ctx.query;
  const form = h('form.card.filters', { 'aria-labelledby': 'log-filter-h', role: 'search' },
    h('h2#log-filter-h', t('log.filter')),
    h('div.filter-row', DIMENSIONS.filter((d) => maps[d].size).map((d) => dimSelect(d, maps[d], q[d], d === 'lock_id' ? doorLabel : LABELERS[d]))),
    dateShortcuts((r, which) => {
      const p = Object.fromEntries(DIMENSIONS.filter((d) => form.elements[d]?.value).map((d) => [d, form.elements[d].value]));
      ctx.go(`#/log${qs({ ...p, from: toUnix(`${r.from}T00:00`), to: toUnix(`${r.to}T23:59:59`), range: which })}`);
    }, q.range),
    h('div.filter-row',
      field(t('log.day'), 'day', 'date', { value: dayOf(q) }),
      field(t('log.from'), 'from', 'datetime-local', { value: dayOf(q) ? '' : toLocal(q.from) }),
      field(t('log.to'), 'to', 'datetime-local', { value: dayOf(q) ? '' : toLocal(q.to) })),
    h('div.actions', h('button', { type: 'submit' }, t('log.search')), h('p.hint', t('log.dayHint'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = {};
    for (const d of DIMENSIONS) if (form.elements[d]?.value) p[d] = form.elements[d].value;
    const day = form.elements.day.value;
    const from = form.elements.from.value; const to = form.elements.to.value;
    if (day) {
      // One day in local time: "who entered this home on the 3rd" is one search.
      p.from = toUnix(`${day}T00:00`);
      p.to = toUnix(`${day}T23:59:59`);
    } else {
      if (from) p.from = toUnix(from);
      if (to) p.to = toUnix(to);
    }
    ctx.go(`#/log${qs(p)}`);
  });
  return form;
}

const MAX_ROWS = 20000; // a year of a busy home; narrow the search for more

export async function render(ctx) {
  const query = {};
  for (const d of DIMENSIONS) if (/^\d+$/.test(ctx.query[d] || '')) query[d] = ctx.query[d];
  for (const k of ['from', 'to']) if (/^\d+$/.test(ctx.query[k] || '')) query[k] = ctx.query[k];
  const [reports, recipients, staff, bearers, locks] = await Promise.all([
    listAll('/access-log', { ...query, view: 'passages' }, MAX_ROWS),
    byId('/recipients'), byId('/staff'), byId('/bearers'),
    ['central_admin', 'installer'].includes(ctx.user.role) ? byId('/locks') : Promise.resolve(new Map()),
  ]);
  // the server sends one row per passage, newest first, both reports named in `sources`
  const events = reports.map((e) => ({ ...e, sources: e.sources || [e.source || 'key'] }));
  const capped = reports.length >= MAX_ROWS;
  const byLock = new Map([...recipients.values()].filter((r) => r.lock_id).map((r) => [r.lock_id, r]));
  // A planner cannot list locks: the doors are their recipients' apartment doors.
  const doors = locks.size ? locks : new Map([...byLock.keys()].map((id) => [id, { id }]));
  const door = (e) => {
    const l = locks.get(e.lock_id ?? e.id);
    if (l) return lockLabel(l);
    if (e.lock_kind) return lockLabel({ kind: e.lock_kind, label: e.lock_label });
    const r = byLock.get(e.lock_id ?? e.id);
    return r ? t('log.apartmentOf', { code: r.alarm_code }) : t('log.otherDoor');
  };
  const maps = { recipient_id: recipients, staff_id: staff, bearer_id: bearers, lock_id: doors };
  const kindText = (e) => {
    const k = e.kind || e.event || e.result || '';
    return t(`log.kind.${k}`) === `log.kind.${k}` ? k : t(`log.kind.${k}`);
  };
  const cols = [
    { label: t('log.time'), cls: 'nowrap', get: (e) => fmtTime(e.time ?? e.at ?? e.timestamp, ctx.lang) },
    { label: t('log.event'), get: (e) => {
      const b = badge(kindText(e), /open|grant|ok/i.test(e.kind || '') ? 'good' : 'bad');
      // an opening under an alarm right (trygghetslarm), for follow-up
      return e.alarm ? h('span.event-alarm', b, ' ', badge(t('log.alarm'), 'bad')) : b;
    } },
    { label: t('log.door'), get: door },
    { label: t('log.recipient'), get: (e) => recipientLabel(recipients.get(e.recipient_id) || byLock.get(e.lock_id)) },
    { label: t('log.staff'), get: (e) => e.staff_name || staffName(staff.get(e.staff_id)) || '' },
    { label: t('log.key'), cls: 'nowrap', get: (e) => e.bearer_label || bearerLabel(bearers.get(e.bearer_id)) || '' },
    { label: t('log.reason'), get: (e) => reasonText(e.reason) },
    { label: t('log.source'), get: (e) => h('span.sources', e.sources.flatMap((x, i) => [i ? ' + ' : null, badge(t(`log.source.${x}`), x === 'lock' ? 'good' : 'neutral')])) },
  ];
  const text = (c, e) => { const v = c.get(e); return v instanceof Node ? v.textContent : String(v ?? ''); };
  const csv = () => ({ name: `${t('log.csvName')}.csv`, header: cols.map((c) => c.label), rows: events.map((e) => cols.map((c) => text(c, e))) });
  return h('section',
    h('h1', t('log.title')),
    h('p.lead', t('log.lead')),
    filterForm(ctx, maps, door),
    capped ? h('p.notice', t('list.capped', { n: reports.length })) : null,
    h('div.row-actions',
      h('p#log-count', { 'aria-live': 'polite' }, t(events.length === 1 ? 'log.countOne' : 'log.count', { n: events.length })),
      events.length ? csvButton(t('list.csv'), csv) : null),
    paged(events, 100, (slice) => table(t('log.title'), cols, slice, t('log.none')), t('log.title')));
}
