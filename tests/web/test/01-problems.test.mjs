// Every refusal the server can send has a plain sentence in both catalogues: the problem types
// and audit actions are read from the server's C source (tests/web/lib/inventory.mjs), so a type
// the server adds fails here until the catalogue has its sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
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

// The older refusals carry parameters now: invalid-value its rule (server/handlers/invalid_rules.c),
// conflict/reference the object (server/http/problem_params.c), forbidden the caller's role.
const src = (rel) => readFileSync(join(ROOT, rel), 'utf8');
const cString = (lits) => [...lits.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join('');

test('every invalid-value refusal of a domain handler has a rule, and every rule a sentence', () => {
  const table = src('server/handlers/invalid_rules.c');
  const rows = [...table.matchAll(/\{("(?:[^"\\]|\\.)*"),\s*"([a-z_]+)", "([a-z-]+)"\},/g)].map((m) => ({ fmt: cString(m[1]), member: m[2], rule: m[3] }));
  assert.ok(rows.length >= 20, `only ${rows.length} rows read from invalid_rules.c`);
  const fmts = new Set(rows.map((r) => r.fmt));
  const dir = join(ROOT, 'server', 'handlers');
  const calls = readdirSync(dir).filter((n) => n.endsWith('.c')).flatMap((n) =>
    [...src(`server/handlers/${n}`).matchAll(/pvd_invalid\(r,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)/g)].map((m) => ({ file: n, fmt: cString(m[1]) })));
  assert.ok(calls.length >= 20, `only ${calls.length} pvd_invalid calls found`);
  const missing = calls.filter((c) => c.fmt !== '%s' && !fmts.has(c.fmt)).map((c) => `${c.file}: ${c.fmt}`);
  assert.deepEqual(missing, [], 'pvd_invalid() texts without a rule in invalid_rules.c');
  const problems = src('server/web/js/problems.js');
  const ruleKeys = Object.fromEntries([...problems.matchAll(/'?([a-z-]+)'?: '(problem\.detail\.[a-z-]+)'/g)].map((m) => [m[1], m[2]]));
  for (const { rule } of rows) {
    assert.ok(ruleKeys[rule], `rule ${rule} has no entry in problems.js RULE_KEYS`);
    assert.ok(ruleKeys[rule] in sv && ruleKeys[rule] in en, `${ruleKeys[rule]} missing from a catalogue`);
  }
});

test('every object a store refusal names has its own conflict sentence; a refusal by role names the role', () => {
  const objects = [...new Set([...src('server/http/problem_params.c').matchAll(/\{"[^"]+", "([a-z-]+)"\},/g)].map((m) => m[1]))];
  assert.ok(objects.length >= 10, `only ${objects.length} objects`);
  const missing = objects.filter((o) => !(`problem.conflict.${o}` in sv) || !(`problem.conflict.${o}` in en));
  assert.deepEqual(missing, [], 'objects without a problem.conflict.<object> sentence');
  for (const role of ['central_admin', 'installer', 'provider_admin', 'planner', 'auditor']) {
    assert.ok(`role.${role}` in sv && !/\b(central|administration|admin)\b/i.test(sv[`role.${role}`]), `role.${role} is Swedish`);
  }
  assert.match(sv['problem.forbidden.named'], /\{role\}/);
});
