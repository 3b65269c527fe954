// A recipient's week of visits as a timeline (one mark per passage at the apartment door), with
// the same passages as a table: when, who, with which key, how it went.
import { listAll } from '../api.js';
import { t, currentLang } from '../i18n.js';
import { h, table, isoDate, badge } from '../dom.js';
import { staffName, bearerLabel, mergePassages } from '../lookup.js';
import { weekTimeline } from '../charts.js';
import { mondayOf } from './calendar.js';

/** The week (Monday to Sunday) of the recipient's passages; `staff`/`bearers` name the people. */
export async function weekVisits(r, staff, bearers) {
  const monday = mondayOf();
  const days = [...Array(7)].map((_, i) => { const d = new Date(`${monday}T00:00:00`); d.setDate(d.getDate() + i); return isoDate(d); });
  const from = Math.floor(new Date(`${monday}T00:00:00`).getTime() / 1000);
  const events = mergePassages(await listAll('/access-log', { recipient_id: r.id, from }, 5000).catch(() => []));
  const lang = currentLang() === 'en' ? 'en-GB' : 'sv-SE';
  const at = (e) => new Date(Number(e.time) * 1000);
  const items = events.map((e) => ({ day: isoDate(at(e)), minute: at(e).getHours() * 60 + at(e).getMinutes(), tone: e.kind === 'open' ? '' : 'bad', e }))
    .filter((x) => days.includes(x.day));
  const dayLabel = (d) => new Date(`${d}T12:00:00`).toLocaleDateString(lang, { weekday: 'short', day: 'numeric', month: 'numeric' });
  return h('section.chart-box#week-visits', { 'aria-labelledby': 'visits-h' },
    h('h2#visits-h', t('visits.title')),
    h('p.hint', t('visits.caption')),
    weekTimeline(items, days, { id: 'visits-timeline', dayLabel }),
    table(t('visits.title'), [
      { label: t('calendar.day'), cls: 'nowrap', get: (x) => at(x.e).toLocaleString(lang, { weekday: 'short', day: 'numeric', month: 'numeric', hour: '2-digit', minute: '2-digit' }) },
      { label: t('log.event'), get: (x) => badge(t(x.e.kind === 'open' ? 'log.kind.open' : 'log.kind.refused'), x.e.kind === 'open' ? 'good' : 'bad') },
      { label: t('log.staff'), get: (x) => staffName(staff.get(x.e.staff_id)) },
      { label: t('log.key'), get: (x) => bearerLabel(bearers.get(x.e.bearer_id)) },
    ], [...items].reverse(), t('visits.none')));
}
