// The central administration's pages: providers, buildings, locks (battery, last heard of,
// revocation list), recipients and provider changes, owners and consents, users, the audit trail.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, localDate } from '../lib/browser.mjs';
import { fixture, loginUI, visit, assertAxe, shot, realErrors, selectText } from '../lib/ui.mjs';
import { findSimulator, simVisit } from '../lib/sim.mjs';
import { newLockLabel } from '../lib/labels.mjs';

const f = fixture();
let browser; let page;
const tomorrow = localDate(1);

describe('central administration (Swedish UI)', () => {
  before(async () => { browser = await launch(); ({ page } = await newPage(browser)); await loginUI(page, f, f.admin); });
  after(async () => { await browser?.close(); });

  it('lists and creates providers', async () => {
    await visit(page, f, 'providers');
    await page.getByRole('row', { name: new RegExp(f.providers.A.name) }).waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Lägg till utförare' }) });
    await form.getByLabel('Namn').fill('Vård i Väst AB');
    await form.getByRole('button', { name: 'Lägg till' }).click();
    await page.getByRole('row', { name: /Vård i Väst AB/ }).waitFor();
    await assertAxe(null, page, 'utförare');
    await shot(page, 'admin-providers');
  });

  it('shows buildings and locks with battery, last heard of and revocation list; commissions a new lock', async () => {
    await visit(page, f, 'buildings');
    await page.getByRole('row', { name: new RegExp(f.building.address) }).waitFor();
    await assertAxe(null, page, 'fastigheter');
    await visit(page, f, 'locks');
    await page.getByRole('row', { name: /Port A/ }).waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Registrera lås' }) });
    await form.getByLabel('Typ', { exact: true }).selectOption('common');
    await form.getByLabel('Fastighet', { exact: true }).selectOption({ label: f.building.address });
    await form.getByLabel(/Märkning/).fill('Tvättstuga');
    await form.getByLabel('Koden på låsets etikett').fill(newLockLabel().label);
    await form.getByRole('button', { name: 'Registrera' }).click();
    const row = page.getByRole('row', { name: /Tvättstuga/ });
    await row.waitFor();
    const commission = row.getByRole('button', { name: /Driftsätt/ });
    if (await commission.count()) {
      await commission.click();
      await page.getByRole('row', { name: /Tvättstuga/ }).getByRole('button', { name: /Driftsätt/ }).waitFor({ state: 'detached' });
    }
    await assertAxe(null, page, 'lås');
    await shot(page, 'admin-locks');
    // Remove it again: a confirmation first, then the lock is listed as removed.
    await page.getByRole('row', { name: /Tvättstuga/ }).getByRole('button', { name: /^Ta bort/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Ta bort' }).click();
    await page.getByRole('row', { name: /Tvättstuga.*Borttaget/ }).waitFor();
    await visit(page, f, `locks/${f.locks.entrance.id}`);
    await page.getByRole('heading', { name: 'Vem kan öppna: Port A' }).waitFor();
    await assertAxe(null, page, 'vem kan öppna (lås)');
  });

  it('installs an apartment lock: registers it, links it to a new alarm code, commissions it', async () => {
    await visit(page, f, 'locks');
    const reg = page.locator('form', { has: page.getByRole('heading', { name: 'Registrera lås' }) });
    await reg.getByLabel('Typ', { exact: true }).selectOption('apartment');
    await reg.getByLabel('Fastighet', { exact: true }).selectOption({ label: f.building.address });
    await reg.getByLabel(/Märkning/).fill('lgh 1301');
    await reg.getByLabel('Koden på låsets etikett').fill(newLockLabel().label);
    await reg.getByRole('button', { name: 'Registrera' }).click();
    await page.getByRole('row', { name: /lgh 1301.*Registrerat, ej driftsatt/ }).waitFor();
    // Not linked to an alarm code yet: the server refuses to commission it, and says why.
    await page.getByRole('row', { name: /lgh 1301/ }).getByRole('button', { name: /Driftsätt/ }).click();
    await page.locator('.error-text:not([hidden])').getByText(/inte kopplat till en brukares larmkod/).waitFor();
    await visit(page, f, 'recipients');
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Lägg till brukare' }) });
    await form.getByLabel('Larmkod').fill('L-5000');
    await form.getByLabel('Fastighet').selectOption({ label: f.building.address });
    await form.getByLabel('Lägenhet', { exact: true }).fill('1301');
    await selectText(form.getByLabel(/Lägenhetslås/), /lgh 1301/);
    await form.getByLabel('Utförare').selectOption({ label: f.providers.A.name });
    await form.getByRole('button', { name: 'Lägg till' }).click();
    await page.getByRole('row', { name: /L-5000.*Registrerat, ej driftsatt/ }).waitFor();
    await assertAxe(null, page, 'brukare (central)');
    await shot(page, 'admin-recipients');
    // Linked, but the resident has not consented yet: refused again, with the reason.
    await visit(page, f, 'locks');
    await page.getByRole('row', { name: /lgh 1301/ }).getByRole('button', { name: /Driftsätt/ }).click();
    await page.locator('.error-text:not([hidden])').getByText(/Samtycke saknas/).waitFor();
    await visit(page, f, 'owners');
    const consent = page.locator('form', { has: page.getByRole('heading', { name: 'Registrera samtycke' }) });
    await consent.getByLabel('Typ', { exact: true }).selectOption('recipient');
    await selectText(consent.getByLabel('Brukare', { exact: true }), /L-5000/);
    await consent.getByRole('button', { name: 'Registrera' }).click();
    await page.getByRole('row', { name: /Brukarens samtycke.*L-5000/ }).waitFor();
    await visit(page, f, 'locks');
    await page.getByRole('row', { name: /lgh 1301/ }).getByRole('button', { name: /Driftsätt/ }).click();
    await page.getByRole('row', { name: /lgh 1301.*Installerat/ }).waitFor();
  });

  it('schedules a provider change with an effective date', async () => {
    await visit(page, f, `recipients/${f.recipients.B.id}`);
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Planera byte av utförare' }) });
    await form.getByLabel('Ny utförare').selectOption({ label: f.providers.A.name });
    await form.getByLabel('Gäller från').fill(tomorrow);
    await form.getByRole('button', { name: 'Planera bytet' }).click();
    await page.getByRole('row', { name: new RegExp(tomorrow) }).first().waitFor();
    await assertAxe(null, page, 'brukare (byte av utförare)');
    await shot(page, 'admin-provider-change');
  });

  it('records owners\' consents per property and for a whole portfolio', async () => {
    await visit(page, f, 'owners');
    await page.getByRole('row', { name: new RegExp(f.owner.name) }).first().waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Registrera samtycke' }) });
    await form.getByLabel('Typ', { exact: true }).selectOption('property');
    await form.getByLabel('Fastighet', { exact: true }).selectOption({ label: f.building.address });
    await form.getByLabel(/Diarienummer/).fill('SH-2026-042');
    await form.getByRole('button', { name: 'Registrera' }).click();
    const row = page.getByRole('row', { name: /Per fastighet/ }).first();
    await Promise.race([row.waitFor(), form.locator('.error-text:not([hidden])').waitFor()]);
    assert.equal(await form.locator('.error-text:not([hidden])').count(), 0, await form.locator('.error-text').textContent());
    assert.ok(await page.getByRole('row', { name: /Hela beståndet/ }).count() > 0);
    await assertAxe(null, page, 'fastighetsägare');
    await shot(page, 'admin-owners-consents');
  });

  it('a key in the simulator syncs through a station and opens a door; the passage appears in the access log', async (t) => {
    const sim = findSimulator();
    if (!sim) { t.skip('portvakt-sim with the visit command is not in the build directory'); return; }
    // An API token for the simulator, made through the same session the page uses.
    const token = await page.evaluate(async () => {
      const me = await (await fetch('/api/v1/me')).json();
      const r = await fetch('/api/v1/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token }, body: JSON.stringify({ name: 'portvakt-sim (web tests)', role: 'central_admin', provider_id: null }) });
      return (await r.json()).secret;
    });
    assert.ok(token, 'an API token for the simulator');
    const v = await simVisit(sim, f.base, token);
    assert.ok(v.ok, v.output);
    await visit(page, f, `log?lock_id=${v.lockId}`);
    await page.getByRole('row', { name: /Öppnad/ }).first().waitFor();
    await assertAxe(null, page, 'passagelogg');
    await shot(page, 'access-log');
  });

  it('registers and retires a provider\'s sync station', async () => {
    await visit(page, f, 'stations');
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Registrera synkstation' }) });
    await form.getByLabel('Namn').fill('Kontoret Ringvägen');
    await form.getByLabel('Stationens publika nyckel (hex)').fill('ef'.repeat(32));
    await form.getByLabel('Utförare').selectOption({ label: f.providers.A.name });
    await form.getByRole('button', { name: 'Registrera' }).click();
    await page.getByRole('row', { name: /Kontoret Ringvägen.*I drift/ }).waitFor();
    await assertAxe(null, page, 'synkstationer');
    await page.getByRole('button', { name: 'Ta ur drift: Kontoret Ringvägen' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Ta ur drift' }).click();
    await page.getByRole('row', { name: /Kontoret Ringvägen.*Ur drift/ }).waitFor();
  });

  it('shows the audit trail and verifies its hash chain', async () => {
    await visit(page, f, 'audit');
    await page.getByRole('button', { name: 'Verifiera kedjan' }).click();
    await page.locator('#verify-result').getByText(/Kedjan är hel/).waitFor();
    await assertAxe(null, page, 'granskningslogg');
    await shot(page, 'admin-audit');
    await visit(page, f, 'users');
    await page.getByRole('row', { name: new RegExp(f.planners.A.username.replace('.', '\\.')) }).waitFor();
    await assertAxe(null, page, 'användare');
    assert.deepEqual(realErrors(page), []);
  });
});
