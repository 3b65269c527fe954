// Launch Debian's chromium through playwright-core (never a downloaded browser) and run axe-core.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
export const CHROMIUM = process.env.PV_CHROMIUM || '/usr/bin/chromium';
// The browser runs in the server's time zone (same machine), so "today" means the same day to both.
export const LOCAL_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** YYYY-MM-DD in local time, `days` from today. */
export function localDate(days = 0) {
  const d = new Date(Date.now() + days * 86400000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
const ARGS = ['--headless', '--no-sandbox', '--lang=sv-SE', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch(extraArgs = []) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...ARGS, ...extraArgs] });
}

/** A new context (own cookies) and page; collects console errors and failed CSP checks. */
export async function newPage(browser, { width = 1280, height = 800, lang = 'sv' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: lang === 'en' ? 'en-GB' : 'sv-SE', timezoneId: LOCAL_TZ });
  const page = await context.newPage();
  page.pvErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.pvErrors.push(m.text()); });
  page.on('pageerror', (e) => page.pvErrors.push(String(e)));
  return { context, page };
}

let axeSource = null;
/** axe-core from node_modules, evaluated through the DevTools protocol: the page's CSP
 * (script from 'self' only) stays in force and is not bypassed for the app itself. */
export async function axeScan(page) {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.evaluate(axeSource);
  const res = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(vs) {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('\n');
}
