// Login: password, then TOTP or a security key; on first login, TOTP enrolment with the
// server's QR code or a first security key; or a security key alone (passwordless).
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues } from '../dom.js';
import { available, registerKey, signInWithKey } from '../webauthn.js';

const SVG_OK = new Set(['svg', 'g', 'path', 'rect', 'title', 'desc', 'defs', 'polygon', 'circle', 'line', 'polyline']);

/** Parse the server's QR SVG and keep only inert drawing elements (no scripts, links or handlers). */
export function safeSvg(text) {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (!root || root.nodeName.toLowerCase() !== 'svg' || doc.querySelector('parsererror')) return null;
  const walk = (el) => {
    for (const child of [...el.children]) {
      if (!SVG_OK.has(child.localName)) { child.remove(); continue; }
      walk(child);
    }
    for (const a of [...el.attributes]) {
      const n = a.name.toLowerCase();
      if (n.startsWith('on') || n.includes('href') || n === 'style') el.removeAttribute(a.name);
    }
  };
  walk(root);
  const svg = document.importNode(root, true);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('auth.qrLabel'));
  svg.classList.add('qr');
  return svg;
}

function secretFromUri(uri) {
  try { return new URL(uri).searchParams.get('secret') || ''; } catch { return ''; }
}

function errorBox() { return h('p.error-text', { role: 'alert', hidden: true }); }
function showErr(box, e) { box.textContent = e.forPerson ? e.forPerson() : String(e.message || e); box.hidden = false; }

function codeForm(labelKey, path, done, extra) {
  const err = errorBox();
  const form = h('form.card', { 'aria-labelledby': 'code-h' },
    h('h2#code-h', t(labelKey)),
    extra || null,
    field(t('auth.code'), 'code', 'text', { required: true, inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, autocomplete: 'one-time-code', hint: t('auth.codeHint') }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('auth.verify'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    try {
      const res = await api('POST', path, { code: formValues(form).code || '' }, { quietAuth: true });
      await done(res);
    } catch (e) { showErr(err, e); form.querySelector('input').select(); }
  });
  return form;
}

async function enrolForm(done) {
  const data = await api('GET', '/auth/enroll', undefined, { quietAuth: true });
  const svg = data.qr_svg ? safeSvg(data.qr_svg) : null;
  const secret = secretFromUri(data.otpauth_uri || '');
  const intro = h('div.enrol',
    h('p', t('auth.enrolIntro')),
    svg || h('p', t('auth.qrMissing')),
    h('p', t('auth.secretManual'), ' ', h('code.secret', secret.replace(/(.{4})/g, '$1 ').trim())));
  return codeForm('auth.enrolTitle', '/auth/enroll', done, intro);
}

/** A card with one button that runs a security-key ceremony; errors shown in Swedish/English. */
function keyCard(titleKey, introKey, buttonKey, run, done) {
  const err = errorBox();
  const button = h('button', { type: 'button' }, t(buttonKey));
  const card = h('div.card.security-key', h('h2', t(titleKey)), h('p', t(introKey)), err, h('div.actions', button));
  button.addEventListener('click', async () => {
    err.hidden = true;
    try { await done(await run()); } catch (e) {
      if (e && e.name === 'NotAllowedError') { err.textContent = t('auth.keyCancelled'); err.hidden = false; } else showErr(err, e);
    }
  });
  return card;
}

/** The second step after the password: a key if the user has one, else the code (or enrolment). */
async function secondStep(res, done) {
  let code = null;
  try {
    code = res && res.next === 'enroll' ? await enrolForm(done) : codeForm('auth.step2', '/auth/totp', done);
  } catch (e) {
    if (!e || !/hardware-key-required$/.test(e.type || '')) throw e; // the role signs in with a key only
  }
  const box = h('div.second-step');
  if (available() && res && res.security_key) {
    box.append(keyCard('auth.keyTitle', 'auth.keyIntro', 'auth.keyUse',
      () => signInWithKey('/auth/webauthn/options', '/auth/webauthn'), done));
  } else if (available()) {
    box.append(keyCard('auth.keyEnrolTitle', 'auth.keyEnrolIntro', 'auth.keyEnrol',
      () => registerKey('/auth/webauthn/enroll/options', '/auth/webauthn/enroll', t('auth.keyDefaultName')), done));
  }
  if (code) box.append(code);
  return box;
}

/** Single sign-on: a link to the city's sign-in when configured, and what went wrong if the
 * server sent the browser back here with ?sso=<problem type>. */
async function ssoOffer(box, section) {
  const why = new URLSearchParams(location.search).get('sso');
  if (why && /^[a-z-]{1,40}$/.test(why)) {
    section.insertBefore(h('p.notice', { role: 'alert' }, t(`problem.${why}`)), section.children[1] || null);
  }
  try {
    const info = await api('GET', '/auth/oidc', undefined, { quietAuth: true });
    if (info && info.enabled) {
      box.append(h('div.card', h('a.button', { href: '/api/v1/auth/oidc/start' }, t('auth.ssoUse', { name: info.name }))));
    }
  } catch { /* no single sign-on offered */ }
}

/** ctx.done(result) is called with the /auth/totp or /auth/enroll answer. */
export function render(ctx) {
  const err = errorBox();
  const section = h('section.login', h('h1', t('auth.title')));
  if (ctx.message) section.append(h('p.notice', { role: 'alert' }, ctx.message));
  const form = h('form.card', { 'aria-labelledby': 'pw-h' },
    h('h2#pw-h', t('auth.step1')),
    field(t('auth.username'), 'username', 'text', { required: true, autocomplete: 'username' }),
    field(t('auth.password'), 'password', 'password', { required: true, autocomplete: 'current-password' }),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('auth.next'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    const v = formValues(form);
    try {
      const res = await api('POST', '/auth/login', { username: v.username || '', password: v.password || '' }, { quietAuth: true });
      const next = await secondStep(res, ctx.done);
      form.replaceWith(next);
      passkey.remove();
      (next.querySelector('button') || next.querySelector('input')).focus();
    } catch (e) { showErr(err, e); }
  });
  const passkey = available()
    ? keyCard('auth.passkeyTitle', 'auth.passkeyIntro', 'auth.passkeyUse',
      () => signInWithKey('/auth/passkey/options', '/auth/passkey'), ctx.done)
    : h('span');
  const sso = h('div.sso');
  section.append(form, passkey, sso);
  ssoOffer(sso, section);
  return section;
}
