// A week calendar of rights: a staff member's (whom they may visit, when) or a recipient's (who
// may come, when), as an SVG week with the same content as a table beside it.
import { listAll } from '../api.js';
import { t, currentLang } from '../i18n.js';
import { h, table, isoDate } from '../dom.js';
import { byId, staffName, recipientLabel } from '../lookup.js';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...kids) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of kids) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** Monday of the week containing YYYY-MM-DD (or today). */
export function mondayOf(iso) {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso || '') ? new Date(`${iso}T12:00:00`) : new Date();
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return isoDate(d);
}

/** ISO 8601 week number of a Monday YYYY-MM-DD (what Swedish calendars print). */
export function isoWeek(monday) {
  const thu = new Date(`${monday}T12:00:00`);
  thu.setDate(thu.getDate() + 3); // the week's Thursday decides its year
  const day = Math.round((thu - new Date(thu.getFullYear(), 0, 1, 12)) / 86400000); // DST-safe
  return Math.floor(day / 7) + 1;
}

const minutes = (hhmm) => { const [a, b] = String(hhmm || '0:0').split(':').map(Number); return a * 60 + b; };

/** The week's entries: one per right, day and window that applies that day. */
export function weekEntries(rights, monday) {
  const out = [];
  for (let i = 0; i < 7; i++) {
    const d = new Date(`${monday}T12:00:00`);
    d.setDate(d.getDate() + i);
    const day = isoDate(d);
    for (const r of rights) {
      if (r.valid_from > day || (r.valid_until && r.valid_until < day)) continue;
      const ws = Array.isArray(r.windows) && r.windows.length ? r.windows : [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }];
      for (const w of ws) {
        if (!(w.days || []).includes(i + 1)) continue;
        const end = minutes(w.to) <= minutes(w.from) ? '24:00' : w.to; // past midnight: to the day's end here
        out.push({ right: r, weekday: i + 1, day, from: w.from, to: end });
      }
    }
  }
  return out;
}

function weekSvg(entries, monday, who) {
  const W = 720; const H = 400; const left = 40; const top = 24; const cw = (W - left) / 7; const ph = (H - top) / 1440;
  const kids = [];
  for (let i = 0; i < 7; i++) {
    const d = new Date(`${monday}T12:00:00`);
    d.setDate(d.getDate() + i);
    kids.push(s('text', { x: left + i * cw + cw / 2, y: 16, class: 'axis', 'text-anchor': 'middle' }, `${t(`day.short.${i + 1}`)} ${d.getDate()}/${d.getMonth() + 1}`));
    kids.push(s('line', { x1: left + i * cw, x2: left + i * cw, y1: top, y2: H, class: 'grid' }));
  }
  for (let hr = 0; hr <= 24; hr += 6) {
    kids.push(s('line', { x1: left, x2: W, y1: top + hr * 60 * ph, y2: top + hr * 60 * ph, class: 'grid' }));
    kids.push(s('text', { x: left - 4, y: top + hr * 60 * ph + 4, class: 'axis', 'text-anchor': 'end' }, `${String(hr).padStart(2, '0')}`));
  }
  const perDay = new Map();
  for (const e of entries) {
    const n = perDay.get(e.weekday) || 0;
    perDay.set(e.weekday, n + 1);
    const lanes = entries.filter((x) => x.weekday === e.weekday).length;
    const lw = (cw - 6) / lanes;
    const x = left + (e.weekday - 1) * cw + 3 + n * lw;
    const y = top + minutes(e.from) * ph;
    kids.push(s('rect', { x, y, width: Math.max(2, lw - 2), height: Math.max(3, (minutes(e.to) - minutes(e.from)) * ph), rx: 3, class: `cal-block ${e.right.kind}`, 'data-day': e.day }));
    if (lw > 40) kids.push(s('text', { x: x + 3, y: y + 14, class: 'cal-text' }, who(e.right).slice(0, Math.floor(lw / 7))));
  }
  return s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart calendar', 'aria-hidden': 'true', focusable: 'false' }, ...kids);
}

export async function render(ctx) {
  const byStaff = /^\d+$/.test(ctx.query.staff_id || '');
  const byRecipient = /^\d+$/.test(ctx.query.recipient_id || '');
  if (!byStaff && !byRecipient) return h('section', h('h1', t('calendar.title')), h('p', t('calendar.choose')));
  const filter = byStaff ? { staff_id: ctx.query.staff_id } : { recipient_id: ctx.query.recipient_id };
  const [rights, staff, recipients] = await Promise.all([listAll('/rights', filter), byId('/staff'), byId('/recipients')]);
  const monday = mondayOf(ctx.query.week);
  const whom = byStaff ? staffName(staff.get(Number(ctx.query.staff_id))) : recipientLabel(recipients.get(Number(ctx.query.recipient_id)));
  const other = (r) => (byStaff ? recipientLabel(recipients.get(r.recipient_id)) : staffName(staff.get(r.staff_id)));
  const short = (r) => (byStaff ? recipients.get(r.recipient_id)?.alarm_code || '' : staffName(staff.get(r.staff_id)));
  const fmt = (iso, year) => new Date(`${iso}T12:00:00`).toLocaleDateString(currentLang() === 'en' ? 'en-GB' : 'sv-SE', { day: 'numeric', month: 'short', year: year ? 'numeric' : undefined });
  const entries = weekEntries(rights, monday);
  const shift = (days) => { const d = new Date(`${monday}T12:00:00`); d.setDate(d.getDate() + days); return isoDate(d); };
  const link = (week, label) => h('a.button.secondary', { href: `#/calendar?${new URLSearchParams({ ...filter, week })}` }, label);
  const dayName = (e) => new Date(`${e.day}T12:00:00`).toLocaleDateString(currentLang() === 'en' ? 'en-GB' : 'sv-SE', { weekday: 'long', day: 'numeric', month: 'long' });
  return h('section',
    h('h1', t(byStaff ? 'calendar.staffTitle' : 'calendar.recipientTitle', { name: whom || t('calendar.unknown') })),
    h('p.lead', t(byStaff ? 'calendar.staffLead' : 'calendar.recipientLead')),
    h('div.row-actions', link(shift(-7), t('calendar.prev')), h('p#cal-week', t('calendar.week', { week: isoWeek(monday), from: fmt(monday, false), to: fmt(shift(6), true) })), link(shift(7), t('calendar.next')),
      link(mondayOf(), t('calendar.thisWeek'))),
    h('figure.chart-box', weekSvg(entries, monday, short),
      h('figcaption.hint', t('calendar.caption'))),
    table(t('calendar.tableTitle', { name: whom }), [
      { label: t('calendar.day'), get: (e) => dayName(e) },
      { label: t('calendar.time'), cls: 'nowrap', get: (e) => `${e.from}–${e.to}` },
      { label: t(byStaff ? 'rights.recipient' : 'rights.staff'), get: (e) => other(e.right) },
      { label: t('rights.kind'), get: (e) => t(`rights.kind.${e.right.kind}`) },
    ], entries, t('calendar.none')));
}
