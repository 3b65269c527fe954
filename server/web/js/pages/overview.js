// Today's overview for a provider's planner: keys synced today, not synced, blocked, refusals in 24 h.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, table, fmtTime } from '../dom.js';
import { count, reasonText, bearerLabel, staffName, byId } from '../lookup.js';

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

export async function render(ctx) {
  const [o, staff] = await Promise.all([api('GET', '/overview'), byId('/staff')]);
  const synced = o.synced_today_count ?? o.synced_today;
  const notSyncedCount = o.not_synced_count ?? count(o.not_synced);
  const notSynced = o.not_synced;
  const blocked = o.blocked;
  const blockedCount = o.blocked_count ?? count(o.blocked);
  let refusals = o.refusals_24h ?? o.refusals ?? [];
  if (!Array.isArray(refusals)) refusals = Object.entries(refusals).map(([reason, n]) => ({ reason, count: n }));
  const refusalTotal = refusals.reduce((s, r) => s + Number(r.count || 0), 0);
  return h('section',
    h('h1', t('overview.title')),
    h('p.lead', t('overview.lead')),
    h('div.tiles',
      tile('ov-synced', t('overview.synced'), count(synced), 'good'),
      tile('ov-not-synced', t('overview.notSynced'), notSyncedCount, notSyncedCount ? 'warn' : 'good'),
      tile('ov-blocked', t('overview.blocked'), blockedCount, 'neutral'),
      tile('ov-refusals', t('overview.refusals'), refusalTotal, refusalTotal ? 'warn' : 'good')),
    h('h2', t('overview.refusalsTitle')),
    table(t('overview.refusalsTitle'), [
      { label: t('overview.reason'), get: (r) => reasonText(r.reason) },
      { label: t('overview.count'), get: (r) => String(r.count ?? '') },
    ], refusals, t('overview.noRefusals')),
    keyList(t('overview.notSyncedList'), notSynced, ctx.lang, staff),
    keyList(t('overview.blockedList'), blocked, ctx.lang, staff));
}
