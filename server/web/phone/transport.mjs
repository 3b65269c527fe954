// One interface for every way the phone reaches a lock. A transport carries whole radio
// frames (M1..M4) to and from one lock:
//   await t.open();  await t.send(frame);  const frame = await t.recv(ms);  t.close();
// recv() rejects with TransportError on timeout or a broken link; nothing here reads the
// frames — the key core (key.mjs) does.
import { SERVICE, TO_LOCK, FROM_LOCK, MAX_FRAGMENT, FRAG_MIN, FRAG_MAX, fragment, Reassembler } from './gatt.mjs';

export class TransportError extends Error {
  constructor(kind, detail) { super(`${kind}: ${detail}`); this.kind = kind; }
}

// A queue of received frames with timed waits, shared by both transports.
class Inbox {
  constructor() { this.frames = []; this.waiter = null; this.error = null; }
  put(frame) {
    if (this.waiter) { const w = this.waiter; this.waiter = null; w.resolve(frame); } else this.frames.push(frame);
  }
  fail(err) {
    this.error = err;
    if (this.waiter) { const w = this.waiter; this.waiter = null; w.reject(err); }
  }
  get(ms) {
    if (this.frames.length) return Promise.resolve(this.frames.shift());
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiter = null; reject(new TransportError('timeout', `no answer in ${ms} ms`)); }, ms);
      this.waiter = { resolve: (f) => { clearTimeout(timer); resolve(f); }, reject: (e) => { clearTimeout(timer); reject(e); } };
    });
  }
}

// WebSocket to pv-ws-bridge (simulated locks): one binary message is one radio frame.
export class WebSocketTransport {
  constructor(url) { this.url = url; this.inbox = new Inbox(); this.ws = null; }
  open() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => { this.ws = ws; resolve(); };
      ws.onmessage = (ev) => {
        if (ev.data instanceof ArrayBuffer) this.inbox.put(new Uint8Array(ev.data));
        else this.inbox.fail(new TransportError('protocol', 'text from the bridge'));
      };
      ws.onerror = () => reject(new TransportError('unreachable', 'the lock cannot be reached'));
      ws.onclose = (ev) => this.inbox.fail(new TransportError('closed', `${ev.code} ${ev.reason}`));
    });
  }
  async send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) throw new TransportError('closed', 'not connected');
    this.ws.send(frame);
  }
  recv(ms) { return this.inbox.get(ms); }
  close() { if (this.ws) this.ws.close(1000); this.ws = null; }
}

// Web Bluetooth (a real lock): Portvakt's GATT service, fragments per gatt.mjs.
export class BluetoothTransport {
  // Must run inside the user's tap (requestDevice needs a user gesture).
  static async pick(bluetooth = globalThis.navigator && navigator.bluetooth) {
    if (!bluetooth) throw new TransportError('unsupported', 'this browser has no Web Bluetooth');
    const device = await bluetooth.requestDevice({ filters: [{ services: [SERVICE] }] });
    return new BluetoothTransport(device);
  }
  constructor(device) { this.device = device; this.inbox = new Inbox(); this.rx = new Reassembler(); }
  async open() {
    const server = await this.device.gatt.connect();
    const svc = await server.getPrimaryService(SERVICE);
    this.toLock = await svc.getCharacteristic(TO_LOCK);
    const from = await svc.getCharacteristic(FROM_LOCK);
    const max = await (await svc.getCharacteristic(MAX_FRAGMENT)).readValue();
    const n = max.byteLength >= 2 ? max.getUint16(0, true) : FRAG_MIN;
    this.maxFrag = Math.min(FRAG_MAX, Math.max(FRAG_MIN, n));
    this.onNotify = (ev) => {
      const v = ev.target.value;
      try {
        const frame = this.rx.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
        if (frame) this.inbox.put(frame);
      } catch (e) {
        this.inbox.fail(new TransportError('protocol', e.message));
      }
    };
    from.addEventListener('characteristicvaluechanged', this.onNotify);
    await from.startNotifications();
    this.device.addEventListener('gattserverdisconnected', () => this.inbox.fail(new TransportError('closed', 'the lock disconnected')));
  }
  async send(frame) {
    for (const f of fragment(frame, this.maxFrag)) await this.toLock.writeValueWithoutResponse(f);
  }
  recv(ms) { return this.inbox.get(ms); }
  close() { if (this.device.gatt.connected) this.device.gatt.disconnect(); }
}

// One unlock through any transport. The caller has called key.confirm() in the tap's
// handler. Returns the key core's outcome ({ status, name, lockId, ... }) and keyMs, the
// time spent in the key core itself (the bench's phone.unlock_wasm_ms).
export async function unlockThrough(key, transport, ms = 3000) {
  let keyMs = 0;
  const timed = (fn) => { const t0 = performance.now(); try { return fn(); } finally { keyMs += performance.now() - t0; } };
  const m1 = timed(() => key.unlockStart());
  try {
    await transport.open();
    await transport.send(m1);
    const m2 = await transport.recv(ms);
    const ch = timed(() => key.onChallenge(m2));
    if (!ch.m3) return { status: ch.rc, name: ch.name, lockId: 0, keyMs };
    await transport.send(ch.m3);
    const m4 = await transport.recv(ms);
    return { ...timed(() => key.onResult(m4)), keyMs };
  } catch (e) {
    key.abort(-85); /* PV_E_TIMEOUT: logged by the key as "no answer from the lock" */
    return { status: -85, name: 'PV_E_TIMEOUT', lockId: 0, error: e, keyMs };
  } finally {
    transport.close();
  }
}
