// Portvakt's phone key app. Double login: the app login with the authorization system
// (password + TOTP code, a 15-minute phone session) and the PIN on the phone. The key is made
// here, enrolled as the staff member's phone key, and sealed under the PIN mixed with the
// per-phone secret the server releases only after the app login (a copy of the phone's
// storage cannot be PIN-guessed offline; a blocked phone gets no secret). 5 wrong PINs erase
// it; a door opens with one explicit tap. Every text from i18n/<lang>.json, Swedish first.
import createPhoneCore from './wasm/pv-phone.mjs';
import { PhoneCore, PIN_TRIES } from './key.mjs';
import * as store from './store.mjs';
import { WebSocketTransport, BluetoothTransport, unlockThrough } from './transport.mjs';

const $ = (id) => document.getElementById(id);
const AUTO_LOCK_MS = 2 * 60 * 1000; // an unlocked key left alone locks itself
let texts = {}, core = null, key = null, idleTimer = 0;
// In memory only, never in storage: the phone session, and the per-phone secret for the shift.
let session = '', phoneSecret = null;
const RETRY_MS = 2000; // after a failed wait (offline); a full server says how long itself
let pollTimer = 0, syncing = false, opening = false, syncedToken = null, shownDoors = '';

const t = (k, vars = {}) => (texts[k] || k).replace(/\{(\w+)\}/g, (_, v) => String(vars[v] ?? ''));
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s) => Uint8Array.from((s || '').match(/../g) || [], (h) => parseInt(h, 16));

async function loadTexts(lang) {
  const r = await fetch(`/phone/i18n/${lang}.json`);
  texts = await r.json();
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
}

function say(text, kind = '') {
  const s = $('status');
  s.className = `status ${kind}`;
  s.textContent = text;
}

function show(id) {
  for (const s of ['login', 'setup', 'locked', 'home']) $(s).hidden = s !== id;
  const first = $(id).querySelector('input, button');
  if (first) first.focus();
}

const pinOk = (p) => /^[0-9]{4,12}$/.test(p);
// Let the status text paint before Argon2id holds the main thread for a second.
const paint = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

// The vault's key is Argon2id over the PIN and the per-phone secret together (docs/phone.md).
const b64url = (b) => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const vaultPin = (pin) => `${pin}:${b64url(phoneSecret)}`;

// The key is made here; only its public key leaves the phone, enrolled under the app login.
async function createKey(ev) {
  ev.preventDefault();
  const p1 = $('pin1').value, p2 = $('pin2').value;
  if (!pinOk(p1)) return say(t('setup.badpin'), 'bad');
  if (p1 !== p2) return say(t('setup.mismatch'), 'bad');
  say(t('setup.working'));
  await paint();
  const seed = core.seedNew();
  try {
    const pk = core.seedPublic(seed);
    const e = await api('/api/v1/phone/enrol', { public_key: hex(pk), label: t('phone.label') });
    phoneSecret = unhex(e.phone_secret);
    const vault = core.vaultSeal(vaultPin(p1), seed);
    await store.put('vault', vault);
    await store.put('tries', 0);
    await store.put('public_key', hex(pk));
    await store.put('bearer_id', e.bearer_id);
    say('');
  } catch (e) {
    say(t('login.failed', { detail: e.message }), 'bad');
    if (e.status === 401) session = '';
  } finally {
    seed.fill(0);
    $('pin1').value = $('pin2').value = '';
  }
  await route();
}

async function erase() {
  if (key) key.close();
  key = null;
  phoneSecret = null;
  await store.del('vault', 'tries', 'public_key', 'bearer_id', 'sync', 'batches');
}

// The app login: both factors at once; then, for an existing key, its per-phone secret.
async function login(ev) {
  ev.preventDefault();
  const body = { username: $('user').value.trim(), password: $('password').value, code: $('code').value.trim() };
  $('password').value = $('code').value = '';
  say(t('login.working'));
  try {
    session = (await api('/api/v1/phone/login', body)).session;
    const bearerId = await store.get('bearer_id');
    if (bearerId && (await store.get('vault'))) {
      try {
        phoneSecret = unhex((await api('/api/v1/phone/secret', { bearer_id: bearerId })).phone_secret);
      } catch (e) {
        if (e.type !== 'bearer-blocked' && e.type !== 'phone-unknown') throw e;
        await erase(); // a blocked or unknown phone's vault can never open again
        say(t(e.type === 'bearer-blocked' ? 'login.blocked' : 'login.unknown'), 'bad');
        return route();
      }
    }
    say('');
  } catch (e) {
    say(t('login.failed', { detail: e.message }), 'bad');
  }
  await route();
}

// Count the try before trying, so closing the page mid-check still counts it.
async function unlockKey(ev) {
  ev.preventDefault();
  const pin = $('pin').value;
  $('pin').value = '';
  const vault = await store.get('vault');
  const tries = ((await store.get('tries')) || 0) + 1;
  await store.put('tries', tries);
  say(t('locked.checking'));
  await paint();
  const r = core.vaultOpen(vaultPin(pin), vault);
  if (!r.ok) {
    if (tries >= PIN_TRIES) {
      await erase();
      say(t('locked.wiped'), 'bad');
      return route();
    }
    return say(t('locked.wrong', { n: PIN_TRIES - tries }), 'bad');
  }
  await store.put('tries', 0);
  key = core.openKey(r.seed);
  r.seed.fill(0);
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, 0);
  const sync = await store.get('sync');
  if (sync && sync.credential) {
    try { key.install(unhex(sync.credential), unhex(sync.entries), unhex(sync.revlist), unhex(sync.beacon)); }
    catch { await store.del('sync'); } // a stored sync the key refuses is dropped, not trusted
  }
  say('');
  armIdle();
  await route();
}

function lockKey() {
  if (key) key.close();
  key = null;
  clearTimeout(pollTimer);
  pollTimer = 0;
  $('doors').replaceChildren(); // nothing of an unlocked key stays on the page
  clearTimeout(idleTimer);
  route();
}

function armIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(lockKey, AUTO_LOCK_MS);
}

// A POST to the server; a refusal throws with its problem type and the server's sentence.
async function api(path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (session) headers['X-Portvakt-Phone-Session'] = session;
  let r;
  try {
    r = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body) });
  } catch { throw new Error(t('error.offline')); }
  const j = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = new Error(j.detail || j.title || t('error.offline'));
    e.status = r.status;
    e.type = String(j.type || '').split('/').pop();
    throw e;
  }
  return j;
}

// docs/sync.md: the phone signs the server's challenge with its own key. `pushed`: started by
// a change the server announced, not by a tap (it does not count as use of the key); `known`:
// the token that announcement carried (saves asking for it again).
async function sync(pushed = false, known = null) {
  if (!pushed) while (syncing) await new Promise((r) => setTimeout(r, 50)); // a tap waits its turn
  if (syncing || opening || !key) return;
  syncing = true;
  if (!pushed) armIdle();
  const bearerId = await store.get('bearer_id');
  if (!pushed) say(t('home.syncing'));
  try {
    const before = known || await changeToken(bearerId);
    const ch = await api('/api/v1/sync/challenge', { bearer_id: bearerId });
    const sig = key.syncSign(unhex(ch.nonce), bearerId);
    const batches = (await store.get('batches')) || [];
    const res = await api('/api/v1/sync', { bearer_id: bearerId, nonce: ch.nonce, signature: hex(sig),
      bearer_events: [], lock_batches: batches });
    // stored or refused for good (the server verified every one): either way not sent again
    const left = ((await store.get('batches')) || []).slice(batches.length);
    await store.put('batches', left);
    if (res.credential) key.install(unhex(res.credential), unhex(res.entries), unhex(res.revlist), unhex(res.beacon));
    await store.put('sync', { credential: res.credential, entries: res.entries, revlist: res.revlist,
      beacon: res.beacon, valid_until: res.valid_until });
    // a change while this sync ran (the token moved) is fetched by the next poll
    const after = await changeToken(bearerId);
    syncedToken = before === after ? after : before;
    const doors = doorList(res.entries).map((d) => `${d.id}:${d.kind}`).join();
    if (!pushed) say(t('home.synced', { n: doorList(res.entries).length }), 'good');
    else if (doors !== shownDoors) say(t('home.pushed', { n: doorList(res.entries).length }), 'good');
    shownDoors = doors;
    document.body.dataset.syncedAt = String(Date.now());
  } catch (e) {
    if (!(await blocked(e))) say(t('home.syncfail', { detail: e.message }), 'bad');
  } finally {
    syncing = false;
  }
  await route();
}

// The server's change token for this key (docs/phone.md, "Push"): null when unreachable.
// With `have` the server holds the request until the key's token differs from it (or about
// 25 s pass): the long poll that brings a change within the push bound.
async function changeToken(bearerId, have) {
  const body = have ? { bearer_id: bearerId, token: have } : { bearer_id: bearerId };
  try { return (await api('/api/v1/phone/wait', body)).token; } catch (e) {
    if (e.type === 'bearer-blocked') throw e;
    if (e.type === 'push-full' || e.type === 'push-too-many') await new Promise((r) => setTimeout(r, 5000));
    return null;
  }
}

// A key the planner blocked: erase it here too, and say so. True when that was the refusal.
async function blocked(e) {
  if (e.type !== 'bearer-blocked') return false;
  await erase();
  $('doors').replaceChildren();
  say(t('login.blocked'), 'bad');
  return true;
}

// While the key is unlocked the app keeps one wait open at the server, which answers when
// this key's change token moves; then it syncs: new rights, block lists and alarm grants
// arrive without a tap.
async function poll() {
  pollTimer = 0;
  if (!key) return; // a locked key cannot sign a sync; waiting starts again at unlock
  let token = null;
  try {
    token = await changeToken(await store.get('bearer_id'), syncedToken);
    if (token && token !== syncedToken && !opening) await sync(true, token);
  } catch (e) {
    if (await blocked(e)) return route();
  }
  // at once when synced to the token; soon when a door was opening; later when it failed
  const delay = !token ? RETRY_MS : token === syncedToken ? 0 : opening ? 250 : RETRY_MS;
  if (key && !pollTimer) pollTimer = setTimeout(poll, delay);
}

// Doors from the rights: lock id and kind (entry flags, docs/protocol.md §3.1).
function doorList(entriesHex) {
  const e = unhex(entriesHex), seen = new Map();
  for (let i = 0; i + 10 <= e.length; i += 10) {
    const dv = new DataView(e.buffer, i, 10);
    const id = dv.getUint32(0, true), f = dv.getUint16(8, true);
    const kind = f & 8 ? 'alarm' : f & 1 ? 'apartment' : f & 2 ? 'entrance' : 'common';
    if (!seen.has(id)) seen.set(id, kind);
  }
  return [...seen].map(([id, kind]) => ({ id, kind }));
}

function transportFor(lockId) {
  const bridge = localStorage.getItem('portvakt.bridge');
  return bridge ? new WebSocketTransport(`${bridge}/lock/${lockId}`) : null;
}

// The explicit tap arms the key for one unlock (confirm(), inside this handler; with
// Bluetooth after the user picked the lock in the browser's chooser, same gesture).
async function openDoor(door, label) {
  armIdle();
  opening = true; // no pushed sync starts now; one already running is waited for
  while (syncing) await new Promise((r) => setTimeout(r, 50));
  try { await openDoorNow(door, label); } finally { opening = false; }
}

async function openDoorNow(door, label) {
  say(t('home.opening', { door: label }));
  let tr = transportFor(door.id);
  if (!tr) {
    try { tr = await BluetoothTransport.pick(); } catch { return say(t('error.nobluetooth'), 'bad'); }
  }
  key.confirm();
  let o;
  try { o = await unlockThrough(key, tr); } catch (e) { o = { name: e.codeName || 'other' }; }
  await keepBatches();
  say(texts[`outcome.${o.name}`] ? t(`outcome.${o.name}`) : t('outcome.other'), o.name === 'PV_OK' ? 'good' : 'bad');
  document.body.dataset.lastKeyMs = o.keyMs ? o.keyMs.toFixed(3) : '';
}

// The lock's signed log batches the key carried away, kept until the server has them (they
// go up with the next sync, docs/sync.md): the key's own memory is wiped when it locks.
const BATCHES_KEPT = 64;
async function keepBatches() {
  let got = [];
  try { got = key ? key.takeBatches() : []; } catch { got = []; }
  if (!got.length) return;
  const kept = ((await store.get('batches')) || []).concat(got.map(hex));
  await store.put('batches', kept.slice(-BATCHES_KEPT));
}

async function renderHome() {
  const sync = await store.get('sync');
  const ul = $('doors');
  ul.replaceChildren();
  const doors = sync && sync.credential ? doorList(sync.entries) : [];
  $('valid').textContent = doors.length
    ? t('home.valid', { time: new Date(sync.valid_until * 1000).toLocaleString(document.documentElement.lang) })
    : t('home.none');
  for (const d of doors) {
    const label = t(`door.${d.kind}`, { id: d.id });
    const li = document.createElement('li'), b = document.createElement('button');
    const name = document.createElement('span'), act = document.createElement('span');
    b.type = 'button';
    b.dataset.lock = String(d.id);
    name.textContent = label;
    act.className = 'act';
    act.textContent = t('home.open');
    b.append(name, act);
    b.addEventListener('click', () => openDoor(d, label));
    li.append(b);
    ul.append(li);
  }
}

async function route() {
  const vault = await store.get('vault');
  if (!vault) return show(session ? 'setup' : 'login');
  if (!phoneSecret) return show('login');
  if (!key) return show('locked');
  await renderHome();
  show('home');
}

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.get('bridge')) localStorage.setItem('portvakt.bridge', params.get('bridge'));
  const lang = localStorage.getItem('portvakt.phone.lang') || 'sv';
  $('lang').value = lang;
  await loadTexts(lang);
  $('lang').addEventListener('change', async (e) => {
    localStorage.setItem('portvakt.phone.lang', e.target.value);
    await loadTexts(e.target.value);
    await route();
  });
  if (typeof WebAssembly !== 'object') return say(t('error.nowasm'), 'bad');
  core = await PhoneCore.load(createPhoneCore);
  $('setup-form').addEventListener('submit', createKey);
  $('login-form').addEventListener('submit', login);
  $('locked-form').addEventListener('submit', unlockKey);
  $('sync').addEventListener('click', () => sync());
  $('lock').addEventListener('click', lockKey);
  // a phone put away locks its key: a stolen phone found unlocked is locked again
  document.addEventListener('visibilitychange', () => { if (document.hidden && key) lockKey(); });
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/phone/sw.js').catch(() => {});
  await route();
  document.body.dataset.ready = '1';
}

main();
