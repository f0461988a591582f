// Group verification, the default view: one template field across the job as a grid of crops, each with the
// machine's value printed large against it, sorted by value so the odd one stands out. Keyboard first:
// arrows move, typing on a tile replaces its value (Enter saves it), Alt+B blank, Alt+I illegible, Enter on the
// grid confirms every tile not touched, Alt+M the whole form, Alt+F the field-by-form view.
'use strict';

const group = { items: [], tiles: [], at: 0, fieldId: null, busy: false };

// el(), api(), showProgress() and showForm() are app.js's (loaded after this file; called only once both are).

function groupKeys() {
  const keys = document.getElementById('keys');
  keys.textContent = '';
  const add = (k, t) => {
    const s = el('span');
    for (const part of k) s.append(el('kbd', '', part), ' ');
    s.append(t);
    keys.append(s);
  };
  add(['←', '→', '↑', '↓'], 'move');
  add(['Enter'], 'confirm every tile you did not touch');
  add([], 'type on a tile to replace its value, Enter saves');
  add(['Alt', 'B'], 'blank on form');
  add(['Alt', 'I'], 'illegible');
  add(['Alt', 'M'], 'whole form');
  add(['Alt', 'F'], 'field-by-form view');
}

function tileOf(item) {
  const t = el('div', 'tile');
  t.tabIndex = -1;
  t.dataset.id = String(item.id);
  t.dataset.serial = item.serial;
  const img = el('img');
  img.alt = `Scan of ${item.groupLabel}, form ${item.serial}`;
  img.src = item.cropUrl;
  const val = el('div', 'tile-value', item.guess === '' ? '(nothing read)' : item.guess);
  const input = el('input', 'tile-input');
  input.type = 'text';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.hidden = true;
  input.setAttribute('aria-label', `${item.groupLabel}, form ${item.serial}`);
  const meta = el('div', 'tile-meta', `form ${item.serial}`);
  const result = el('div', 'tile-result');
  if (item.reasons.some((r) => !/sure enough|always checked|is always read/i.test(r))) {
    t.classList.add('flagged');
    t.title = item.reasons.join('\n');
  }
  t.append(img, val, input, meta, result);
  t.addEventListener('click', () => focusTile(group.tiles.findIndex((x) => x.el === t)));
  return { item, el: t, input, val, result, touched: false, done: false, saving: false };
}

function focusTile(i) {
  if (i < 0 || i >= group.tiles.length) return;
  group.at = i;
  for (const x of group.tiles) x.el.classList.remove('active');
  const tile = group.tiles[i];
  tile.el.classList.add('active');
  (tile.input.hidden ? tile.el : tile.input).focus();
  tile.el.scrollIntoView({ block: 'nearest' });
}

function columns() {
  const tops = group.tiles.map((x) => x.el.offsetTop);
  const n = tops.filter((t) => t === tops[0]).length;
  return Math.max(1, n);
}

async function saveTile(tile, action, text) {
  if (tile.done || tile.saving) return false;
  tile.saving = true;
  tile.el.classList.add('saving');
  tile.result.textContent = 'Saving…';
  const { status, data } = await api('api/decide', { serial: tile.item.serial, fieldId: tile.item.fieldId, action, text, expectedVersion: tile.item.version });
  tile.saving = false;
  tile.el.classList.remove('saving');
  if (data.progress) showProgress(data.progress);
  if (status === 200 && data.outcome && data.outcome.ok) {
    tile.done = true;
    tile.el.classList.add('done');
    tile.input.hidden = true;
    tile.val.hidden = false;
    tile.val.textContent = action === 'blank' ? '(blank on form)' : action === 'illegible' ? '(illegible)' : data.shown || text;
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
  tile.el.classList.add('touched');
  tile.val.hidden = true;
  tile.input.hidden = false;
  tile.input.value = first;
  tile.input.focus();
  tile.el.classList.remove('bad');
}

function onGroupKey(ev) {
  if (document.body.dataset.view !== 'group' || !document.getElementById('formview').hidden) return;
  const tile = group.tiles[group.at];
  if (!tile) return;
  const editing = !tile.input.hidden && document.activeElement === tile.input;
  const alt = (k) => ev.altKey && (ev.key.toLowerCase() === k || ev.code === `Key${k.toUpperCase()}`);
  if (alt('f')) {
    ev.preventDefault();
    location.hash = 'field';
    location.reload();
    return;
  }
  if (alt('m')) {
    ev.preventDefault();
    showForm(tile.item.serial, tile.item.fieldId);
    return;
  }
  if (alt('b') || alt('i')) {
    ev.preventDefault();
    tile.touched = true;
    saveTile(tile, alt('b') ? 'blank' : 'illegible').then((ok) => ok && moveOn());
    return;
  }
  if (editing) {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      saveTile(tile, 'enter', tile.input.value).then((ok) => ok && moveOn());
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      tile.input.hidden = true;
      tile.val.hidden = false;
      tile.touched = false;
      tile.el.classList.remove('touched');
      tile.el.focus();
    } else if (ev.key === 'ArrowUp' || ev.key === 'ArrowDown') {
      ev.preventDefault();
    }
    return;
  }
  const cols = columns();
  const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols };
  if (ev.key in moves) {
    ev.preventDefault();
    focusTile(Math.min(group.tiles.length - 1, Math.max(0, group.at + moves[ev.key])));
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    confirmScreen();
  } else if (ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && !ev.altKey && !tile.done) {
    ev.preventDefault();
    startEdit(tile, ev.key);
  }
}

function moveOn() {
  const next = group.tiles.findIndex((x, i) => i > group.at && !x.done);
  focusTile(next >= 0 ? next : group.at);
}

async function loadGroup(fieldId) {
  const { status, data } = await api('api/group', fieldId ? { fieldId } : {});
  const box = document.getElementById('batch');
  box.textContent = '';
  if (status !== 200) {
    box.append(el('p', 'empty', data.error || `Could not load the queue (error ${status}).`));
    return;
  }
  document.getElementById('reviewer').textContent = data.reviewer;
  showProgress(data.progress);
  group.fieldId = data.fieldId;
  group.items = data.items;
  if (!data.items.length) {
    box.append(el('p', 'empty', data.progress.forYou ? 'Nothing left to verify in groups. The rest (double keying) is in the field-by-form view: Alt+F.' : 'Nothing is waiting for you. Well done.'));
    return;
  }
  const title = el('div', 'batch-title');
  title.append(el('h1', '', data.groupLabel));
  title.append(el('span', 'count', `${data.items.length} on this screen${data.more ? `, ${data.more} more after` : ''}; sorted by value`));
  box.append(title);
  const grid = el('div', 'grid');
  group.tiles = data.items.map(tileOf);
  for (const x of group.tiles) grid.append(x.el);
  box.append(grid);
  focusTile(0);
}

document.addEventListener('keydown', onGroupKey);
window.startGroupView = (fieldId) => {
  document.body.dataset.view = 'group';
  groupKeys();
  loadGroup(fieldId);
};
