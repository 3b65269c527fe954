// Shared steps for the browser tests: fixture, sign-in through the UI, page visits, screenshots.
import { readFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeLedger } from './api.mjs';
import { secretFromUri } from './totp.mjs';
import { axeScan, describeViolations } from './browser.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SHOTS = join(ROOT, 'docs', 'screenshots');

/** What seed.mjs created (base URL, users, ids). */
export function fixture() {
  const dir = process.env.PV_WEB_STATE;
  if (!dir) throw new Error('PV_WEB_STATE is not set: run the browser tests through tests/web/run.sh');
  const f = JSON.parse(readFileSync(join(dir, 'fixture.json'), 'utf8'));
  f.ledger = new CodeLedger(join(dir, 'totp-ledger.json'));
  return f;
}

/** Sign in through the login page; enrols TOTP from the page itself on first login. Returns the secret. */
export async function loginUI(page, f, user, { onEnrol } = {}) {
  await page.goto(`${f.base}/#/login`);
  await page.getByLabel('Användarnamn', { exact: true }).fill(user.username);
  await page.getByLabel('Lösenord', { exact: true }).fill(user.password);
  const enrollResp = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/enroll') && r.request().method() === 'GET', { timeout: 20000 }).catch(() => null);
  await page.getByRole('button', { name: 'Fortsätt' }).click();
  const code = page.getByLabel('Engångskod (6 siffror)');
  await code.waitFor();
  let secret = user.secret;
  if (await page.locator('svg.qr').count() > 0 || await page.locator('code.secret').count() > 0) {
    // First login: the secret shown on the page (for manual entry) is what the person types into the app.
    const shown = (await page.locator('code.secret').textContent()).replace(/\s+/g, '');
    const resp = await enrollResp;
    if (resp) secret = secretFromUri((await resp.json()).otpauth_uri);
    if (shown !== secret) throw new Error(`the page shows secret ${shown}, the server issued ${secret}`);
    user.secret = secret;
    if (onEnrol) await onEnrol(page);
  }
  await code.fill(await f.ledger.fresh(user.username, secret));
  await page.getByRole('button', { name: 'Logga in' }).click();
  const signedIn = page.getByRole('button', { name: 'Logga ut' });
  const refused = page.locator('.login .error-text:not([hidden])');
  await Promise.race([signedIn.waitFor(), refused.waitFor()]);
  if (await refused.count()) throw new Error(`sign-in of ${user.username} refused: ${await refused.textContent()}`);
  await settled(page);
  return secret;
}

/** Wait until the current route has rendered (heading present, not busy). */
export async function settled(page) {
  await page.waitForFunction(() => {
    const m = document.getElementById('main');
    return m && !m.hasAttribute('aria-busy') && m.querySelector('h1');
  });
}

export async function visit(page, f, route) {
  await page.goto(`${f.base}/#/${route}`);
  await settled(page);
}

/** No serious or critical axe-core violations on the page as it is now. */
export async function assertAxe(t, page, what) {
  const v = await axeScan(page);
  if (v.length) throw new Error(`axe-core on ${what}:\n${describeViolations(v)}`);
}

/** Choose the option whose text matches `re` (playwright's selectOption wants exact labels). */
export async function selectText(select, re) {
  const texts = await select.locator('option').allTextContents();
  const label = texts.find((x) => re.test(x));
  if (!label) throw new Error(`no option matching ${re} among ${JSON.stringify(texts)}`);
  await select.selectOption({ label });
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** Console errors other than the expected 401 of the not-signed-in /me probe. */
export function realErrors(page) {
  return page.pvErrors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e));
}
