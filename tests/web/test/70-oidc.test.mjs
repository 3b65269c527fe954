// Single sign-on against a real OpenID provider (npm oidc-provider, tests/oidc/) on loopback:
// a city employee signs in through the provider's page, the group gives the role, and the
// server refuses an ID token with a wrong audience, an expired one, a bad signature, alg none,
// an unknown key and a replayed state; after the provider rotates its key, sign-in still works.
// Local accounts keep working beside it. Own portvakt-server on port 18511, provider on 18520.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newPage } from '../lib/browser.mjs';

const PORT = Number(process.env.PV_OIDC_SERVER_PORT || 18511);
const IDP_PORT = Number(process.env.PV_OIDC_PROVIDER_PORT || 18520);
const BASE = `http://localhost:${PORT}`;
const SERVER = join(process.env.PV_BUILD_DIR || '../../build', 'server', 'portvakt-server');
const WEB = new URL('../../../server/web', import.meta.url).pathname;
const { startProvider, config } = await import('../../oidc/provider.mjs');

// PV_WEB_DB: a PostgreSQL conninfo to run the same test on PostgreSQL (tests/server/with_postgres.sh)
const DB_DSN = process.env.PV_WEB_DB || null;
let DB;
let dir; let server; let idp; let browser; let context; let page; let password;

async function waitUp() {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`portvakt-server did not start: ${readFileSync(join(dir, 'server.log'), 'utf8')}`);
}

/** The whole round trip in the browser: start, the provider's login and consent pages, back.
 * Answers the final URL and the callback URL the provider sent the browser to. */
async function sso(user) {
  await context.clearCookies();
  let callback = null;
  const onReq = (req) => { if (req.url().includes('/api/v1/auth/oidc/callback')) callback = req.url(); };
  page.on('request', onReq);
  await page.goto(`${BASE}/#/login`);
  await page.getByRole('link', { name: /Logga in med Stadens inloggning/ }).click();
  await page.locator('input[name=login]').fill(user);
  await page.locator('input[name=password]').fill('any');
  await page.locator('button[type=submit]').click();
  const consent = page.locator('button[type=submit]', { hasText: /Continue/ });
  await page.waitForURL((u) => u.port === String(PORT) || /interaction/.test(u.pathname), { timeout: 20000 });
  if (!page.url().includes(`:${PORT}`)) { await consent.click(); }
  await page.waitForURL((u) => u.port === String(PORT) && !u.pathname.includes('/api/'), { timeout: 20000 });
  page.off('request', onReq);
  return { url: page.url(), callback };
}

async function me() {
  return page.evaluate(async () => { const r = await fetch('/api/v1/me'); return { status: r.status, body: await r.json() }; });
}

async function refusedWith(user, type, sentence) {
  const r = await sso(user);
  assert.match(r.url, new RegExp(`[?&]sso=${type}(&|#|$)`), r.url);
  if (sentence) await page.getByText(sentence).first().waitFor();
  assert.equal((await me()).status, 401);
}

describe('single sign-on (OpenID Connect, oidc-provider on loopback)', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-oidc-'));
    DB = DB_DSN || join(dir, 'pv.db');
    const init = execFileSync(SERVER, ['init', '--db', DB, '--issuer-key', join(dir, 'issuer.key'), '--admin', 'admin'], { encoding: 'utf8' });
    password = /shown once\): *(\S+)/.exec(init)?.[1];
    writeFileSync(join(dir, 'client-secret'), `${config.client.client_secret}\n`, { mode: 0o600 });
    idp = await startProvider({ port: IDP_PORT, redirectUri: `${BASE}/api/v1/auth/oidc/callback` });
    const log = openSync(join(dir, 'server.log'), 'a');
    server = spawn(SERVER, ['serve', '--db', DB, '--issuer-key', join(dir, 'issuer.key'), '--web-root', WEB,
      '--listen', `127.0.0.1:${PORT}`, '--oidc-issuer', idp.issuer, '--oidc-client-id', config.client.client_id,
      '--oidc-client-secret-file', join(dir, 'client-secret'), '--oidc-redirect-uri', `${BASE}/api/v1/auth/oidc/callback`,
      '--oidc-scopes', 'openid profile', '--oidc-claim', 'groups', '--oidc-map', config.portvakt_map], { stdio: ['ignore', log, log] });
    await waitUp();
    browser = await launch();
    ({ context, page } = await newPage(browser));
  });
  after(async () => {
    await browser?.close();
    server?.kill();
    await idp?.close();
    if (dir && !process.env.PV_WEB_KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it('signs a city employee in through the provider; the group gives the role', async () => {
    const r = await sso('alice');
    assert.equal(r.url, `${BASE}/#/`);
    const m = await me();
    assert.equal(m.status, 200, JSON.stringify(m.body));
    assert.equal(m.body.user.username, 'alice');
    assert.equal(m.body.user.role, 'central_admin');
    await page.getByRole('button', { name: 'Logga ut' }).waitFor();
  });

  it('maps another group to another role, and refuses a person in no mapped group', async () => {
    await sso('bob');
    const m = await me();
    assert.equal(m.body.user.role, 'auditor');
    await refusedWith('carol', 'sso-no-role', /ingen behörighet i Portvakt/);
  });

  it('refuses an ID token for another audience, an expired one, a bad signature, alg none and an unknown key', async () => {
    for (const [mode, type] of [['wrong-aud', 'sso-wrong-audience'], ['expired', 'sso-expired'],
      ['bad-signature', 'sso-bad-signature'], ['alg-none', 'sso-unsigned'], ['unknown-key', 'sso-unknown-key']]) {
      idp.bendNext(mode);
      await refusedWith('alice', type);
    }
  });

  it('refuses a replayed state (the callback used twice)', async () => {
    const r = await sso('alice');
    assert.equal(r.url, `${BASE}/#/`);
    assert.ok(r.callback, 'the provider sent the browser back with code and state');
    await page.goto(r.callback);
    await page.waitForURL(/sso=sso-state/);
  });

  it('keeps signing in after the provider rotates its signing key', async () => {
    const kid = await idp.rotate();
    assert.equal(kid, 'key-2');
    const r = await sso('alice');
    assert.equal(r.url, `${BASE}/#/`);
    assert.equal((await me()).status, 200);
  });

  it('keeps local accounts working beside single sign-on', async () => {
    const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }),
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).next, 'enroll');
    const sso = await fetch(`http://127.0.0.1:${PORT}/api/v1/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: '!sso' }),
    });
    assert.equal(sso.status, 401, 'a single sign-on user has no password here');
  });
});
