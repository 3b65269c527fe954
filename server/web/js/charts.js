// Hand-drawn SVG bar charts, each beside the table it is drawn from (the table is what screen
// readers read; the picture is hidden from them). No library, no inline style: CSP-safe.
import { t } from './i18n.js';
import { h, table } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element from attributes (never parsed from text). */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A round upper bound for the value axis: 1, 2, 5, 10, 20, 50, ... at least max. */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max);
}

/**
 * Vertical bars: data [{label, value, tone?, href?}]. Returns a figure with the SVG (hidden from
 * assistive technology) and a table with the same numbers. opts: {id, title, valueLabel, caption}.
 */
export function barChart(data, { id, title, valueLabel, caption, labelEvery = 1 }) {
  const W = 640; const H = 228; const left = 36; const bottom = 34; const top = 18; // room for the top bar's value
  const max = niceMax(Math.max(0, ...data.map((d) => d.value)));
  const bw = (W - left - 8) / Math.max(1, data.length);
  const y = (v) => top + (H - top - bottom) * (1 - v / max);
  const grid = [0, max / 2, max].map((v) => [
    s('line', { x1: left, x2: W - 4, y1: y(v), y2: y(v), class: 'grid' }),
    s('text', { x: left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, Number.isInteger(v) ? v : v.toFixed(1))]);
  const bars = data.map((d, i) => {
    const x = left + i * bw + bw * 0.15;
    const rect = s('rect', { x, y: y(d.value), width: bw * 0.7, height: Math.max(0, H - bottom - y(d.value)), class: `bar ${d.tone || ''}`, 'data-label': d.label, 'data-value': d.value });
    const label = i % labelEvery === 0 ? s('text', { x: x + bw * 0.35, y: H - bottom + 16, class: 'axis', 'text-anchor': 'middle' }, d.short || d.label) : null;
    const value = d.value ? s('text', { x: x + bw * 0.35, y: y(d.value) - 3, class: 'value', 'text-anchor': 'middle' }, d.value) : null;
    return [rect, label, value];
  });
  // nothing to draw: the sentence under the title says so, no empty axes
  const svg = data.length ? s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', 'aria-hidden': 'true', focusable: 'false' }, grid, bars) : null;
  return h('figure.chart-box', { id },
    h('figcaption', h('h3', title), caption ? h('p.hint', caption) : null),
    svg,
    h('div.chart-table', tableOf(data, title, valueLabel)));
}

function tableOf(data, title, valueLabel) {
  const tb = table(title, [
    { label: t('chart.category'), get: (d) => (d.href ? h('a', { href: d.href }, d.label) : d.label) },
    { label: valueLabel, cls: 'num', get: (d) => String(d.value) },
  ], data, t('chart.empty'));
  tb.dataset.nofilter = ''; // the chart's numbers, not a list to search
  return tb;
}

/**
 * A week as seven rows of 24 hours with a mark per event: items [{day: 'YYYY-MM-DD', minute,
 * label, tone?}] for the days `days` (YYYY-MM-DD, Monday first). The table beside it is built
 * by the caller (it knows the columns people need).
 */
export function weekTimeline(items, days, { id, dayLabel }) {
  const W = 720; const left = 90; const row = 26; const top = 20; const H = top + row * days.length + 4;
  const x = (minute) => left + (W - left - 8) * (minute / 1440);
  const kids = [];
  for (let hr = 0; hr <= 24; hr += 6) {
    kids.push(s('line', { x1: x(hr * 60), x2: x(hr * 60), y1: top - 4, y2: H, class: 'grid' }));
    kids.push(s('text', { x: x(hr * 60), y: 12, class: 'axis', 'text-anchor': hr === 24 ? 'end' : 'middle' }, `${String(hr).padStart(2, '0')}:00`));
  }
  days.forEach((d, i) => {
    const y = top + i * row + row / 2;
    kids.push(s('text', { x: left - 8, y: y + 4, class: 'axis', 'text-anchor': 'end' }, dayLabel(d)));
    kids.push(s('line', { x1: left, x2: W - 8, y1: y, y2: y, class: 'grid' }));
    for (const it of items.filter((e) => e.day === d)) {
      kids.push(s('circle', { cx: x(it.minute), cy: y, r: 6, class: `mark ${it.tone || ''}`, 'data-day': it.day, 'data-minute': it.minute }));
    }
  });
  return s('svg', { id, viewBox: `0 0 ${W} ${H}`, class: 'chart timeline', 'aria-hidden': 'true', focusable: 'false' }, kids);
}
