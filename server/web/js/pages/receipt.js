// A printable key receipt for the staff member: the key's label, whose it is, what it opens and
// when, and what to do if it is lost. The print stylesheet leaves only the receipt on paper.
import { listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, table, fmtTime } from '../dom.js';
import { byId, staffName, bearerLabel, recipientLabel, windowsText } from '../lookup.js';

export async function render(ctx) {
  const id = Number(ctx.args[0]);
  const bearers = await listAll('/bearers');
  const b = bearers.find((x) => x.id === id);
  if (!b) throw Object.assign(new Error('no key'), { forPerson: () => t('common.notFound') });
  const [staff, recipients, rights] = await Promise.all([byId('/staff'), byId('/recipients'), listAll('/rights', { staff_id: b.staff_id })]);
  const holder = staffName(staff.get(b.staff_id));
  const today = new Date().toISOString().slice(0, 10);
  const current = rights.filter((r) => !r.valid_until || r.valid_until >= today);
  return h('section.receipt',
    h('p.crumbs.no-print', h('a', { href: '#/staff' }, t('receipt.back'))),
    h('h1', t('receipt.title', { label: bearerLabel(b) })),
    h('dl.facts',
      h('dt', t('receipt.key')), h('dd#receipt-key', bearerLabel(b)),
      h('dt', t('receipt.kind')), h('dd', t(`bearer.kind.${b.kind || 'fob'}`)),
      h('dt', t('receipt.holder')), h('dd', holder),
      h('dt', t('receipt.issued')), h('dd', fmtTime(b.created_at, ctx.lang))),
    h('h2', t('receipt.opens')),
    h('p', t('receipt.opensLead')),
    table(t('receipt.opens'), [
      { label: t('rights.recipient'), get: (r) => recipientLabel(recipients.get(r.recipient_id)) },
      { label: t('receipt.doors'), get: () => t('receipt.doorsText') },
      { label: t('rights.windows'), get: (r) => windowsText(r.windows) },
      { label: t('rights.valid'), get: (r) => `${r.valid_from} – ${r.valid_until || t('rights.open')}` },
    ], current, t('receipt.nothing')),
    h('h2', t('receipt.lostTitle')),
    h('ol.rules', ['receipt.rule1', 'receipt.rule2', 'receipt.rule3', 'receipt.rule4'].map((k) => h('li', t(k)))),
    h('div.signatures',
      h('p', t('receipt.signHolder', { name: holder })),
      h('p', t('receipt.signIssuer'))),
    h('div.row-actions.no-print', h('button', { type: 'button', onclick: () => window.print() }, t('receipt.print'))));
}
