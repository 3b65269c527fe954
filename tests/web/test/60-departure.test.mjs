// A recipient who leaves: the alarm centre records the date on the recipient's page in Swedish,
// confirms what happens, and the recipient's right ends the day before (services/depart.c).
// A recipient of its own, so the seeded ones stay for the other tests.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from '../lib/browser.mjs';
import { fixture, loginUI, visit, assertAxe, realErrors } from '../lib/ui.mjs';
import { ApiClient } from '../lib/api.mjs';

const f = fixture();
let browser; let page;

describe('a recipient who leaves', () => {
  before(async () => { browser = await launch(); ({ page } = await newPage(browser)); });
  after(async () => { await browser?.close(); });

  it('the alarm centre records the departure and the right ends the day before', async () => {
    const admin = new ApiClient(f.base);
    await admin.signIn(f.admin.username, f.admin.password, f.admin.secret, f.ledger);
    const rec = await admin.post('/recipients', { alarm_code: 'L-FLYTT-1', building_id: f.building.id, provider_id: f.providers.A.id });
    const staff = await admin.post('/staff', { display_name: 'Dagny Flytt', provider_id: f.providers.A.id });
    const today = new Date().toISOString().slice(0, 10);
    const right = await admin.post('/rights', { staff_id: staff.id, recipient_id: rec.id, valid_from: today, kind: 'standing',
      windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '07:00', to: '22:00' }] });
    await loginUI(page, f, f.admin);
    await visit(page, f, `recipients/${rec.id}`);
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Brukaren lämnar' }) });
    await form.waitFor();
    await assertAxe(null, page, 'brukaren lämnar');
    // two days ahead: a later day than the server's today in any time zone
    const leaves = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
    const eve = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
    await form.getByLabel(/Lämnar från och med/).fill(leaves);
    let asked = '';
    page.once('dialog', async (d) => { asked = d.message(); await d.accept(); });
    await form.getByRole('button', { name: 'Registrera att brukaren lämnar' }).click();
    await page.getByText(/lämnar från \d{4}-\d{2}-\d{2}\. \d+ behörigheter upphör/).first().waitFor();
    assert.match(asked, /Alla behörigheter till brukarens dörrar upphör/, 'the confirmation says what happens');
    const after = await admin.get(`/rights/${right.id}`);
    assert.equal(after.valid_until, eve, 'the right ends the day before the departure');
    // a second departure is refused in plain Swedish
    page.once('dialog', (d) => d.accept());
    await form.getByRole('button', { name: 'Registrera att brukaren lämnar' }).click();
    await page.getByText(/redan registrerad som att hen lämnar/).waitFor();
    assert.deepEqual(realErrors(page).filter((e) => !/409/.test(e)), []);
  });
});
