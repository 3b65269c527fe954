// Sync stations of a provider (provider administrators, central administration): register
// a station's public key, see when it was last heard of, retire it.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, say, confirmDialog, fmtTime, badge, errorLine, showError } from '../dom.js';
import { byId, options, providerName } from '../lookup.js';


function createForm(ctx, providers) {
  const err = errorLine();
  const form = h('form.card', { 'aria-labelledby': 'st-new-h' },
    h('h2#st-new-h', t('stations.create')),
    field(t('stations.name'), 'name', 'text', { required: true, maxlength: 120, hint: t('stations.nameHint') }),
    field(t('stations.publicKey'), 'public_key', 'text', { required: true, pattern: '[0-9a-fA-F]{64}', maxlength: 64, hint: t('stations.publicKeyHint') }),
    ctx.user.provider_id ? null : field(t('common.provider'), 'provider_id', 'select', { required: true, options: options(providers, providerName), placeholder: t('common.choose') }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('stations.createButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const body = { name: v.name, public_key: v.public_key.toLowerCase() };
    if (v.provider_id) body.provider_id = Number(v.provider_id);
    try {
      await api('POST', '/stations', body);
      say(t('stations.created', { name: v.name }));
      await ctx.refresh();
    } catch (e) { showError(err, e); }
  });
  return form;
}

export async function render(ctx) {
  const [list, providers] = await Promise.all([listAll('/stations'), ctx.user.provider_id ? new Map() : byId('/providers')]);
  const err = errorLine();
  const retire = async (s) => {
    if (!await confirmDialog(t('stations.retireTitle'), t('stations.retireText', { name: s.name }), t('stations.retireOk'))) return;
    try { await api('POST', `/stations/${s.id}/retire`, {}); say(t('stations.retired', { name: s.name })); await ctx.refresh(); } catch (e) { showError(err, e); }
  };
  const cols = [
    { label: t('stations.name'), get: (s) => s.name },
    { label: t('stations.state'), get: (s) => badge(t(`stations.state.${s.state}`), s.state === 'active' ? 'good' : 'neutral') },
    { label: t('locks.lastSeen'), get: (s) => fmtTime(s.last_seen, ctx.lang) },
    { label: t('stations.publicKey'), get: (s) => h('code', String(s.public_key || '').slice(0, 16) + '…') },
    { label: t('common.actions'), get: (s) => (s.state === 'active' ? h('button.secondary', { type: 'button', 'aria-label': t('stations.retireFor', { name: s.name }), onclick: () => retire(s) }, t('stations.retire')) : '') },
  ];
  if (!ctx.user.provider_id) cols.splice(1, 0, { label: t('common.provider'), get: (s) => providerName(providers.get(s.provider_id)) });
  return h('section',
    h('h1', t('stations.title')),
    h('p.lead', t('stations.lead')),
    err,
    table(t('stations.title'), cols, list, t('stations.none')),
    createForm(ctx, providers));
}
