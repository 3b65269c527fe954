// The administrative audit trail (append-only, hash-chained) and its chain verification.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, table, fmtTime, badge, say } from '../dom.js';

export async function render(ctx) {
  const entries = await listAll('/audit', {}, 500);
  const result = h('div#verify-result', { 'aria-live': 'polite' });
  const verify = async () => {
    result.replaceChildren(h('p', t('audit.verifying')));
    try {
      const v = await api('GET', '/audit/verify');
      const ok = v.ok ?? v.valid ?? false;
      const n = v.entries ?? v.checked ?? v.count ?? entries.length;
      result.replaceChildren(h('p', badge(ok ? t('audit.chainOk', { n }) : t('audit.chainBroken', { at: v.broken_at ?? v.first_bad ?? '?' }), ok ? 'good' : 'bad')));
      say(ok ? t('audit.chainOk', { n }) : t('audit.chainBroken', { at: v.broken_at ?? '?' }));
    } catch (e) { result.replaceChildren(h('p.error-text', e.forPerson ? e.forPerson() : String(e))); }
  };
  return h('section',
    h('h1', t('audit.title')),
    h('p.lead', t('audit.lead')),
    ctx.user.role === 'provider_admin' ? null : h('div.row-actions', h('button', { type: 'button', onclick: verify }, t('audit.verify'))),
    result,
    table(t('audit.title'), [
      { label: t('audit.seq'), get: (e) => String(e.seq ?? e.id) },
      { label: t('log.time'), get: (e) => fmtTime(e.time ?? e.at, ctx.lang) },
      { label: t('audit.actor'), get: (e) => e.actor_name || e.actor_username || e.actor || e.username || (e.user_id ? `#${e.user_id}` : '') },
      { label: t('audit.action'), get: (e) => e.action || e.kind || '' },
      { label: t('audit.object'), get: (e) => [e.object_type || e.object, e.object_id].filter((x) => x !== undefined && x !== null).join(' #') },
      { label: t('audit.hash'), get: (e) => h('code', String(e.hash || '').slice(0, 12)) },
    ], entries, t('audit.none')));
}
