// Session expiry with a clear message: the server's simulated clock jumps past the session's
// lifetime and the next click lands on the login page saying why. Runs last: it moves the clock.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from '../lib/browser.mjs';
import { fixture, loginUI, visit, shot } from '../lib/ui.mjs';
import { ApiClient } from '../lib/api.mjs';

const f = fixture();
let browser;

describe('session expiry', () => {
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it('an expired session sends the person to the login page with a clear message', async () => {
    const { page } = await newPage(browser);
    await loginUI(page, f, f.planners.B);
    await visit(page, f, 'overview');
    // The server's default idle limit is 30 minutes: move its simulated clocks (the domain's
    // and sign-in's) 31 minutes on.
    const now = Math.floor(Date.now() / 1000);
    await new ApiClient(f.base).call('PUT', '/api/v1/dev/clock', { now: now + 31 * 60, sign_in: true });
    await page.getByRole('link', { name: 'Brukare' }).click();
    await page.getByText('Din session har gått ut. Logga in igen för att fortsätta.').waitFor();
    assert.ok(await page.getByLabel('Användarnamn', { exact: true }).isVisible());
    await shot(page, 'session-expired');
  });
});
