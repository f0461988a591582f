// The review page: keyboard first. Served as a file (the Content-Security-Policy allows no inline script).
// Every URL is relative, so each request carries the session token that is part of the page's path.
'use strict';

const state = { items: [], kind: '', busy: false, reviewer: '', dicts: {} };
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Put a value in `node` as its text, each digit zero marked (a dot in it, from the style sheet): in the page's
 * monospace a 0 and an O are all but the same, and a postcode read P07 1GE beside its reading PO7 1GE must differ at
 * a glance. The node's text stays the value.
 */
function setValueText(node, text) {
  node.textContent = '';
  String(text).split('0').forEach((part, i) => {
    if (i) node.append(el('span', 'zero', '0'));
    if (part) node.append(part);
  });
  return node;
}

// Keys typed while a save (or the next screen) is on its way are kept, in order, and played back once it has
// landed and focus has moved on, so a fast typist's next keys go where they meant them, not into the field being
// saved. A save holds the keys from the moment it starts (holdKeys); the capture listener below queues them.
const keyHold = { n: 0, queue: [], replaying: false };

function holdKeys(promise) {
  keyHold.n++;
  return Promise.resolve(promise).finally(() => {
    keyHold.n--;
    // Let the page settle (focus moved, a new screen drawn) before the keys land.
    setTimeout(replayKeys, 0);
  });
}

function isTextBox(e) {
  return e && ((e.tagName === 'INPUT' && e.type === 'text') || e.tagName === 'TEXTAREA') && !e.readOnly && !e.hidden;
}

function tabTargets() {
  return [...document.querySelectorAll('input, textarea, select, button, [tabindex]')].filter(
    (e) => e.tabIndex >= 0 && !e.disabled && !e.hidden && e.offsetParent !== null,
  );
}

// One kept key, as the browser would have handled it: our handlers first, then the default for text and Tab.
function playKey(k) {
  const target = document.activeElement || document.body;
  const ev = new KeyboardEvent('keydown', { ...k, bubbles: true, cancelable: true });
  target.dispatchEvent(ev);
  if (ev.defaultPrevented) return;
  if (k.key === 'Tab') {
    const list = tabTargets();
    const i = list.indexOf(target);
    const next = list[(i + (k.shiftKey ? -1 : 1) + list.length) % list.length];
    if (next) next.focus();
    return;
  }
  if (!isTextBox(target) || k.ctrlKey || k.metaKey || k.altKey) return;
  const [a, b] = [target.selectionStart ?? target.value.length, target.selectionEnd ?? target.value.length];
  if (k.key.length === 1) target.setRangeText(k.key, a, b, 'end');
  else if (k.key === 'Backspace') target.setRangeText('', a === b ? Math.max(0, a - 1) : a, b, 'end');
  else if (k.key === 'Delete') target.setRangeText('', a, a === b ? Math.min(target.value.length, b + 1) : b, 'end');
  else return;
  target.dispatchEvent(new Event('input', { bubbles: true }));
}

function replayKeys() {
  if (keyHold.replaying) return;
  keyHold.replaying = true;
  try {
    // A played key may start another save: the rest wait for that one.
    while (keyHold.n === 0 && keyHold.queue.length) playKey(keyHold.queue.shift());
  } finally {
    keyHold.replaying = false;
  }
}

window.addEventListener(
  'keydown',
  (ev) => {
    if (!ev.isTrusted || (keyHold.n === 0 && keyHold.queue.length === 0)) return;
    if (['Shift', 'Control', 'Alt', 'Meta', 'AltGraph', 'CapsLock'].includes(ev.key)) return;
    ev.preventDefault();
    ev.stopImmediatePropagation();
    const { key, code, altKey, ctrlKey, metaKey, shiftKey } = ev;
    keyHold.queue.push({ key, code, altKey, ctrlKey, metaKey, shiftKey });
    if (keyHold.n === 0) replayKeys();
  },
  true,
);

// The keys bar of a view: [keys, what they do] pairs.
function showKeys(entries) {
  const keys = document.getElementById('keys');
  keys.textContent = '';
  for (const [k, t] of entries) {
    const s = el('span');
    // '/' between keys is said, not pressed: Alt A / S.
    for (const part of k) s.append(part === '/' ? '/' : el('kbd', '', part), ' ');
    s.append(t);
    keys.append(s);
  }
}

/** How many tiles fit the screen below the grid's top, each `w` x `h` px with `gap` between them. */
function tilesThatFit(grid, w, h, gap) {
  const cols = Math.max(1, Math.floor((grid.clientWidth + gap) / (w + gap)));
  const below = window.innerHeight - grid.getBoundingClientRect().top - 4;
  const rows = Math.max(1, Math.floor((below + gap) / (h + gap)));
  return cols * rows;
}

/** Tiles a row of a grid holds now, for the up and down arrows. */
function gridColumns(tiles) {
  const tops = tiles.map((x) => x.el.offsetTop);
  return Math.max(1, tops.filter((t) => t === tops[0]).length);
}

/** The tile an arrow key moves to from tile `at` in a grid of tiles (kept inside the grid); null for other keys. */
function gridStep(tiles, at, key) {
  const cols = gridColumns(tiles);
  const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols }[key];
  return step === undefined ? null : Math.min(tiles.length - 1, Math.max(0, at + step));
}

async function api(path, body) {
  const opts = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(path, opts);
  const data = await res.json().catch(() => ({}));
  return { status: res.status, data };
}

// NHS number: Modulus 11 over the first nine digits (weights 10..2); 11 means 0, 10 means no valid number.
function nhsCheck(text) {
  const d = text.replace(/[\s-]/g, '');
  if (!/^\d*$/.test(d)) return { ok: false, text: 'digits only' };
  if (d.length !== 10) return { ok: null, text: `${d.length} of 10 digits` };
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(d[i]) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return { ok: false, text: '✗ no valid NHS number has these first nine digits' };
  return check === Number(d[9]) ? { ok: true, text: '✓ check digit correct' } : { ok: false, text: '✗ check digit wrong' };
}

const STAGE_TEXT = {
  single: '',
  first: 'Double keying: first keying',
  second: 'Double keying: second keying (blind: key what the form says)',
  third: 'Double keying: the keyings differ, you decide',
};

const HINTS = {
  date: 'dd/mm/yyyy',
  time: 'hh:mm, 24-hour',
  decimal: 'a number, e.g. 36.8',
  digits: 'digits',
  'nhs-number': '10 digits',
  tick: 'y = ticked, n = not ticked',
  signature: 'y = signed, n = not signed',
};

function hintFor(item) {
  if (item.options) return 'Type the number or the name: ' + item.options.map((o) => `${o.n} ${o.value}`).join(' · ') + (item.type === 'multi' ? ' (several: separate with commas)' : '');
  return HINTS[item.kind] || HINTS[item.type] || '';
}

// A rule finding shown whole: its message, the written value beside the recomputed one, and every field it names
// (crop, value, status, its part in the sum), the field in hand marked.
function findingBlock(views) {
  const box = el('div', 'findings');
  for (const v of views) {
    const f = el('section', 'finding');
    f.dataset.code = v.code;
    f.append(el('div', 'finding-msg', v.message));
    if (v.written) {
      const cmp = el('div', 'finding-cmp');
      const w = el('span', 'written');
      w.append(`${v.written.label} `, el('b', '', v.written.value));
      const r = el('span', 'recomputed');
      r.append(`${v.recomputed.label} `, el('b', '', v.recomputed.value));
      cmp.append(w, r);
      f.append(cmp);
    }
    const row = el('div', 'finding-fields');
    for (const x of v.fields) {
      const fig = el('figure', `ff ${x.status}${x.self ? ' self' : ''}`);
      fig.dataset.fieldId = x.fieldId;
      const cap = el('figcaption');
      cap.append(el('span', 'ff-label', x.label), el('span', 'ff-value', x.shown));
      if (x.note) cap.append(el('span', 'ff-note', x.note));
      cap.append(el('span', 'ff-status', x.self ? 'this field' : x.status));
      const img = el('img');
      img.alt = `Scan of ${x.label}`;
      img.src = x.cropUrl;
      fig.append(cap, img);
      row.append(fig);
    }
    f.append(row);
    box.append(f);
  }
  return box;
}

// The machine's next readings of a comb field (its box classifier's second and third whole readings that are
// values of the field), printed beside its value so they are read in the same glance; Alt+A takes the first,
// Alt+S the second. The server never sends them for a blind keying.
const READING_KEYS = ['A', 'S'];
function readingsBlock(readings, cls) {
  const box = el('div', `readings ${cls}`);
  box.title = "The machine's next readings of this field: Alt+A takes the first, Alt+S the second.";
  readings.slice(0, READING_KEYS.length).forEach((text, i) => {
    const r = el('span', 'reading');
    r.dataset.text = text;
    r.append(el('kbd', '', READING_KEYS[i]), setValueText(el('span', 'reading-text'), text));
    box.append(r);
  });
  return box;
}

/** The offered reading an Alt chord takes (Alt+A the first, Alt+S the second), or null. */
function readingOfKey(ev, readings) {
  if (!ev.altKey || !readings) return null;
  const i = READING_KEYS.findIndex((k) => ev.key.toUpperCase() === k || ev.code === `Key${k}`);
  return i >= 0 && readings[i] !== undefined ? readings[i] : null;
}

function card(item) {
  const c = el('article', 'card');
  c.dataset.id = String(item.id);
  c.dataset.serial = item.serial;
  c.dataset.fieldId = item.fieldId;
  c.dataset.stage = item.stage;
  const head = el('div', 'card-head');
  head.append(el('span', 'label', item.groupLabel || item.label));
  // In a batch of one kind across forms, say which form each field is from.
  if (state.kind) head.append(el('span', 'form-no', `form ${item.serial}`));
  if (item.stage !== 'single') head.append(el('span', 'stage', STAGE_TEXT[item.stage]));
  c.append(head);
  const body = el('div', 'card-body');
  const crop = el('div', 'crop');
  if (item.cropUrl) {
    const img = el('img');
    img.alt = `Scan of ${item.label}`;
    img.src = item.cropUrl;
    crop.append(img);
  } else crop.append(el('span', 'nocrop', 'No crop was saved for this field.'));
  const details = el('div', 'details');
  body.append(crop, details);
  c.append(body);
  const reasons = el('ul', 'reasons');
  for (const r of item.reasons) reasons.append(el('li', '', r));
  details.append(reasons);
  if (item.keyed) details.append(el('div', 'keyed', 'Keyed as: ' + item.keyed.join('  |  ')));
  const row = el('div', 'entry');
  // Free text in a multi-line box at a legible size (Shift+Enter for a new line; Enter saves, as everywhere).
  const input = item.type === 'text' ? el('textarea', 'value') : el('input', 'value');
  if (item.type === 'text') {
    input.rows = 3;
    c.classList.add('text');
  } else input.type = 'text';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.value = item.guess;
  input.dataset.guess = item.guess;
  input.setAttribute('aria-label', `${item.label}, form ${item.serial}`);
  if (item.stage === 'second' || item.stage === 'third') input.placeholder = 'Key what the form says';
  row.append(input);
  if (item.readings) row.append(readingsBlock(item.readings, 'card-alts'));
  const live = el('span', 'live');
  row.append(live);
  // Suggestions while keying (suggest.js): the job's values for this field and the template's list, Tab takes one.
  const line = item.suggest ? el('div', 'suggest card-suggest') : null;
  if (line) line.hidden = true;
  details.append(row, ...(line ? [line] : []), el('div', 'hint', hintFor(item)), el('div', 'result'));
  if (item.findings) {
    c.classList.add('has-finding');
    c.append(findingBlock(item.findings));
  }
  if (line) {
    const update = () => cardSuggestion(item, c, input, line);
    input.addEventListener('input', () => {
      c.dataset.typed = '1';
      update();
    });
    input.addEventListener('keyup', update);
    input.addEventListener('focus', update);
  }
  input.addEventListener('input', () => {
    const res = c.querySelector('.result');
    if (res.classList.contains('bad')) {
      res.textContent = '';
      res.className = 'result';
    }
  });
  if (item.kind === 'nhs-number') {
    const update = () => {
      const r = nhsCheck(input.value);
      live.textContent = r.text;
      live.className = 'live ' + (r.ok === true ? 'good' : r.ok === false ? 'bad' : '');
    };
    input.addEventListener('input', update);
    update();
  }
  input.addEventListener('focus', () => {
    input.select();
    for (const o of document.querySelectorAll('.card.active')) o.classList.remove('active');
    c.classList.add('active');
    c.scrollIntoView({ block: 'nearest' });
  });
  input.addEventListener('keydown', (ev) => onKey(ev, item, c, input));
  return c;
}

// What a card's suggestion line shows: before anything is typed, the dictionary entry the machine's reading is
// close to; while typing (caret at the end), the completion of what is typed. Nothing on a card already saved.
function cardSuggestion(item, c, input, line) {
  const dict = state.dicts[item.fieldId];
  let s = null;
  if (c.classList.contains('done') || input.readOnly) s = null;
  // Before any key: free text only (a name or code is never suggested from another form before the person types).
  else if (!c.dataset.typed && input.value === item.guess) s = item.type === 'text' ? nearReading(dict, item.guess) : null;
  else if (input.selectionStart === input.selectionEnd && input.selectionEnd === input.value.length) s = completionFor(dict, input.value);
  renderSuggestion(line, s);
}

function onKey(ev, item, c, input) {
  if (overtypeKey(ev, input)) return;
  const reading = readingOfKey(ev, item.readings);
  if (ev.key === 'Tab' && !ev.shiftKey && !ev.altKey && !ev.ctrlKey && !ev.metaKey && takeSuggestion(input, c.querySelector('.card-suggest'))) {
    ev.preventDefault();
    stopOvertype(input);
    c.dataset.suggested = '1';
    c.dataset.edited = '';
  } else if (ev.key === 'F2' && !ev.altKey && !ev.ctrlKey && !ev.metaKey) {
    // The machine's reading to edit (never when keying blind: there is none in the box to start from).
    ev.preventDefault();
    if (!item.guess || input.readOnly || item.stage === 'second' || item.stage === 'third') return;
    c.dataset.edited = '1';
    c.dataset.suggested = '';
    c.dataset.typed = '1';
    startEditingReading(input, item.guess, item.type !== 'text', item.doubtAt);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    if (item.type !== 'text') c.querySelector('.hint').textContent = 'Type over the marked character; ← → move it. Enter saves.';
  } else if (reading !== null) {
    ev.preventDefault();
    holdKeys(submit(item, c, input, 'alternative', reading));
  } else if (ev.key === 'Enter' && !ev.shiftKey) {
    ev.preventDefault();
    holdKeys(submit(item, c, input, 'enter'));
  } else if (ev.altKey && (ev.key === 'b' || ev.key === 'B' || ev.code === 'KeyB')) {
    ev.preventDefault();
    holdKeys(submit(item, c, input, 'blank'));
  } else if (ev.altKey && (ev.key === 'i' || ev.key === 'I' || ev.code === 'KeyI')) {
    ev.preventDefault();
    holdKeys(submit(item, c, input, 'illegible'));
  } else if (ev.altKey && (ev.key === 'm' || ev.key === 'M' || ev.code === 'KeyM')) {
    ev.preventDefault();
    showForm(item.serial, item.fieldId);
  }
}

function focusNext(fromCard) {
  const open = [...document.querySelectorAll('.card:not(.done) .value')];
  if (open.length === 0) return loadBatch();
  const cards = [...document.querySelectorAll('.card')];
  const idx = fromCard ? cards.indexOf(fromCard) : -1;
  const after = open.find((i) => cards.indexOf(i.closest('.card')) > idx);
  (after || open[0]).focus();
  return undefined;
}

async function submit(item, c, input, action, reading) {
  if (c.classList.contains('done') || c.classList.contains('saving')) return;
  c.classList.add('saving');
  const result = c.querySelector('.result');
  result.className = 'result';
  result.textContent = 'Saving…';
  const { status, data } = await api('api/decide', {
    serial: item.serial,
    fieldId: item.fieldId,
    action,
    text: action === 'enter' ? input.value : action === 'alternative' ? reading : undefined,
    expectedVersion: item.version,
    suggested: action === 'enter' && c.dataset.suggested === '1',
    edited: action === 'enter' && c.dataset.edited === '1',
  });
  c.classList.remove('saving');
  if (data.progress) showProgress(data.progress);
  if (status === 200 && data.outcome && data.outcome.ok) {
    const o = data.outcome;
    c.classList.add('done');
    input.readOnly = true;
    input.tabIndex = -1;
    if (typeof data.shown === 'string') input.value = data.shown || '(no value)';
    const alts = c.querySelector('.card-alts');
    if (alts) alts.remove();
    const line = c.querySelector('.card-suggest');
    if (line) renderSuggestion(line, null);
    // What was just settled is in the field's dictionary for the next card at once.
    if (item.suggest && o.result === 'decided' && data.shown && state.dicts[item.fieldId]) state.dicts[item.fieldId] = addToDictionary(state.dicts[item.fieldId], data.shown);
    result.className = 'result good';
    const rec = o.recordBefore === o.recordAfter ? `form ${item.serial} is ${o.recordAfter}` : `form ${item.serial}: ${o.recordBefore} → ${o.recordAfter}`;
    result.textContent = `${o.message} ${o.result === 'decided' ? `Field ${o.field.status}; ` : ''}${rec}.`;
    result.dataset.recordStatus = o.recordAfter;
    $('message').textContent = `${item.label}, form ${item.serial}: ${o.message} Form status: ${o.recordAfter}.`;
    refreshHeld(data.items || [], item.serial);
    loadRecent();
    return focusNext(c);
  }
  const msg = (data.outcome && data.outcome.message) || data.error || `Not saved (error ${status}).`;
  result.className = 'result bad';
  result.textContent = msg;
  if (data.outcome && data.outcome.problem === 'conflict') {
    const f = data.outcome.field;
    if (!f || f.status !== 'needs-review') {
      c.classList.add('done', 'taken');
      input.readOnly = true;
      input.tabIndex = -1;
      return focusNext(c);
    }
    item.version = f.version;
  }
  // The typed text selected, so typing again replaces it.
  input.focus();
  input.select();
}

// After a decision re-validated its form, that form's other items held may have new versions, reasons, or be
// settled (the server answers with the held items of that form only: no other record changed).
function refreshHeld(items, serial) {
  const byId = new Map(items.map((i) => [i.id, i]));
  for (const it of state.items) {
    if (it.serial !== serial) continue;
    const c = document.querySelector(`.card[data-id="${it.id}"]`);
    if (!c || c.classList.contains('done')) continue;
    const fresh = byId.get(it.id);
    if (!fresh) {
      c.classList.add('done', 'settled');
      const input = c.querySelector('.value');
      input.readOnly = true;
      input.tabIndex = -1;
      c.querySelector('.result').textContent = 'No longer needs a person (settled when the form was checked again).';
      continue;
    }
    it.version = fresh.version;
    const list = c.querySelector('.reasons');
    list.textContent = '';
    for (const r of fresh.reasons) list.append(el('li', '', r));
    const old = c.querySelector('.findings');
    if (old) old.remove();
    if (fresh.findings) c.append(findingBlock(fresh.findings));
  }
}

function showProgress(p) {
  const rate = p.ratePerHour === null ? '–' : `${p.ratePerHour}`;
  $('progress').textContent = `Fields left: ${p.fieldsLeft} (${p.forYou} for you) · Forms left: ${p.formsLeft} · Done today: ${p.doneToday} · Your rate today: ${rate} fields/hour`;
  const sel = $('kind');
  const keep = sel.value;
  sel.textContent = '';
  const all = el('option', '', 'every kind, form by form');
  all.value = '';
  sel.append(all);
  for (const [k, n] of Object.entries(p.kinds).sort()) {
    const o = el('option', '', `${k} only (${n})`);
    o.value = k;
    sel.append(o);
  }
  if (state.kind && !(state.kind in p.kinds)) {
    const o = el('option', '', `${state.kind} only (0)`);
    o.value = state.kind;
    sel.append(o);
  }
  sel.value = keep || state.kind;
}

async function loadBatch() {
  if (state.busy) return;
  state.busy = true;
  const { status, data } = await api('api/next', { kind: state.kind || undefined });
  state.busy = false;
  const box = $('batch');
  box.textContent = '';
  if (status !== 200) {
    box.append(el('p', 'empty', data.error || `Could not load the queue (error ${status}).`));
    return;
  }
  state.reviewer = data.reviewer;
  $('reviewer').textContent = data.reviewer;
  showProgress(data.progress);
  state.items = data.items;
  state.dicts = {};
  for (const [fieldId, entries] of Object.entries(data.dictionaries || {})) state.dicts[fieldId] = makeDictionary(entries);
  if (data.items.length === 0) {
    box.append(el('p', 'empty', state.kind ? `Nothing of this kind is waiting for you. Choose another kind above.` : 'Nothing is waiting for you. Well done.'));
    return;
  }
  const serials = [...new Set(data.items.map((i) => i.serial))];
  const title = el('div', 'batch-title');
  title.append(el('h1', '', serials.length === 1 ? `Form ${serials[0]}` : `${data.items.length} ${state.kind} fields from ${serials.length} forms`));
  if (serials.length === 1) title.append(el('span', 'status', `status: ${data.items[0].recordStatus}`));
  title.append(el('span', 'count', `${data.items.length} field(s) to check`));
  box.append(title);
  for (const it of data.items) box.append(card(it));
  box.querySelector('.value').focus();
}

async function loadRecent() {
  const { status, data } = await api('api/recent');
  if (status !== 200) return;
  const ol = $('recent');
  ol.textContent = '';
  for (const r of data.recent) {
    const li = el('li');
    li.dataset.serial = r.serial;
    li.dataset.fieldId = r.fieldId;
    li.append(el('span', 'r-field', `${r.serial} · ${r.label}`), el('span', 'r-val', r.shown), el('span', 'r-status', r.recordStatus));
    ol.append(li);
  }
}

const SVG = 'http://www.w3.org/2000/svg';
async function showForm(serial, currentFieldId) {
  const { status, data } = await api(`api/form/${encodeURIComponent(serial)}`);
  if (status !== 200) return;
  const view = $('formview');
  $('formview-title').textContent = `Form ${serial} (${data.status})`;
  const pages = $('formview-pages');
  pages.textContent = '';
  for (const p of data.pages) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${data.pageSize.widthMm} ${data.pageSize.heightMm}`);
    svg.setAttribute('class', 'page');
    const img = document.createElementNS(SVG, 'image');
    img.setAttribute('href', p.url);
    img.setAttribute('width', String(data.pageSize.widthMm));
    img.setAttribute('height', String(data.pageSize.heightMm));
    svg.append(img);
    for (const f of data.fields.filter((x) => x.page === p.n)) {
      const r = document.createElementNS(SVG, 'rect');
      r.setAttribute('x', String(f.zone.x));
      r.setAttribute('y', String(f.zone.y));
      r.setAttribute('width', String(f.zone.w));
      r.setAttribute('height', String(f.zone.h));
      r.setAttribute('class', `zone ${f.status}${f.fieldId === currentFieldId ? ' current' : ''}`);
      const t = document.createElementNS(SVG, 'title');
      t.textContent = `${f.label}: ${f.status}`;
      r.append(t);
      svg.append(r);
    }
    pages.append(svg);
  }
  view.hidden = false;
  view.dataset.return = document.activeElement && document.activeElement.classList.contains('value') ? document.activeElement.closest('.card').dataset.id : '';
  $('formview-close').focus();
  const cur = pages.querySelector('rect.current');
  if (cur) cur.scrollIntoView({ block: 'center' });
}

function closeForm() {
  const view = $('formview');
  if (view.hidden) return;
  view.hidden = true;
  const back = view.dataset.return && document.querySelector(`.card[data-id="${view.dataset.return}"] .value`);
  if (back) back.focus();
}

document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') closeForm();
  // Alt+K: the filter by kind of field, from any view (Tab and Shift+Tab reach it too).
  if (ev.altKey && (ev.key === 'k' || ev.key === 'K' || ev.code === 'KeyK')) {
    ev.preventDefault();
    $('kind').focus();
    return;
  }
  if (document.body.dataset.view === 'field' && ev.altKey && (ev.key === 'g' || ev.key === 'G' || ev.code === 'KeyG')) {
    ev.preventDefault();
    location.hash = '';
    location.reload();
  }
});

document.addEventListener('DOMContentLoaded', () => {
  $('formview-close').addEventListener('click', closeForm);
  $('kind').addEventListener('change', () => {
    // Group and character views show one field or character across kinds: a kind opens the field view of it.
    if (document.body.dataset.view !== 'field') {
      location.hash = `field=${encodeURIComponent($('kind').value)}`;
      location.reload();
      return;
    }
    state.kind = $('kind').value;
    holdKeys(loadBatch());
  });
  // Enter on the filter goes back to the fields.
  $('kind').addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' && ev.key !== 'Escape') return;
    ev.preventDefault();
    ev.stopPropagation();
    const back = document.querySelector('.card:not(.done) .value, .tile.active, .ctile.active');
    if (back) back.focus();
  });
  loadRecent();
  // Group verification is the default; #field opens the field-by-form view (Alt+G goes back), #chars the
  // character view (Alt+C from group view).
  if (location.hash === '#field' || location.hash.startsWith('#field=')) {
    document.body.dataset.view = 'field';
    state.kind = location.hash.startsWith('#field=') ? decodeURIComponent(location.hash.slice(7)) : '';
    holdKeys(loadBatch());
  } else if (location.hash === '#chars' || location.hash.startsWith('#chars=')) window.startCharView(location.hash.startsWith('#chars=') ? decodeURIComponent(location.hash.slice(7)) : undefined);
  else window.startGroupView(location.hash.startsWith('#group=') ? decodeURIComponent(location.hash.slice(7)) : undefined);
});
