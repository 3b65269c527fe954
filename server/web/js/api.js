// The documented API only: same-origin fetch, CSRF header on every change, problem+json → ApiError.
import { t } from './i18n.js';
import { problemSlug, problemText } from './problems.js';

const BASE = '/api/v1';
let csrf = null;
let onExpired = () => {};

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.type = problem.type || '';
    this.detail = problem.detail || '';
    this.title = problem.title || '';
    // which member broke which rule, with its limits: [{member, rule, min, max}]
    this.errors = Array.isArray(problem.errors) ? problem.errors.slice(0, 20) : [];
    // an import's refused lines: [{line, problem, field, alarm_code, address}]
    this.lines = Array.isArray(problem.lines) ? problem.lines.slice(0, 200) : [];
    // the problem's parameters, to name what was refused ({label}, {code}, {date}, {object})
    this.params = {};
    if (problem.params && typeof problem.params === 'object') {
      for (const [k, v] of Object.entries(problem.params).slice(0, 10)) if (/^\w{1,20}$/.test(k) && (typeof v === 'string' || typeof v === 'number')) this.params[k] = String(v).slice(0, 200);
    }
    this.retryAfter = /^\d+$/.test(retryAfter || '') ? Number(retryAfter) : null;
  }

  /** The short name of the problem type, e.g. "bearer-blocked". */
  get slug() { return problemSlug(this.type); }

  /** What to show the person: a catalogue sentence for the type, with the names the page knows
   * (see problems.js); never the server's English detail. */
  forPerson(names) { return problemText(this, names); }
}

export function setCsrf(token) { csrf = token || null; }
export function setExpiredHandler(fn) { onExpired = fn; }

/** Call the API. path starts with '/'; body is JSON-encoded, or sent as it is when `type`
 * names its media type (a file's text). Returns parsed JSON or null. */
export async function api(method, path, body, { quietAuth = false, type = null } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = type || 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  let r;
  try {
    r = await fetch(BASE + path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined || type ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { type: 'network', detail: t('problem.network') });
  }
  const text = await r.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text.slice(0, 300) }; }
  }
  if (!r.ok) {
    const err = new ApiError(r.status, data || {}, r.headers.get('Retry-After'));
    if (r.status === 401 && !quietAuth) onExpired(err);
    throw err;
  }
  return data;
}

/** Build a query string from an object, dropping empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** Fetch every page of a list endpoint (bounded: at most `max` items). */
export async function listAll(path, params = {}, max = 2000) {
  const items = [];
  let cursor = null;
  do {
    const page = await api('GET', path + qs({ ...params, limit: 500, cursor }));
    const got = Array.isArray(page) ? page : page?.items || [];
    items.push(...got);
    cursor = Array.isArray(page) ? null : page?.next_cursor || null;
  } while (cursor && items.length < max);
  return items;
}
