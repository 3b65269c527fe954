// A small API client for seeding and for checks outside the browser: cookie jar, CSRF, TOTP sign-in.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { totp, secretFromUri } from './totp.mjs';

export class ApiClient {
  constructor(base) {
    this.base = base.replace(/\/$/, '');
    this.cookies = new Map();
    this.csrf = null;
    this.token = null;
  }

  async call(method, path, body, { expect } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrf && method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim(); const value = pair.slice(i + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name); else this.cookies.set(name, value);
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    const ok = expect ? (Array.isArray(expect) ? expect.includes(res.status) : res.status === expect) : res.ok;
    if (!ok) {
      const err = new Error(`${method} ${path} → ${res.status}: ${typeof data === 'object' ? JSON.stringify(data) : data}`);
      err.status = res.status; err.body = data;
      throw err;
    }
    return { status: res.status, data };
  }

  get(p) { return this.call('GET', `/api/v1${p}`).then((r) => r.data); }
  post(p, b = {}) { return this.call('POST', `/api/v1${p}`, b).then((r) => r.data); }
  put(p, b = {}) { return this.call('PUT', `/api/v1${p}`, b).then((r) => r.data); }
  del(p) { return this.call('DELETE', `/api/v1${p}`).then((r) => r.data); }
  async list(p) { const d = await this.get(p); return Array.isArray(d) ? d : d.items; }

  /** Password + TOTP (enrolling on first login). Returns the TOTP secret. */
  async signIn(username, password, secret, codes) {
    const first = await this.post('/auth/login', { username, password });
    let res;
    if (first.next === 'enroll') {
      const e = await this.get('/auth/enroll');
      secret = secretFromUri(e.otpauth_uri);
      res = await this.post('/auth/enroll', { code: await codes.fresh(username, secret) });
    } else {
      res = await this.post('/auth/totp', { code: await codes.fresh(username, secret) });
    }
    this.csrf = res.csrf_token;
    return secret;
  }
}

/**
 * Each TOTP code is accepted once per user; browser logins and API logins share this ledger
 * (a file, because test files run in separate processes) and wait for the next 30 s step.
 */
export class CodeLedger {
  constructor(file) { this.file = file; }
  read() { return existsSync(this.file) ? JSON.parse(readFileSync(this.file, 'utf8')) : {}; }
  async fresh(username, secret) {
    const used = this.read();
    for (;;) {
      const step = Math.floor(Date.now() / 1000 / 30);
      if ((used[username] ?? -1) < step) {
        used[username] = step;
        writeFileSync(this.file, JSON.stringify(used));
        return totp(secret, step * 30 + 1);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
