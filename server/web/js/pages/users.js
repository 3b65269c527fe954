// Administrative users: central admin creates any role; a provider admin creates its own planners.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, say } from '../dom.js';
import { byId, options, providerName } from '../lookup.js';
import { myKeys, resetKeys } from './keys.js';

const ROLES = ['central_admin', 'installer', 'provider_admin', 'planner', 'auditor'];

export async function render(ctx) {
  const central = ctx.user.role === 'central_admin';
  const [list, providers] = await Promise.all([listAll('/users'), central ? byId('/providers') : new Map()]);
  const roles = central ? ROLES : ['provider_admin', 'planner', 'auditor'];
  const err = h('p.error-text', { role: 'alert', hidden: true });
  const form = h('form.card', { 'aria-labelledby': 'user-new-h' },
    h('h2#user-new-h', t('users.create')),
    field(t('auth.username'), 'username', 'text', { required: true, maxlength: 64, autocomplete: 'off' }),
    field(t('users.displayName'), 'display_name', 'text', { maxlength: 100 }),
    field(t('users.role'), 'role', 'select', { required: true, options: roles.map((r) => ({ value: r, label: t(`role.${r}`) })), placeholder: t('common.choose') }),
    central ? field(t('common.provider'), 'provider_id', 'select', { options: options(providers, providerName), placeholder: t('users.noProvider') }) : null,
    err,
    h('div.actions', h('button', { type: 'submit' }, t('users.createButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const body = { username: v.username, role: v.role, display_name: v.display_name || v.username };
    const pid = central ? v.provider_id : ctx.user.provider_id;
    body.provider_id = pid ? Number(pid) : null;
    try {
      const res = await api('POST', '/users', body);
      await ctx.refresh();
      const pw = res && res.initial_password;
      if (pw) {
        const note = h('div.notice.password-note', { role: 'status', tabindex: '-1' },
          h('p', t('users.initialPassword', { name: v.username })), h('p', h('code.secret', pw)), h('p', t('users.initialPasswordHint')));
        const main = document.getElementById('main');
        main.querySelector('h1')?.after(note);
        note.focus();
      }
      say(t('users.created', { name: v.username }));
    } catch (e) { err.textContent = e.forPerson ? e.forPerson({ action: 'user.create', user: v.username }) : String(e); err.hidden = false; }
  });
  const keys = await myKeys(ctx);
  return h('section',
    h('h1', t('users.title')),
    h('p.lead', t('users.lead')),
    table(t('users.title'), [
      { label: t('auth.username'), get: (u) => u.username },
      { label: t('users.displayName'), get: (u) => u.display_name || '' },
      { label: t('users.role'), get: (u) => t(`role.${u.role}`) },
      { label: t('common.provider'), get: (u) => (u.provider_id ? providerName(providers.get(u.provider_id)) || `#${u.provider_id}` : t('users.central')) },
      { label: t('users.totp'), get: (u) => (u.totp_enrolled === false ? t('users.totpPending') : u.totp_enrolled ? t('users.totpDone') : '') },
    ], list, t('users.none')),
    form,
    keys,
    central ? resetKeys(ctx, list) : null);
}
