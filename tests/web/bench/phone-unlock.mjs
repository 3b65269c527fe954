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
// phone.push_latency_ms: from just before the alarm centre's POST (so the commit and the
// answer's trip are counted too) until the grant's door shows on the open phone, which means
// the app was woken by its long poll, synced and stored the new credential; `rounds` grants,
// each ended again. While it runs, `others` more long polls are held open on the server
// (each waiting on the key's token as an open app does), so it wakes among 1 + others.
async function pushLatency(page, admin, f, bearerId, rounds, others) {
  let stop = false;
  const wait = async (token) => {
    const r = await fetch(`${f.base}/api/v1/phone/wait`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(token ? { bearer_id: bearerId, token } : { bearer_id: bearerId }) });
    return (await r.json()).token;
  };
  const poller = async () => {
    let token = null;
    while (!stop) {
      token = await wait(token).catch(() => null);
      if (!token) await new Promise((r) => setTimeout(r, 1000)); // refused: not a tight loop
    }
  };
  const pollers = Array.from({ length: others }, poller);
  const door = page.locator(`button[data-lock="${f.locks.aptB.id}"]`), ms = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const g = await admin.post('/alarm-grants', { alarm_ref: `BENCH-${i}`, recipient_id: f.recipients.B.id, bearer_id: bearerId, minutes: 30 });
      await door.waitFor({ timeout: 15000 });
      ms.push(performance.now() - t0);
      await admin.post(`/alarm-grants/${g.id}/end`, {});
      await door.waitFor({ state: 'detached', timeout: 15000 });
    }
  } finally {
    stop = true;
    await Promise.all(pollers);
  }
  ms.sort((a, b) => a - b);
  const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
  return { name: 'phone.push_latency_ms', value: Math.round(q(0.5)), unit: 'ms', p99: Math.round(q(0.99)),
    phones: 1 + others, rounds, push: 'long poll' };
}

const browser = await launch();
const bench = new LockBench();
try {
  await bench.start(base, [f.locks.aptA.id, ENTRANCE], [f.lockSeeds.aptA, f.lockSeeds.entrance]);
  await bench.startBridge(base);
  const admin = new ApiClient(base);
  await admin.signIn(f.admin.username, f.admin.password, f.admin.secret, f.ledger);
  const login = await staffWithPhoneLogin(f, admin, 'bench.telefon', localDate());
  const context = await browser.newContext({ ...PHONE, locale: 'sv-SE' });
  const page = await phonePage(context, base, bench.bridge);
  const bearerId = await enrolPhone(page, f, login, '482916', 2);
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
  console.log(JSON.stringify(await pushLatency(page, admin, f, bearerId, 20, 49)));
} finally {
  bench.stop();
  await browser.close();
}
