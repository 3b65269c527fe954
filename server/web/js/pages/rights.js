// Rights: give a staff member a standing or one-day right to a recipient, list and end rights.
import { api, listAll, qs } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, say, confirmDialog, isoDate, newId, errorLine, showError } from '../dom.js';
import { byId, options, staffName, recipientLabel, windowsText } from '../lookup.js';


function dayBoxes() {
  const id = newId('days');
  return h('fieldset.days', { 'aria-describedby': `${id}-hint` },
    h('legend', t('rights.days')),
    [1, 2, 3, 4, 5, 6, 7].map((d) => {
      const cid = newId(`day${d}`);
      return h('span.check', h('input', { type: 'checkbox', id: cid, name: 'day', value: String(d) }), h('label', { for: cid }, t(`day.long.${d}`)));
    }),
    h('p.hint', { id: `${id}-hint` }, t('rights.daysHint')));
}

function grantForm(ctx, staff, recipients) {
  const err = errorLine();
  const today = isoDate(new Date());
  const kind = field(t('rights.kind'), 'kind', 'select', { required: true, value: 'standing',
    options: [{ value: 'standing', label: t('rights.kind.standing') }, { value: 'temporary', label: t('rights.kind.temporary') }] });
  const until = field(t('rights.validUntil'), 'valid_until', 'date', { hint: t('rights.untilHint') });
  const form = h('form.card', { 'aria-labelledby': 'grant-h' },
    h('h2#grant-h', t('rights.grant')),
    field(t('rights.staff'), 'staff_id', 'select', { required: true, value: ctx.query.staff_id, options: options(staff, staffName), placeholder: t('common.choose') }),
    field(t('rights.recipient'), 'recipient_id', 'select', { required: true, value: ctx.query.recipient_id, options: options(recipients, recipientLabel), placeholder: t('common.choose') }),
    kind,
    field(t('rights.validFrom'), 'valid_from', 'date', { required: true, value: today }),
    until,
    dayBoxes(),
    h('div.pair',
      field(t('rights.timeFrom'), 'time_from', 'time', { value: '' }),
      field(t('rights.timeTo'), 'time_to', 'time', { value: '' })),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('rights.grantButton'))));
  const kindSel = kind.querySelector('select');
  kindSel.addEventListener('change', () => {
    const one = kindSel.value === 'temporary';
    until.hidden = one;
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const days = [...form.querySelectorAll('input[name=day]:checked')].map((c) => Number(c.value));
    const body = { staff_id: Number(v.staff_id), recipient_id: Number(v.recipient_id), kind: v.kind, valid_from: v.valid_from };
    body.valid_until = v.kind === 'temporary' ? v.valid_from : (v.valid_until || null);
    if (body.valid_until === null) delete body.valid_until;
    // The server wants at least one weekly window; none chosen means every day, all day.
    body.windows = [{ days: days.length ? days : [1, 2, 3, 4, 5, 6, 7], from: v.time_from || '00:00', to: v.time_to || '24:00' }];
    try {
      await api('POST', '/rights', body);
      say(t('rights.granted', { name: staffName(staff.get(body.staff_id)), recipient: recipientLabel(recipients.get(body.recipient_id)) }));
      await ctx.refresh();
    } catch (e) {
      showError(err, e, { action: 'right.create', staff: staffName(staff.get(body.staff_id)), recipient: recipientLabel(recipients.get(body.recipient_id)),
        from: body.valid_from, until: body.valid_until, fields: { valid_from: t('rights.validFrom'), valid_until: t('rights.validUntil'), windows: t('rights.windows') } });
    }
  });
  return form;
}

async function endRight(ctx, r, label, err) {
  const ok = await confirmDialog(t('rights.endTitle'), t('rights.endText', { what: label }), t('rights.endOk'));
  if (!ok) return;
  try {
    await api('DELETE', `/rights/${r.id}`);
    say(t('rights.ended'));
    await ctx.refresh();
  } catch (e) { showError(err, e); }
}

export async function render(ctx) {
  const filter = {};
  if (/^\d+$/.test(ctx.query.staff_id || '')) filter.staff_id = ctx.query.staff_id;
  if (/^\d+$/.test(ctx.query.recipient_id || '')) filter.recipient_id = ctx.query.recipient_id;
  const [rights, staff, recipients] = await Promise.all([listAll('/rights', filter), byId('/staff'), byId('/recipients')]);
  const err = errorLine();
  const label = (r) => `${staffName(staff.get(r.staff_id)) || `#${r.staff_id}`} → ${recipientLabel(recipients.get(r.recipient_id)) || `#${r.recipient_id}`}`;
  const canEdit = ctx.user.role !== 'auditor';
  return h('section',
    h('h1', t('rights.title')),
    h('p.lead', t('rights.lead')),
    Object.keys(filter).length ? h('p', t('rights.filtered'), ' ', h('a', { href: '#/rights' }, t('rights.showAll'))) : null,
    err,
    canEdit ? grantForm(ctx, staff, recipients) : null,
    h('h2', t('rights.listTitle')),
    table(t('rights.title'), [
      { label: t('rights.staff'), get: (r) => staffName(staff.get(r.staff_id)) || `#${r.staff_id}` },
      { label: t('rights.recipient'), get: (r) => h('a', { href: `#/recipients/${r.recipient_id}` }, recipientLabel(recipients.get(r.recipient_id)) || `#${r.recipient_id}`) },
      { label: t('rights.kind'), get: (r) => t(`rights.kind.${r.kind}`) },
      { label: t('rights.valid'), get: (r) => `${r.valid_from || ''} – ${r.valid_until || t('rights.open')}` },
      { label: t('rights.windows'), get: (r) => windowsText(r.windows) },
      { label: t('common.actions'), get: (r) => (canEdit ? h('button.secondary', { type: 'button', 'aria-label': t('rights.endFor', { what: label(r) }), onclick: () => endRight(ctx, r, label(r), err) }, t('rights.end')) : '') },
    ], rights, t('rights.none')));
}

export { qs };
