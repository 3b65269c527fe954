// The phone key's test bench: simulated locks from the `portvakt` CLI's state dir (its own
// issuer), `portvakt lock-serve` per lock, pv-radio-mitm recording one lock's radio, and
// pv-ws-bridge carrying the browser's WebSocket to them; plus a phone-sized page.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPublicKey, verify } from 'node:crypto';
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
  // Locks 101 (apartment) and 201 (entrance); lock 101 is reached through a recorder.
  async start() {
    this.run('issuer-create', '--issuer-id', '1');
    for (const id of [101, 201]) {
      this.run('lock-commission', '--lock-id', String(id));
      this.spawnLogged(`lock${id}`, this.cli, ['lock-serve', '--dir', this.dir, '--lock-id', String(id), '--socket', join(this.dir, `l${id}.sock`)]);
      await this.waitFor(join(this.dir, `l${id}.sock`));
    }
  }
  // pv-radio-mitm records one key's session at lock 101 (it waits a few seconds for it).
  async startRecorder() {
    this.recording = join(this.dir, 'phone-session.rec');
    this.spawnLogged('mitm', bin('port/sim/pv-radio-mitm'), ['--listen', join(this.dir, 'mitm.sock'), '--connect', join(this.dir, 'l101.sock'), '--record', this.recording]);
    await this.waitFor(join(this.dir, 'mitm.sock'));
  }
  async startBridge(origin) {
    const portFile = join(this.dir, 'bridge.port');
    this.spawnLogged('bridge', bin('tools/wsbridge/pv-ws-bridge'), ['--listen', '127.0.0.1:0', '--origin', origin, '--port-file', portFile,
      '--lock', `101=${join(this.dir, 'mitm.sock')}`, '--lock', `201=${join(this.dir, 'l201.sock')}`]);
    await this.waitFor(portFile);
    await sleep(50);
    this.bridge = `ws://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
  }
  // What `portvakt credential-issue` wrote, as docs/sync.md's answer.
  syncAnswer(bearerId) {
    const f = (ext) => readFileSync(join(this.dir, 'bearers', `${bearerId}.${ext}`)).toString('hex');
    const cred = Buffer.from(f('cred'), 'hex');
    return { credential: f('cred'), entries: f('entries'), revlist: f('revlist'), beacon: f('beacon'),
      valid_from: Number(cred.readBigUInt64LE(32)), valid_until: Number(cred.readBigUInt64LE(40)) };
  }
  replay() {
    const r = spawnSync(bin('port/sim/pv-radio-mitm'), ['--replay', this.recording, '--connect', join(this.dir, 'l101.sock')], { encoding: 'utf8', timeout: 20000 });
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

// The sync API as docs/sync.md fixes it, answered by the test: the challenge's nonce, then the
// credential only if the phone signed "portvakt-sync-v1" || 0 || nonce || bearer_id with its key.
async function serveSync(context, publicKeyHex, answer, bearerId) {
  const nonce = Buffer.alloc(32, 0x5c);
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKeyHex, 'hex')]);
  const pub = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const seen = { signed: 0 };
  await context.route('**/api/v1/sync/challenge', (r) => r.fulfill({ json: { nonce: nonce.toString('hex'), expires_at: 0 } }));
  await context.route('**/api/v1/sync', (r) => {
    const b = r.request().postDataJSON();
    const id = Buffer.alloc(4); id.writeUInt32LE(b.bearer_id);
    const msg = Buffer.concat([Buffer.from('portvakt-sync-v1\0'), Buffer.from(b.nonce, 'hex'), id]);
    if (b.bearer_id !== bearerId || !verify(null, msg, pub, Buffer.from(b.signature, 'hex')))
      return r.fulfill({ status: 403, json: { title: 'Bad signature', detail: 'bad signature' } });
    seen.signed++;
    return r.fulfill({ json: { ...answer, doors: 2 } });
  });
  return seen;
}

export async function phonePage(context, base, bridge) {
  const page = await context.newPage();
  page.pvErrors = [];
  page.on('pageerror', (e) => page.pvErrors.push(String(e)));
  await page.goto(`${base}/phone/?bridge=${encodeURIComponent(bridge)}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  return page;
}

// The phone makes its key under `pin` and shows its public key; `portvakt` registers it as
// bearer `bearerId` with rights to locks 101 and 201 for 10 h; the phone saves its key
// number, unlocks with the PIN and syncs (answered by serveSync). Returns serveSync's count.
export async function enrolPhone(context, page, bench, pin, bearerId) {
  await page.getByLabel('Välj PIN-kod').fill(pin);
  await page.getByLabel('Skriv PIN-koden igen').fill(pin);
  await page.getByRole('button', { name: 'Skapa nyckel' }).tap();
  await page.locator('#register').waitFor({ state: 'visible', timeout: 30000 }); // after Argon2id
  const pk = (await page.locator('#pubkey').textContent()).trim();
  if (!/^[0-9a-f]{64}$/.test(pk)) throw new Error(`the phone shows no public key: "${pk}"`);
  bench.run('bearer-register', '--bearer-id', String(bearerId), '--public-key', pk);
  bench.run('credential-issue', '--bearer-id', String(bearerId), '--locks', '101,201', '--hours', '10');
  const seen = await serveSync(context, pk, bench.syncAnswer(bearerId), bearerId);
  await page.getByLabel('Nyckelnummer från planeraren').fill(String(bearerId));
  await page.getByRole('button', { name: 'Spara nyckelnummer' }).tap();
  await page.getByLabel('PIN-kod', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Lås upp' }).tap();
  await page.getByRole('button', { name: 'Hämta behörigheter' }).tap();
  await page.getByText('Klart: 2 dörrar.').waitFor({ timeout: 15000 });
  return seen;
}
