// How far a lost key's block has spread: every door the key had a right to, whether the door's
// own signed log shows it holding a revocation list that names the key (and since when), and
// when the key's last credential runs out anyway — for the planner and the alarm centre.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, table, fmtTime, badge } from '../dom.js';
import { bearerLabel, byId, staffName, lockLabel } from '../lookup.js';
import { barChart } from '../charts.js';

/** "Port A, Ringvägen 12" / "lgh 1102 (L-4711), Ringvägen 12": a door as people know it. */
export function doorName(d) {
  const who = d.kind === 'apartment' && d.alarm_code ? ` (${d.alarm_code})` : '';
  return `${lockLabel(d)}${who}, ${d.address}`;
}

function doorState(d) {
  if (d.knows) return badge(t('spread.knows'), 'good');
  return badge(t('spread.notYet'), 'warn');
}

export async function render(ctx) {
  const id = Number(ctx.args[0]);
  const [s, bearer, staff] = await Promise.all([api('GET', `/bearers/${id}/spread`), api('GET', `/bearers/${id}`), byId('/staff')]);
  const label = bearerLabel(bearer);
  const known = s.doors_known, total = s.doors;
  const chart = barChart([
    { label: t('spread.chartKnows'), value: known, tone: 'good' },
    { label: t('spread.chartNotYet'), value: total - known, tone: 'warn' }],
  { id: 'chart-spread', title: t('spread.chartTitle', { label }), valueLabel: t('spread.chartDoors'), caption: t('spread.chartCaption') });
  return h('section',
    h('p.crumbs', h('a', { href: '#/staff' }, t('spread.back'))),
    h('h1', t('spread.title', { label })),
    h('p.lead', t('spread.lead')),
    h('dl.facts',
      h('dt', t('spread.holder')), h('dd', staffName(staff.get(s.staff_id))),
      h('dt', t('spread.reported')), h('dd#spread-reported', s.revoked_at ? fmtTime(s.revoked_at, ctx.lang) : t('spread.notReported')),
      h('dt', t('spread.summary')), h('dd#spread-summary', t('spread.summaryText', { known: String(known), total: String(total) })),
      h('dt', t('spread.expires')), h('dd#spread-expires', s.credential_expires_at ? fmtTime(s.credential_expires_at, ctx.lang) : t('spread.neverSynced'))),
    h('p', s.list_version ? t('spread.listText', { time: fmtTime(s.list_issued_at, ctx.lang) }) : t('spread.noList')),
    h('div.charts', chart),
    table(t('spread.doorsTitle', { label }), [
      { label: t('spread.door'), get: (d) => doorName(d) },
      { label: t('spread.state'), get: (d) => doorState(d) },
      { label: t('spread.since'), get: (d) => (d.known_since ? fmtTime(d.known_since, ctx.lang) : '') },
      { label: t('locks.lastSeen'), get: (d) => (d.last_seen ? fmtTime(d.last_seen, ctx.lang) : t('spread.neverHeard')) },
      { label: t('spread.opened'), get: (d) => (d.opened_after_report ? badge(String(d.opened_after_report), 'bad') : '0') },
    ], s.locks, t('spread.noDoors')));
}
