// A care recipient who leaves (moves away, moves into a care home, has died): the alarm centre
// records the date; from it nobody has a right to their doors, and their data is erased once
// the retention time has passed (docs/privacy.md, "Departure").
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, say, isoDate, errorLine, showError } from '../dom.js';
import { recipientLabel } from '../lookup.js';

/** The form on a recipient's page, with a confirmation naming what happens. */
export function departureForm(ctx, r) {
  const err = errorLine();
  const form = h('form.card', { 'aria-labelledby': 'dep-h' },
    h('h2#dep-h', t('departure.title')),
    h('p', t('departure.explain')),
    field(t('departure.date'), 'date', 'date', { required: true, value: isoDate(new Date()) }),
    err,
    h('div.actions', h('button.danger', { type: 'submit' }, t('departure.button'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const who = recipientLabel(r);
    if (!window.confirm(t('departure.confirm', { recipient: who, date: v.date }))) return;
    try {
      const res = await api('POST', `/recipients/${r.id}/departure`, { date: v.date });
      say(t('departure.done', { recipient: who, date: v.date, rights: res.rights_ended + res.rights_deleted }));
      await ctx.refresh();
    } catch (e) { showError(err, e, { recipient: who, date: v.date, fields: { date: t('departure.date') } }); }
  });
  return form;
}
