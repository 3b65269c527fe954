// The resident's own view, managed by the alarm centre: record the resident's consent, make a
// link and print it as a Swedish leaflet with a QR code (the link is shown once: the server keeps
// only a keyed hash of it), see how often each link was viewed, revoke one. docs/privacy.md.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formValues, table, fmtTime, isoDate, badge, errorLine, showError, say, confirmDialog } from '../dom.js';
import { safeSvg } from './login.js';

/** The printable leaflet: plain Swedish whatever the interface language, since it goes to the resident. */
function leaflet(r, made) {
  const svg = made.qr_svg ? safeSvg(made.qr_svg) : null;
  if (svg) svg.setAttribute('aria-label', t('resident.qrLabel'));
  return h('section.leaflet#leaflet', { lang: 'sv', 'aria-label': t('resident.leafletLabel') },
    h('h2', 'Vem har öppnat din dörr?'),
    h('p.big', 'Du kan själv se varje gång hemtjänstens personal har öppnat din dörr med sin digitala nyckel. '
      + 'Du ser tid, förnamn, vilken hemtjänst de kommer från och försök där dörren inte öppnades.'),
    h('div.qr', svg),
    h('p.big', 'Rikta mobilens kamera mot rutan. Eller skriv in adressen:'),
    h('p.url#leaflet-url', made.url),
    h('ul.big',
      h('li', 'Sidan visar de senaste 30 dagarna. Den visar bara din dörr.'),
      h('li', 'Ge inte länken till någon du inte vill ska se dina besök.'),
      h('li', 'Vill du att länken slutar gälla? Ring trygghetsjouren, så stänger vi av den direkt.')),
    h('p.small', `Brukare ${r.alarm_code || ''}. Samtycke ${made.consent_given_on}. Utskrivet ${isoDate(new Date())}.`),
    h('div.row-actions.no-print', h('button', { type: 'button', onclick: () => window.print() }, t('resident.print'))));
}

function linksTable(ctx, links, refresh, err) {
  return table(t('resident.links'), [
    { label: t('resident.created'), get: (l) => fmtTime(l.created_at, ctx.lang) },
    { label: t('resident.consent'), get: (l) => t(`resident.by.${l.consent_by}`, { date: l.consent_given_on }) },
    { label: t('resident.views'), get: (l) => (l.views ? t('resident.viewsText', { n: l.views, last: fmtTime(l.last_viewed_at, ctx.lang) }) : t('resident.noViews')) },
    { label: t('resident.state'), get: (l) => (l.revoked_at ? badge(t('resident.revoked'), 'neutral') : badge(t('resident.valid'), 'good')) },
    { label: t('common.actions'), get: (l) => (l.revoked_at ? '' : h('button.secondary', { type: 'button', onclick: async () => {
      if (!(await confirmDialog(t('resident.revokeTitle'), t('resident.revokeText'), t('resident.revoke')))) return;
      try { await api('POST', `/resident-links/${l.id}/revoke`, {}); say(t('resident.revokedSaid')); await refresh(); } catch (e) { showError(err, e, {}); }
    } }, t('resident.revoke'))) },
  ], links, t('resident.none'));
}

export async function render(ctx) {
  const id = Number(ctx.args[0]);
  const r = await api('GET', `/recipients/${id}`);
  const err = errorLine();
  const out = h('div', { 'aria-live': 'polite' });
  const listBox = h('div');
  const refresh = async () => {
    listBox.replaceChildren(linksTable(ctx, await listAll(`/recipients/${id}/resident-links`), refresh, err));
  };
  const form = h('form.card.no-print',
    h('h2', t('resident.newTitle')),
    h('p', t('resident.newLead')),
    field(t('resident.consentDate'), 'consent_given_on', 'date', { required: true, value: isoDate(new Date()) }),
    field(t('resident.consentBy'), 'consent_by', 'select', { required: true, value: 'resident', options: [
      { value: 'resident', label: t('resident.byResident') }, { value: 'representative', label: t('resident.byRepresentative') }] }),
    field(t('resident.reference'), 'consent_reference', 'text', { maxlength: 200, hint: t('resident.referenceHint') }),
    h('div.actions', h('button', { type: 'submit' }, t('resident.create'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    try {
      const made = await api('POST', `/recipients/${id}/resident-links`, formValues(form));
      out.replaceChildren(leaflet(r, made));
      say(t('resident.made'));
      await refresh();
    } catch (e) { showError(err, e, {}); }
  });
  await refresh();
  return h('section.resident-links',
    h('p.crumbs.no-print', h('a', { href: `#/recipients/${id}` }, t('resident.back'))),
    h('h1.no-print', t('resident.title', { code: r.alarm_code || id })),
    h('p.no-print', t('resident.lead')),
    err, form, out,
    h('div.no-print', h('h2', t('resident.links')), listBox));
}
