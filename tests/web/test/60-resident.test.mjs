// The resident's own view: the alarm centre records consent and prints the Swedish leaflet; its QR
// code, decoded from the printed image with jsQR, leads to a page that shows that recipient's
// passages and nothing of anyone else's; revoking turns the same link into a plain "no longer
// valid" page at once; 1,000 guessed links get nothing and the guesser is rate-limited.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from '../lib/browser.mjs';
import { fixture, loginUI, visit, assertAxe, shot, realErrors, SHOTS } from '../lib/ui.mjs';
import { ApiClient } from '../lib/api.mjs';
import { decodeQr } from '../lib/qr.mjs';

const f = fixture();
let browser; let page; let url = null;

describe('the resident sees who entered their home', () => {
  before(async () => { browser = await launch(); ({ page } = await newPage(browser)); });
  after(async () => { await browser?.close(); });

  it('the alarm centre records consent and prints a Swedish leaflet whose QR code holds the link', async () => {
    await loginUI(page, f, f.admin);
    await visit(page, f, `recipients/${f.recipients.A.id}`);
    await page.getByRole('link', { name: 'Brukarens egen vy' }).click();
    await page.getByRole('heading', { name: /Brukarens egen vy för L-4711/, level: 1 }).waitFor();
    await page.getByLabel('Samtycke givet av').selectOption('resident');
    await page.getByLabel('Var samtycket förvaras').fill('Samtyckespärm 2, flik 14');
    await page.getByRole('button', { name: 'Skapa länk och brev' }).click();
    const leaflet = page.locator('#leaflet');
    await leaflet.getByRole('heading', { name: 'Vem har öppnat din dörr?' }).waitFor();
    await assertAxe(null, page, 'brukarens länk och brev');
    url = (await page.locator('#leaflet-url').textContent()).trim();
    assert.match(url, /\/hemma\/[A-Za-z0-9_-]{43}$/, 'a 256-bit secret in the link');
    const decoded = await decodeQr(browser, await leaflet.locator('.qr svg').screenshot());
    assert.equal(decoded, url, 'the printed QR code decodes to the link on the leaflet');
    await page.emulateMedia({ media: 'print' });
    await leaflet.screenshot({ path: `${SHOTS}/resident-leaflet.png` });
    await page.emulateMedia({ media: 'screen' });
    const row = page.getByRole('row', { name: /Brukaren, .*Inte visad än.*Gäller/ });
    await row.waitFor();
    assert.deepEqual(realErrors(page), []);
  });

  it('the link shows that recipient\'s passages in large plain Swedish, and nothing of anyone else', async () => {
    const { page: phone } = await newPage(browser, { width: 360, height: 640 });
    const res = await phone.goto(url);
    assert.equal(res.status(), 200);
    await phone.getByRole('heading', { name: 'Vem har öppnat din dörr?', level: 1 }).waitFor();
    await assertAxe(null, phone, 'brukarens vy');
    const text = await phone.locator('main').textContent();
    // what the alarm centre's access log holds for this apartment door, against what the resident sees
    const admin = new ApiClient(f.base);
    await admin.signIn(f.admin.username, f.admin.password, f.admin.secret, f.ledger);
    const log = await admin.list(`/access-log?lock_id=${f.locks.aptA.id}&limit=500`);
    const items = await phone.locator('ol.day li').count();
    if (log.length) {
      assert.ok(items >= 1, 'the passages are shown');
      assert.match(text, /Karin/, 'the staff member\'s first name');
      assert.doesNotMatch(text, /Lund/, 'never the surname');
    } else {
      assert.match(text, /Ingen har öppnat din dörr/);
    }
    for (const other of ['L-9902', f.recipients.B.alarm_code]) assert.ok(!text.includes(other), `nothing of recipient B (${other})`);
    assert.equal(await phone.locator('script').count(), 0, 'no scripts');
    const big = await phone.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    assert.ok(big >= 18, `large type: ${big}px`);
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'fits a small phone');
    await shot(phone, 'resident-view-phone');
    await phone.context().close();
    const links = await admin.list(`/recipients/${f.recipients.A.id}/resident-links`);
    assert.equal(links[0].views, 1, 'the view is recorded for the alarm centre');
  });

  it('revoking takes effect at once: the same link shows a plain "no longer valid" page', async () => {
    await page.reload();
    await page.getByRole('heading', { name: /Brukarens egen vy/, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Stäng av länken' }).click();
    await page.locator('#confirm-ok').click();
    await page.getByRole('row', { name: /Avstängd/ }).waitFor();
    const { page: phone } = await newPage(browser, { width: 360, height: 640 });
    const res = await phone.goto(url);
    assert.equal(res.status(), 410);
    await phone.getByRole('heading', { name: 'Länken gäller inte längre', level: 1 }).waitFor();
    assert.doesNotMatch(await phone.locator('main').textContent(), /Karin|kl\. \d/);
    await phone.context().close();
  });

  it('1,000 guessed links get nothing and the guesser is rate-limited', async () => {
    const origin = new URL(url).origin;
    const seen = new Map();
    for (let i = 0; i < 1000; i++) {
      const guess = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
      const r = await fetch(`${origin}/hemma/${guess}`);
      const body = await r.text();
      assert.notEqual(r.status, 200);
      assert.doesNotMatch(body, /Karin|kl\. \d/);
      seen.set(r.status, (seen.get(r.status) || 0) + 1);
    }
    assert.ok((seen.get(429) || 0) >= 979, `rate-limited: ${JSON.stringify([...seen])}`);
    assert.equal(seen.get(200), undefined);
  });
});
