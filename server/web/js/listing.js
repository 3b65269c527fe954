// Tools every list shares: a search box that hides non-matching rows, pages of rows newest first,
// "Idag / Igår / Denna vecka" date shortcuts, and CSV export made in the browser.
import { t } from './i18n.js';
import { h, field, isoDate } from './dom.js';

/** A search box that hides the rows of the tables in `scope` whose text does not contain it. */
export function rowFilter(scope, { label, hint } = {}) {
  const box = field(label || t('list.filter'), 'filter', 'search', { hint: hint || t('list.filterHint') });
  const input = box.querySelector('input');
  const count = h('p.hint', { 'aria-live': 'polite' });
  input.addEventListener('input', () => {
    const q = input.value.trim().toLocaleLowerCase();
    let shown = 0;
    for (const tr of scope.querySelectorAll('tbody tr')) {
      tr.hidden = q !== '' && !tr.textContent.toLocaleLowerCase().includes(q);
      if (!tr.hidden) shown += 1;
    }
    count.textContent = q ? t('list.filterCount', { n: shown }) : '';
  });
  return h('div.filter', box, count);
}

/** Put a search box before every table of a rendered page that has none of its own. */
export function addListFilters(view) {
  if (view.querySelector('.filter, [role=search]')) return;
  for (const wrap of view.querySelectorAll('.table-wrap:not([data-nofilter])')) {
    if (wrap.querySelectorAll('tbody tr').length < 2) continue;
    const name = wrap.getAttribute('aria-label') || '';
    wrap.before(rowFilter(wrap, { label: t('list.filterIn', { what: name }) }));
  }
}

/** Rows in pages of `size`: render(rowsOfPage) → table; "Nyare / Äldre" buttons and a count. */
export function paged(rows, size, render, label) {
  const box = h('div.paged');
  let page = 0;
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const show = () => {
    const first = page * size;
    const slice = rows.slice(first, first + size);
    const nav = h('nav.pager', { 'aria-label': t('list.pagerFor', { what: label }) },
      h('button.secondary', { type: 'button', disabled: page === 0, onclick: () => { page -= 1; show(); } }, t('list.newer')),
      h('span.pager-pos', { 'aria-live': 'polite' }, rows.length ? t('list.position', { first: first + 1, last: first + slice.length, total: rows.length }) : ''),
      h('button.secondary', { type: 'button', disabled: page >= pages - 1, onclick: () => { page += 1; show(); } }, t('list.older')));
    box.replaceChildren(render(slice), rows.length > size ? nav : null);
  };
  show();
  return box;
}

/** The local day range [from, to] of a shortcut: 'today', 'yesterday' or 'week' (Monday to today). */
export function shortcutRange(which, now = new Date()) {
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const from = new Date(day);
  const to = new Date(day);
  if (which === 'yesterday') { from.setDate(day.getDate() - 1); to.setDate(day.getDate() - 1); }
  if (which === 'week') from.setDate(day.getDate() - ((day.getDay() + 6) % 7));
  return { from: isoDate(from), to: isoDate(to) };
}

/** "Idag / Igår / Denna vecka" buttons; pick(range, which) gets YYYY-MM-DD from and to. */
export function dateShortcuts(pick, current) {
  return h('div.shortcuts', { role: 'group', 'aria-label': t('list.shortcuts') },
    ['today', 'yesterday', 'week'].map((w) => h('button.secondary', {
      type: 'button', 'aria-pressed': current === w ? 'true' : 'false', dataset: { range: w },
      onclick: () => pick(shortcutRange(w), w),
    }, t(`list.range.${w}`))));
}

/** YYYY-MM-DD (local) → unix seconds of its first or last second. */
export function dayStart(d) { return Math.floor(new Date(`${d}T00:00:00`).getTime() / 1000); }
export function dayEnd(d) { return Math.floor(new Date(`${d}T23:59:59`).getTime() / 1000); }

/** One CSV cell: quoted, and a leading = + - @ tab or CR (a formula to a spreadsheet) defused with '. */
export function csvCell(v) {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** Rows (arrays) → CSV text: semicolons (what Swedish spreadsheets expect), CRLF, a BOM for UTF-8. */
export function toCsv(header, rows) {
  return `\ufeff${[header, ...rows].map((r) => r.map(csvCell).join(';')).join('\r\n')}\r\n`;
}

/** A button that downloads make() → { name, header, rows } as a CSV file, built in the browser. */
export function csvButton(label, make) {
  return h('button.secondary', {
    type: 'button',
    onclick: () => {
      const { name, header, rows } = make();
      const url = URL.createObjectURL(new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' }));
      const a = h('a', { href: url, download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    },
  }, label);
}
