// Group verification, the default view: one template field across the job as a grid of crops, each with the
// machine's value printed large against it, sorted by value so the odd one stands out. Keyboard first:
// arrows move, typing on a tile replaces its value (Enter saves it), Alt+A / Alt+S take the machine's next reading
// printed beside the value, Tab puts the suggestion shown in the box (free text and capitals: suggest.js), F2 opens
// the machine's reading for editing (edit.js: overtype in comb fields), Alt+B blank, Alt+I illegible, Enter on the
// grid confirms every tile not touched, Alt+M the whole form, Alt+F the field-by-form view.
'use strict';

const group = { items: [], tiles: [], at: 0, fieldId: null, busy: false, readingsFit: 0, readingsAt: 'beside', dict: null };

// el(), api(), showProgress() and showForm() are app.js's (loaded after this file; called only once both are).

function groupKeys() {
  showKeys([
    [['←', '→', '↑', '↓'], 'move'],
    [['Enter'], 'confirm rest'],
    [[], 'type: fix'],
    [['F2'], 'edit'],
    [['Alt', 'A', '/', 'S'], 'reading'],
    [['Tab'], 'suggestion'],
    [['Alt', 'B'], 'blank'],
    [['Alt', 'I'], 'illegible'],
    [['Alt', 'M'], 'form'],
    [['Alt', 'F'], 'fields'],
    [['Alt', 'C'], 'chars'],
    [['Alt', 'K'], 'filter'],
  ]);
}

function tileOf(item) {
  const t = el('div', 'tile');
  t.tabIndex = -1;
  t.dataset.id = String(item.id);
  t.dataset.serial = item.serial;
  const img = el('img', 'tile-crop');
  img.alt = `Scan of ${item.groupLabel}, form ${item.serial}`;
  img.src = item.cropUrl;
  // The value sits right against its crop, as large as the crop's writing, so the eye goes straight across.
  const side = el('div', 'tile-side');
  const val = item.guess === '' ? el('div', 'tile-value none', '(nothing read)') : setValueText(el('div', 'tile-value'), item.guess);
  // The machine's next readings, printed beside its value (read in the same glance), one key each.
  // Short values have them stacked beside the value; long ones on the line under it, as many as fit the tile
  // (only those printed can be taken: a reading no one saw is never one key away).
  const main = el('div', 'tile-main');
  main.append(val);
  const readings = item.readings ? item.readings.slice(0, group.readingsFit) : [];
  const alts = readings.length ? readingsBlock(readings, `tile-alts ${group.readingsAt}`) : null;
  if (alts && group.readingsAt === 'beside') main.append(alts);
  const input = el('input', 'tile-input');
  input.type = 'text';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.hidden = true;
  input.setAttribute('aria-label', `${item.groupLabel}, form ${item.serial}`);
  // Free text and capitals: a suggestion line (suggest.js), the entry the machine's reading is close to before any
  // key, the completion of what is typed after. Tab puts it in the box; Enter saves.
  const line = item.suggest ? el('div', 'suggest tile-suggest') : null;
  if (line) line.hidden = true;
  const foot = el('div', 'tile-foot');
  const meta = el('span', 'tile-meta', `form ${item.serial}`);
  const result = el('span', 'tile-result');
  foot.append(meta);
  if (item.findings) {
    t.classList.add('has-finding');
    const flag = el('span', 'tile-flag', '⚠');
    flag.title = 'A rule across fields: shown whole beside the grid when this tile is active.';
    foot.append(flag);
  }
  if (alts && group.readingsAt === 'under') foot.append(alts);
  foot.append(result);
  if (item.flags.length) {
    t.classList.add('flagged');
    t.title = item.reasons.join('\n');
  }
  side.append(main, input, ...(line ? [line] : []), foot);
  t.append(img, side);
  t.addEventListener('click', () => focusTile(group.tiles.findIndex((x) => x.el === t)));
  const tile = { item, el: t, input, val, main, alts, readings, result, line, touched: false, done: false, saving: false, suggested: false, edited: false };
  if (line) input.addEventListener('input', () => tileSuggestion(tile));
  input.addEventListener('keydown', (ev) => overtypeKey(ev, input));
  return tile;
}

/** A tile's suggestion line as it stands: nothing once saved; the close entry before editing; the completion in it. */
function tileSuggestion(tile) {
  if (!tile.line) return;
  let s = null;
  if (tile.done) s = null;
  // Before any key: free text only (a name or code is never suggested from another form before the person types).
  else if (tile.input.hidden) s = tile.item.type === 'text' ? nearReading(group.dict, tile.item.guess) : null;
  else if (tile.input.selectionStart === tile.input.selectionEnd && tile.input.selectionEnd === tile.input.value.length) s = completionFor(group.dict, tile.input.value);
  renderSuggestion(tile.line, s);
}

// Tile geometry (px at a 16 px root): the crop's height, the value's font, the padding and gaps between them.
// The machine's readings: 13 px characters (0.6 em wide), each after its key cap, 10 px apart.
const TILE = { cropH: 56, valueFont: 32, charEm: 0.64, pad: 6, border: 2, inner: 10, gap: 6, wideCropH: 110, metaW: 84, altChar: 7.8, altKey: 20, altGap: 10 };
/** Values this long or longer have their readings on the line under them, not beside (a tile stays narrow). */
const READINGS_UNDER_FROM = 6;

/**
 * How the field's tiles sit on this screen: each tile's width from its crop's aspect and its longest value, the
 * columns the grid holds, the rows left below the title. Sets the grid's sizes and returns how many tiles fit.
 */
function layoutGrid(grid, shape) {
  const width = grid.clientWidth;
  const aspect = shape.cropMm.w / shape.cropMm.h;
  const wide = shape.type === 'text';
  grid.classList.toggle('wide', wide);
  // At least wide enough for the form number under the value.
  // The machine's next readings: a short value has room kept beside it for two, stacked; a long one shows on the
  // line under it as many as fit after the form number (at least one, for which the tile widens if it must).
  const altW = Math.ceil(shape.valueChars * TILE.altChar) + TILE.altKey;
  const bigW = Math.ceil(shape.valueChars * TILE.charEm * TILE.valueFont) + 4;
  let valueW;
  group.readingsFit = 0;
  group.readingsAt = shape.valueChars >= READINGS_UNDER_FROM ? 'under' : 'beside';
  if (wide) valueW = Math.round(width * 0.3);
  else if (!shape.readings) valueW = Math.max(TILE.metaW, bigW);
  else if (group.readingsAt === 'beside') {
    group.readingsFit = READING_KEYS.length;
    valueW = Math.max(TILE.metaW, bigW + TILE.altGap + altW);
  } else {
    valueW = Math.max(bigW, TILE.metaW + TILE.altGap + altW);
    group.readingsFit = Math.min(READING_KEYS.length, Math.floor((valueW - TILE.metaW) / (altW + TILE.altGap)));
  }
  const frame = 2 * (TILE.pad + TILE.border) + TILE.inner;
  // Free text: the crop as wide as the row allows beside its value, no taller than its own shape needs.
  const maxCropW = width - valueW - frame;
  const cropH = wide ? Math.min(TILE.wideCropH, Math.round(maxCropW / aspect)) : TILE.cropH;
  const cropW = Math.min(Math.round(cropH * aspect), maxCropW);
  const tileW = cropW + valueW + frame;
  const tileH = cropH + 2 * (TILE.pad + TILE.border);
  grid.style.setProperty('--crop-w', `${cropW}px`);
  grid.style.setProperty('--crop-h', `${cropH}px`);
  grid.style.setProperty('--value-w', `${valueW}px`);
  grid.style.setProperty('--tile-w', `${tileW}px`);
  grid.style.setProperty('--tile-h', `${tileH}px`);
  return tilesThatFit(grid, tileW, tileH, TILE.gap);
}

function focusTile(i) {
  if (i < 0 || i >= group.tiles.length) return;
  group.at = i;
  for (const x of group.tiles) x.el.classList.remove('active');
  const tile = group.tiles[i];
  tile.el.classList.add('active');
  // The active tile's rule findings, whole, beside the grid.
  const panel = document.getElementById('finding-panel');
  panel.textContent = '';
  if (tile.item.findings) panel.append(findingBlock(tile.item.findings));
  // A reason of this field's own (an incident date outside the downtime, a value that is not valid) is read, not
  // hovered: the stripe alone says only that there is one.
  const own = tile.item.flags.filter((r) => !tile.item.findings?.some((f) => f.message === r));
  if (own.length) {
    const box = el('div', 'findings');
    for (const r of own) {
      const f = el('section', 'finding');
      f.append(el('div', 'finding-msg', r));
      box.append(f);
    }
    panel.append(box);
  }
  (tile.input.hidden ? tile.el : tile.input).focus();
  tile.el.scrollIntoView({ block: 'nearest' });
}

async function saveTile(tile, action, text) {
  if (tile.done || tile.saving) return false;
  tile.saving = true;
  tile.el.classList.add('saving');
  tile.result.textContent = 'Saving…';
  const suggested = action === 'enter' && tile.suggested;
  const edited = action === 'enter' && tile.edited;
  const { status, data } = await api('api/decide', { serial: tile.item.serial, fieldId: tile.item.fieldId, action, text, expectedVersion: tile.item.version, suggested, edited });
  tile.saving = false;
  tile.el.classList.remove('saving');
  if (data.progress) showProgress(data.progress);
  if (status === 200 && data.outcome && data.outcome.ok) {
    tile.done = true;
    tile.el.classList.add('done');
    tile.input.hidden = true;
    tile.main.hidden = false;
    if (tile.alts) tile.alts.remove();
    if (action === 'blank' || action === 'illegible') tile.val.textContent = action === 'blank' ? '(blank on form)' : '(illegible)';
    else setValueText(tile.val, data.shown || text);
    // What was just settled joins the field's dictionary: the other tiles' suggestions may change with it.
    if (tile.item.suggest && group.dict && data.outcome.result === 'decided' && data.shown) {
      group.dict = addToDictionary(group.dict, data.shown);
      for (const x of group.tiles) tileSuggestion(x);
    } else tileSuggestion(tile);
    tile.result.textContent = data.outcome.result === 'decided' ? `✓ ${data.outcome.field.status}` : data.outcome.message;
    for (const fresh of data.items || []) {
      const other = group.tiles.find((x) => x.item.id === fresh.id);
      if (other) other.item.version = fresh.version;
    }
    return true;
  }
  const msg = (data.outcome && data.outcome.message) || data.error || `Not saved (error ${status}).`;
  tile.result.textContent = msg;
  tile.el.classList.add('bad');
  if (data.outcome && data.outcome.field && data.outcome.field.status === 'needs-review') tile.item.version = data.outcome.field.version;
  if (!tile.input.hidden) tile.input.select();
  document.getElementById('message').textContent = `${tile.item.groupLabel}, form ${tile.item.serial}: ${msg}`;
  return false;
}

async function confirmScreen() {
  if (group.busy) return;
  group.busy = true;
  const todo = group.tiles.filter((x) => !x.done && !x.touched);
  let failed = 0;
  for (const tile of todo) if (!(await saveTile(tile, 'enter', tile.item.guess))) failed++;
  group.busy = false;
  const open = group.tiles.filter((x) => !x.done);
  document.getElementById('message').textContent =
    `${todo.length - failed} tile(s) confirmed` + (failed ? `; ${failed} need your attention.` : '.') + (open.length ? '' : ' Next group…');
  if (open.length === 0) return loadGroup();
  focusTile(group.tiles.indexOf(open[0]));
}

function startEdit(tile, first) {
  tile.touched = true;
  tile.edited = false;
  tile.el.classList.add('touched');
  tile.main.hidden = true;
  tile.input.hidden = false;
  stopOvertype(tile.input);
  tile.input.value = first;
  tile.input.focus();
  tile.input.setSelectionRange(first.length, first.length);
  tile.el.classList.remove('bad');
  tileSuggestion(tile);
}

/** F2: the machine's reading in the tile's box to edit (overtype in a comb field, from its least sure character). */
function editReading(tile) {
  if (tile.done || tile.item.guess === '') return;
  tile.touched = true;
  tile.edited = true;
  tile.suggested = false;
  tile.el.classList.add('touched');
  tile.el.classList.remove('bad');
  tile.main.hidden = true;
  tile.input.hidden = false;
  const comb = tile.item.type !== 'text';
  startEditingReading(tile.input, tile.item.guess, comb, tile.item.doubtAt);
  tile.result.textContent = comb ? 'type over, ← →' : 'editing the reading';
  tileSuggestion(tile);
}

function onGroupKey(ev) {
  // Keys on the filter (or any other control) are the control's.
  if (ev.target && ev.target.closest && ev.target.closest('select, button, header')) return;
  if (document.body.dataset.view !== 'group' || !document.getElementById('formview').hidden) return;
  const tile = group.tiles[group.at];
  if (!tile) return;
  const editing = !tile.input.hidden && document.activeElement === tile.input;
  const alt = (k) => ev.altKey && (ev.key.toLowerCase() === k || ev.code === `Key${k.toUpperCase()}`);
  if (alt('f') || alt('c')) {
    ev.preventDefault();
    location.hash = alt('f') ? 'field' : 'chars';
    location.reload();
    return;
  }
  if (alt('m')) {
    ev.preventDefault();
    showForm(tile.item.serial, tile.item.fieldId);
    return;
  }
  // Tab with a suggestion shown puts it in the tile's box (opening it if need be); only Enter then saves it.
  if (ev.key === 'Tab' && !ev.shiftKey && !ev.altKey && !ev.ctrlKey && !ev.metaKey && tile.line && !tile.line.hidden && tile.line.dataset.full && !tile.done) {
    ev.preventDefault();
    if (editing) takeSuggestion(tile.input, tile.line);
    else startEdit(tile, tile.line.dataset.full);
    // What the box holds now is the suggestion, not the reading.
    stopOvertype(tile.input);
    tile.suggested = true;
    tile.edited = false;
    return;
  }
  const reading = readingOfKey(ev, tile.readings);
  if (reading !== null || alt('a') || alt('s')) {
    ev.preventDefault();
    if (reading === null || tile.done) return;
    tile.touched = true;
    holdKeys(saveTile(tile, 'alternative', reading).then((ok) => ok && moveOn()));
    return;
  }
  if (alt('b') || alt('i')) {
    ev.preventDefault();
    tile.touched = true;
    holdKeys(saveTile(tile, alt('b') ? 'blank' : 'illegible').then((ok) => ok && moveOn()));
    return;
  }
  if (editing) {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      holdKeys(saveTile(tile, 'enter', tile.input.value).then((ok) => ok && moveOn()));
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      tile.input.hidden = true;
      tile.main.hidden = false;
      tile.touched = false;
      tile.suggested = false;
      tile.edited = false;
      tile.result.textContent = '';
      stopOvertype(tile.input);
      tile.el.classList.remove('touched');
      tile.el.focus();
      tileSuggestion(tile);
    } else if (ev.key === 'ArrowUp' || ev.key === 'ArrowDown') {
      ev.preventDefault();
    }
    return;
  }
  const next = gridStep(group.tiles, group.at, ev.key);
  if (next !== null) {
    ev.preventDefault();
    focusTile(next);
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    holdKeys(confirmScreen());
  } else if (ev.key === 'F2' && !ev.altKey && !ev.ctrlKey && !ev.metaKey) {
    ev.preventDefault();
    editReading(tile);
  } else if (ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && !ev.altKey && !tile.done) {
    ev.preventDefault();
    startEdit(tile, ev.key);
  }
}

function moveOn() {
  const next = group.tiles.findIndex((x, i) => i > group.at && !x.done);
  focusTile(next >= 0 ? next : group.at);
}

// A screen is what fits it: first ask which field comes next and its shape (claiming nothing), lay the grid out,
// then claim exactly the tiles that fit, so Enter confirms only tiles the person has in front of them.
async function loadGroup(fieldId) {
  const box = document.getElementById('batch');
  const peek = await api('api/group', fieldId ? { fieldId, limit: 0 } : { limit: 0 });
  box.textContent = '';
  if (peek.status !== 200) {
    box.append(el('p', 'empty', peek.data.error || `Could not load the queue (error ${peek.status}).`));
    return;
  }
  document.getElementById('reviewer').textContent = peek.data.reviewer;
  showProgress(peek.data.progress);
  if (!peek.data.fieldId) {
    group.tiles = [];
    box.append(el('p', 'empty', peek.data.progress.forYou ? 'Nothing left to verify in groups. The rest (double keying) is in the field-by-form view: Alt+F.' : 'Nothing is waiting for you. Well done.'));
    return;
  }
  const title = el('div', 'batch-title');
  const h1 = el('h1', '', peek.data.groupLabel);
  const count = el('span', 'count');
  title.append(h1, count);
  const grid = el('div', 'grid');
  box.append(title, grid);
  const fit = layoutGrid(grid, peek.data.shape);
  const { status, data } = await api('api/group', { fieldId: peek.data.fieldId, limit: fit });
  if (status !== 200) {
    grid.append(el('p', 'empty', data.error || `Could not load the queue (error ${status}).`));
    return;
  }
  showProgress(data.progress);
  if (!data.items.length) return loadGroup();
  // Another reviewer may have taken the last of that field between the two calls: lay out what came.
  if (data.fieldId !== peek.data.fieldId) layoutGrid(grid, data.shape);
  group.fieldId = data.fieldId;
  group.items = data.items;
  h1.textContent = data.groupLabel;
  count.textContent = `${data.items.length} on this screen${data.more ? `, ${data.more} more after` : ''}; sorted by value`;
  group.dict = makeDictionary((data.dictionaries || {})[data.fieldId]);
  group.tiles = data.items.map(tileOf);
  for (const x of group.tiles) grid.append(x.el);
  for (const x of group.tiles) tileSuggestion(x);
  focusTile(0);
}

document.addEventListener('keydown', onGroupKey);
window.startGroupView = (fieldId) => {
  document.body.dataset.view = 'group';
  groupKeys();
  holdKeys(loadGroup(fieldId));
};
