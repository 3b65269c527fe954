// Staff and their keys: register staff, hand out (register) a key, report a key lost or retire it.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, confirmDialog, say, fmtTime, badge, errorLine, showError } from '../dom.js';
import { staffName, bearerLabel, byId, options, providerName } from '../lookup.js';
import { rowFilter } from '../listing.js';
import { keyFromText } from '../pubkey.js';

const STATE_TONE = { active: 'good', lost: 'bad', retired: 'neutral' };


function staffForm(ctx, providers) {
  const err = errorLine();
  const form = h('form.card', { 'aria-labelledby': 'staff-new-h' },
    h('h2#staff-new-h', t('staff.register')),
    field(t('staff.name'), 'display_name', 'text', { required: true, maxlength: 100 }),
    field(t('staff.employeeNo'), 'employee_ref', 'text', { maxlength: 40 }),
    ctx.user.provider_id ? null : field(t('common.provider'), 'provider_id', 'select', { required: true, options: options(providers, providerName), placeholder: t('common.choose') }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('staff.registerButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const body = { display_name: v.display_name, provider_id: Number(v.provider_id || ctx.user.provider_id) };
    if (v.employee_ref) body.employee_ref = v.employee_ref;
    try {
      await api('POST', '/staff', body);
      say(t('staff.registered', { name: v.display_name }));
      await ctx.refresh();
    } catch (e) {
      showError(err, e, { action: 'staff.create', staff: v.display_name, fields: { display_name: t('staff.name'), employee_ref: t('staff.employeeNo') } });
    }
  });
  return form;
}

/** A typed enrolment code: eight letters and digits, spaces and hyphens ignored. */
export function normaliseCode(v) { return String(v || '').toUpperCase().replace(/[\s-]/g, ''); }

function keyForm(ctx, staff, waiting) {
  const err = errorLine();
  const expert = h('details#key-expert',
    h('summary', t('staff.expertSummary')),
    field(t('staff.keyKind'), 'kind', 'select', { value: 'fob', options: [{ value: 'fob', label: t('bearer.kind.fob') }, { value: 'phone', label: t('bearer.kind.phone') }] }),
    field(t('staff.publicKey'), 'public_key', 'text', { maxlength: 256, autocomplete: 'off', spellcheck: 'false', hint: t('staff.publicKeyHint') }));
  const form = h('form.card#key-form', { 'aria-labelledby': 'key-new-h' },
    h('h2#key-new-h', t('staff.handOut')),
    field(t('staff.holder'), 'staff_id', 'select', { required: true, options: options(staff, staffName), placeholder: t('common.choose') }),
    field(t('staff.keyLabel'), 'label', 'text', { required: true, maxlength: 40, hint: t('staff.keyLabelHint') }),
    field(t('staff.enrolCode'), 'code', 'text', { maxlength: 12, autocomplete: 'off', hint: t('staff.enrolCodeHint') }),
    waiting.length ? null : h('p.hint#no-waiting', t('staff.noWaiting')),
    expert,
    err,
    h('div.actions', h('button', { type: 'submit' }, t('staff.handOutButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const code = normaliseCode(v.code);
    const names = { action: 'bearer.create', key: v.label, label: v.label, code: v.code, staff: staffName(staff.get(Number(v.staff_id))),
      fields: { label: t('staff.keyLabel'), public_key: t('staff.publicKey'), text: t('staff.publicKey'), staff_id: t('staff.holder'), code: t('staff.enrolCode') } };
    try {
      if (code) await api('POST', '/key-enrolments/redeem', { code, staff_id: Number(v.staff_id), label: v.label });
      else if (v.public_key) await api('POST', '/bearers', { staff_id: Number(v.staff_id), kind: v.kind || 'fob', label: v.label, public_key: await keyFromText(v.public_key, 'key') });
      else { err.textContent = t('staff.codeOrKey'); err.hidden = false; return; }
      say(t('staff.keyRegistered', { label: v.label }));
      await ctx.refresh();
    } catch (e) {
      showError(err, e, names);
    }
  });
  return form;
}

/** Keys presented at the provider's stations, waiting for a planner: "Välj" puts the code in the form. */
function waitingKeys(ctx, waiting) {
  if (!waiting.length) return null;
  const pick = (w) => () => {
    const input = document.querySelector('#key-form [name="code"]');
    input.value = w.code;
    input.focus();
  };
  return [h('h2#waiting-h', t('staff.waitingTitle')), h('p', t('staff.waitingLead')),
    table(t('staff.waitingTitle'), [
      { label: t('staff.waitingStation'), get: (w) => w.station || t('staff.waitingApp') },
      { label: t('staff.keyKind'), get: (w) => t(`bearer.kind.${w.kind}`) },
      { label: t('staff.enrolCode'), cls: 'nowrap', get: (w) => h('code', w.code) },
      { label: t('staff.waitingSince'), get: (w) => fmtTime(w.created_at, ctx.lang) },
      { label: t('common.actions'), get: (w) => h('button.secondary', { type: 'button', 'aria-label': t('staff.pickFor', { code: w.code }), onclick: pick(w) }, t('staff.pick')) },
    ], waiting)];
}

async function reportLost(ctx, b) {
  const ok = await confirmDialog(t('staff.lostConfirmTitle'), t('staff.lostConfirmText', { label: bearerLabel(b) }), t('staff.lostConfirmOk'));
  if (!ok) return;
  await api('POST', `/bearers/${b.id}/report-lost`, {});
  say(t('staff.lostDone', { label: bearerLabel(b) }));
  await ctx.refresh();
}

async function retire(ctx, b) {
  const ok = await confirmDialog(t('staff.retireConfirmTitle'), t('staff.retireConfirmText', { label: bearerLabel(b) }), t('staff.retireConfirmOk'));
  if (!ok) return;
  await api('POST', `/bearers/${b.id}/retire`, {});
  say(t('staff.retireDone', { label: bearerLabel(b) }));
  await ctx.refresh();
}

function keyActions(ctx, b, err) {
  if (b.state === 'lost') return h('a', { href: `#/spread/${b.id}`, 'aria-label': t('spread.linkFor', { label: bearerLabel(b) }) }, t('spread.link'));
  if (b.state !== 'active') return '';
  const wrap = (fn) => async () => { try { err.hidden = true; await fn(ctx, b); } catch (e) { showError(err, e, { key: bearerLabel(b) }); } };
  return h('div.row-actions',
    h('a', { href: `#/receipt/${b.id}`, 'aria-label': t('receipt.for', { label: bearerLabel(b) }) }, t('receipt.link')),
    h('button.danger', { type: 'button', 'aria-label': t('staff.reportLostFor', { label: bearerLabel(b) }), onclick: wrap(reportLost) }, t('staff.reportLost')),
    h('button.secondary', { type: 'button', 'aria-label': t('staff.retireFor', { label: bearerLabel(b) }), onclick: wrap(retire) }, t('staff.retire')));
}

export async function render(ctx) {
  const [staffList, bearers, providers, waiting] = await Promise.all([
    listAll('/staff'), listAll('/bearers'), ctx.user.provider_id ? new Map() : byId('/providers'),
    listAll('/key-enrolments').catch(() => [])]);
  const staff = new Map(staffList.map((s) => [s.id, s]));
  const keysOf = (sid) => bearers.filter((b) => b.staff_id === sid);
  const err = errorLine();
  const section = h('section',
    h('h1', t('staff.title')),
    h('p.lead', t('staff.lead')),
    err,
    waitingKeys(ctx, waiting),
    h('h2', t('staff.keysTitle')),
    table(t('staff.keysTitle'), [
      { label: t('staff.key'), cls: 'nowrap', get: (b) => bearerLabel(b) },
      { label: t('staff.holder'), get: (b) => staffName(staff.get(b.staff_id)) },
      { label: t('staff.state'), get: (b) => badge(t(`bearer.state.${b.state}`), STATE_TONE[b.state]) },
      { label: t('staff.lastSync'), get: (b) => fmtTime(b.last_sync ?? b.last_sync_at, ctx.lang) },
      { label: t('common.actions'), get: (b) => keyActions(ctx, b, err) },
    ], bearers, t('staff.noKeys')),
    h('h2', t('staff.staffTitle')),
    table(t('staff.staffTitle'), [
      { label: t('staff.name'), get: (s) => staffName(s) },
      { label: t('staff.employeeNo'), get: (s) => s.employee_ref || s.employee_no || '' },
      { label: t('staff.keys'), get: (s) => keysOf(s.id).map((b) => `${bearerLabel(b)} (${t(`bearer.state.${b.state}`)})`).join(', ') || t('staff.noKey') },
      { label: t('common.actions'), get: (s) => h('div.row-actions',
        h('a', { href: `#/rights?staff_id=${s.id}`, 'aria-label': t('staff.rightsFor', { name: staffName(s) }) }, t('nav.rights')),
        h('a', { href: `#/log?staff_id=${s.id}`, 'aria-label': t('staff.logFor', { name: staffName(s) }) }, t('nav.log')),
        h('a', { href: `#/calendar?staff_id=${s.id}`, 'aria-label': t('calendar.for', { name: staffName(s) }) }, t('calendar.link'))) },
    ], staffList, t('staff.noStaff')),
    h('div.forms', staffForm(ctx, providers), staffList.length ? keyForm(ctx, staff, waiting) : null));
  section.querySelector('.lead').after(rowFilter(section, { label: t('staff.filter'), hint: t('staff.filterHint') }));
  return section;
}
