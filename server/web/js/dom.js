// Small DOM helpers: build elements from parts (never by parsing HTML), tables, forms, dialogs, messages.
import { t } from './i18n.js';

/** h('tag.class#id', {attr: value, onclick: fn}, children...) → Element. Text is never parsed as HTML. */
export function h(spec, attrs, ...children) {
  const m = /^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement((m && m[1]) || 'div');
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') el.classList.add(part.slice(1)); else el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') el[k] = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

let uid = 0;
/** A unique id for label/control pairs. */
export function newId(prefix = 'f') { uid += 1; return `${prefix}-${uid}`; }

/** A labelled form field. kind: input type, 'select' (options [{value,label}]) or 'textarea'. */
export function field(label, name, kind = 'text', opts = {}) {
  const id = opts.id || newId(name);
  let control;
  if (kind === 'select') {
    control = h('select', { id, name, required: opts.required });
    if (opts.placeholder) control.append(h('option', { value: '' }, opts.placeholder));
    for (const o of opts.options || []) {
      control.append(h('option', { value: o.value, selected: String(o.value) === String(opts.value ?? '') }, o.label));
    }
  } else if (kind === 'textarea') {
    control = h('textarea', { id, name, required: opts.required, rows: opts.rows || 3 });
    if (opts.value) control.value = opts.value;
  } else {
    control = h('input', {
      id, name, type: kind, required: opts.required, value: opts.value, min: opts.min, max: opts.max,
      autocomplete: opts.autocomplete || 'off', inputmode: opts.inputmode, pattern: opts.pattern,
      maxlength: opts.maxlength, step: opts.step, 'aria-describedby': opts.hint ? `${id}-hint` : null,
    });
  }
  return h('div.field', h('label', { for: id }, label), control,
    opts.hint ? h('p.hint', { id: `${id}-hint` }, opts.hint) : null);
}

/** A table with a caption; cols: [{label, get: row → Node|string}]. Empty → a sentence, not an empty grid. */
export function table(caption, cols, rows, emptyText) {
  if (!rows || rows.length === 0) return h('p.empty', emptyText || t('common.empty'));
  return h('div.table-wrap', { tabindex: '0', role: 'region', 'aria-label': caption },
    h('table',
      h('caption', caption),
      h('thead', h('tr', cols.map((c) => h('th', { scope: 'col' }, c.label)))),
      h('tbody', rows.map((r) => h('tr', cols.map((c, i) => (i === 0 ? h('th', { scope: 'row', class: c.cls }, c.get(r)) : h('td', { class: c.cls }, c.get(r)))))))));
}

/** Form values as an object; empty strings dropped. */
export function formValues(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) {
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  }
  return out;
}

/** Ask the person to confirm; resolves true only on the explicit confirm button. */
export function confirmDialog(title, text, okLabel) {
  const dlg = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel || t('common.confirm');
  document.getElementById('confirm-cancel').textContent = t('common.cancel');
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
    dlg.returnValue = 'cancel';
    dlg.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

let statusTimer = null;
/** A polite message that screen readers announce; clears itself. */
export function say(text) {
  const el = document.getElementById('status');
  el.textContent = text;
  el.classList.add('shown');
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { el.textContent = ''; el.classList.remove('shown'); }, 8000);
}

/** An error the person must read; stays until the next page or message. */
export function alertError(text) {
  const el = document.getElementById('alert');
  el.textContent = text;
  el.hidden = !text;
}

/** Unix seconds → local date and time in the UI language. */
export function fmtTime(unix, lang) {
  if (unix === null || unix === undefined || unix === 0) return t('common.never');
  const d = new Date(Number(unix) * 1000);
  return d.toLocaleString(lang === 'en' ? 'en-GB' : 'sv-SE', { dateStyle: 'short', timeStyle: 'short' });
}

/** A YYYY-MM-DD string for a Date (local). */
export function isoDate(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A badge whose meaning is in its text, colour only supports it. */
export function badge(text, tone) { return h(`span.badge.${tone || 'neutral'}`, text); }

/** A place for a form's refusal, announced when shown. */
export function errorLine() { return h('p.error-text', { role: 'alert', hidden: true }); }

/** Show a refusal in `box` as a plain sentence; `names` are what the page knows (see problems.js). */
export function showError(box, e, names) {
  box.textContent = e && e.forPerson ? e.forPerson(names) : t('problem.generic', { status: 0 });
  box.hidden = false;
}
