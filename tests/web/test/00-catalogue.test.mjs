// Static checks of the web interface: every text from the catalogues, same keys in both
// languages, no inline script or style (CSP default-src 'self'), no HTML parsing of data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/ui.mjs';

const WEB = join(ROOT, 'server', 'web');
const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
const js = walk(join(WEB, 'js')).filter((p) => p.endsWith('.js'));
const sv = JSON.parse(readFileSync(join(WEB, 'i18n', 'sv.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(WEB, 'i18n', 'en.json'), 'utf8'));

test('Swedish and English catalogues have the same keys and no empty texts', () => {
  assert.deepEqual(Object.keys(sv).sort(), Object.keys(en).sort());
  for (const [k, v] of [...Object.entries(sv), ...Object.entries(en)]) assert.ok(typeof v === 'string' && v.trim(), `empty text for ${k}`);
});

test('every literal key passed to t() exists in the catalogue', () => {
  const missing = [];
  for (const f of js) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\bt\('([\w.-]+)'/g)) if (!(m[1] in sv)) missing.push(`${f}: ${m[1]}`);
    for (const m of src.matchAll(/labelKey|'(auth\.(?:step2|enrolTitle))'/g)) if (m[1] && !(m[1] in sv)) missing.push(m[1]);
  }
  assert.deepEqual(missing, []);
});

test('placeholders in both languages match', () => {
  for (const k of Object.keys(sv)) {
    const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
    assert.equal(ph(sv[k]), ph(en[k]), `placeholders differ for ${k}`);
  }
});

test('no inline scripts, inline styles, innerHTML or eval (the CSP forbids them anyway)', () => {
  const html = readFileSync(join(WEB, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i);
  assert.doesNotMatch(html, /\sstyle=|<style|\son\w+=/i);
  for (const f of js) {
    const src = readFileSync(f, 'utf8');
    assert.ok(!/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(src), `${f} parses HTML or evaluates code`);
  }
});
