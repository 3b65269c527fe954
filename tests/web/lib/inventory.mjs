// What the server can send, read from its C source (server/, not server/web): every problem type
// and every audit action, so the tests notice when the server grows one the UI cannot translate.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const walk = (d) => readdirSync(d).flatMap((n) => {
  const p = join(d, n);
  if (statSync(p).isDirectory()) return n === 'web' ? [] : walk(p);
  return /\.[ch]$/.test(n) ? [p] : [];
});

/** The argument list of the call whose '(' is at `open`, split at top-level commas. */
function callArgs(src, open) {
  const args = []; let depth = 0; let cur = ''; let str = null;
  for (let i = open + 1; i < src.length; i++) {
    const c = src[i];
    if (str) { cur += c; if (c === '\\') { cur += src[++i]; } else if (c === str) str = null; continue; }
    if (c === '"' || c === "'") { str = c; cur += c; continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') { if (depth === 0) { args.push(cur.trim()); return args; } depth--; }
    if (c === ',' && depth === 0) { args.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  return args;
}

const literals = (expr) => [...(expr || '').matchAll(/"([a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*)"/g)].map((m) => m[1]);

/** The body of the function whose prototype ends at `from` (the text between its braces). */
function bodyAt(src, from) {
  const open = src.indexOf('{', from);
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    if (src[i] === '}' && --depth === 0) return src.slice(open, i);
  }
  return '';
}

/**
 * String literals passed as the parameter `param` of the functions named like `seed`, and of every function in server/
 * that takes a `const char *<param>` and hands it on to one of those (throttled(),
 * sync_refuse(), ingest's refuse() storing it for a later pvs_problem, ...): found by their
 * prototypes and bodies, so a new helper is picked up without a list here. Argument lists
 * shortened by a macro that expands to two arguments (PVS_ARGS) are aligned from the end.
 */
function literalsPassedAs(root, seed, param) {
  const files = walk(join(root, 'server')).map((p) => readFileSync(p, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ''));
  const fns = new Map();
  const proto = new RegExp(`\\b(\\w+)\\s*\\(([^()]*\\bconst char \\*${param}\\b[^()]*)\\)\\s*(?:\\{|__attribute__)`, 'g');
  const candidates = [];
  for (const src of files) {
    for (const m of src.matchAll(proto)) {
      const params = m[2].split(',');
      const i = params.findIndex((x) => new RegExp(`\\bconst char \\*${param}\\s*$`).test(x.trim()));
      // a variadic function's fixed arguments count from the start
      const n = params.some((x) => x.trim() === '...') ? 0 : params.length;
      if (i >= 0) candidates.push({ name: m[1], i, n, body: bodyAt(src, m.index + m[0].length - 1) });
    }
  }
  for (let grew = true; grew;) { // a helper qualifies once it hands `param` to one that does
    grew = false;
    for (const c of candidates) {
      if (fns.has(c.name)) continue;
      const calls = new RegExp(`\\b(?:${[...fns.keys()].join('|')})\\s*\\([^;]*\\b${param}\\b|->${param}\\s*=\\s*${param}\\b`);
      if (seed.test(c.name) || (fns.size && calls.test(c.body))) { fns.set(c.name, c); grew = true; }
    }
  }
  const found = new Set();
  for (const src of files) {
    for (const [name, { i, n }] of fns) {
      for (const m of src.matchAll(new RegExp(`\\b${name}\\s*\\(`, 'g'))) {
        const args = callArgs(src, m.index + m[0].length - 1);
        const at = !n || args.length === n ? i : args.length - (n - i);
        for (const l of literals(args[at])) found.add(l);
      }
    }
  }
  return [...found].sort();
}

/**
 * Literals returned by the functions whose result initialises a `const char *type` (a table of
 * refusal names such as pvs_sync_refusal_name(), whose result a handler hands to pvs_problem),
 * without the "ok" of success.
 */
function typesFromNameFunctions(root) {
  const files = walk(join(root, 'server')).map((p) => readFileSync(p, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ''));
  const names = new Set();
  for (const src of files) for (const m of src.matchAll(/const char \*type\s*=\s*(\w+)\s*\(/g)) names.add(m[1]);
  const found = new Set();
  for (const src of files) {
    for (const name of names) {
      for (const m of src.matchAll(new RegExp(`\\bconst char \\*${name}\\s*\\([^()]*\\)\\s*\\{`, 'g'))) {
        const body = bodyAt(src, m.index + m[0].length - 1);
        for (const r of body.matchAll(/return\s+"([a-z][a-z0-9-]*)"/g)) if (r[1] !== 'ok') found.add(r[1]);
      }
    }
  }
  return found;
}

/** Every problem type slug (the last segment of the type URI) the server can send. */
export function problemTypes(root) {
  const all = new Set(literalsPassedAs(root, /^pvs_problem(_ext)?$/, 'type'));
  for (const t of typesFromNameFunctions(root)) all.add(t);
  return [...all].sort();
}

/** Every audit action ("staff.create", ...) the server records. */
export function auditActions(root) {
  return literalsPassedAs(root, /^pvs_audit_(append|record)/, 'action').filter((a) => a.includes('.'));
}
