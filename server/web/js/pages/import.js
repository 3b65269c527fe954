// The care-planning import (central administration): choose the planning system's file, see
// what it would change, then apply it — all lines or none. Refused lines are listed by line,
// alarm code and address, in the person's language (docs/import.md).
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, table, say, errorLine, showError } from '../dom.js';
import { longDate } from '../problems.js';

const MAX_BYTES = 1024 * 1024;

/** One refused line as a sentence: "Rad 3 (larmkod LA-4, Årstavägen 1): …". */
function lineText(l, json) {
  const col = l.field ? t(`import.column.${l.field}`) : '';
  const why = t(`import.err.${l.problem}`, { column: col });
  if (!l.line) return t('import.fileRefused', { why });
  const who = l.alarm_code && l.address ? t('import.whoAddress', { code: l.alarm_code, address: l.address })
    : l.alarm_code ? t('import.who', { code: l.alarm_code }) : '';
  return t(json ? 'import.recordLine' : 'import.csvLine', { line: l.line, who, why });
}

function refusedList(box, e, json) {
  box.replaceChildren(
    h('p', t('import.refused', { count: e.lines.length })),
    h('ul.refused', e.lines.map((l) => h('li', lineText(l, json)))),
    h('p', t('import.nothingChanged')));
  box.hidden = false;
}

function diffTable(res) {
  return table(t('import.diffTitle'), [
    { label: t('import.line'), get: (c) => String(c.line) },
    { label: t('import.what'), get: (c) => (c.action === 'create' ? t('import.create') : t('import.change')) },
    { label: t('import.alarmCode'), get: (c) => c.alarm_code },
    { label: t('import.address'), get: (c) => [c.address, c.apartment].filter(Boolean).join(', ') },
    { label: t('import.provider'), get: (c) => (c.from_provider ? t('import.fromTo', { from: c.from_provider, to: c.provider }) : c.provider) },
    { label: t('import.date'), get: (c) => (c.date ? longDate(c.date) : t('import.today')) },
  ], res.changes, t('import.noChanges'));
}

function summary(res) {
  return t(res.applied ? 'import.applied' : 'import.wouldChange',
    { created: res.created, changed: res.changed, unchanged: res.unchanged });
}

export async function render() {
  const err = errorLine();
  const refused = h('div.card.refused-lines', { role: 'alert', hidden: true });
  const result = h('div', { 'aria-live': 'polite' });
  const input = h('input#import-file', { type: 'file', name: 'file', accept: '.csv,.json,text/csv,application/json', required: true });
  let file = null; // { text, type, json }
  const send = async (apply) => {
    err.hidden = true; refused.hidden = true;
    try {
      const res = await api('POST', `/care-planning/import${apply ? '?apply=1' : ''}`, file.text, { type: file.type });
      const applyButton = h('button', { type: 'button' }, t('import.applyButton'));
      applyButton.addEventListener('click', () => send(true));
      result.replaceChildren(h('p.lead', summary(res)), diffTable(res),
        !apply && (res.created || res.changed) ? h('div.actions', applyButton) : null);
      if (apply) say(summary(res));
    } catch (e) {
      result.replaceChildren();
      if (e.slug === 'import-refused' && e.lines.length) refusedList(refused, e, file.json);
      else showError(err, e);
    }
  };
  const form = h('form.card', { 'aria-labelledby': 'imp-h' },
    h('h2#imp-h', t('import.choose')),
    h('div.field', h('label', { for: 'import-file' }, t('import.file')), input,
      h('p.hint', t('import.fileHint'))),
    err,
    h('div.actions', h('button', { type: 'submit' }, t('import.showButton'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = input.files && input.files[0];
    if (!f) return;
    if (f.size > MAX_BYTES) { err.textContent = t('import.tooLarge'); err.hidden = false; return; }
    const text = await f.text();
    const json = text.trimStart().startsWith('{');
    file = { text, json, type: json ? 'application/json' : 'text/csv' };
    await send(false);
  });
  return h('section',
    h('h1', t('import.title')),
    h('p.lead', t('import.lead')),
    form, refused, result);
}
