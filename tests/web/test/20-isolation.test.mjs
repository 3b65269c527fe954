// Tenant isolation through the UI: a planner of provider B never sees provider A's recipients,
// neither in the lists nor by editing the URL (#/recipients/<A's id>, log and rights filters).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from '../lib/browser.mjs';
import { fixture, loginUI, visit, assertAxe } from '../lib/ui.mjs';

const f = fixture();
const rA = f.recipients.A; const rB = f.recipients.B;
let browser; let page;

describe('planner of provider B cannot see provider A', () => {
  before(async () => { browser = await launch(); ({ page } = await newPage(browser)); await loginUI(page, f, f.planners.B); });
  after(async () => { await browser?.close(); });

  it('the recipient list holds B\'s recipient and not A\'s', async () => {
    await visit(page, f, 'recipients');
    await page.getByRole('link', { name: rB.alarm_code }).waitFor();
    assert.equal(await page.getByText(rA.alarm_code).count(), 0);
  });

  it('editing the URL to A\'s recipient shows "not found" and nothing of A', async () => {
    await visit(page, f, `recipients/${rA.id}`);
    assert.equal(await page.getByText(rA.alarm_code).count(), 0);
    assert.match(await page.locator('main').textContent(), /Hittades inte|inte behörighet/);
    await assertAxe(null, page, 'brukare (ej behörig)');
  });

  it('log, rights and who-can-open filtered on A\'s recipient or door show nothing of A', async () => {
    for (const route of [`log?recipient_id=${rA.id}`, `log?lock_id=${f.locks.aptA.id}`, `rights?recipient_id=${rA.id}`]) {
      await visit(page, f, route);
      const text = await page.locator('main').textContent();
      assert.ok(!text.includes(rA.alarm_code), `${route} shows ${rA.alarm_code}`);
      assert.ok(!text.includes('Karin Lund'), `${route} shows A's staff`);
    }
    const who = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/locks/${id}/who-can-open`);
      return { status: r.status, body: await r.json() };
    }, f.locks.aptA.id);
    if (who.status === 200) assert.deepEqual(who.body.items, [], `who-can-open of A's door lists ${JSON.stringify(who.body.items)}`);
    else assert.ok(who.status === 403 || who.status === 404, `who-can-open of A's door answered ${who.status}`);
    const one = await page.evaluate(async (id) => (await fetch(`/api/v1/recipients/${id}`)).status, rA.id);
    assert.ok(one === 403 || one === 404, `GET A's recipient answered ${one}`);
  });

  it('staff and keys of A are not listed for B', async () => {
    await visit(page, f, 'staff');
    const text = await page.locator('main').textContent();
    assert.ok(!text.includes('Karin Lund') && !text.includes('K-0101'));
    assert.ok(text.includes('Nils Norr'));
  });
});
