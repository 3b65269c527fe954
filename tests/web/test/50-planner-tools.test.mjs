// The planner's and the alarm centre's tools (issue 9): every refusal in plain Swedish, search on
// the lists, weekly windows beside "who can open", week calendars, a printable key receipt, logs
// newest first with date shortcuts and CSV export, the audit trail in words, charts that match the
// tables beside them, and the clicks each daily task takes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, newPage, localDate } from '../lib/browser.mjs';
import { fixture, loginUI, visit, shot, assertAxe, realErrors, settled, selectText, ROOT } from '../lib/ui.mjs';
import { newBearerKey } from '../lib/bearer.mjs';
import { ApiClient } from '../lib/api.mjs';
import { problemTypes } from '../lib/inventory.mjs';
import { findSimulator, simVisit, simEnrol, seedHex } from '../lib/sim.mjs';

const f = fixture();
let planner;
const today = localDate();
let browser; let page; let adminPage;
const made = {};

/** An API call inside the signed-in browser, through the UI's own api.js (CSRF included). */
const inPage = (p, method, path, body) => p.evaluate(async ([m, pa, b]) => {
  const { api } = await import('/js/api.js');
  try { return { ok: true, data: await api(m, pa, b) }; } catch (e) { return { ok: false, status: e.status, type: e.type, text: e.forPerson() }; }
}, [method, path, body]);

/** Counts what moves between pages or submits: clicks on links and buttons, Enter in a form. */
async function startCounting(p) {
  await p.evaluate(() => {
    window.pvClicks = 0;
    if (window.pvCounting) return;
    window.pvCounting = true;
    document.addEventListener('click', (e) => { if (e.target.closest('a[href], button')) window.pvClicks += 1; }, true);
    document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && e.target.closest('form')) window.pvClicks += 1; }, true);
  });
}
const clicks = (p) => p.evaluate(() => window.pvClicks);
// one `make bench` line per task (bench/web_task_clicks.sh picks them out of the test output)
const report = (task, n) => console.log(JSON.stringify({ name: `web.task_clicks.${task}`, value: n, unit: 'clicks' }));
/** The polite status message fades after 8 s; a screenshot should not wait for it. */
const quiet = (p) => p.evaluate(() => { const el = document.getElementById('status'); el.textContent = ''; el.classList.remove('shown'); });
const navTo = async (p, name) => { await p.getByRole('navigation').getByRole('link', { name, exact: true }).click(); await settled(p); };

describe('planner tools and pictures (Swedish UI)', () => {
  before(async () => {
    // A planner of provider A of this file's own (the seeded one's authenticator secret lives
    // in another test file's process): created by the central administration through the API.
    const admin = new ApiClient(f.base);
    await admin.signIn(f.admin.username, f.admin.password, f.admin.secret, f.ledger);
    const u = await admin.post('/users', { username: 'lisa.soder', display_name: 'Lisa Planerare', role: 'planner', provider_id: f.providers.A.id });
    planner = { username: 'lisa.soder', password: u.initial_password, display_name: 'Lisa Planerare' };
    browser = await launch();
    ({ page } = await newPage(browser));
    await loginUI(page, f, planner);
  });
  after(async () => { await browser?.close(); });

  it('every problem type the server can send becomes a Swedish sentence with the names the page knows', async () => {
    const types = problemTypes(ROOT);
    const out = await page.evaluate(async (list) => {
      const { problemText } = await import('/js/problems.js');
      const names = { staff: 'Karin Lund', key: 'K-0101', recipient: 'L-4711 – Ringvägen 12', lock: 'Port A', date: '2026-12-24', from: '2026-12-24', provider: 'Hemtjänst Söder AB', user: 'pia.soder' };
      return list.map((ty) => ({
        ty,
        bare: problemText({ status: 409, type: `https://portvakt.org/problems/${ty}`, detail: 'Care recipient 8 is not a recipient of the staff member.' }),
        named: problemText({ status: 409, type: `https://portvakt.org/problems/${ty}`, detail: 'valid_until is before valid_from.', retryAfter: 30 }, names),
      }));
    }, types);
    for (const { ty, bare, named } of out) {
      for (const s of [bare, named]) {
        assert.ok(s && s.length > 10, `${ty}: "${s}"`);
        assert.doesNotMatch(s, /[{}]|\b(recipient|staff member|valid_until|valid_from|is|the)\b|#\d/, `${ty}: "${s}"`);
      }
    }
    const byType = Object.fromEntries(out.map((x) => [x.ty, x.named]));
    assert.match(byType['not-your-recipient'], /L-4711 – Ringvägen 12.*Karin Lund.*24 december 2026/);
    assert.match(byType['bearer-blocked'], /K-0101/);
    assert.match(byType['login-throttled'], /30 sekunder/);
    assert.match(byType['invalid-body'], /Slutdatumet ligger före startdatumet/);
    // A real refusal: a one-day right today to another provider's recipient (only today: the
    // admin tests may move that recipient to provider A from tomorrow), in the planner's words.
    const staff = await inPage(page, 'POST', '/staff', { display_name: 'Märta Berg', employee_ref: 'S-201', provider_id: f.providers.A.id });
    assert.ok(staff.ok, JSON.stringify(staff));
    made.staff = staff.data;
    const refused = await page.evaluate(async ([sid, rid, day]) => {
      const { api } = await import('/js/api.js');
      try { await api('POST', '/rights', { staff_id: sid, recipient_id: rid, kind: 'temporary', valid_from: day, valid_until: day, windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '08:00', to: '09:00' }] }); return null; } catch (e) {
        return { type: e.type, text: e.forPerson({ action: 'right.create', staff: 'Märta Berg', recipient: 'L-9902', from: day }) };
      }
    }, [made.staff.id, f.recipients.B.id, today]);
    assert.ok(refused, 'the server refused a right to another provider\'s recipient');
    assert.match(refused.text, /Märta Berg/);
    assert.doesNotMatch(refused.text, /[a-z]+_[a-z]+|\bCare\b|#\d/);
    console.log(`a real refusal (${refused.type.split('/').pop()}): ${refused.text}`);
  });

  it('daily tasks: register staff and key, give a one-day right, who can open (clicks counted)', async () => {
    const key = newBearerKey();
    // the new key is held to the provider's station first (by whoever unpacks it): it shows a code
    const enrolSim = findSimulator({ existingKey: true });
    const shown = enrolSim ? await simEnrol(enrolSim, f.base, f.tokens.stationA, f.providers.A.id, key) : { ok: false, output: 'no portvakt-sim in the build' };
    assert.ok(shown.ok, shown.output);
    await visit(page, f, 'overview');
    await startCounting(page);
    await navTo(page, 'Personal och nycklar');
    const staffForm = page.locator('form', { has: page.getByRole('heading', { name: 'Registrera personal' }) });
    await staffForm.getByLabel('Namn').fill('Ove Ek');
    await staffForm.getByRole('button', { name: 'Registrera' }).click();
    await page.getByRole('row', { name: /Ove Ek/ }).waitFor();
    const keyForm = page.locator('form', { has: page.getByRole('heading', { name: 'Lämna ut nyckel' }) });
    await keyForm.getByLabel('Bärare (personal)').selectOption({ label: 'Ove Ek' });
    await keyForm.getByLabel('Nyckelns märkning').fill('K-0201');
    await keyForm.getByLabel('Kod från nyckeln').fill(shown.code);
    await keyForm.getByRole('button', { name: 'Registrera nyckel' }).click();
    await page.getByRole('row', { name: /^K-0201/ }).getByText('Aktiv').waitFor();
    report('register_staff_and_key', await clicks(page));

    await startCounting(page);
    await navTo(page, 'Behörigheter');
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Ge behörighet' }) });
    await form.getByLabel('Personal', { exact: true }).selectOption({ label: 'Ove Ek' });
    await selectText(form.getByLabel('Brukare', { exact: true }), /L-4711/);
    await form.getByLabel('Typ', { exact: true }).selectOption('temporary');
    await form.getByRole('button', { name: 'Ge behörighet' }).click();
    await page.getByRole('row', { name: /Ove Ek.*Endagsbehörighet/ }).waitFor();
    report('one_day_right', await clicks(page));

    await startCounting(page);
    await navTo(page, 'Brukare');
    await page.getByRole('link', { name: f.recipients.A.alarm_code }).click();
    await settled(page);
    await page.getByRole('button', { name: 'Vem kan öppna lägenhetsdörren?' }).click();
    const who = page.locator('.who');
    await who.getByRole('row', { name: /Ove Ek/ }).first().waitFor();
    report('who_can_open', await clicks(page));
    // The weekly windows are shown where "who can open" is shown.
    assert.ok(await who.getByRole('columnheader', { name: 'Tider' }).count() === 1);
    assert.match(await who.getByRole('row', { name: /Ove Ek/ }).first().textContent(), /Alla dagar, hela dygnet|mån|tis|ons|tor|fre|lör|sön/);
    await assertAxe(null, page, 'vem kan öppna (med tider)');
    // The new key goes on a round in the simulator (when built): it syncs at provider A's
    // station, opens the apartment door and the entrance and is refused at provider B's door,
    // so the overview's charts have today's passages and a refusal to draw.
    const sim = findSimulator({ existingKey: true });
    if (!sim) return;
    const bearers = await inPage(page, 'GET', '/bearers?limit=500');
    const b = bearers.data.items.find((x) => x.label === 'K-0201');
    const lock = (l, name) => ['--lock-id', String(l.id), '--lock-seed', f.lockSeeds[name]];
    const v = await simVisit(sim, f.base, f.tokens.stationA, ['--bearer-id', String(b.id), '--bearer-seed', seedHex(key.privateKey),
      ...lock(f.locks.aptA, 'aptA'), ...lock(f.locks.entrance, 'entrance'), ...lock(f.locks.aptB, 'aptB'), '--expect', 'refused']);
    assert.ok(v.ok, v.output);
  });

  it('every list has a search box; the rights page shows its form first', async () => {
    // Märta Berg's standing right, weekdays 08–16 and Saturday 10–11:30 (the calendar's too).
    const r = await inPage(page, 'POST', '/rights', { staff_id: made.staff.id, recipient_id: f.recipients.A.id, kind: 'standing', valid_from: today, windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '16:00' }, { days: [6], from: '10:00', to: '11:30' }] });
    assert.ok(r.ok, JSON.stringify(r));
    await visit(page, f, 'rights');
    const search = page.getByLabel('Sök i Behörigheter');
    await search.fill('Ove Ek');
    const shown = await page.$$eval('tbody tr:not([hidden])', (rows) => rows.map((r) => r.textContent));
    assert.ok(shown.length > 0 && shown.every((x) => x.includes('Ove Ek')), JSON.stringify(shown));
    const order = await page.evaluate(() => [...document.querySelectorAll('main form, main .table-wrap')].map((e) => e.tagName));
    assert.equal(order[0], 'FORM', 'the grant form comes before the long list');
    await assertAxe(null, page, 'behörigheter med sök');
  });

  it('a week calendar of a staff member\'s and of a recipient\'s rights matches its table', async () => {
    await visit(page, f, 'staff');
    await page.getByRole('link', { name: 'Veckokalender: Märta Berg' }).click();
    await settled(page);
    assert.match(await page.locator('h1').textContent(), /Veckokalender: Märta Berg/);
    const rows = await page.locator('main table tbody tr').count();
    const blocks = await page.locator('svg.calendar rect.cal-block').count();
    assert.equal(blocks, rows, 'one block per table row');
    // From today to Sunday: the weekdays of this week from today on carry the right.
    const expected = [];
    for (let d = new Date(`${today}T12:00:00`); ; d.setDate(d.getDate() + 1)) {
      const wd = (d.getDay() + 6) % 7 + 1;
      if (wd <= 6) expected.push(wd);
      if (wd === 7) break;
    }
    assert.equal(rows, expected.length, `rights this week from ${today}`);
    await assertAxe(null, page, 'veckokalender personal');
    assert.match(await page.locator('#cal-week').textContent(), /^Vecka \d{1,2}: \d{1,2} [a-z]+\.? – \d{1,2} [a-z]+\.? \d{4}$/);
    await quiet(page);
    await shot(page, 'week-calendar-staff');
    await page.getByRole('link', { name: 'Nästa vecka →' }).click();
    await settled(page);
    assert.equal(await page.locator('svg.calendar rect.cal-block').count(), await page.locator('main table tbody tr').count());
    assert.ok(await page.locator('main table tbody tr').count() >= 6, 'next week has Monday to Saturday');
    await visit(page, f, `recipients/${f.recipients.A.id}`);
    // The week's visits as a timeline: one mark per passage, the same as the table beside it.
    const visits = page.locator('#week-visits');
    const marks = await visits.locator('svg circle.mark').count();
    const visitRows = await visits.locator('table tbody tr').count();
    assert.equal(marks, visitRows);
    if (findSimulator({ existingKey: true })) assert.ok(marks >= 1, 'K-0201 opened the apartment door today');
    await assertAxe(null, page, 'brukare med veckans besök');
    await quiet(page);
    await visits.screenshot({ path: `${ROOT}/docs/screenshots/recipient-week-visits.png` });
    await page.getByRole('link', { name: 'Veckokalender' }).click();
    await settled(page);
    assert.match(await page.locator('h1').textContent(), /L-4711/);
    assert.ok(await page.getByRole('row', { name: /Märta Berg/ }).count() >= 1);
    await assertAxe(null, page, 'veckokalender brukare');
  });

  it('prints a key receipt: label, what it opens, the rules for a lost key', async () => {
    await visit(page, f, 'staff');
    await page.getByRole('link', { name: 'Kvitto för nyckel K-0201' }).click();
    await settled(page);
    assert.match(await page.locator('h1').textContent(), /Kvitto för nyckel K-0201/);
    await page.getByRole('row', { name: /L-4711/ }).first().waitFor();
    await page.getByRole('heading', { name: 'Om nyckeln kommer bort' }).waitFor();
    assert.equal(await page.locator('ol.rules li').count(), 4);
    await assertAxe(null, page, 'nyckelkvitto');
    await quiet(page);
    await shot(page, 'key-receipt');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('#top').isVisible(), false, 'the menu is not printed');
    assert.equal(await page.getByRole('button', { name: 'Skriv ut kvittot' }).isVisible(), false);
    assert.equal(await page.locator('#receipt-key').isVisible(), true);
    await page.screenshot({ path: `${ROOT}/docs/screenshots/key-receipt-print.png` });
    await page.emulateMedia({ media: 'screen' });
  });

  it('passages yesterday for a recipient in two clicks; the log is newest first with shortcuts and CSV export', async () => {
    await visit(page, f, 'overview');
    await startCounting(page);
    await navTo(page, 'Passagelogg');
    const search = page.getByRole('search');
    await selectText(search.getByLabel('Brukare', { exact: true }), /L-4711/);
    await search.getByRole('button', { name: 'Igår' }).click();
    await page.waitForURL(/range=yesterday/);
    await settled(page);
    report('passages_yesterday_for_recipient', await clicks(page));
    assert.match(page.url(), /recipient_id=\d+/);
    assert.equal(await page.getByRole('search').getByRole('button', { name: 'Igår' }).getAttribute('aria-pressed'), 'true');
    await page.getByRole('search').getByRole('button', { name: 'Denna vecka' }).click();
    await page.waitForURL(/range=week/);
    await settled(page);
    const times = await page.$$eval('main table tbody tr', (rows) => rows.map((r) => r.querySelector('th')?.textContent || ''));
    assert.deepEqual([...times].sort().reverse(), times, 'newest first');
    await assertAxe(null, page, 'passagelogg med snabbval');
    if (times.length) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exportera till CSV' }).click()]);
      const text = readFileSync(await download.path(), 'utf8');
      const lines = text.replace(/^\ufeff/, '').trim().split('\r\n');
      assert.match(lines[0], /^"Tid";"Händelse";"Dörr"/);
      assert.equal(lines.length - 1, times.length);
    }
    // One row per passage: the lock's signed record and the key's report of the same opening.
    // Any door and key with exactly one report of each (the simulator's visits of this suite;
    // a second visit to a lock replays its log from the start and is refused as a whole).
    const all = await inPage(page, 'GET', '/access-log?limit=500');
    const pairs = new Map();
    for (const e of all.data.items.filter((x) => x.kind === 'open')) {
      const k = `${e.bearer_id}|${e.lock_id}`;
      pairs.set(k, [...(pairs.get(k) || []), e.source]);
    }
    const both = [...pairs].find(([, src]) => src.length === 2 && src.includes('lock') && src.includes('key'));
    if (findSimulator({ existingKey: true })) assert.ok(both, `the simulator's passages: ${JSON.stringify([...pairs])}`);
    if (both) {
      const [bearer, lockId] = both[0].split('|');
      await visit(page, f, `log?bearer_id=${bearer}&lock_id=${lockId}`);
      const rows = await page.locator('main table tbody tr').allTextContents();
      assert.equal(rows.length, 1, rows.join('\n'));
      assert.match(rows[0], /Öppnad.*låset \(signerat\) \+ nyckeln/);
      await quiet(page);
      await shot(page, 'access-log-one-row-per-passage');
    }
    // Formula injection: a cell that a spreadsheet would run is defused with a leading '.
    const cells = await page.evaluate(async () => {
      const { csvCell, toCsv } = await import('/js/listing.js');
      return { cells: ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', 'a"b', 'Karin'].map(csvCell), csv: toCsv(['a'], [['=HYPERLINK("x")']]) };
    });
    assert.deepEqual(cells.cells, ['"\'=1+1"', '"\'+1"', '"\'-1"', '"\'@SUM(A1)"', '"\'\tx"', '"\'\rx"', '"a""b"', '"Karin"']);
    assert.match(cells.csv, /"'=HYPERLINK\(""x""\)"/);
  });

  it('the overview draws passages per day for 14 days and refusals by reason, each matching its table', async () => {
    await visit(page, f, 'overview');
    for (const id of ['chart-synced', 'chart-passages', 'chart-refusals']) {
      const fig = page.locator(`#${id}`);
      await fig.waitFor();
      if (await fig.locator('table').count() === 0) { assert.equal(await fig.locator('svg').count(), 0, `${id}: no empty axes`); continue; }
      const bars = await fig.locator('svg rect.bar').evaluateAll((rs) => rs.map((r) => [r.dataset.label, Number(r.dataset.value)]));
      const rows = await fig.locator('table tbody tr').evaluateAll((rs) => rs.map((r) => [r.cells[0].textContent, Number(r.cells[1].textContent)]));
      assert.deepEqual(bars, rows, `${id}: the picture and the table say the same`);
      if (id === 'chart-passages') assert.equal(bars.length, 14);
    }
    // The chart counts what the access log holds for the same days.
    const since = Math.floor(new Date(`${localDate(-13)}T00:00:00`).getTime() / 1000);
    const log = await inPage(page, 'GET', `/access-log?from=${since}&limit=500`);
    // One per passage: a key's report with a lock record of the same door, key and outcome
    // within two minutes is the same passage.
    const items = (log.data.items || []).filter((e) => e.kind === 'open');
    const locks = items.filter((e) => e.source === 'lock');
    const used = new Set();
    const keyOnly = items.filter((e) => e.source === 'key').filter((e) => {
      const twin = locks.find((l) => !used.has(l) && l.lock_id === e.lock_id && l.bearer_id === e.bearer_id && Math.abs(l.time - e.time) <= 120);
      if (twin) used.add(twin);
      return !twin;
    });
    const opened = locks.length + keyOnly.length;
    const drawn = await page.locator('#chart-passages svg rect.bar').evaluateAll((rs) => rs.reduce((s, r) => s + Number(r.dataset.value), 0));
    assert.equal(drawn, opened);
    await assertAxe(null, page, 'översikt med diagram');
    await shot(page, 'overview-charts');
    assert.deepEqual(realErrors(page), []);
  });

  it('report a lost key in three clicks', async () => {
    await visit(page, f, 'overview');
    await startCounting(page);
    await navTo(page, 'Personal och nycklar');
    await page.getByRole('button', { name: 'Anmäl förlorad: nyckel K-0201' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Spärra nyckeln' }).click();
    await page.getByRole('row', { name: /^K-0201/ }).getByText('Förlorad – spärrad').waitFor();
    report('report_lost_key', await clicks(page));
  });
});

describe('alarm centre and audit trail (central administration, Swedish UI)', () => {
  before(async () => {
    browser = await launch();
    ({ page: adminPage } = await newPage(browser));
    await loginUI(adminPage, f, f.admin);
  });
  after(async () => { await browser?.close(); });

  it('the audit trail is newest first, in words, filtered by date and exported', async () => {
    await visit(adminPage, f, 'audit');
    const first = adminPage.locator('main table tbody tr').first();
    await first.waitFor();
    const texts = await adminPage.locator('main table tbody tr').evaluateAll((rs) => rs.map((r) => [r.cells[1].textContent, Number(r.cells[2].textContent)]));
    const seqs = texts.map((x) => x[1]);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
    assert.ok(texts.length <= 50, 'one page at a time');
    const all = texts.map((x) => x[0]).join('\n');
    assert.doesNotMatch(all, /\b[a-z]+\.[a-z_]+\b|#\d/, 'no action names or ids');
    await adminPage.getByRole('search').getByLabel('Innehåller (namn, nyckel, larmkod …)').fill('Lisa Planerare');
    await adminPage.getByRole('search').getByRole('button', { name: 'Sök' }).click();
    await adminPage.waitForURL(/q=Lisa/);
    await settled(adminPage);
    const mine = await adminPage.locator('main table tbody tr').evaluateAll((rs) => rs.map((r) => r.cells[1].textContent));
    assert.ok(mine.includes('Lisa Planerare registrerade personal Ove Ek'), mine.join('\n'));
    assert.ok(mine.includes('Lisa Planerare registrerade nyckel K-0201'), mine.join('\n'));
    assert.ok(mine.some((x) => /^Lisa Planerare gav behörighet: Ove Ek till L-4711/.test(x)), mine.join('\n'));
    assert.ok(mine.indexOf('Lisa Planerare anmälde nyckel K-0201 som förlorad och spärrade den') < mine.indexOf('Lisa Planerare registrerade nyckel K-0201'), 'newest first');
    await visit(adminPage, f, 'audit');
    await adminPage.getByRole('search').getByRole('button', { name: 'Idag' }).click();
    await adminPage.waitForURL(/audit\?.*from=/);
    await settled(adminPage);
    assert.equal(await adminPage.locator('#audit-count').isVisible(), true);
    await adminPage.getByRole('search').getByLabel('Innehåller (namn, nyckel, larmkod …)').fill('K-0201');
    await adminPage.getByRole('search').getByRole('button', { name: 'Sök' }).click();
    await adminPage.waitForURL(/q=K-0201/);
    await settled(adminPage);
    await adminPage.getByRole('row', { name: /anmälde nyckel K-0201 som förlorad/ }).waitFor();
    await assertAxe(null, adminPage, 'granskningslogg i ord');
    await shot(adminPage, 'audit-in-words');
    const [download] = await Promise.all([adminPage.waitForEvent('download'), adminPage.getByRole('button', { name: 'Exportera till CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.match(csv, /registrerade nyckel K-0201/);
  });

  it('the alarm centre sees lock battery levels and locks not heard from, a click away from the lock', async () => {
    await visit(adminPage, f, 'overview');
    const fig = adminPage.locator('#chart-battery');
    await fig.waitFor();
    const bars = await fig.locator('svg rect.bar').evaluateAll((rs) => rs.map((r) => [r.dataset.label, Number(r.dataset.value)]));
    const rows = await fig.locator('table tbody tr').evaluateAll((rs) => rs.map((r) => [r.cells[0].textContent, Number(r.cells[1].textContent)]));
    assert.deepEqual(bars, rows);
    const locks = await inPage(adminPage, 'GET', '/locks?limit=500');
    const installed = locks.data.items.filter((l) => l.state === 'installed');
    assert.equal(bars.reduce((s, b) => s + b[1], 0), installed.length, 'every commissioned lock is counted once');
    const silent = adminPage.locator('#silent-locks');
    const links = await silent.getByRole('link').count();
    const expected = installed.filter((l) => !l.last_seen || Date.now() / 1000 - l.last_seen > 7 * 86400).length;
    assert.equal(links, Math.min(50, expected));
    if (links) {
      await silent.getByRole('link').first().click();
      await settled(adminPage);
      assert.match(await adminPage.locator('h1').textContent(), /Vem kan öppna/);
      await visit(adminPage, f, 'overview');
    }
    await assertAxe(null, adminPage, 'översikt trygghetsjour');
    await shot(adminPage, 'overview-alarm-centre');
    assert.deepEqual(realErrors(adminPage), []);
  });
});
