// Security keys on the users page: the signed-in person's own keys (add, remove), and for a
// central administrator the recovery of someone else's (every key removed, audited).
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, say } from '../dom.js';
import { available, registerKey } from '../webauthn.js';

function errBox() { return h('p.error-text', { role: 'alert', hidden: true }); }
function show(box, e) { box.textContent = e.forPerson ? e.forPerson() : String(e.message || e); box.hidden = false; }
const when = (s) => (s ? new Date(s * 1000).toLocaleString() : t('keys.never'));

/** The card with the signed-in person's keys. */
export async function myKeys(ctx) {
  let items = [];
  try { items = (await api('GET', '/me/webauthn')).items || []; } catch { return null; }
  const err = errBox();
  const add = h('form.card', { 'aria-labelledby': 'keys-h' },
    h('h2#keys-h', t('keys.mine')),
    table(t('keys.mine'), [
      { label: t('keys.name'), get: (k) => k.name },
      { label: t('keys.added'), get: (k) => when(k.created_at) },
      { label: t('keys.lastUsed'), get: (k) => when(k.last_used_at) },
      { label: t('keys.remove'), get: (k) => h('button.secondary', { type: 'button', 'data-key': String(k.id), 'aria-label': t('keys.removeNamed', { name: k.name }) }, t('keys.remove')) },
    ], items, t('keys.none')),
    available() ? field(t('keys.name'), 'name', 'text', { required: true, maxlength: 64, value: t('auth.keyDefaultName') }) : null,
    err,
    available() ? h('div.actions', h('button', { type: 'submit' }, t('keys.add'))) : null);
  add.addEventListener('click', async (ev) => {
    const id = ev.target instanceof HTMLElement && ev.target.dataset.key;
    if (!id) return;
    try { await api('DELETE', `/me/webauthn/${id}`); say(t('keys.removed')); await ctx.refresh(); } catch (e) { show(err, e); }
  });
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    try {
      await registerKey('/me/webauthn/options', '/me/webauthn', formValues(add).name || t('auth.keyDefaultName'));
      say(t('keys.added.done'));
      await ctx.refresh();
    } catch (e) { if (e && e.name === 'NotAllowedError') { err.textContent = t('auth.keyCancelled'); err.hidden = false; } else show(err, e); }
  });
  return add;
}

/** Central administrators: remove every key of a user who lost one (the user enrols anew). */
export function resetKeys(ctx, users) {
  const err = errBox();
  const form = h('form.card', { 'aria-labelledby': 'keys-reset-h' },
    h('h2#keys-reset-h', t('keys.reset')),
    h('p', t('keys.resetLead')),
    field(t('keys.user'), 'user', 'select', { required: true, options: users.map((u) => ({ value: String(u.id), label: `${u.display_name || u.username} (${u.username})` })), placeholder: t('common.choose') }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('keys.resetButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    const id = formValues(form).user;
    const u = users.find((x) => String(x.id) === id);
    try {
      const res = await api('DELETE', `/users/${id}/webauthn`);
      say(t('keys.resetDone', { name: u ? u.username : id, n: res.removed }));
      await ctx.refresh();
    } catch (e) { show(err, e); }
  });
  return form;
}
