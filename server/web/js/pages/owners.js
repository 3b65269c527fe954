// Property owners and their consents: per property, blanket for a portfolio, or per recipient.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, say, isoDate, errorLine, showError } from '../dom.js';
import { byId, options, ownerName, buildingLabel, recipientLabel } from '../lookup.js';


function ownerForm(ctx) {
  const err = errorLine();
  const form = h('form.card', { 'aria-labelledby': 'own-new-h' },
    h('h2#own-new-h', t('owners.create')),
    field(t('owners.name'), 'name', 'text', { required: true, maxlength: 100 }),
    field(t('owners.orgNumber'), 'org_number', 'text', { maxlength: 20 }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('owners.createButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    try { await api('POST', '/owners', v); say(t('owners.created', { name: v.name })); await ctx.refresh(); } catch (e) { showError(err, e); }
  });
  return form;
}

function consentForm(ctx, owners, buildings, recipients) {
  const err = errorLine();
  const kind = field(t('consents.kind'), 'kind', 'select', { required: true, value: 'property',
    options: ['property', 'portfolio', 'recipient'].map((k) => ({ value: k, label: t(`consents.kind.${k}`) })) });
  const owner = field(t('consents.owner'), 'owner_id', 'select', { options: options(owners, ownerName), placeholder: t('common.choose') });
  const building = field(t('consents.building'), 'building_id', 'select', { options: options(buildings, buildingLabel), placeholder: t('common.choose') });
  const recipient = field(t('consents.recipient'), 'recipient_id', 'select', { options: options(recipients, recipientLabel), placeholder: t('common.choose') });
  const sync = () => {
    const k = kind.querySelector('select').value;
    owner.hidden = k !== 'portfolio';
    building.hidden = k !== 'property';
    recipient.hidden = k !== 'recipient';
  };
  kind.querySelector('select').addEventListener('change', sync);
  const form = h('form.card', { 'aria-labelledby': 'cons-new-h' },
    h('h2#cons-new-h', t('consents.create')),
    kind, owner, building, recipient,
    field(t('consents.signed'), 'given_on', 'date', { value: isoDate(new Date()) }),
    field(t('consents.reference'), 'reference', 'text', { maxlength: 100, hint: t('consents.referenceHint') }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('consents.createButton'))));
  sync();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const body = { kind: v.kind };
    if (v.kind === 'portfolio' && v.owner_id) body.owner_id = Number(v.owner_id);
    if (v.kind === 'property' && v.building_id) body.building_id = Number(v.building_id);
    if (v.kind === 'recipient' && v.recipient_id) body.recipient_id = Number(v.recipient_id);
    if (v.given_on) body.given_on = v.given_on;
    if (v.reference) body.reference = v.reference;
    try { await api('POST', '/consents', body); say(t('consents.created')); await ctx.refresh(); } catch (e) { showError(err, e); }
  });
  return form;
}

export async function render(ctx) {
  const [ownersList, consents, buildings, recipients] = await Promise.all([
    listAll('/owners'), listAll('/consents'), byId('/buildings'), byId('/recipients')]);
  const owners = new Map(ownersList.map((o) => [o.id, o]));
  const scope = (c) => {
    if (c.kind === 'portfolio') return t('consents.allOf', { owner: ownerName(owners.get(c.owner_id)) });
    if (c.kind === 'property') return buildingLabel(buildings.get(c.building_id)) || `#${c.building_id}`;
    if (c.kind === 'recipient') return recipientLabel(recipients.get(c.recipient_id)) || `#${c.recipient_id}`;
    return recipientLabel(recipients.get(c.recipient_id)) || `#${c.recipient_id}`;
  };
  return h('section',
    h('h1', t('owners.title')),
    h('p.lead', t('owners.lead')),
    h('h2', t('owners.listTitle')),
    table(t('owners.listTitle'), [
      { label: t('owners.name'), get: (o) => o.name },
      { label: t('owners.orgNumber'), get: (o) => o.org_number || '' },
      { label: t('owners.buildings'), get: (o) => String([...buildings.values()].filter((b) => b.owner_id === o.id).length) },
    ], ownersList, t('owners.none')),
    h('h2', t('consents.title')),
    table(t('consents.title'), [
      { label: t('consents.kind'), get: (c) => t(`consents.kind.${c.kind}`) },
      { label: t('consents.scope'), get: scope },
      { label: t('consents.owner'), get: (c) => ownerName(owners.get(c.owner_id ?? buildings.get(c.building_id)?.owner_id)) },
      { label: t('consents.signed'), get: (c) => c.given_on || c.signed_date || '' },
      { label: t('consents.state'), get: (c) => t(c.withdrawn_at ? 'consents.state.withdrawn' : 'consents.state.valid') },
    ], consents, t('consents.none')),
    h('div.forms', ownerForm(ctx), consentForm(ctx, owners, buildings, recipients)));
}
