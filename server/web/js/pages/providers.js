// Home-care providers (central administration only): list and create.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, say } from '../dom.js';

export async function render(ctx) {
  const list = await listAll('/providers');
  const err = h('p.error-text', { role: 'alert', hidden: true });
  const form = h('form.card', { 'aria-labelledby': 'prov-new-h' },
    h('h2#prov-new-h', t('providers.create')),
    field(t('providers.name'), 'name', 'text', { required: true, maxlength: 100 }),
    field(t('providers.orgNumber'), 'org_number', 'text', { maxlength: 20 }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('providers.createButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    try {
      await api('POST', '/providers', v);
      say(t('providers.created', { name: v.name }));
      await ctx.refresh();
    } catch (e) { err.textContent = e.forPerson ? e.forPerson() : String(e); err.hidden = false; }
  });
  return h('section',
    h('h1', t('providers.title')),
    h('p.lead', t('providers.lead')),
    table(t('providers.title'), [
      { label: t('providers.name'), get: (p) => p.name },
      { label: t('providers.orgNumber'), get: (p) => p.org_number || '' },
      { label: t('common.id'), get: (p) => String(p.id) },
    ], list, t('providers.none')),
    form);
}
