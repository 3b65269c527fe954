// Portvakt's phone key app: create the key (identity made here, sealed under the PIN),
// register and sync it, unlock it with the PIN (5 wrong PINs erase it), and open a door
// with one explicit tap. Every text from i18n/<lang>.json, Swedish first.
import createPhoneCore from './wasm/pv-phone.mjs';
import { PhoneCore, PIN_TRIES } from './key.mjs';
import * as store from './store.mjs';
import { WebSocketTransport, BluetoothTransport, unlockThrough } from './transport.mjs';

const $ = (id) => document.getElementById(id);
const AUTO_LOCK_MS = 2 * 60 * 1000; // an unlocked key left alone locks itself
let texts = {}, core = null, key = null, idleTimer = 0;

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
  for (const s of ['setup', 'register', 'locked', 'home']) $(s).hidden = s !== id;
  const first = $(id).querySelector('input, button');
  if (first) first.focus();
}

const pinOk = (p) => /^[0-9]{4,12}$/.test(p);
// Let the status text paint before Argon2id holds the main thread for a second.
const paint = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

async function createKey(ev) {
  ev.preventDefault();
  const p1 = $('pin1').value, p2 = $('pin2').value;
  if (!pinOk(p1)) return say(t('setup.badpin'), 'bad');
  if (p1 !== p2) return say(t('setup.mismatch'), 'bad');
  say(t('setup.working'));
  await paint();
  const seed = core.seedNew();
  const vault = core.vaultSeal(p1, seed);
  const pk = core.seedPublic(seed);
  seed.fill(0);
  $('pin1').value = $('pin2').value = '';
  await store.put('vault', vault);
  await store.put('tries', 0);
  await store.put('public_key', hex(pk));
  say('');
  await route();
}

async function saveBearer(ev) {
  ev.preventDefault();
  const v = $('bearer').value.trim();
  if (!/^[1-9][0-9]{0,9}$/.test(v) || Number(v) > 0xffffffff) return say(t('register.badnumber'), 'bad');
  await store.put('bearer_id', Number(v));
  say('');
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
  const r = core.vaultOpen(pin, vault);
  if (!r.ok) {
    if (tries >= PIN_TRIES) {
      await store.del('vault', 'tries', 'public_key', 'bearer_id', 'sync');
      say(t('locked.wiped'), 'bad');
      return show('setup');
    }
    return say(t('locked.wrong', { n: PIN_TRIES - tries }), 'bad');
  }
  await store.put('tries', 0);
  key = core.openKey(r.seed);
  r.seed.fill(0);
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
  $('doors').replaceChildren(); // nothing of an unlocked key stays on the page
  clearTimeout(idleTimer);
  route();
}

function armIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(lockKey, AUTO_LOCK_MS);
}

async function api(path, body) {
  const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    credentials: 'same-origin', body: JSON.stringify(body) });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.detail || j.title || `HTTP ${r.status}`);
  return j;
}

// docs/sync.md: the phone signs the server's challenge with its own key.
async function sync() {
  armIdle();
  const bearerId = await store.get('bearer_id');
  say(t('home.syncing'));
  try {
    const ch = await api('/api/v1/sync/challenge', { bearer_id: bearerId });
    const sig = key.syncSign(unhex(ch.nonce), bearerId);
    const res = await api('/api/v1/sync', { bearer_id: bearerId, nonce: ch.nonce, signature: hex(sig),
      bearer_events: [], lock_batches: [] });
    if (res.credential) key.install(unhex(res.credential), unhex(res.entries), unhex(res.revlist), unhex(res.beacon));
    await store.put('sync', { credential: res.credential, entries: res.entries, revlist: res.revlist,
      beacon: res.beacon, valid_until: res.valid_until });
    say(t('home.synced', { n: doorList(res.entries).length }), 'good');
  } catch (e) {
    say(t('home.syncfail', { detail: e.message }), 'bad');
  }
  await route();
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
  say(t('home.opening', { door: label }));
  let tr = transportFor(door.id);
  if (!tr) {
    try { tr = await BluetoothTransport.pick(); } catch { return say(t('error.nobluetooth'), 'bad'); }
  }
  key.confirm();
  let o;
  try { o = await unlockThrough(key, tr); } catch (e) { o = { name: e.codeName || 'other' }; }
  say(texts[`outcome.${o.name}`] ? t(`outcome.${o.name}`) : t('outcome.other'), o.name === 'PV_OK' ? 'good' : 'bad');
  document.body.dataset.lastKeyMs = o.keyMs ? o.keyMs.toFixed(3) : '';
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
  if (!vault) return show('setup');
  if (!(await store.get('bearer_id'))) {
    $('pubkey').textContent = await store.get('public_key');
    return show('register');
  }
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
  $('register-form').addEventListener('submit', saveBearer);
  $('locked-form').addEventListener('submit', unlockKey);
  $('sync').addEventListener('click', sync);
  $('lock').addEventListener('click', lockKey);
  // a phone put away locks its key: a stolen phone found unlocked is locked again
  document.addEventListener('visibilitychange', () => { if (document.hidden && key) lockKey(); });
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/phone/sw.js').catch(() => {});
  await route();
  document.body.dataset.ready = '1';
}

main();
