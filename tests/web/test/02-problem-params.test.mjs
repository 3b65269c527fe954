// The older refusals in the person's words (issue 9, item 2): invalid-value carries its rule,
// conflict the object, forbidden the caller's role — and the page turns each into a Swedish
// sentence that names the thing, with no English, field names or ids. Real server, real page.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, localDate } from '../lib/browser.mjs';
import { fixture, loginUI } from '../lib/ui.mjs';
import { newBearerKey } from '../lib/bearer.mjs';
import { ApiClient } from '../lib/api.mjs';

const f = fixture();
let browser; let page;
const RAW = /\b[a-z]+_[a-z_]+\b|\b(the|is|must|not|already|exists|invalid|error|key|provider)\b|#\d|\bid\b|\{\w+\}/i;

/** A call through the UI's api.js; a refusal as { status, type, params, errors, text }. */
const refusal = (method, path, body, names) => page.evaluate(async ([m, pa, b, n]) => {
  const { api } = await import('/js/api.js');
  try { await api(m, pa, b); return null; } catch (e) {
    return { status: e.status, type: String(e.type || '').split('/').pop(), params: e.params, errors: e.errors, text: e.forPerson(n) };
  }
}, [method, path, body, names]);
const made = (method, path, body) => page.evaluate(async ([m, pa, b]) => (await import('/js/api.js')).api(m, pa, b), [method, path, body]);

describe('older refusals carry parameters and read as Swedish sentences', () => {
  before(async () => {
    // a planner of provider A of this file's own: the seeded planner A's first sign-in (TOTP
    // enrolment from the page) belongs to 10-planner, whose process keeps its secret
    const admin = new ApiClient(f.base);
    await admin.signIn(f.admin.username, f.admin.password, f.admin.secret, f.ledger);
    const u = await admin.post('/users', { username: 'rut.param', display_name: 'Rut Planerare', role: 'planner', provider_id: f.providers.A.id });
    browser = await launch();
    ({ page } = await newPage(browser));
    await loginUI(page, f, { username: 'rut.param', password: u.initial_password, display_name: 'Rut Planerare' });
  });
  after(async () => { await browser?.close(); });

  it('invalid-value names its rule: an end date before the start date', async () => {
    const staff = await made('POST', '/staff', { display_name: 'Vera Vikarie', employee_ref: 'P-201', provider_id: f.providers.A.id });
    const r = await refusal('POST', '/rights', { staff_id: staff.id, recipient_id: f.recipients.A.id, kind: 'standing', valid_from: localDate(3), valid_until: localDate(2),
      windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '16:00' }] }, { staff: 'Vera Vikarie' });
    assert.equal(r.status, 400);
    assert.equal(r.type, 'invalid-value');
    assert.deepEqual(r.errors, [{ member: 'valid_until', rule: 'until-before-from' }]);
    assert.match(r.text, /^Slutdatumet ligger före startdatumet/);
    assert.doesNotMatch(r.text, RAW);
    const kind = await refusal('POST', '/rights', { staff_id: staff.id, recipient_id: f.recipients.A.id, kind: 'weekly', valid_from: localDate(1),
      windows: [{ days: [1], from: '08:00', to: '16:00' }] }, { fields: { kind: 'Typ av behörighet' } });
    assert.deepEqual(kind.errors, [{ member: 'kind', rule: 'one-of' }]);
    assert.equal(kind.text, 'Välj ett av alternativen för ”Typ av behörighet”.');
  });

  it('conflict names the object: a second key with the same public key', async () => {
    const staff = await made('POST', '/staff', { display_name: 'Olle Ordinarie', employee_ref: 'P-202', provider_id: f.providers.A.id });
    const key = newBearerKey();
    await made('POST', '/bearers', { staff_id: staff.id, kind: 'fob', label: 'K-0881', public_key: key.publicHex });
    const r = await refusal('POST', '/bearers', { staff_id: staff.id, kind: 'fob', label: 'K-0882', public_key: key.publicHex }, { key: 'K-0882' });
    assert.equal(r.status, 409);
    assert.equal(r.type, 'conflict');
    assert.equal(r.params?.object, 'key');
    assert.equal(r.text, 'Nyckel K-0882 kan inte registreras: det finns redan en nyckel med samma publika nyckel.');
  });

  it('forbidden names the caller\'s role in Swedish', async () => {
    const r = await refusal('POST', '/providers', { name: 'Ny utförare AB' });
    assert.equal(r.status, 403);
    assert.equal(r.params?.role, 'planner');
    assert.equal(r.text, 'Som planerare har du inte behörighet till det här.');
  });
});
