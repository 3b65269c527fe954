// Time to content of each planner page in Debian's Chromium against a server holding the Årsta
// district after its simulated day (bench/web_page_p95.sh starts both): in the signed-in app, from
// the address change until the page's content is rendered and no longer busy, repeated, and the
// 95th percentile printed as one `make bench` line per page:
// {"name":"web.<page>_p95_ms","value":…,"unit":"ms","samples":…,"median":…}.
// Usage: node page-timings.mjs BASE_URL DEMO_LOGIN_FILE LEDGER_FILE [ROUNDS]
import { readFileSync } from 'node:fs';
import { launch, LOCAL_TZ } from '../lib/browser.mjs';
import { loginUI } from '../lib/ui.mjs';
import { CodeLedger } from '../lib/api.mjs';

const [base, loginFile, ledgerFile, roundsArg] = process.argv.slice(2);
const ROUNDS = Number(roundsArg || 20);
const [username, password] = readFileSync(loginFile, 'utf8').trim().split(/\s+/);
// the planner's pages; the recipient's, calendar and spread pages get their id from the lists
const PAGES = ['overview', 'staff', 'recipients', 'recipient', 'rights', 'log', 'audit', 'locks', 'calendar'];

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };

const browser = await launch(['--ignore-certificate-errors']);
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'sv-SE', timezoneId: LOCAL_TZ, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await loginUI(page, { base, ledger: new CodeLedger(ledgerFile) }, { username, password });
  const first = (path) => page.evaluate(async (p) => {
    const r = await (await fetch(`/api/v1${p}?limit=1`)).json();
    return (Array.isArray(r) ? r : r.items)[0]?.id;
  }, path);
  const routes = {
    recipient: `recipients/${await first('/recipients')}`,
    calendar: `calendar?staff_id=${await first('/staff')}`,
  };
  // The time a planner waits after a click in the open app: from the address change until the
  // page's new content is in place (measured inside the page), starting each time from the
  // calendar's empty page, which needs no data.
  const navigate = (route) => page.evaluate((r) => new Promise((resolve) => {
    const main = document.getElementById('main');
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (main.hasAttribute('aria-busy') || !main.querySelector('h1')) return;
      obs.disconnect();
      resolve({ ms: performance.now() - t0, failed: !!main.querySelector('.error-text:not([hidden])') });
    });
    obs.observe(main, { childList: true });
    location.hash = `#/${r}`;
  }), route);
  for (const name of PAGES) {
    const route = routes[name] || name;
    const times = [];
    for (let i = 0; i < ROUNDS + 1; i++) {
      await navigate('calendar');
      const { ms, failed } = await navigate(route);
      if (failed) throw new Error(`page ${route} showed an error`);
      if (i > 0) times.push(ms); // the first visit warms the caches
    }
    const line = { name: `web.${name}_p95_ms`, value: Math.round(pct(times, 95)), unit: 'ms', samples: times.length, median: Math.round(pct(times, 50)) };
    console.log(JSON.stringify(line));
  }
} finally {
  await browser.close();
}
