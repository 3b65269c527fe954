// Accessibility and reach: axe-core on the login page, keyboard use with visible focus, the
// tablet layout, and English selectable (remembered) with Swedish as the default.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from '../lib/browser.mjs';
import { fixture, loginUI, visit, assertAxe, shot } from '../lib/ui.mjs';

const f = fixture();
let browser;

describe('accessibility, tablet and language', () => {
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it('the login page passes axe-core and works by keyboard with a visible focus', async () => {
    const { page } = await newPage(browser);
    await page.goto(`${f.base}/`);
    await page.getByLabel('Användarnamn', { exact: true }).waitFor();
    await assertAxe(null, page, 'inloggning');
    // The skip link is the first thing in the page and shows itself when focused.
    const firstFocusable = await page.evaluate(() => document.querySelector('a[href], button, input, select')?.id);
    assert.equal(firstFocusable, 'skip-link');
    await page.locator('#skip-link').focus();
    const box = await page.locator('#skip-link').boundingBox();
    assert.ok(box && box.x >= 0 && box.width > 0, `skip link visible when focused: ${JSON.stringify(box)}`);
    assert.match(await page.locator('#skip-link').textContent(), /Hoppa till innehållet/);
    // Walk to the username field and check the focus ring is drawn.
    for (let i = 0; i < 10; i++) {
      if (await page.evaluate(() => document.activeElement?.name === 'username')) break;
      await page.keyboard.press('Tab');
    }
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { name: document.activeElement.name, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    assert.equal(ring.name, 'username');
    assert.ok(ring.outline !== 'none' && ring.width >= 2, `focus ring: ${JSON.stringify(ring)}`);
    await page.context().close();
  });

  it('a planner on a tablet (1024×768) gets every page, in English when chosen, and it is remembered', async () => {
    const { page } = await newPage(browser, { width: 1024, height: 768 });
    await loginUI(page, f, f.planners.B);
    await visit(page, f, 'staff');
    await shot(page, 'tablet-staff-1024x768');
    // Keyboard: the nav is reachable and activatable without a mouse.
    await page.getByRole('link', { name: 'Brukare' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/recipients/);
    await page.getByLabel('Språk').selectOption('en');
    await page.getByRole('heading', { name: 'Care recipients', level: 1 }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.reload();
    await page.getByRole('heading', { name: 'Care recipients', level: 1 }).waitFor();
    await assertAxe(null, page, 'recipients (English)');
    await shot(page, 'tablet-recipients-english');
    await page.getByLabel('Language').selectOption('sv');
    await page.getByRole('heading', { name: 'Brukare', level: 1 }).waitFor();
    // Logout ends the session on the server, not only in the page.
    await page.getByRole('button', { name: 'Logga ut' }).click();
    await page.getByLabel('Användarnamn', { exact: true }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(me, 401);
    await page.context().close();
  });
});
