// The phone key's test bench: simulated locks that trust the test server's issuer (its key
// file copied into a `portvakt` CLI state dir), `portvakt lock-serve` per lock with the
// server's lock ids, pv-radio-mitm recording the first lock's radio, and pv-ws-bridge carrying
// the browser's WebSocket to them; a phone-sized page; and the double login through the app.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { secretFromUri } from './totp.mjs';
import { SERVICE, TO_LOCK, FROM_LOCK, MAX_FRAGMENT, Reassembler } from '../../../server/web/phone/gatt.mjs';

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

function bin(rel) {
  const p = join(process.env.PV_BUILD_DIR || '', rel);
  if (!existsSync(p)) throw new Error(`${rel} is missing in the build directory`);
  return p;
}

export class LockBench {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'pv-phone-'));
    this.cli = bin('tools/portvakt/portvakt');
    this.procs = [];
    this.logs = {};
  }
  run(...args) {
    const r = spawnSync(this.cli, [...args.slice(0, 1), '--dir', this.dir, ...args.slice(1)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`portvakt ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  }
  spawnLogged(name, path, args) {
    const p = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.logs[name] = '';
    p.stdout.on('data', (d) => { this.logs[name] += d; });
    p.stderr.on('data', (d) => { this.logs[name] += d; });
    this.procs.push(p);
    return p;
  }
  async waitFor(file) {
    for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(50);
    if (!existsSync(file)) throw new Error(`${file} did not appear`);
  }
  // The locks trust the server's current issuer public key (GET /api/v1/issuer/keys), so they
  // accept the credentials the real server issues at sync. `portvakt lock-commission` reads the
  // issuer from issuer.sk and takes its public half (libsodium keeps the public key in the
  // secret key's last 32 bytes); the first 32 bytes stay zero: the bench never signs.
  async adoptIssuer(base) {
    const keys = await (await fetch(`${base}/api/v1/issuer/keys`)).json();
    const cur = keys.items.find((k) => k.current);
    if (!cur) throw new Error('the server shows no current issuer key');
    for (const sub of ['locks', 'bearers']) mkdirSync(join(this.dir, sub), { recursive: true, mode: 0o700 });
    writeFileSync(join(this.dir, 'issuer.sk'), Buffer.concat([Buffer.alloc(32), Buffer.from(cur.public_key, 'hex')]), { mode: 0o600 });
    writeFileSync(join(this.dir, 'issuer.id'), `${cur.issuer_id}\n`);
  }
  // Locks `ids` (the server's lock ids), each made from its Ed25519 seed in `seeds` (the keys
  // registered in the server, so it can verify their signed log batches); the first lock is
  // reached through a recorder.
  async start(base, ids, seeds) {
    this.ids = ids;
    await this.adoptIssuer(base);
    for (const [i, id] of ids.entries()) {
      this.run('lock-commission', '--lock-id', String(id), '--lock-seed', seeds[i]);
      this.spawnLogged(`lock${id}`, this.cli, ['lock-serve', '--dir', this.dir, '--lock-id', String(id), '--socket', join(this.dir, `l${id}.sock`)]);
      await this.waitFor(join(this.dir, `l${id}.sock`));
    }
  }
  // pv-radio-mitm records one key's session at lock 101 (it waits a few seconds for it).
  async startRecorder() {
    this.recording = join(this.dir, 'phone-session.rec');
    this.spawnLogged('mitm', bin('port/sim/pv-radio-mitm'), ['--listen', join(this.dir, 'mitm.sock'), '--connect', join(this.dir, `l${this.ids[0]}.sock`), '--record', this.recording]);
    await this.waitFor(join(this.dir, 'mitm.sock'));
  }
  async startBridge(origin) {
    const portFile = join(this.dir, 'bridge.port');
    const locks = this.ids.flatMap((id, i) => ['--lock', `${id}=${join(this.dir, i ? `l${id}.sock` : 'mitm.sock')}`]);
    this.spawnLogged('bridge', bin('tools/wsbridge/pv-ws-bridge'), ['--listen', '127.0.0.1:0', '--origin', origin, '--port-file', portFile, ...locks]);
    await this.waitFor(portFile);
    await sleep(50);
    this.bridge = `ws://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
  }
  replay() {
    const r = spawnSync(bin('port/sim/pv-radio-mitm'), ['--replay', this.recording, '--connect', join(this.dir, `l${this.ids[0]}.sock`)], { encoding: 'utf8', timeout: 20000 });
    return `${r.stdout}${r.stderr}`;
  }
  stop() { for (const p of this.procs) if (p.exitCode === null) p.kill('SIGTERM'); }
}

// A Portvakt lock emulated through Chromium's DevTools BluetoothEmulation domain (browser
// session) with the phone's chooser answered through DeviceAccess (page session). It
// serves the GATT service of docs/protocol.md §11.1 and reassembles what the phone writes.
// Chromium 156's domain has no way for the emulated lock to send a notification, so
// frames reach the lock but no answer can come back.
export async function emulatedLock(browser, context, page, fragSize = 182) {
  const b = await browser.newBrowserCDPSession(), p = await context.newCDPSession(page);
  const address = '0A:70:76:6B:01:01';
  await b.send('BluetoothEmulation.enable', { state: 'powered-on', leSupported: true });
  await b.send('BluetoothEmulation.simulatePreconnectedPeripheral', { address, name: 'Portvakt', manufacturerData: [], knownServiceUuids: [SERVICE] });
  const { serviceId } = await b.send('BluetoothEmulation.addService', { address, serviceUuid: SERVICE });
  const add = async (uuid, properties) => (await b.send('BluetoothEmulation.addCharacteristic', { serviceId, characteristicUuid: uuid, properties })).characteristicId;
  const to = await add(TO_LOCK, { write: true, writeWithoutResponse: true });
  const from = await add(FROM_LOCK, { notify: true });
  const max = await add(MAX_FRAGMENT, { read: true });
  await b.send('BluetoothEmulation.addDescriptor', { characteristicId: from, descriptorUuid: '00002902-0000-1000-8000-00805f9b34fb' });
  const lock = { frames: [], ops: [], errors: [] };
  const rx = new Reassembler(fragSize);
  const ok = (fn) => fn().catch((e) => lock.errors.push(e.message));
  b.on('BluetoothEmulation.gattOperationReceived', (e) => { lock.ops.push(e.type); ok(() => b.send('BluetoothEmulation.simulateGATTOperationResponse', { address, type: e.type, code: 0 })); });
  b.on('BluetoothEmulation.descriptorOperationReceived', (e) => ok(() => b.send('BluetoothEmulation.simulateDescriptorOperationResponse', { descriptorId: e.descriptorId, type: e.type, code: 0 })));
  b.on('BluetoothEmulation.characteristicOperationReceived', (e) => {
    lock.ops.push(e.type);
    if (e.type === 'read' && e.characteristicId === max) {
      ok(() => b.send('BluetoothEmulation.simulateCharacteristicOperationResponse', { characteristicId: max, type: 'read', code: 0, data: Buffer.from([fragSize & 0xff, fragSize >> 8]).toString('base64') }));
    } else if (e.type === 'write' && e.characteristicId === to) {
      const frame = rx.push(new Uint8Array(Buffer.from(e.data, 'base64')));
      if (frame) lock.frames.push(frame);
      if (e.writeType === 'write-with-response') ok(() => b.send('BluetoothEmulation.simulateCharacteristicOperationResponse', { characteristicId: to, type: 'write', code: 0 }));
    } else {
      ok(() => b.send('BluetoothEmulation.simulateCharacteristicOperationResponse', { characteristicId: e.characteristicId, type: e.type, code: 0 }));
    }
  });
  await p.send('DeviceAccess.enable');
  let chosen = false;
  p.on('DeviceAccess.deviceRequestPrompted', (e) => {
    if (chosen || !e.devices.length) return;
    chosen = true;
    ok(() => p.send('DeviceAccess.selectPrompt', { id: e.id, deviceId: e.devices[0].id }));
  });
  return lock;
}

export async function phonePage(context, base, bridge) {
  const page = await context.newPage();
  page.pvErrors = [];
  page.on('pageerror', (e) => page.pvErrors.push(String(e)));
  await page.goto(`${base}/phone/?bridge=${encodeURIComponent(bridge)}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  return page;
}

// The phone's app login: username, password and the current TOTP code (each code once: the
// ledger waits for a fresh step), typed into the app.
export async function appLogin(page, f, login) {
  await page.locator('#login').waitFor({ state: 'visible', timeout: 15000 });
  await page.getByLabel('Användarnamn').fill(login.username);
  await page.getByLabel('Lösenord').fill(login.password);
  await page.getByLabel('Kod från kodappen (6 siffror)').fill(await f.ledger.fresh(`phone:${login.username}`, login.secret));
  await page.getByRole('button', { name: 'Logga in' }).tap();
}

// A new staff member of provider A with a right to recipient A around the clock, and their app
// login made by `admin` (fixture.json's world): {username, password, secret, staffId}.
export async function staffWithPhoneLogin(f, admin, username, today) {
  const staff = await admin.post('/staff', { display_name: 'Petra Telefon', provider_id: f.providers.A.id });
  await admin.post('/rights', { staff_id: staff.id, recipient_id: f.recipients.A.id, kind: 'standing', valid_from: today,
    windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] });
  return { ...(await makePhoneLogin(admin, staff.id, username)), staffId: staff.id };
}

// The staff member's planner makes their app login (shown once); returns {username, password, secret}.
export async function makePhoneLogin(planner, staffId, username) {
  const l = await planner.post(`/staff/${staffId}/phone-login`, { username });
  return { username: l.username, password: l.password, secret: secretFromUri(l.otpauth_uri) };
}

// Wait until the app shows `n` doors (after a sync, pushed or tapped).
export async function waitDoors(page, n, timeout = 15000) {
  await page.waitForFunction((k) => document.querySelectorAll('#doors button[data-lock]').length === k, n, { timeout });
}

// Double login and enrolment in the app: sign in, choose the PIN (the key is made on the phone
// and enrolled as the staff member's phone key), unlock with the PIN, sync with the real
// server (the first sync starts by itself at unlock). Returns the phone's key number.
export async function enrolPhone(page, f, login, pin, doors) {
  await appLogin(page, f, login);
  await page.getByLabel('Välj PIN-kod').fill(pin);
  await page.getByLabel('Skriv PIN-koden igen').fill(pin);
  await page.getByRole('button', { name: 'Skapa nyckel' }).tap();
  await page.locator('#locked').waitFor({ state: 'visible', timeout: 30000 }); // after Argon2id
  await page.getByLabel('PIN-kod', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Lås upp' }).tap();
  // an unlocked key asks the server for changes at once and syncs: no tap needed
  await waitDoors(page, doors);
  return page.evaluate(async () => {
    const db = await new Promise((ok) => { const r = indexedDB.open('portvakt-phone', 1); r.onsuccess = () => ok(r.result); });
    return new Promise((ok) => { const r = db.transaction('kv').objectStore('kv').get('bearer_id'); r.onsuccess = () => ok(r.result); });
  });
}
