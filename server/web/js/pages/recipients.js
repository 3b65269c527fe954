// Care recipients (alarm code and address only): list, detail with locks, who can open, provider changes.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, say, fmtTime, badge, isoDate } from '../dom.js';
import { byId, options, providerName, buildingLabel, lockLabel, staffName, bearerLabel, recipientLabel } from '../lookup.js';

function errorLine() { return h('p.error-text', { role: 'alert', hidden: true }); }
function fail(box, e) { box.textContent = e.forPerson ? e.forPerson() : String(e.message || e); box.hidden = false; }

const LOCK_TONE = { commissioned: 'good', active: 'good', installed: 'good', pending: 'warn', removed: 'neutral' };
const CONSENT_TONE = { given: 'good', granted: 'good', valid: 'good', missing: 'bad', none: 'bad', withdrawn: 'bad', pending: 'warn' };

export function lockState(r) { return r.lock_state ?? r.lock?.state ?? (r.lock_id ? 'commissioned' : 'none'); }
export function consentState(r) { return r.consent_state ?? r.consent?.state ?? 'unknown'; }

function stateBadge(prefix, value, tones) { return badge(t(`${prefix}.${value}`), tones[value] || 'neutral'); }

function createForm(ctx, providers, buildings) {
  const err = errorLine();
  const form = h('form.card', { 'aria-labelledby': 'rcp-new-h' },
    h('h2#rcp-new-h', t('recipients.create')),
    h('p.hint', t('recipients.minimisation')),
    field(t('recipients.alarmCode'), 'alarm_code', 'text', { required: true, maxlength: 32 }),
    field(t('recipients.building'), 'building_id', 'select', { required: true, options: options(buildings, buildingLabel), placeholder: t('common.choose') }),
    field(t('recipients.apartment'), 'apartment', 'text', { maxlength: 20 }),
    field(t('recipients.lockId'), 'lock_id', 'number', { min: 1 }),
    field(t('common.provider'), 'provider_id', 'select', { required: true, options: options(providers, providerName), placeholder: t('common.choose') }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('recipients.createButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const body = { alarm_code: v.alarm_code, building_id: Number(v.building_id), provider_id: Number(v.provider_id) };
    if (v.apartment) body.apartment = v.apartment;
    if (v.lock_id) body.lock_id = Number(v.lock_id);
    try {
      await api('POST', '/recipients', body);
      say(t('recipients.created', { code: v.alarm_code }));
      await ctx.refresh();
    } catch (e) { fail(err, e); }
  });
  return form;
}

async function renderList(ctx) {
  const central = ctx.user.role === 'central_admin';
  const [list, providers, buildings] = await Promise.all([
    listAll('/recipients'), central ? byId('/providers') : new Map(), central ? byId('/buildings') : new Map()]);
  const cols = [
    { label: t('recipients.alarmCode'), get: (r) => h('a', { href: `#/recipients/${r.id}` }, r.alarm_code || `#${r.id}`) },
    { label: t('recipients.address'), get: (r) => [r.address || buildingLabel(buildings.get(r.building_id)), r.apartment].filter(Boolean).join(', ') },
    { label: t('recipients.lockState'), get: (r) => stateBadge('lockstate', lockState(r), LOCK_TONE) },
    { label: t('recipients.consentState'), get: (r) => stateBadge('consent', consentState(r), CONSENT_TONE) },
  ];
  if (central) cols.push({ label: t('common.provider'), get: (r) => providerName(providers.get(r.provider_id)) });
  return h('section',
    h('h1', t('recipients.title')),
    h('p.lead', t('recipients.lead')),
    table(t('recipients.title'), cols, list, t('recipients.none')),
    central ? createForm(ctx, providers, buildings) : null);
}

function whoTable(items) {
  return table(t('who.title'), [
    { label: t('staff.name'), get: (w) => w.staff_name || staffName(w.staff) || `#${w.staff_id}` },
    { label: t('staff.key'), get: (w) => (w.bearer_label || bearerLabel(w.bearer) || (w.bearer_id ? `#${w.bearer_id}` : '')) },
    { label: t('who.reason'), get: (w) => whyText(w) },
    { label: t('rights.validUntil'), get: (w) => w.valid_until ?? '' },
  ], items, t('who.none'));
}

/** Why a person can open a door: a direct right, or one derived from an apartment in the building. */
export function whyText(w) {
  const r = String(w.reason || w.kind || w.source || '');
  if (/entrance|derived/i.test(r)) {
    const via = w.via_recipient_alarm_code || w.via_alarm_code || w.via?.alarm_code || w.via_recipient_id || w.via_lock_id || '';
    return via ? t('who.derivedVia', { via }) : t('who.derived');
  }
  return t('who.direct');
}

async function whoCanOpen(lockId, out, errBox) {
  try {
    const res = await api('GET', `/locks/${lockId}/who-can-open`);
    out.replaceChildren(whoTable(Array.isArray(res) ? res : res.items || []));
  } catch (e) { fail(errBox, e); }
}

function changeForm(ctx, r, providers) {
  const err = errorLine();
  const tomorrow = new Date(Date.now() + 86400000);
  const form = h('form.card', { 'aria-labelledby': 'chg-h' },
    h('h2#chg-h', t('changes.schedule')),
    field(t('changes.newProvider'), 'provider_id', 'select', { required: true, options: options(providers, providerName).filter((o) => o.value !== r.provider_id), placeholder: t('common.choose') }),
    field(t('changes.effective'), 'effective_date', 'date', { required: true, value: isoDate(tomorrow) }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('changes.scheduleButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    try {
      await api('POST', `/recipients/${r.id}/provider-changes`, { provider_id: Number(v.provider_id), effective_date: v.effective_date });
      say(t('changes.scheduled', { date: v.effective_date }));
      await ctx.refresh();
    } catch (e) { fail(err, e); }
  });
  return form;
}

async function renderOne(ctx, id) {
  if (!/^\d+$/.test(id)) throw Object.assign(new Error(t('common.notFound')), { forPerson: () => t('common.notFound') });
  const r = await api('GET', `/recipients/${id}`);
  const central = ctx.user.role === 'central_admin';
  const providers = central ? await byId('/providers') : new Map();
  let changes = r.provider_changes || null;
  if (!changes && central) { try { changes = await listAll(`/recipients/${r.id}/provider-changes`); } catch { changes = []; } }
  const err = errorLine();
  const whoOut = h('div.who', { 'aria-live': 'polite' });
  const lockIds = [r.lock_id, ...(r.entrance_lock_ids || [])].filter(Boolean);
  return h('section',
    h('p.crumbs', h('a', { href: '#/recipients' }, t('recipients.back'))),
    h('h1', t('recipients.one', { code: r.alarm_code || r.id })),
    err,
    h('dl.facts',
      h('dt', t('recipients.alarmCode')), h('dd', r.alarm_code || ''),
      h('dt', t('recipients.address')), h('dd', [r.address, r.apartment].filter(Boolean).join(', ')),
      h('dt', t('recipients.lockState')), h('dd', stateBadge('lockstate', lockState(r), LOCK_TONE)),
      h('dt', t('recipients.consentState')), h('dd', stateBadge('consent', consentState(r), CONSENT_TONE)),
      central ? [h('dt', t('common.provider')), h('dd', providerName(providers.get(r.provider_id)))] : null),
    h('div.row-actions',
      lockIds.map((lid, i) => h('button', { type: 'button', onclick: () => whoCanOpen(lid, whoOut, err) },
        i === 0 ? t('who.apartmentButton') : t('who.entranceButton', { id: lid }))),
      h('a.button', { href: `#/log?recipient_id=${r.id}` }, t('recipients.showLog')),
      ctx.user.role !== 'auditor' ? h('a.button.secondary', { href: `#/rights?recipient_id=${r.id}` }, t('recipients.showRights')) : null),
    whoOut,
    changes ? [h('h2', t('changes.title')), table(t('changes.title'), [
      { label: t('changes.effective'), get: (c) => c.effective_date },
      { label: t('changes.from'), get: (c) => providerName(providers.get(c.from_provider_id)) || (c.from_provider_id ?? '') },
      { label: t('changes.to'), get: (c) => providerName(providers.get(c.provider_id ?? c.to_provider_id)) || (c.provider_id ?? c.to_provider_id ?? '') },
      { label: t('changes.state'), get: (c) => (c.applied || c.state === 'applied' ? t('changes.applied') : t('changes.pending')) },
    ], changes, t('changes.none'))] : null,
    central ? changeForm(ctx, r, providers) : null);
}

export async function render(ctx) {
  return ctx.args[0] ? renderOne(ctx, ctx.args[0]) : renderList(ctx);
}

export { recipientLabel, fmtTime };
