// Today's overview: for a provider's planner keys synced today, not synced, blocked, refusals, and
// the last 14 days' passages and refusals as charts; for the alarm centre (central
// administration) also lock batteries and locks not heard from.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, table, fmtTime, isoDate, badge } from '../dom.js';
import { count, reasonText, bearerLabel, staffName, byId, lockLabel, mergePassages } from '../lookup.js';
import { barChart } from '../charts.js';

const DAYS = 14;
const SILENT_DAYS = 7; // a lock not heard from in a week should be looked at

function tile(id, label, value, tone) {
  return h(`div.tile.${tone}`, { id }, h('p.tile-value', String(value)), h('p.tile-label', label));
}

function keyList(title, list, lang, staff) {
  if (!Array.isArray(list) || list.length === 0) return null;
  return [h('h2', title), table(title, [
    { label: t('staff.key'), get: (b) => bearerLabel(b) },
    { label: t('staff.name'), get: (b) => staffName(staff.get(b.staff_id)) },
    { label: t('staff.lastSync'), get: (b) => fmtTime(b.last_sync ?? b.last_sync_at, lang) },
  ], list)];
}

/** Passages (openings, one per passage) per local day for the last DAYS days, oldest first, and refusals by reason. */
export function passageStats(events, lang, now = new Date()) {
  const days = [];
  for (let i = DAYS - 1; i >= 0; i--) {
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - i);
    days.push({ key: isoDate(d), label: d.toLocaleDateString(lang === 'en' ? 'en-GB' : 'sv-SE', { weekday: 'short', day: 'numeric', month: 'short' }), short: String(d.getDate()), value: 0 });
  }
  const byDay = new Map(days.map((d) => [d.key, d]));
  const reasons = new Map();
  for (const e of events) {
    if (e.kind === 'open') {
      const d = byDay.get(isoDate(new Date(Number(e.time) * 1000)));
      if (d) d.value += 1;
    } else if (e.kind === 'refused') {
      const r = e.reason || 'unknown';
      reasons.set(r, (reasons.get(r) || 0) + 1);
    }
  }
  const refused = [...reasons].map(([r, n]) => ({ label: reasonText(r), short: reasonText(r), value: n })).sort((a, b) => b.value - a.value);
  return { days, refused };
}

async function plannerCharts(ctx, o) {
  const since = Math.floor(new Date(new Date().setHours(0, 0, 0, 0)).getTime() / 1000) - (DAYS - 1) * 86400;
  const events = await listAll('/access-log', { from: since }, 50000).catch(() => []);
  const { days, refused } = passageStats(mergePassages(events), ctx.lang);
  const synced = [
    { label: t('chart.synced'), value: count(o.synced_today_count ?? o.synced_today), tone: 'good' },
    { label: t('chart.notSynced'), value: o.not_synced_count ?? count(o.not_synced), tone: 'warn' }];
  return h('div.charts',
    barChart(synced, { id: 'chart-synced', title: t('chart.syncTitle'), valueLabel: t('chart.keys'), caption: t('chart.syncCaption') }),
    barChart(days, { id: 'chart-passages', title: t('chart.passages'), valueLabel: t('chart.passagesValue'), caption: t('chart.passagesCaption', { n: DAYS }), labelEvery: 1 }),
    barChart(refused, { id: 'chart-refusals', title: t('chart.refusals'), valueLabel: t('chart.refusalsValue'), caption: t('chart.refusalsCaption', { n: DAYS }) }));
}

/** The alarm centre's lock health: battery levels and locks not heard from in SILENT_DAYS days. */
export function lockHealth(locks, now = Date.now() / 1000) {
  const installed = locks.filter((l) => l.state === 'installed');
  const bucket = (key, tone) => ({ key, label: t(`chart.battery.${key}`), value: 0, tone });
  const battery = { ok: bucket('ok', 'good'), low: bucket('low', 'warn'), critical: bucket('critical', 'bad'), unknown: bucket('unknown', 'neutral') };
  for (const l of installed) {
    const mv = l.battery_mv;
    battery[mv === null || mv === undefined ? 'unknown' : mv < 4000 ? 'critical' : mv < 4400 ? 'low' : 'ok'].value += 1;
  }
  const silent = installed.filter((l) => !l.last_seen || now - Number(l.last_seen) > SILENT_DAYS * 86400)
    .sort((a, b) => (a.last_seen || 0) - (b.last_seen || 0));
  return { battery: Object.values(battery), silent };
}

async function alarmCentreCharts(ctx) {
  const [locks, buildings] = await Promise.all([listAll('/locks', {}, 50000).catch(() => []), byId('/buildings')]);
  const { battery, silent } = lockHealth(locks);
  return h('div.charts',
    barChart(battery, { id: 'chart-battery', title: t('chart.batteryTitle'), valueLabel: t('chart.locks'), caption: t('chart.batteryCaption') }),
    h('section.chart-box#silent-locks', { 'aria-labelledby': 'silent-h' },
      h('h3#silent-h', t('chart.silentTitle', { n: SILENT_DAYS })),
      h('p.tile-value', String(silent.length)),
      table(t('chart.silentTitle', { n: SILENT_DAYS }), [
        { label: t('locks.lock'), get: (l) => h('a', { href: `#/locks/${l.id}` }, lockLabel(l)) },
        { label: t('locks.building'), get: (l) => buildings.get(l.building_id)?.address || '' },
        { label: t('locks.lastSeen'), get: (l) => fmtTime(l.last_seen, ctx.lang) },
      ], silent.slice(0, 50), t('chart.noSilent'))));
}

/** The device-health lists a planner or technician acts on: batteries to change (most urgent
 * first, with the date the lock measured), and lost keys whose block has not reached every door. */
async function deviceHealth(ctx) {
  const d = await api('GET', '/device-health').catch(() => null);
  if (!d) return null;
  const level = (b) => badge(`${(b.battery_mv / 1000).toLocaleString(ctx.lang === 'en' ? 'en-GB' : 'sv-SE', { minimumFractionDigits: 2 })} V – ${t(`health.level.${b.level}`)}`, b.level === 'critical' ? 'bad' : 'warn');
  const door = (b) => `${lockLabel(b)}${b.alarm_code ? ` (${b.alarm_code})` : ''}, ${b.address}`;
  return h('div#device-health',
    h('h2#health-batteries-h', t('health.batteriesTitle')),
    h('p', t('health.batteriesLead')),
    table(t('health.batteriesTitle'), [
      { label: t('locks.lock'), get: (b) => door(b) },
      { label: t('locks.battery'), get: level },
      { label: t('health.measured'), get: (b) => fmtTime(b.battery_at, ctx.lang) },
    ], d.batteries, t('health.noBatteries')),
    h('h2#health-spread-h', t('health.spreadTitle')),
    table(t('health.spreadTitle'), [
      { label: t('staff.key'), get: (k) => h('a', { href: `#/spread/${k.bearer_id}` }, k.label) },
      { label: t('health.reported'), get: (k) => fmtTime(k.revoked_at, ctx.lang) },
      { label: t('health.doorsKnow'), get: (k) => t('spread.summaryText', { known: String(k.doors_known), total: String(k.doors) }) },
      { label: t('spread.expires'), get: (k) => fmtTime(k.credential_expires_at, ctx.lang) },
    ], d.lost_keys_spreading, t('health.noSpreading')));
}

export async function render(ctx) {
  const central = ctx.user.role === 'central_admin';
  const o = await api('GET', '/overview');
  const [staff, charts, health, devices] = await Promise.all([byId('/staff'), plannerCharts(ctx, o), central ? alarmCentreCharts(ctx) : null, deviceHealth(ctx)]);
  const notSyncedCount = o.not_synced_count ?? count(o.not_synced);
  const blockedCount = o.blocked_count ?? count(o.blocked);
  let refusals = o.refusals_24h ?? o.refusals ?? [];
  if (!Array.isArray(refusals)) refusals = Object.entries(refusals).map(([reason, n]) => ({ reason, count: n }));
  const refusalTotal = refusals.reduce((sum, r) => sum + Number(r.count || 0), 0);
  return h('section',
    h('h1', t('overview.title')),
    h('p.lead', t('overview.lead')),
    h('div.tiles',
      tile('ov-synced', t('overview.synced'), count(o.synced_today_count ?? o.synced_today), 'good'),
      tile('ov-not-synced', t('overview.notSynced'), notSyncedCount, notSyncedCount ? 'warn' : 'good'),
      tile('ov-blocked', t('overview.blocked'), blockedCount, 'neutral'),
      tile('ov-refusals', t('overview.refusals'), refusalTotal, refusalTotal ? 'warn' : 'good')),
    health ? [h('h2', t('chart.alarmCentre')), health] : null,
    devices,
    h('h2', t('chart.lastDays', { n: DAYS })),
    charts,
    h('h2', t('overview.refusalsTitle')),
    table(t('overview.refusalsTitle'), [
      { label: t('overview.reason'), get: (r) => reasonText(r.reason) },
      { label: t('overview.count'), get: (r) => String(r.count ?? '') },
    ], refusals, t('overview.noRefusals')),
    keyList(t('overview.notSyncedList'), o.not_synced, ctx.lang, staff),
    keyList(t('overview.blockedList'), o.blocked, ctx.lang, staff));
}
