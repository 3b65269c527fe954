// A staff member's phone key, first step (docs/phone.md, "Double login"): the planner makes the
// staff member's own app login — a user name, a one-time password and a code generator (TOTP)
// to add to an authenticator app by QR code — shown once, to hand over in person. The staff
// member then signs in in the phone app (/phone/), chooses a PIN and the phone enrols its own
// key. Making the login again replaces the old one.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, errorLine, showError, say } from '../dom.js';
import { staffName } from '../lookup.js';
import { safeSvg } from './login.js';

/** A suggested user name from the staff member's name: lower case a–z, digits and dots. */
export function suggestUsername(name) {
  const plain = String(name || '').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '.').replace(/^\.+|\.+$/g, '');
  return (plain || 'personal').slice(0, 40);
}

function handOut(person, made) {
  const svg = made.qr_svg ? safeSvg(made.qr_svg) : null;
  if (svg) svg.setAttribute('aria-label', t('phoneLogin.qrLabel'));
  const secret = String(made.totp_secret || '').replace(/(.{4})/g, '$1 ').trim();
  return h('section.card#phone-login-made', { 'aria-labelledby': 'phone-login-made-h' },
    h('h2#phone-login-made-h', t('phoneLogin.madeTitle', { name: person })),
    h('p', t('phoneLogin.madeLead')),
    h('dl.handout',
      h('dt', t('phoneLogin.username')), h('dd', h('code#phone-login-user', made.username)),
      h('dt', t('phoneLogin.password')), h('dd', h('code#phone-login-password', made.password)),
      h('dt', t('phoneLogin.secret')), h('dd', h('code#phone-login-secret', secret))),
    h('div.qr', svg),
    h('ol',
      h('li', t('phoneLogin.step1')),
      h('li', t('phoneLogin.step2', { url: `${location.origin}/phone/` })),
      h('li', t('phoneLogin.step3'))));
}

export async function render(ctx) {
  const id = Number(ctx.args[0]);
  const s = await api('GET', `/staff/${id}`);
  const person = staffName(s);
  const err = errorLine();
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form.card', { 'aria-labelledby': 'phone-login-h' },
    h('h2#phone-login-h', t('phoneLogin.formTitle')),
    h('p', t('phoneLogin.formLead')),
    field(t('phoneLogin.username'), 'username', 'text', { required: true, minlength: 3, maxlength: 64,
      value: suggestUsername(person), autocomplete: 'off', spellcheck: 'false', hint: t('phoneLogin.usernameHint') }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('phoneLogin.make'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    try {
      const made = await api('POST', `/staff/${id}/phone-login`, { username: formValues(form).username });
      out.replaceChildren(handOut(person, made));
      say(t('phoneLogin.made', { name: person }));
    } catch (e) {
      showError(err, e, { staff: person, fields: { username: t('phoneLogin.username') } });
    }
  });
  return h('section.phone-login',
    h('p.crumbs', h('a', { href: '#/staff' }, t('phoneLogin.back'))),
    h('h1', t('phoneLogin.title', { name: person })),
    h('p.lead', t('phoneLogin.lead')),
    form, out);
}
