// Every refusal the server can send has a plain sentence in both catalogues: the problem types
// and audit actions are read from the server's C source (tests/web/lib/inventory.mjs), so a type
// the server adds fails here until the catalogue has its sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/ui.mjs';
import { problemTypes, auditActions } from '../lib/inventory.mjs';

const cat = (lang) => JSON.parse(readFileSync(join(ROOT, 'server', 'web', 'i18n', `${lang}.json`), 'utf8'));
const sv = cat('sv');
const en = cat('en');
const types = problemTypes(ROOT);
const actions = auditActions(ROOT);
// API member names and English words that must never reach a Swedish sentence.
const RAW = /\b[a-z]+_[a-z_]+\b|\b(the|is|must|not|already|exists|invalid|error|key|provider)\b|#\d|\bid\b/i;

test('the inventory of the server source finds its problem types and audit actions', () => {
  // A broken scanner must not pass silently: today's server has 57 types and 34 actions.
  assert.ok(types.length >= 50, `only ${types.length} problem types found: ${types}`);
  assert.ok(actions.length >= 30, `only ${actions.length} audit actions found: ${actions}`);
  for (const known of ['bearer-blocked', 'not-your-recipient', 'invalid-body', 'conflict', 'log-chain-broken', 'login-throttled']) {
    assert.ok(types.includes(known), `${known} missing from ${types}`);
  }
});

test('every problem type the server can send has a Swedish and an English sentence', () => {
  const missing = types.filter((ty) => !(`problem.${ty}` in sv) || !(`problem.${ty}` in en));
  assert.deepEqual(missing, [], `problem types without a sentence in server/web/i18n: ${missing.join(', ')}`);
});

test('the Swedish sentences are Swedish: no API member names, ids or English words', () => {
  for (const [k, v] of Object.entries(sv)) {
    if (!k.startsWith('problem.') && !k.startsWith('audit.action.')) continue;
    const text = v.replace(/\{\w+\}/g, '');
    assert.doesNotMatch(text, RAW, `${k}: ${v}`);
  }
});

test('every audit action the server records reads as a sentence in both languages', () => {
  const missing = actions.filter((a) => !(`audit.action.${a}` in sv) || !(`audit.action.${a}` in en));
  assert.deepEqual(missing, [], `audit actions without words: ${missing.join(', ')}`);
  for (const a of actions) assert.match(sv[`audit.action.${a}`], /\{actor\}/, `audit.action.${a} names who did it`);
});
