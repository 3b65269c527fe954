// Boot, session state, role-aware navigation and the hash router of the Portvakt web interface.
import { api, setCsrf, setExpiredHandler } from './api.js';
import { loadLanguage, t, currentLang } from './i18n.js';
import { h, alertError, say } from './dom.js';
import { addListFilters } from './listing.js';
import * as login from './pages/login.js';
import * as overview from './pages/overview.js';
import * as staff from './pages/staff.js';
import * as recipients from './pages/recipients.js';
import * as rights from './pages/rights.js';
import * as accesslog from './pages/accesslog.js';
import * as providers from './pages/providers.js';
import * as users from './pages/users.js';
import * as buildings from './pages/buildings.js';
import * as locks from './pages/locks.js';
import * as owners from './pages/owners.js';
import * as audit from './pages/audit.js';
import * as stations from './pages/stations.js';
import * as calendar from './pages/calendar.js';
import * as receipt from './pages/receipt.js';
import * as spread from './pages/spread.js';
import * as locklabel from './pages/locklabel.js';
import * as residentlink from './pages/residentlink.js';
import * as careimport from './pages/import.js';

const ALL_ADMIN = ['central_admin', 'provider_admin', 'planner'];
// route → page module, nav label key, roles that see it (the server enforces; this only hides).
const ROUTES = {
  overview: { page: overview, nav: 'nav.overview', roles: ALL_ADMIN },
  staff: { page: staff, nav: 'nav.staff', roles: ALL_ADMIN },
  recipients: { page: recipients, nav: 'nav.recipients', roles: [...ALL_ADMIN, 'auditor'] },
  rights: { page: rights, nav: 'nav.rights', roles: ALL_ADMIN },
  log: { page: accesslog, nav: 'nav.log', roles: [...ALL_ADMIN, 'auditor'] },
  providers: { page: providers, nav: 'nav.providers', roles: ['central_admin'] },
  buildings: { page: buildings, nav: 'nav.buildings', roles: ['central_admin', 'installer'] },
  locks: { page: locks, nav: 'nav.locks', roles: ['central_admin', 'installer'] },
  owners: { page: owners, nav: 'nav.owners', roles: ['central_admin'] },
  import: { page: careimport, nav: 'nav.import', roles: ['central_admin'] },
  stations: { page: stations, nav: 'nav.stations', roles: ['central_admin', 'provider_admin'] },
  users: { page: users, nav: 'nav.users', roles: ['central_admin', 'provider_admin'] },
  audit: { page: audit, nav: 'nav.audit', roles: ['central_admin', 'auditor', 'provider_admin'] },
  // reached from a staff member's, a recipient's or a key's row, not from the menu
  calendar: { page: calendar, nav: 'calendar.title', roles: ALL_ADMIN, hidden: true },
  receipt: { page: receipt, nav: 'receipt.nav', roles: ALL_ADMIN, hidden: true },
  spread: { page: spread, nav: 'spread.nav', roles: [...ALL_ADMIN, 'auditor'], hidden: true },
  'lock-label': { page: locklabel, nav: 'locklabel.nav', roles: ['central_admin', 'installer'], hidden: true },
  'resident-link': { page: residentlink, nav: 'resident.nav', roles: ['central_admin'], hidden: true },
};
const HOME = { central_admin: 'overview', provider_admin: 'overview', planner: 'overview', installer: 'locks', auditor: 'log' };

const state = { user: null, expiredMessage: null };

/** Current route parsed from the hash: #/name/arg?k=v */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || '', args: parts.slice(1), query: Object.fromEntries(new URLSearchParams(query)) };
}

export function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

async function loadMe() {
  try {
    const me = await api('GET', '/me', undefined, { quietAuth: true });
    state.user = me.user;
    setCsrf(me.csrf_token);
  } catch {
    state.user = null;
    setCsrf(null);
  }
}

/** Called by the login page once TOTP is accepted. */
export async function signedIn(result) {
  state.expiredMessage = null;
  if (result && result.user) { state.user = result.user; setCsrf(result.csrf_token); } else await loadMe();
  go(`#/${HOME[state.user?.role] || 'overview'}`);
}

function renderChrome() {
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('nav.label'));
  nav.replaceChildren();
  const cur = parseHash().name;
  if (state.user) {
    const ul = h('ul');
    for (const [name, r] of Object.entries(ROUTES)) {
      if (r.hidden || !r.roles.includes(state.user.role)) continue;
      ul.append(h('li', h('a', { href: `#/${name}`, 'aria-current': name === cur ? 'page' : null }, t(r.nav))));
    }
    nav.append(ul);
  }
  document.getElementById('skip-link').textContent = t('common.skip');
  document.getElementById('lang-label').textContent = t('common.language');
  document.getElementById('lang-select').value = currentLang();
  const out = document.getElementById('logout');
  out.textContent = t('auth.logout');
  out.hidden = !state.user;
  document.getElementById('whoami').textContent = state.user
    ? t('auth.whoami', { name: state.user.display_name || state.user.username, role: t(`role.${state.user.role}`) }) : '';
}

let routeSeq = 0;
async function route() {
  const seq = ++routeSeq;
  const { name, args, query } = parseHash();
  alertError('');
  const main = document.getElementById('main');
  let view;
  if (!state.user || name === 'login') {
    if (state.user && name === 'login') { go(`#/${HOME[state.user.role]}`); return; }
    view = login.render({ message: state.expiredMessage, done: signedIn, query });
    document.title = `${t('auth.title')} – Portvakt`;
  } else {
    const r = ROUTES[name];
    if (!r) { go(`#/${HOME[state.user.role] || 'overview'}`); return; }
    document.title = `${t(r.nav)} – Portvakt`;
    main.setAttribute('aria-busy', 'true');
    try {
      view = await r.page.render({ user: state.user, args, query, lang: currentLang(), go, refresh: route });
      addListFilters(view);
    } catch (e) {
      view = h('section', h('h1', t(r.nav)), h('p.error-text', e.forPerson ? e.forPerson() : String(e.message || e)));
    }
    main.removeAttribute('aria-busy');
  }
  if (seq !== routeSeq) return;
  renderChrome();
  main.replaceChildren(view);
  const heading = main.querySelector('h1');
  if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
}

async function logout() {
  try { await api('POST', '/auth/logout', {}); } catch { /* already gone */ }
  state.user = null;
  setCsrf(null);
  say(t('auth.loggedOut'));
  go('#/login');
}

setExpiredHandler((err) => {
  if (!state.user) return;
  state.user = null;
  setCsrf(null);
  state.expiredMessage = err.slug === 'session-expired' ? t('auth.expired') : t('auth.signedOut');
  go('#/login');
});

async function boot() {
  await loadLanguage();
  document.getElementById('lang-select').addEventListener('change', async (e) => {
    await loadLanguage(e.target.value);
    await route();
    say(t('common.languageChanged'));
  });
  document.getElementById('logout').addEventListener('click', logout);
  window.addEventListener('hashchange', route);
  await loadMe();
  await route();
}

boot().catch((e) => {
  document.getElementById('main').replaceChildren(h('p.error-text', String(e.message || e)));
});
