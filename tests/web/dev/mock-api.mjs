// Development only: serves server/web with an in-memory imitation of the /api/v1 contract so the
// UI can be worked on before or without portvakt-server. The browser tests never use it.
// Run: node tests/web/dev/mock-api.mjs [port]; sign in as "planner" / "planner-password" with any 6 digits.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('../../../server/web/', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };
const now = () => Math.floor(Date.now() / 1000);
const db = {
  providers: [{ id: 1, name: 'Hemtjänst Söder AB' }, { id: 2, name: 'Omsorg Norr' }],
  users: [
    { id: 1, username: 'admin', display_name: 'Central Admin', role: 'central_admin', provider_id: null },
    { id: 2, username: 'planner', display_name: 'Pia Planerare', role: 'planner', provider_id: 1 },
  ],
  owners: [{ id: 1, name: 'Stockholmshem', org_number: '556000-0001' }],
  buildings: [{ id: 1, address: 'Ringvägen 12, Stockholm', owner_id: 1 }],
  locks: [
    { id: 1, kind: 'apartment', building_id: 1, label: 'lgh 1102', state: 'installed', battery_mv: 5600, last_seen: now() - 3600, revlist_version: 3 },
    { id: 2, kind: 'entrance', building_id: 1, label: 'Port A', state: 'installed', battery_mv: 4300, last_seen: now() - 86400, revlist_version: 2 },
  ],
  recipients: [{ id: 1, alarm_code: 'L-4711', address: 'Ringvägen 12', building_id: 1, apartment: '1102', lock_id: 1, entrance_lock_ids: [2], provider_id: 1, consent_state: 'given' },
    { id: 2, alarm_code: 'L-9999', address: 'Ringvägen 12', building_id: 1, apartment: '1201', provider_id: 2, consent_state: 'missing' }],
  staff: [{ id: 1, provider_id: 1, display_name: 'Anna Andersson', employee_ref: 'A-17' }],
  bearers: [{ id: 1, staff_id: 1, provider_id: 1, kind: 'fob', label: 'K-0001', state: 'active', last_sync_at: now() - 7200 }],
  rights: [], consents: [{ id: 1, kind: 'portfolio', owner_id: 1, given_on: '2026-01-10' }],
  audit: [{ seq: 1, at: now() - 5000, actor_name: 'admin', action: 'create', object_type: 'provider', object_id: 1, hash: 'ab12cd34ef5678' }],
  log: [{ time: now() - 1800, kind: 'open', lock_id: 1, bearer_id: 1, staff_id: 1, recipient_id: 1 }, { time: now() - 900, kind: 'refused', lock_id: 1, bearer_id: 1, staff_id: 1, recipient_id: 1, reason: 'PV_E_EXPIRED' }],
};
const sessions = new Map();
let session = null;
let setCookie = null;
const nextId = (list) => list.reduce((m, x) => Math.max(m, x.id || 0), 0) + 1;
const scoped = (u, list) => (u.provider_id ? list.filter((x) => x.provider_id === undefined || x.provider_id === u.provider_id) : list);

function send(res, status, body, type = 'application/json') {
  const extra = setCookie ? { 'Set-Cookie': setCookie } : {};
  setCookie = null;
  res.writeHead(status, { ...extra, 'Content-Type': type, 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'", 'Cache-Control': 'no-store' });
  res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}
const problem = (res, status, slug, detail) => send(res, status, { type: `https://portvakt.org/problems/${slug}`, title: slug, status, detail }, 'application/problem+json');

async function apiRoute(req, res, path, q, body) {
  const m = req.method;
  if (path === '/auth/login' && m === 'POST') {
    const u = db.users.find((x) => x.username === body.username);
    if (!u || body.password !== `${u.username}-password`) return problem(res, 401, 'bad-credentials', 'Wrong username or password.');
    session = { user: u, stage: u.username === 'admin' ? 'enroll' : 'totp' };
    const sid = Math.random().toString(36).slice(2);
    sessions.set(sid, session);
    setCookie = `pv_session=${sid}; Path=/; HttpOnly; SameSite=Strict`;
    return send(res, 200, { next: session.stage });
  }
  if (path === '/auth/enroll' && m === 'GET') return send(res, 200, { otpauth_uri: 'otpauth://totp/Portvakt:admin?secret=JBSWY3DPEHPK3PXP&issuer=Portvakt', qr_svg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><rect width="21" height="21" fill="#fff"/><path d="M0 0h7v7H0zM14 0h7v7h-7zM0 14h7v7H0zM9 9h3v3H9z" fill="#000"/><script>alert(1)</script></svg>' });
  if ((path === '/auth/totp' || path === '/auth/enroll') && m === 'POST') {
    if (!session || !/^\d{6}$/.test(body.code || '')) return problem(res, 401, 'bad-totp', 'Wrong code.');
    session.stage = 'full';
    return send(res, 200, { user: session.user, csrf_token: 'csrf-dev' });
  }
  if (path === '/auth/logout') { for (const [k, v] of sessions) if (v === session) sessions.delete(k); return send(res, 204, ''); }
  if (!session || session.stage !== 'full') return problem(res, 401, 'session-expired', 'Your session has expired.');
  const u = session.user;
  if (m !== 'GET' && req.headers['x-csrf-token'] !== 'csrf-dev') return problem(res, 403, 'csrf', 'Missing CSRF token.');
  if (path === '/me') return send(res, 200, { user: u, csrf_token: 'csrf-dev' });
  if (path === '/overview') return send(res, 200, { keys_synced_today: 1, keys_not_synced: [db.bearers[0]], keys_blocked: db.bearers.filter((b) => b.state === 'lost').length, refusals_24h: [{ reason: 'PV_E_EXPIRED', count: 1 }, { reason: 'bearer-blocked', count: 2 }] });
  if (path === '/audit/verify') return send(res, 200, { ok: true, entries: db.audit.length });
  if (path === '/revocation/status') return send(res, 200, { newest_version: 3, locks: db.locks.map((l) => ({ lock_id: l.id, version: l.revlist_version, has_newest: l.revlist_version >= 3 })) });
  if (path === '/access-log') {
    const items = db.log.filter((e) => ['recipient_id', 'lock_id', 'staff_id', 'bearer_id'].every((k) => !q.get(k) || String(e[k]) === q.get(k)));
    return send(res, 200, { items, next_cursor: null });
  }
  let mm = /^\/locks\/(\d+)\/who-can-open$/.exec(path);
  if (mm) return send(res, 200, { items: db.rights.map((r) => ({ staff_id: r.staff_id, staff_name: db.staff.find((s) => s.id === r.staff_id)?.display_name, reason: Number(mm[1]) === 2 ? 'derived_entrance' : 'direct', via_recipient_alarm_code: 'L-4711', valid_until: r.valid_until })) });
  mm = /^\/bearers\/(\d+)\/(report-lost|retire)$/.exec(path);
  if (mm) { const b = db.bearers.find((x) => x.id === Number(mm[1])); b.state = mm[2] === 'retire' ? 'retired' : 'lost'; return send(res, 200, b); }
  mm = /^\/locks\/(\d+)\/(commission|move|remove)$/.exec(path);
  if (mm) { const l = db.locks.find((x) => x.id === Number(mm[1])); l.state = { commission: 'installed', move: l.state, remove: 'removed' }[mm[2]]; Object.assign(l, mm[2] === 'move' ? body : {}); return send(res, 200, l); }
  mm = /^\/(\w[\w-]*)(?:\/(\d+))?$/.exec(path);
  const key = mm && { 'access-log': 'log', audit: 'audit' }[mm[1]] || (mm && mm[1]);
  if (!mm || !db[key]) return problem(res, 404, 'not-found', 'No such resource.');
  const list = scoped(u, db[key]);
  if (mm[2]) { const one = list.find((x) => x.id === Number(mm[2])); return one ? (m === 'DELETE' ? (db[key].splice(db[key].indexOf(one), 1), send(res, 204, '')) : send(res, 200, one)) : problem(res, 404, 'not-found', 'Not found.'); }
  if (m === 'POST') { const item = { id: nextId(db[key]), provider_id: u.provider_id ?? body.provider_id, state: key === 'bearers' ? 'active' : undefined, ...body }; db[key].push(item); return send(res, 201, item); }
  return send(res, 200, { items: list, next_cursor: null });
}

http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/api/v1/')) {
    let raw = '';
    for await (const c of req) raw += c;
    let body = {};
    try { body = raw ? JSON.parse(raw) : {}; } catch { return problem(res, 400, 'bad-json', 'Body is not JSON.'); }
    const sid = /pv_session=(\w+)/.exec(req.headers.cookie || '');
    session = sid ? sessions.get(sid[1]) || null : null;
    return apiRoute(req, res, url.pathname.slice(7), url.searchParams, body);
  }
  const rel = normalize(url.pathname === '/' ? '/index.html' : url.pathname).replace(/^(\.\.[/\\])+/, '');
  try { send(res, 200, await readFile(join(WEB, rel)), TYPES[extname(rel)] || 'application/octet-stream'); } catch { send(res, 404, 'not found', 'text/plain'); }
}).listen(Number(process.argv[2] || 8099), '127.0.0.1', () => console.log(`mock on http://127.0.0.1:${process.argv[2] || 8099}/`));
