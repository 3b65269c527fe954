// phone.unlock_wasm_ms: the key core's own time for one unlock in the phone app, in
// Chromium (the app times its WebAssembly calls: M1, M2 -> M3, M4 -> outcome), median of
// N taps on a simulated door through pv-ws-bridge. Reference: the native key core's time
// for the same steps in the same run (bench_unlock --key-side), given by the caller.
// The phone signs in, enrols and syncs with a server seeded by tests/web/seed.mjs.
// Usage: node phone-unlock.mjs BASE_URL STATE_DIR REFERENCE_MS [N]   (PV_BUILD_DIR set)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, localDate } from '../lib/browser.mjs';
import { ApiClient, CodeLedger } from '../lib/api.mjs';
import { LockBench, PHONE, phonePage, enrolPhone, staffWithPhoneLogin } from '../lib/phone.mjs';

const [base, stateDir, refArg, nArg] = process.argv.slice(2);
const ref = Number(refArg), n = Number(nArg || 21);
const f = JSON.parse(readFileSync(join(stateDir, 'fixture.json'), 'utf8'));
f.ledger = new CodeLedger(join(stateDir, 'totp-ledger.json'));
const ENTRANCE = f.locks.entrance.id;
const browser = await launch();
const bench = new LockBench();
try {
  await bench.start(stateDir, [f.locks.aptA.id, ENTRANCE]);
  await bench.startBridge(base);
  const admin = new ApiClient(base);
  await admin.signIn(f.admin.username, f.admin.password, f.admin.secret, f.ledger);
  const login = await staffWithPhoneLogin(f, admin, 'bench.telefon', localDate());
  const context = await browser.newContext({ ...PHONE, locale: 'sv-SE' });
  const page = await phonePage(context, base, bench.bridge);
  await enrolPhone(page, f, login, '482916', 2);
  const ms = [];
  for (let i = 0; i < n; i++) {
    await page.evaluate(() => { document.body.dataset.lastKeyMs = ''; });
    await page.locator(`button[data-lock="${ENTRANCE}"]`).tap();
    await page.waitForFunction(() => document.body.dataset.lastKeyMs, null, { timeout: 15000 });
    const status = await page.locator('#status').textContent();
    if (status !== 'Dörren är öppen.') throw new Error(`unlock ${i + 1}: ${status}`);
    ms.push(Number(await page.evaluate(() => document.body.dataset.lastKeyMs)));
  }
  ms.sort((a, b) => a - b);
  const value = ms[Math.floor(n / 2)];
  console.log(JSON.stringify({ name: 'phone.unlock_wasm_ms', value: Number(value.toFixed(3)), unit: 'ms',
    reference: ref, ratio: Number((value / ref).toFixed(2)) }));
} finally {
  bench.stop();
  await browser.close();
}
