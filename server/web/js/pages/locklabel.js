// A lock's label for printing: the QR code with the lock's public key and check digits, and the
// same text for typing by hand. Reached from the lock's row; the print stylesheet keeps only it.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h } from '../dom.js';
import { lockLabel } from '../lookup.js';
import { safeSvg } from './login.js';

/** "0a93017c97d8…-a98cb0" in groups of eight, easier to compare digit by digit. */
function grouped(text) {
  const [hex, check] = String(text).replace(/^portvakt:\w+:/, '').split('-');
  return `${(hex || '').match(/.{1,8}/g)?.join(' ') || ''} – ${check || ''}`;
}

export async function render(ctx) {
  const id = ctx.args[0];
  if (!/^\d+$/.test(id || '')) throw Object.assign(new Error('bad id'), { forPerson: () => t('common.notFound') });
  const [label, lock] = await Promise.all([api('GET', `/locks/${id}/label`), api('GET', `/locks/${id}`)]);
  const svg = label.qr_svg ? safeSvg(label.qr_svg) : null;
  if (svg) svg.setAttribute('aria-label', t('locklabel.qrLabel', { lock: lockLabel(lock) }));
  return h('section.receipt',
    h('p.crumbs.no-print', h('a', { href: '#/locks' }, t('locks.back'))),
    h('h1', t('locklabel.title', { lock: lockLabel(lock) })),
    h('p.lead.no-print', t('locklabel.lead')),
    h('div.qr#lock-label-qr', svg),
    h('p', h('code#lock-label-text', grouped(label.text))),
    h('div.row-actions.no-print', h('button', { type: 'button', onclick: () => window.print() }, t('locklabel.print'))));
}
