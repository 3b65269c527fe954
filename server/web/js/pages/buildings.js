// Buildings: address and property owner; the entrance units they carry need the owner's consent.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, say } from '../dom.js';
import { byId, options, ownerName } from '../lookup.js';

export async function render(ctx) {
  const [list, owners] = await Promise.all([listAll('/buildings'), byId('/owners')]);
  const err = h('p.error-text', { role: 'alert', hidden: true });
  const form = h('form.card', { 'aria-labelledby': 'bld-new-h' },
    h('h2#bld-new-h', t('buildings.create')),
    field(t('buildings.address'), 'address', 'text', { required: true, maxlength: 200 }),
    field(t('buildings.propertyRef'), 'property_ref', 'text', { maxlength: 60, hint: t('buildings.propertyRefHint') }),
    field(t('buildings.owner'), 'owner_id', 'select', { required: true, options: options(owners, ownerName), placeholder: t('common.choose') }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('buildings.createButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const body = { address: v.address };
    if (v.owner_id) body.owner_id = Number(v.owner_id);
    if (v.property_ref) body.property_ref = v.property_ref;
    try {
      await api('POST', '/buildings', body);
      say(t('buildings.created', { address: v.address }));
      await ctx.refresh();
    } catch (e) { err.textContent = e.forPerson ? e.forPerson() : String(e); err.hidden = false; }
  });
  return h('section',
    h('h1', t('buildings.title')),
    h('p.lead', t('buildings.lead')),
    table(t('buildings.title'), [
      { label: t('buildings.address'), get: (b) => b.address },
      { label: t('buildings.owner'), get: (b) => ownerName(owners.get(b.owner_id)) || (b.owner_id ? `#${b.owner_id}` : t('buildings.noOwner')) },
      { label: t('common.id'), get: (b) => String(b.id) },
      { label: t('common.actions'), get: (b) => h('a', { href: `#/locks?building_id=${b.id}`, 'aria-label': t('buildings.locksFor', { address: b.address }) }, t('nav.locks')) },
    ], list, t('buildings.none')),
    ctx.user.role === 'central_admin' || ctx.user.role === 'installer' ? form : null);
}
