// Security keys with Chromium's virtual authenticator (DevTools WebAuthn domain): a key is
// registered at first sign-in, then signs in as second factor and without a password; a
// cloned key whose counter went backwards, a page at another origin and an assertion made for
// another RP ID are refused by the server. Runs its own portvakt-server (port 18510), since the
// relying party is part of the server's configuration.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newPage } from '../lib/browser.mjs';

const PORT = Number(process.env.PV_WEBAUTHN_PORT || 18510);
const BASE = `http://localhost:${PORT}`;
const OTHER_RP = `http://other.localhost:${PORT}`; // a configured origin: only the RP ID is wrong
const STRAY = `http://localhost:${PORT + 1}`;     // not a configured origin (proxied by the test)
const SERVER = join(process.env.PV_BUILD_DIR || '../../build', 'server', 'portvakt-server');
const WEB = new URL('../../../server/web', import.meta.url).pathname;

// PV_WEB_DB: a PostgreSQL conninfo to run the same test on PostgreSQL (tests/server/with_postgres.sh)
const DB_DSN = process.env.PV_WEB_DB || null;
let DB;
let dir; let server; let browser; let context; let page; let cdp; let authId; let password;

async function waitUp() {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`portvakt-server did not start on ${PORT}: ${readFileSync(join(dir, 'server.log'), 'utf8')}`);
}

/** Password step through the login page; returns once the second step is shown. */
async function password1(p = page) {
  await p.goto(`${BASE}/#/login`);
  await p.getByLabel('Användarnamn', { exact: true }).fill('admin');
  await p.getByLabel('Lösenord', { exact: true }).fill(password);
  await p.getByRole('button', { name: 'Fortsätt' }).click();
}

async function signedInOrRefused(p = page) {
  const ok = p.getByRole('button', { name: 'Logga ut' });
  const refused = p.locator('.login .error-text:not([hidden])');
  await Promise.race([ok.waitFor({ timeout: 20000 }), refused.first().waitFor({ timeout: 20000 })]);
  return (await refused.count()) ? (await refused.first().textContent()) : null;
}

async function signOut() {
  await context.clearCookies();
  await page.goto('about:blank');
}

/** A passwordless sign-in done by page script at `origin`, optionally asking the key for
 * another RP ID than the server's; answers {status, body} of POST /auth/passkey. */
async function scriptedPasskey(origin, rpId) {
  await page.goto(`${origin}/#/login`);
  return page.evaluate(async (rp) => {
    const enc = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const dec = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const o = (await (await fetch('/api/v1/auth/passkey/options', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json()).publicKey;
    o.challenge = dec(o.challenge);
    if (rp) o.rpId = rp;
    const a = await navigator.credentials.get({ publicKey: o });
    const r = await fetch('/api/v1/auth/passkey', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ credential_id: enc(a.rawId), client_data_json: enc(a.response.clientDataJSON), authenticator_data: enc(a.response.authenticatorData), signature: enc(a.response.signature) }),
    });
    return { status: r.status, body: await r.json() };
  }, rpId || null);
}

describe('security keys (WebAuthn, virtual authenticator)', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-webauthn-'));
    DB = DB_DSN || join(dir, 'pv.db');
    const init = execFileSync(SERVER, ['init', '--db', DB, '--issuer-key', join(dir, 'issuer.key'), '--admin', 'admin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    password = /shown once\): *(\S+)/.exec(init)?.[1];
    assert.ok(password, `no initial password in: ${init}`);
    const { openSync } = await import('node:fs');
    server = spawn(SERVER, ['serve', '--db', DB, '--issuer-key', join(dir, 'issuer.key'), '--web-root', WEB,
      '--listen', `127.0.0.1:${PORT}`, '--webauthn-rp-id', 'localhost', '--webauthn-origin', `${BASE},${OTHER_RP}`,
      '--webauthn-required-roles', 'central_admin'], { stdio: ['ignore', openSync(join(dir, 'server.log'), 'a'), openSync(join(dir, 'server.log'), 'a')] });
    await waitUp();
    browser = await launch();
    ({ context, page } = await newPage(browser));
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId: authId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    }));
  });
  after(async () => {
    await browser?.close();
    server?.kill();
    if (dir && !process.env.PV_WEB_KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it('registers a key at the first sign-in (a role that must use a key gets no code)', async () => {
    await password1();
    await page.getByRole('button', { name: 'Koppla säkerhetsnyckel' }).click();
    assert.equal(await signedInOrRefused(), null);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: authId });
    assert.equal(credentials.length, 1);
    const keys = await page.evaluate(async () => (await (await fetch('/api/v1/me/webauthn')).json()).items);
    assert.equal(keys.length, 1);
    assert.equal(keys[0].name, 'Säkerhetsnyckel');
  });

  it('signs in with the key as second factor, and the authenticator code is refused for this role', async () => {
    await signOut();
    await password1();
    const useKey = page.getByRole('button', { name: 'Använd säkerhetsnyckel' });
    await useKey.waitFor();
    assert.equal(await page.getByLabel('Engångskod (6 siffror)').count(), 0, 'no code field for a role that must use a key');
    const totp = await page.evaluate(async () => {
      const r = await fetch('/api/v1/auth/totp', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"code":"123456"}' });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(totp.status, 403);
    assert.match(totp.body.type, /hardware-key-required$/);
    await useKey.click();
    assert.equal(await signedInOrRefused(), null);
  });

  it('signs in without a password (discoverable key with user verification)', async () => {
    await signOut();
    await page.goto(`${BASE}/#/login`);
    await page.getByRole('button', { name: 'Logga in med säkerhetsnyckel' }).click();
    assert.equal(await signedInOrRefused(), null);
  });

  it('refuses a cloned key whose counter went backwards', async () => {
    const { credentials: [cred] } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: authId });
    assert.ok(cred.signCount >= 2, `counter ${cred.signCount}`);
    await cdp.send('WebAuthn.removeCredential', { authenticatorId: authId, credentialId: cred.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId: authId, credential: { ...cred, signCount: cred.signCount - 2 } });
    await signOut();
    await page.goto(`${BASE}/#/login`);
    await page.getByRole('button', { name: 'Logga in med säkerhetsnyckel' }).click();
    const refused = await signedInOrRefused();
    assert.match(refused || '', /räknare gick bakåt/);
    // the real key (its counter restored past the stored one) still works
    await cdp.send('WebAuthn.removeCredential', { authenticatorId: authId, credentialId: cred.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId: authId, credential: { ...cred, signCount: cred.signCount + 5 } });
    await page.getByRole('button', { name: 'Logga in med säkerhetsnyckel' }).click();
    assert.equal(await signedInOrRefused(), null);
  });

  it('lists my keys, and a central administrator removes the keys of a user who lost one (audited, sessions end)', async () => {
    // signed in as admin (the previous step); a new central user enrols a key in another browser
    const csrf = (await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).csrf_token));
    const created = await page.evaluate(async (token) => {
      const r = await fetch('/api/v1/users', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
        body: JSON.stringify({ username: 'bertil', display_name: 'Bertil Ek', role: 'installer', provider_id: null }) });
      return r.json();
    }, csrf);
    const other = await newPage(browser);
    const cdp2 = await other.context.newCDPSession(other.page);
    await cdp2.send('WebAuthn.enable');
    await cdp2.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } });
    await other.page.goto(`${BASE}/#/login`);
    await other.page.getByLabel('Användarnamn', { exact: true }).fill('bertil');
    await other.page.getByLabel('Lösenord', { exact: true }).fill(created.initial_password);
    await other.page.getByRole('button', { name: 'Fortsätt' }).click();
    await other.page.getByRole('button', { name: 'Koppla säkerhetsnyckel' }).click();
    assert.equal(await signedInOrRefused(other.page), null);

    await page.goto(`${BASE}/#/users`);
    const mine = page.locator('form', { has: page.getByRole('heading', { name: 'Mina säkerhetsnycklar' }) });
    await mine.getByRole('row', { name: /Säkerhetsnyckel/ }).waitFor();
    const reset = page.locator('form', { has: page.getByRole('heading', { name: 'Tappad säkerhetsnyckel' }) });
    await reset.getByLabel('Användare').selectOption({ label: 'Bertil Ek (bertil)' });
    await reset.getByRole('button', { name: 'Ta bort användarens nycklar' }).click();
    await page.getByText('1 säkerhetsnycklar för bertil är borttagna.').waitFor();
    const after = await page.evaluate(async (id) => (await (await fetch(`/api/v1/users/${id}/webauthn`)).json()).items.length, created.user.id);
    assert.equal(after, 0);
    assert.equal(await other.page.evaluate(async () => (await fetch('/api/v1/me')).status), 401, "bertil's session ended");
    const audit = await page.evaluate(async () => (await (await fetch('/api/v1/audit?limit=50&order=desc')).json()).items.map((e) => e.action));
    assert.ok(audit.includes('user.webauthn_reset'), audit.join(','));
    assert.ok(audit.includes('user.webauthn_clone_suspected'), 'the cloned key was audited');
    await other.context.close();
  });

  it('refuses an answer given to a page at another origin', async () => {
    await signOut();
    // the same server seen through another port: another origin with the same RP ID
    await page.route(`${STRAY}/**`, async (route) => {
      const resp = await route.fetch({ url: route.request().url().replace(STRAY, BASE) });
      await route.fulfill({ response: resp });
    });
    const r = await scriptedPasskey(STRAY);
    await page.unroute(`${STRAY}/**`);
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.match(r.body.type, /webauthn-wrong-origin$/);
  });

  it('refuses an assertion made for another RP ID, from a configured origin', async () => {
    await signOut();
    const { credentials: [cred] } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: authId });
    // the same key pair and credential id, scoped by the authenticator to other.localhost
    await cdp.send('WebAuthn.removeCredential', { authenticatorId: authId, credentialId: cred.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId: authId, credential: { ...cred, rpId: 'other.localhost', signCount: cred.signCount + 10 } });
    const r = await scriptedPasskey(OTHER_RP, 'other.localhost');
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.match(r.body.type, /webauthn-wrong-rp$/);
  });
});
