// The access log per recipient, door, staff member or key, filtered by time ("who entered on the 3rd").
import { api, listAll, qs } from '../api.js';
import { t } from '../i18n.js';
import { h, field, table, fmtTime, badge, newId } from '../dom.js';
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

function filterForm(ctx, maps, dim, value) {
  const objId = newId('obj');
  const objLabel = h('label', { for: objId }, t(`log.dim.${dim}`));
  const labelers = { recipient_id: recipientLabel, lock_id: lockLabel, staff_id: staffName, bearer_id: bearerLabel };
  const makeObj = (d, v) => {
    const m = maps[d];
    if (m && m.size) {
      const sel = h('select', { id: objId, name: 'object' }, h('option', { value: '' }, t('log.all')));
      for (const o of options(m, labelers[d])) sel.append(h('option', { value: o.value, selected: String(o.value) === String(v || '') }, o.label));
      return sel;
    }
    return h('input', { id: objId, name: 'object', type: 'number', min: 1, value: v || '' });
  };
  let obj = makeObj(dim, value);
  const dimField = field(t('log.by'), 'dim', 'select', { value: dim, options: DIMENSIONS.map((d) => ({ value: d, label: t(`log.dim.${d}`) })) });
  const dimSel = dimField.querySelector('select');
  dimSel.addEventListener('change', () => {
    const fresh = makeObj(dimSel.value, '');
    obj.replaceWith(fresh);
    obj = fresh;
    objLabel.textContent = t(`log.dim.${dimSel.value}`);
  });
  const form = h('form.card.filters', { 'aria-labelledby': 'log-filter-h', role: 'search' },
    h('h2#log-filter-h', t('log.filter')),
    h('div.filter-row',
      dimField,
      h('div.field', objLabel, obj),
      field(t('log.day'), 'day', 'date', { value: dayOf(ctx.query), hint: t('log.dayHint') }),
      field(t('log.from'), 'from', 'datetime-local', { value: dayOf(ctx.query) ? '' : toLocal(ctx.query.from) }),
      field(t('log.to'), 'to', 'datetime-local', { value: dayOf(ctx.query) ? '' : toLocal(ctx.query.to) })),
    h('div.actions', h('button', { type: 'submit' }, t('log.search'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = {};
    const v = obj.value.trim();
    if (v) q[dimSel.value] = v;
    const day = form.elements.day.value;
    const from = form.elements.from.value; const to = form.elements.to.value;
    if (day) {
      // One day in local time: "who entered this home on the 3rd" is one search.
      q.from = toUnix(`${day}T00:00`);
      q.to = toUnix(`${day}T23:59:59`);
    } else {
      if (from) q.from = toUnix(from);
      if (to) q.to = toUnix(to);
    }
    ctx.go(`#/log${qs(q)}`);
  });
  return form;
}

export async function render(ctx) {
  const query = {};
  let dim = 'recipient_id';
  for (const d of DIMENSIONS) if (/^\d+$/.test(ctx.query[d] || '')) { query[d] = ctx.query[d]; dim = d; }
  for (const k of ['from', 'to']) if (/^\d+$/.test(ctx.query[k] || '')) query[k] = ctx.query[k];
  const [events, recipients, staff, bearers, locks] = await Promise.all([
    listAll('/access-log', query, 1000),
    byId('/recipients'), byId('/staff'), byId('/bearers'),
    ['central_admin', 'installer'].includes(ctx.user.role) ? byId('/locks') : Promise.resolve(new Map()),
  ]);
  const maps = { recipient_id: recipients, staff_id: staff, bearer_id: bearers, lock_id: locks };
  const byLock = new Map([...recipients.values()].filter((r) => r.lock_id).map((r) => [r.lock_id, r]));
  const door = (e) => {
    const l = locks.get(e.lock_id);
    if (l) return lockLabel(l);
    const r = byLock.get(e.lock_id);
    return r ? t('log.apartmentOf', { code: r.alarm_code }) : (e.lock_id ? `${t('log.lock')} #${e.lock_id}` : '');
  };
  const kindBadge = (e) => {
    const k = e.kind || e.event || e.result || '';
    return badge(t(`log.kind.${k}`) === `log.kind.${k}` ? k : t(`log.kind.${k}`), /open|grant|ok/i.test(k) ? 'good' : 'bad');
  };
  return h('section',
    h('h1', t('log.title')),
    h('p.lead', t('log.lead')),
    filterForm(ctx, maps, dim, query[dim]),
    h('p#log-count', { 'aria-live': 'polite' }, t(events.length === 1 ? 'log.countOne' : 'log.count', { n: events.length })),
    table(t('log.title'), [
      { label: t('log.time'), cls: 'nowrap', get: (e) => fmtTime(e.time ?? e.at ?? e.timestamp, ctx.lang) },
      { label: t('log.event'), get: kindBadge },
      { label: t('log.door'), get: door },
      { label: t('log.recipient'), get: (e) => recipientLabel(recipients.get(e.recipient_id) || byLock.get(e.lock_id)) },
      { label: t('log.staff'), get: (e) => e.staff_name || staffName(staff.get(e.staff_id)) || '' },
      { label: t('log.key'), cls: 'nowrap', get: (e) => e.bearer_label || bearerLabel(bearers.get(e.bearer_id)) || (e.bearer_id ? `#${e.bearer_id}` : '') },
      { label: t('log.reason'), get: (e) => reasonText(e.reason) },
      { label: t('log.source'), get: (e) => (e.source ? t(`log.source.${e.source}`) : '') },
    ], events, t('log.none')));
}

export { api };
