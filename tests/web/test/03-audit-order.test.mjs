// The audit trail newest first with paging a planner can use (issue 9, item 5): the API's
// order=desc pages down from the newest record with its cursor and filters by date on the
// server, so the newest records are the ones a capped read keeps; the page shows the change
// just made as its first row.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from '../lib/browser.mjs';
import { fixture, loginUI, visit, settled } from '../lib/ui.mjs';

const f = fixture();
let browser; let page;
const get = (path) => page.evaluate(async (p) => (await import('/js/api.js')).api('GET', p), path);
const post = (path, body) => page.evaluate(async ([p, b]) => (await import('/js/api.js')).api('POST', p, b), [path, body]);

describe('the audit trail, newest first', () => {
  before(async () => { browser = await launch(); ({ page } = await newPage(browser)); await loginUI(page, f, f.admin); });
  after(async () => { await browser?.close(); });

  it('order=desc pages down from the newest record; from/to filter on the server', async () => {
    for (let i = 0; i < 3; i++) await post('/staff', { display_name: `Ordning ${i}`, employee_ref: `O-${i}`, provider_id: f.providers.A.id });
    const asc = await get('/audit?limit=500');
    const first = await get('/audit?order=desc&limit=2');
    assert.equal(first.items.length, 2);
    assert.ok(first.items[0].seq > first.items[1].seq, 'descending');
    const newest = Math.max(...(await (async () => { const all = []; let c = null; do { const p = await get(`/audit?limit=500${c ? `&cursor=${c}` : ''}`); all.push(...p.items); c = p.next_cursor; } while (c); return all.map((e) => e.seq); })()));
    assert.equal(first.items[0].seq, newest, 'the first record is the newest');
    assert.equal(first.items[0].action, 'staff.create');
    assert.ok(first.next_cursor, 'a cursor to the older records');
    const second = await get(`/audit?order=desc&limit=2&cursor=${first.next_cursor}`);
    assert.equal(second.items[0].seq, first.items[1].seq - 1, 'the next page continues just below');
    assert.ok(asc.items[0].seq < asc.items[1].seq, 'the default stays oldest first');
    const at = first.items[0].at;
    const day = await get(`/audit?order=desc&limit=500&from=${at}&to=${at}`);
    assert.ok(day.items.length >= 1 && day.items.every((e) => e.at === at), 'only records of that second');
    const none = await get(`/audit?order=desc&from=${at + 86400}`);
    assert.equal(none.items.length, 0);
    const bad = await page.evaluate(async () => (await fetch('/api/v1/audit?order=newest')).status);
    assert.equal(bad, 400);
  });

  it('the page shows the change just made as its first row', async () => {
    await post('/staff', { display_name: 'Nyast Nilsson', employee_ref: 'O-9', provider_id: f.providers.A.id });
    await visit(page, f, 'audit');
    await settled(page);
    const firstRow = page.locator('main table tbody tr').first();
    await firstRow.waitFor();
    assert.match(await firstRow.innerText(), /registrerade personal Nyast Nilsson/);
  });
});
