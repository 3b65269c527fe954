// The phone's key core: lib/key and the PIN vault in WebAssembly (port/wasm), wrapped
// so the app never handles module memory. Every buffer is copied in, the call made, the
// result copied out and the module's copy wiped. Works in the browser and in Node (tests).

const SEED = 32, VAULT = 97, HELLO = 40, MSG_MAX = 3072, OUTCOME = 24, PK = 32, SIG = 64;
const BATCH_MAX = 1024; // >= PV_LOGBATCH_MAX_SIZE (40 events, header, signature)
export const PIN_TRIES = 5;

export class KeyError extends Error {
  constructor(code, name, text) {
    super(`${name}: ${text}`);
    this.code = code;
    this.codeName = name;
  }
}

export class PhoneCore {
  // factory: the emscripten module factory (pv-phone.mjs default export, or the Node build).
  static async load(factory) {
    // libsodium's randombytes asks the module for 32-bit values: the platform's CSPRNG
    // (Web Crypto; where a Node.js has none global, libsodium's own glue uses node:crypto).
    const wc = globalThis.crypto;
    const m = await factory(wc && wc.getRandomValues
      ? { getRandomValue: () => wc.getRandomValues(new Uint32Array(1))[0] >>> 0 } : {});
    const core = new PhoneCore(m);
    core.check(m._pvw_init());
    return core;
  }

  constructor(m) { this.m = m; }

  errname(rc) { return this.m.UTF8ToString(this.m._pv_errname(rc)); }
  check(rc) {
    if (rc !== 0) throw new KeyError(rc, this.errname(rc), this.m.UTF8ToString(this.m._pv_strerror(rc)));
    return rc;
  }

  // Run fn with module buffers: ins are copied in, outs are sizes; returns [rc, ...outs].
  call(ins, outs, fn) {
    const m = this.m, ptrs = [];
    try {
      for (const b of ins) {
        const p = m._malloc(Math.max(1, b ? b.length : 0));
        if (!p) throw new KeyError(-86, 'PV_E_NOMEM', 'out of memory');
        if (b) m.HEAPU8.set(b, p);
        ptrs.push([p, b ? b.length : 0]);
      }
      for (const n of outs) {
        const p = m._malloc(n);
        if (!p) throw new KeyError(-86, 'PV_E_NOMEM', 'out of memory');
        m.HEAPU8.fill(0, p, p + n);
        ptrs.push([p, n]);
      }
      const rc = fn(...ptrs.map(([p]) => p));
      const got = ptrs.slice(ins.length).map(([p, n]) => m.HEAPU8.slice(p, p + n));
      return [rc, ...got];
    } finally {
      for (const [p, n] of ptrs) { m.HEAPU8.fill(0, p, p + n); m._free(p); }
    }
  }

  seedNew() {
    const [rc, seed] = this.call([], [SEED], (s) => this.m._pvw_seed_new(s));
    this.check(rc);
    return seed;
  }

  seedPublic(seed) {
    const [rc, pk] = this.call([seed], [PK], (s, p) => this.m._pvw_seed_public(s, p));
    this.check(rc);
    return pk;
  }

  vaultSeal(pin, seed) {
    const p = new TextEncoder().encode(pin);
    const [rc, v] = this.call([p, seed], [VAULT], (pp, s, out) => this.m._pvw_vault_seal(pp, p.length, s, out));
    p.fill(0);
    this.check(rc);
    return v;
  }

  // { ok: true, seed } or { ok: false, code } (PV_E_DECRYPT for a wrong PIN).
  vaultOpen(pin, vault) {
    const p = new TextEncoder().encode(pin);
    const [rc, seed] = this.call([p, vault], [SEED],
      (pp, v, out) => this.m._pvw_vault_open(pp, p.length, v, vault.length, out));
    p.fill(0);
    if (rc !== 0) { seed.fill(0); return { ok: false, code: this.errname(rc) }; }
    return { ok: true, seed };
  }

  openKey(seed) {
    const h = this.call([seed], [], (s) => this.m._pvw_key_open(s))[0];
    if (!h) throw new KeyError(-86, 'PV_E_NOMEM', 'the key could not be set up');
    return new PhoneKey(this, h);
  }
}

export class PhoneKey {
  constructor(core, h) { this.core = core; this.m = core.m; this.h = h; }

  close() { if (this.h) { this.m._pvw_key_close(this.h); this.h = 0; } }

  identity() {
    const [, spk, xpk] = this.core.call([], [PK, PK], (a, b) => this.m._pv_key_identity(this.h, a, b));
    return { signPk: spk, xPk: xpk };
  }

  setIssuer(issuerId, pk) {
    this.core.check(this.core.call([pk], [], (p) => this.m._pv_key_set_issuer(this.h, issuerId, p))[0]);
  }

  // A sync response (docs/sync.md); revlist/beacon may be empty.
  install(cred, entries, revlist, beacon) {
    const rl = revlist || new Uint8Array(0), bc = beacon || new Uint8Array(0);
    const [rc] = this.core.call([cred, entries, rl, bc], [], (c, e, r, b) =>
      this.m._pv_key_install(this.h, c, cred.length, e, entries.length,
        rl.length ? r : 0, rl.length, bc.length ? b : 0, bc.length));
    this.core.check(rc);
  }

  rights() { return this.m._pv_key_rights(this.h); }

  syncSign(nonce, bearerId) {
    const [rc, sig] = this.core.call([nonce], [SIG], (n, s) => this.m._pv_key_sync_sign(this.h, n, bearerId >>> 0, s));
    this.core.check(rc);
    return sig;
  }

  // The explicit tap: arms one unlock for 5 s (PV_KEY_CONFIRM_MS).
  confirm() { this.m._pv_key_confirm(this.h); }

  unlockStart() {
    const [rc, m1] = this.core.call([], [HELLO], (p) => this.m._pv_key_unlock_start(this.h, p));
    this.core.check(rc);
    return m1;
  }

  // { rc, name, m3 }: m3 is null when the key itself ends the unlock (name says why).
  onChallenge(m2) {
    const [rc, m3, len] = this.core.call([m2], [MSG_MAX, 4], (p, out, lenp) =>
      this.m._pv_key_on_challenge(this.h, p, m2.length, out, MSG_MAX, lenp));
    const n = new DataView(len.buffer).getUint32(0, true);
    return { rc, name: this.core.errname(rc), m3: n > 0 ? m3.slice(0, n) : null };
  }

  onResult(m4) {
    const [rc, o] = this.core.call([m4], [OUTCOME], (p, out) => this.m._pvw_key_outcome(this.h, p, m4.length, out));
    const dv = new DataView(o.buffer);
    return {
      status: rc, name: this.core.errname(rc), lockId: dv.getUint32(4, true),
      lockTime: Number(dv.getBigUint64(8, true)), batteryMv: dv.getUint16(16, true),
      flags: o[18], delivered: o[19] === 1, gotBatch: o[20] === 1,
    };
  }

  abort(rc) { this.m._pv_key_abort(this.h, rc); }

  // Moves every lock log batch the key collected out of it (oldest first), for the app to keep
  // until the server has them: the key's memory is wiped when it locks.
  takeBatches() {
    const out = [];
    for (let i = 0; i < 64; i++) {
      const [rc, b] = this.core.call([], [BATCH_MAX], (p) => this.m._pvw_key_batch_take(this.h, p, BATCH_MAX));
      if (rc <= 0) { this.core.check(rc); break; }
      out.push(b.slice(0, rc));
    }
    return out;
  }
}
