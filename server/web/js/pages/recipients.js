// Care recipients (alarm code and address only): list, detail with locks, who can open, provider changes.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, say, badge, isoDate, errorLine, showError } from '../dom.js';
import { weekVisits } from './visits.js';
import { departureForm } from './departure.js';
import { byId, options, providerName, buildingLabel, staffName, lockLabel, recipientLabel, windowsText } from '../lookup.js';


const LOCK_TONE = { installed: 'good', registered: 'warn', linked: 'neutral', removed: 'bad', none: 'bad' };
const CONSENT_TONE = { given: 'good', missing: 'bad', withdrawn: 'bad', 'owner-missing': 'warn', 'recipient-missing': 'warn' };

/** The apartment lock's state: from the recipient if the server says, else from /locks (central roles). */
export function lockState(r, locks) {
  if (r.lock_state) return r.lock_state;
  if (!r.lock_id) return 'none';
  return locks?.get(r.lock_id)?.state || 'linked';
}

/** Consent: the recipient's own, and the property owner's (per property or portfolio). */
export function consentState(r, consents, buildings) {
  if (r.consent_state) return r.consent_state;
  let own; let property;
  if ('consent_recipient' in r) {
    own = r.consent_recipient; property = r.consent_owner;
  } else {
    if (!consents) return 'unknown';
    const live = consents.filter((c) => !c.withdrawn_at);
    own = live.some((c) => c.kind === 'recipient' && c.recipient_id === r.id);
    const owner = buildings?.get(r.building_id)?.owner_id;
    property = live.some((c) => (c.kind === 'property' && c.building_id === r.building_id) || (c.kind === 'portfolio' && owner && c.owner_id === owner));
  }
  if (own && property) return 'given';
  if (own) return 'owner-missing';
  return property ? 'recipient-missing' : 'missing';
}

function stateBadge(prefix, value, tones) { return badge(t(`${prefix}.${value}`), tones[value] || 'neutral'); }

/** Apartment locks of a building that no recipient uses yet: the ones a new alarm code can take. */
function freeLocks(locks, recipients, buildingId) {
  const used = new Set(recipients.map((r) => r.lock_id).filter(Boolean));
  return [...(locks?.values() || [])].filter((l) => l.kind === 'apartment' && l.building_id === Number(buildingId) && l.state !== 'removed' && !used.has(l.id));
}

function createForm(ctx, providers, buildings, locks, recipients) {
  const err = errorLine();
  const lockField = field(t('recipients.lock'), 'lock_id', 'select', { options: [], placeholder: t('recipients.noLock') });
  const lockSel = lockField.querySelector('select');
  const buildingField = field(t('recipients.building'), 'building_id', 'select', { required: true, options: options(buildings, buildingLabel), placeholder: t('common.choose') });
  buildingField.querySelector('select').addEventListener('change', (ev) => {
    lockSel.replaceChildren(h('option', { value: '' }, t('recipients.noLock')),
      ...freeLocks(locks, recipients, ev.target.value).map((l) => h('option', { value: l.id }, lockLabel(l))));
  });
  const form = h('form.card', { 'aria-labelledby': 'rcp-new-h' },
    h('h2#rcp-new-h', t('recipients.create')),
    h('p.hint', t('recipients.minimisation')),
    field(t('recipients.alarmCode'), 'alarm_code', 'text', { required: true, maxlength: 32 }),
    buildingField,
    field(t('recipients.apartment'), 'apartment', 'text', { maxlength: 40 }),
    lockField,
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
    } catch (e) {
      showError(err, e, { action: 'recipient.create', recipient: v.alarm_code,
        fields: { alarm_code: t('recipients.alarmCode'), apartment: t('recipients.apartment'), lock_id: t('recipients.lock'), building_id: t('recipients.building') } });
    }
  });
  return form;
}

async function renderList(ctx) {
  const central = ctx.user.role === 'central_admin';
  const [list, providers, buildings, locks, consents] = await Promise.all([
    listAll('/recipients'), central ? byId('/providers') : new Map(), byId('/buildings'),
    central ? byId('/locks') : null, central ? listAll('/consents').catch(() => null) : null]);
  const cols = [
    { label: t('recipients.alarmCode'), get: (r) => h('a', { href: `#/recipients/${r.id}` }, r.alarm_code || `#${r.id}`) },
    { label: t('recipients.address'), get: (r) => [r.address || buildingLabel(buildings.get(r.building_id)), r.apartment].filter(Boolean).join(', ') },
    { label: t('recipients.lockState'), get: (r) => stateBadge('lockstate', lockState(r, locks), LOCK_TONE) },
    { label: t('recipients.consentState'), get: (r) => stateBadge('consent', consentState(r, consents, buildings), CONSENT_TONE) },
  ];
  if (central) cols.push({ label: t('common.provider'), get: (r) => providerName(providers.get(r.provider_id)) });
  return h('section',
    h('h1', t('recipients.title')),
    h('p.lead', t('recipients.lead')),
    table(t('recipients.title'), cols, list, t('recipients.none')),
    central ? createForm(ctx, providers, buildings, locks, list) : null);
}

function whoTable(items, recipients) {
  return table(t('who.title'), [
    { label: t('staff.name'), get: (w) => w.display_name || w.staff_name || staffName(w.staff) || `#${w.staff_id}` },
    { label: t('who.reason'), get: (w) => whyText(w, recipients) },
    { label: t('rights.windows'), get: (w) => windowsText(w.windows) },
    { label: t('rights.valid'), get: (w) => `${w.valid_from || ''} – ${w.valid_until || t('rights.open')}` },
  ], items, t('who.none'));
}

/** Why a person can open a door: a direct right, or one derived from an apartment in the building. */
export function whyText(w, recipients) {
  const r = String(w.reason || w.kind || w.source || '');
  if (/entrance|derived/i.test(r)) {
    const via = recipients?.get(w.recipient_id)?.alarm_code || w.via_alarm_code || '';
    return via ? t('who.derivedVia', { via }) : t('who.derived');
  }
  return t('who.direct');
}

/** "Vem kan öppna porten" — numbered only when the building has more than one shared door. */
function whoTitle(kind, lockId, entrances) {
  if (kind === 'apartment') return t('who.apartmentTitle');
  return entrances.length > 1 ? t('who.entranceTitleN', { n: entrances.indexOf(lockId) + 1, total: entrances.length }) : t('who.entranceTitle');
}

async function whoCanOpen(lockId, out, errBox, recipients, entrances) {
  try {
    const res = await api('GET', `/locks/${lockId}/who-can-open`);
    out.replaceChildren(h('h2', whoTitle(res.kind, lockId, entrances)),
      whoTable(Array.isArray(res) ? res : res.items || [], recipients));
  } catch (e) { showError(errBox, e); }
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
    } catch (e) { showError(err, e, { recipient: recipientLabel(r), date: v.effective_date, fields: { effective_date: t('changes.effective') } }); }
  });
  return form;
}

async function renderOne(ctx, id) {
  if (!/^\d+$/.test(id)) throw Object.assign(new Error('bad id'), { forPerson: () => t('common.notFound') });
  const r = await api('GET', `/recipients/${id}`);
  const central = ctx.user.role === 'central_admin';
  const [providers, recipients, staff, bearers] = await Promise.all([central ? byId('/providers') : new Map(), byId('/recipients'), byId('/staff'), byId('/bearers')]);
  const visits = await weekVisits(r, staff, bearers);
  const err = errorLine();
  const whoOut = h('div.who', { 'aria-live': 'polite' });
  const canWho = ['central_admin', 'planner', 'auditor'].includes(ctx.user.role);
  const entrances = r.entrance_lock_ids || [];
  const history = Array.isArray(r.providers) ? r.providers : null;
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
      canWho && r.lock_id ? h('button', { type: 'button', onclick: () => whoCanOpen(r.lock_id, whoOut, err, recipients, entrances) }, t('who.apartmentButton')) : null,
      canWho ? entrances.map((lid, i) => h('button', { type: 'button', onclick: () => whoCanOpen(lid, whoOut, err, recipients, entrances) },
        entrances.length > 1 ? t('who.entranceButtonN', { n: i + 1, total: entrances.length }) : t('who.entranceButton'))) : null,
      h('a.button', { href: `#/log?recipient_id=${r.id}` }, t('recipients.showLog')),
      ctx.user.role !== 'auditor' ? h('a.button.secondary', { href: `#/rights?recipient_id=${r.id}` }, t('recipients.showRights')) : null,
      ctx.user.role !== 'auditor' ? h('a.button.secondary', { href: `#/calendar?recipient_id=${r.id}` }, t('calendar.link')) : null,
      central ? h('a.button.secondary', { href: `#/resident-link/${r.id}` }, t('resident.link')) : null,
      central ? h('a.button.secondary', { href: `/api/v1/recipients/${r.id}/extract?format=html`, target: '_blank', rel: 'noopener' }, t('extract.link')) : null),
    whoOut,
    visits,
    central && history ? [h('h2', t('changes.title')), table(t('changes.title'), [
      { label: t('common.provider'), get: (c) => providerName(providers.get(c.provider_id)) || `#${c.provider_id}` },
      { label: t('changes.effective'), get: (c) => c.valid_from },
      { label: t('changes.until'), get: (c) => c.valid_until || t('rights.open') },
      { label: t('changes.state'), get: (c) => changeState(c) },
    ], history, t('changes.none'))] : null,
    central ? changeForm(ctx, r, providers) : null,
    central ? departureForm(ctx, r) : null);
}

/** A provider period is past, current or coming, from its dates (YYYY-MM-DD compares as text). */
function changeState(c) {
  const today = isoDate(new Date());
  if (c.valid_from > today) return badge(t('changes.pending'), 'warn');
  if (c.valid_until && c.valid_until <= today) return badge(t('changes.ended'), 'neutral');
  return badge(t('changes.current'), 'good');
}

export async function render(ctx) {
  return ctx.args[0] ? renderOne(ctx, ctx.args[0]) : renderList(ctx);
}

