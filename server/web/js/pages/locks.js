// Locks: register and commission, move, remove; battery, last heard of, newest revocation list; who can open.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, say, confirmDialog, fmtTime, badge, errorLine, showError } from '../dom.js';
import { byId, options, buildingLabel, lockLabel, windowsText } from '../lookup.js';
import { whyText } from './recipients.js';
import { keyFromText } from '../pubkey.js';

const KINDS = ['apartment', 'entrance', 'common'];

/** Battery in volts with a word: a lock below ~4.4 V (4xAA) should get a visit. */
export function battery(mv) {
  if (mv === null || mv === undefined) return t('locks.batteryUnknown');
  const v = (Number(mv) / 1000).toFixed(2);
  const low = Number(mv) < 4400;
  return badge(`${v} V${low ? ` – ${t('locks.batteryLow')}` : ''}`, low ? 'bad' : 'good');
}

function revState(l, rev) {
  const newest = rev?.version;
  const have = l.revlist_version ?? 0;
  if (newest === undefined || newest === null) return String(have);
  const behind = (rev.locks_behind || []).some((x) => x.id === l.id);
  const ok = !behind && Number(have) >= Number(newest);
  return badge(ok ? t('locks.revNewest', { v: have }) : t('locks.revOld', { v: have ?? 0, newest }), ok ? 'good' : 'warn');
}

function createForm(ctx, buildings) {
  const err = errorLine();
  const form = h('form.card', { 'aria-labelledby': 'lock-new-h' },
    h('h2#lock-new-h', t('locks.create')),
    field(t('locks.kind'), 'kind', 'select', { required: true, options: KINDS.map((k) => ({ value: k, label: t(`lock.kind.${k}`) })) }),
    field(t('locks.building'), 'building_id', 'select', { required: true, value: ctx.query.building_id, options: options(buildings, buildingLabel), placeholder: t('common.choose') }),
    field(t('locks.label'), 'label', 'text', { maxlength: 40, hint: t('locks.labelHint') }),
    field(t('locks.labelCode'), 'key_text', 'text', { required: true, maxlength: 256, autocomplete: 'off', spellcheck: 'false', hint: t('locks.labelCodeHint') }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('locks.createButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const names = { fields: { text: t('locks.labelCode'), lock_public_key: t('locks.labelCode'), label: t('locks.label') } };
    try {
      // the label's text is read (and a typo refused) before the lock is registered
      const body = { kind: v.kind, building_id: Number(v.building_id), lock_public_key: await keyFromText(v.key_text, 'lock') };
      if (v.label) body.label = v.label;
      await api('POST', '/locks', body);
      say(t('locks.created'));
      await ctx.refresh();
    } catch (e) { showError(err, e, names); }
  });
  return form;
}

function moveForm(ctx, l, buildings, err) {
  const form = h('form.inline', { 'aria-label': t('locks.moveFor', { lock: lockLabel(l) }) },
    field(t('locks.building'), 'building_id', 'select', { required: true, value: l.building_id, options: options(buildings, buildingLabel) }),
    field(t('locks.label'), 'label', 'text', { value: l.label || '', maxlength: 40 }),
    h('button.secondary', { type: 'submit' }, t('locks.move')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    try {
      await api('POST', `/locks/${l.id}/move`, { building_id: Number(v.building_id), label: v.label || '' });
      say(t('locks.moved'));
      await ctx.refresh();
    } catch (e) { showError(err, e); }
  });
  return h('details', h('summary', t('locks.moveOpen')), form);
}

function actions(ctx, l, buildings, err) {
  const st = l.state || 'registered';
  if (st === 'removed') return '';
  const commission = async () => {
    try { await api('POST', `/locks/${l.id}/commission`, {}); say(t('locks.commissioned')); await ctx.refresh(); } catch (e) { showError(err, e, { lock: lockLabel(l) }); }
  };
  const remove = async () => {
    if (!await confirmDialog(t('locks.removeTitle'), t('locks.removeText', { lock: lockLabel(l) }), t('locks.removeOk'))) return;
    try { await api('POST', `/locks/${l.id}/remove`, {}); say(t('locks.removed')); await ctx.refresh(); } catch (e) { showError(err, e, { lock: lockLabel(l) }); }
  };
  return h('div.row-actions',
    st === 'registered' ? h('button', { type: 'button', 'aria-label': t('locks.commissionFor', { lock: lockLabel(l) }), onclick: commission }, t('locks.commission')) : null,
    h('a', { href: `#/locks/${l.id}`, 'aria-label': t('who.for', { lock: lockLabel(l) }) }, t('who.title')),
    h('a', { href: `#/lock-label/${l.id}`, 'aria-label': t('locklabel.for', { lock: lockLabel(l) }) }, t('locklabel.nav')),
    moveForm(ctx, l, buildings, err),
    h('button.danger', { type: 'button', 'aria-label': t('locks.removeFor', { lock: lockLabel(l) }), onclick: remove }, t('locks.remove')));
}

async function renderWho(ctx, id) {
  if (!/^\d+$/.test(id)) throw Object.assign(new Error('bad id'), { forPerson: () => t('common.notFound') });
  const [res, recipients, lock] = await Promise.all([api('GET', `/locks/${id}/who-can-open`), byId('/recipients'), api('GET', `/locks/${id}`).catch(() => null)]);
  const items = Array.isArray(res) ? res : res.items || [];
  return h('section',
    h('p.crumbs', h('a', { href: '#/locks' }, t('locks.back'))),
    h('h1', lock ? t('who.heading', { lock: lockLabel(lock) }) : t('who.title')),
    h('p.lead', t('who.lead')),
    table(t('who.title'), [
      { label: t('staff.name'), get: (w) => w.display_name || w.staff_name || `#${w.staff_id}` },
      { label: t('who.reason'), get: (w) => whyText(w, recipients) },
      { label: t('rights.windows'), get: (w) => windowsText(w.windows) },
      { label: t('rights.validUntil'), get: (w) => w.valid_until ?? t('rights.open') },
    ], items, t('who.none')));
}

export async function render(ctx) {
  if (ctx.args[0]) return renderWho(ctx, ctx.args[0]);
  const params = /^\d+$/.test(ctx.query.building_id || '') ? { building_id: ctx.query.building_id } : {};
  const [list, buildings, rev] = await Promise.all([
    listAll('/locks', params), byId('/buildings'), api('GET', '/revocation/status').catch(() => null)]);
  const err = errorLine();
  return h('section',
    h('h1', t('locks.title')),
    h('p.lead', t('locks.lead')),
    rev ? h('p', t('locks.revSummary', { v: rev.version ?? 0, n: rev.locks_current ?? 0, total: rev.locks_installed ?? 0 })) : null,
    err,
    table(t('locks.title'), [
      { label: t('locks.lock'), get: (l) => lockLabel(l) },
      { label: t('locks.building'), get: (l) => buildingLabel(buildings.get(l.building_id)) || `#${l.building_id}` },
      { label: t('locks.state'), get: (l) => t(`lockstate.${l.state || 'registered'}`) },
      { label: t('locks.battery'), get: (l) => battery(l.battery_mv) },
      { label: t('locks.lastSeen'), get: (l) => fmtTime(l.last_seen, ctx.lang) },
      { label: t('locks.revlist'), get: (l) => revState(l, rev) },
      { label: t('common.actions'), get: (l) => actions(ctx, l, buildings, err) },
    ], list, t('locks.none')),
    createForm(ctx, buildings));
}
