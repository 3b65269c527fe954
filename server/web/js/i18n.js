// Message catalogues: one JSON file per language, Swedish by default, choice kept in localStorage.
const STORAGE_KEY = 'portvakt.lang';
export const LANGS = ['sv', 'en'];
let lang = 'sv';
let catalogue = {};
let fallback = {};

/** Load the chosen (or remembered) language; Swedish is the fallback for missing keys. */
export async function loadLanguage(wanted) {
  let chosen = wanted || safeGet() || 'sv';
  if (!LANGS.includes(chosen)) chosen = 'sv';
  const [cat, fb] = await Promise.all([fetchCat(chosen), chosen === 'sv' ? null : fetchCat('sv')]);
  catalogue = cat;
  fallback = fb || cat;
  lang = chosen;
  document.documentElement.lang = chosen;
  if (wanted) safeSet(chosen);
}

async function fetchCat(code) {
  const r = await fetch(`/i18n/${code}.json`, { credentials: 'same-origin' });
  if (!r.ok) throw new Error(`catalogue ${code}: ${r.status}`);
  return r.json();
}

function safeGet() { try { return localStorage.getItem(STORAGE_KEY); } catch { return null; } }
function safeSet(v) { try { localStorage.setItem(STORAGE_KEY, v); } catch { /* private mode */ } }

export function currentLang() { return lang; }

/** Translate key, replacing {name} placeholders from params. A missing key shows the key itself. */
export function t(key, params) {
  let s = catalogue[key] ?? fallback[key];
  if (s === undefined) return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, p) => (params[p] !== undefined ? String(params[p]) : m));
  return s;
}

/** True when the catalogue has a text for key. */
export function has(key) { return key in catalogue || key in fallback; }
