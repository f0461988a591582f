// The character view: every comb box in the queue read as the same character, side by side across the job, so a
// 1 among 7s is seen at once. Keyboard first: arrows move; typing a character replaces that box's character (and
// moves on); Space or Alt+B says the box is empty; Esc undoes; Enter confirms every box on the screen as shown
// (boxes read as "?" must be typed); Alt+M the whole form, Alt+G that field in group view, Alt+F the field view.
// A field is saved once every one of its boxes has been checked; until then it stays in the queue.
'use strict';

const chars = { tiles: [], at: 0, char: null, busy: false };
const CHAR_TILE = { cropW: 56, cropH: 72, sideW: 52, pad: 5, border: 2, inner: 8, gap: 6 };

function charKeys() {
  showKeys([
    [['←', '→', '↑', '↓'], 'move'],
    [['Enter'], 'confirm the screen'],
    [[], 'type a character to replace it'],
    [['Space'], 'empty box'],
    [['Esc'], 'undo'],
    [['Alt', 'M'], 'form'],
    [['Alt', 'G'], 'group view'],
    [['Alt', 'F'], 'field view'],
    [['Alt', 'K'], 'filter'],
  ]);
}

const shownChar = (c) => (c === '' ? '␣' : c);
const charName = (c) => (c === '' ? 'empty boxes' : c === '?' ? 'boxes the machine could not read (?)' : `boxes read as “${c}”`);

function charTileOf(t) {
  const e = el('div', 'ctile');
  e.tabIndex = -1;
  e.dataset.key = t.key;
  e.dataset.serial = t.serial;
  e.title = `${t.groupLabel}, box ${t.box + 1} of ${t.boxes}, form ${t.serial}`;
  const img = el('img', 'ctile-crop');
  img.alt = `Scan of box ${t.box + 1} of ${t.groupLabel}, form ${t.serial}`;
  img.src = t.cropUrl;
  const side = el('div', 'ctile-side');
  const val = setValueText(el('div', 'ctile-char'), shownChar(t.char));
  side.append(val, el('div', 'ctile-meta', t.serial), el('div', 'ctile-meta', `${t.box + 1}/${t.boxes}`));
  e.append(img, side);
  const tile = { t, el: e, val, char: t.char, touched: false, done: false };
  e.addEventListener('click', () => focusChar(chars.tiles.indexOf(tile)));
  return tile;
}

function focusChar(i) {
  if (i < 0 || i >= chars.tiles.length) return;
  chars.at = i;
  for (const x of chars.tiles) x.el.classList.remove('active');
  const tile = chars.tiles[i];
  tile.el.classList.add('active');
  tile.el.focus();
  tile.el.scrollIntoView({ block: 'nearest' });
}

function setChar(tile, c) {
  tile.char = c;
  tile.touched = c !== tile.t.char;
  tile.el.classList.toggle('touched', tile.touched);
  setValueText(tile.val, shownChar(c));
}

function layoutChars(grid) {
  const tileW = CHAR_TILE.cropW + CHAR_TILE.sideW + CHAR_TILE.inner + 2 * (CHAR_TILE.pad + CHAR_TILE.border);
  const tileH = CHAR_TILE.cropH + 2 * (CHAR_TILE.pad + CHAR_TILE.border);
  grid.style.setProperty('--tile-w', `${tileW}px`);
  return tilesThatFit(grid, tileW, tileH, CHAR_TILE.gap);
}

async function confirmChars() {
  if (chars.busy) return;
  // A box the machine could not read has no character to confirm: it must be typed (or marked empty).
  const todo = chars.tiles.filter((x) => !x.done && (x.touched || x.char !== '?'));
  const skipped = chars.tiles.filter((x) => !x.done && !x.touched && x.char === '?');
  if (!todo.length) {
    document.getElementById('message').textContent = 'Type the character each "?" box holds (Space if it is empty), then Enter.';
    return;
  }
  chars.busy = true;
  const checks = todo.map((x) => ({ serial: x.t.serial, fieldId: x.t.fieldId, box: x.t.box, version: x.t.version, char: x.char }));
  const { status, data } = await api('api/chars/check', { checks });
  chars.busy = false;
  if (data.progress) showProgress(data.progress);
  if (status !== 200) {
    document.getElementById('message').textContent = data.error || `Not saved (error ${status}).`;
    return;
  }
  const by = (r) => data.results.filter((x) => x.result === r);
  const refused = by('refused');
  const msg = `${todo.length} box(es) checked; ${by('decided').length} field(s) saved, ${by('waiting').length} waiting for their other boxes.` +
    (refused.length ? ` Not saved: ${refused.map((r) => `form ${r.serial} ${r.fieldId}: ${r.message}`).join(' ')}` : '') +
    (skipped.length ? ` ${skipped.length} "?" box(es) left for you to type.` : '');
  document.getElementById('message').textContent = msg;
  return loadChars(skipped.length ? chars.char : undefined);
}

function onCharKey(ev) {
  // Keys on the filter (or any other control) are the control's.
  if (ev.target && ev.target.closest && ev.target.closest('select, button, header')) return;
  if (document.body.dataset.view !== 'chars' || !document.getElementById('formview').hidden) return;
  const tile = chars.tiles[chars.at];
  if (!tile) return;
  const alt = (k) => ev.altKey && (ev.key.toLowerCase() === k || ev.code === `Key${k.toUpperCase()}`);
  if (alt('f') || alt('g')) {
    ev.preventDefault();
    location.hash = alt('f') ? 'field' : `group=${encodeURIComponent(tile.t.fieldId)}`;
    location.reload();
    return;
  }
  if (alt('m')) {
    ev.preventDefault();
    showForm(tile.t.serial, tile.t.fieldId);
    return;
  }
  const next = gridStep(chars.tiles, chars.at, ev.key);
  if (next !== null) {
    ev.preventDefault();
    focusChar(next);
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    holdKeys(confirmChars());
  } else if (ev.key === 'Escape') {
    setChar(tile, tile.t.char);
  } else if (ev.key === ' ' || ev.key === 'Backspace' || ev.key === 'Delete' || alt('b')) {
    ev.preventDefault();
    setChar(tile, '');
    focusChar(Math.min(chars.tiles.length - 1, chars.at + 1));
  } else if (ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
    ev.preventDefault();
    setChar(tile, ev.key.toUpperCase());
    focusChar(Math.min(chars.tiles.length - 1, chars.at + 1));
  }
}

async function loadChars(char) {
  const box = document.getElementById('batch');
  box.textContent = '';
  const title = el('div', 'batch-title');
  const h1 = el('h1', '', 'Character view');
  const count = el('span', 'count');
  title.append(h1, count);
  const grid = el('div', 'grid cgrid');
  box.append(title, grid);
  const fit = layoutChars(grid);
  const { status, data } = await api('api/chars', char === undefined ? { limit: fit } : { char, limit: fit });
  if (status !== 200) {
    grid.append(el('p', 'empty', data.error || `Could not load the queue (error ${status}).`));
    return;
  }
  document.getElementById('reviewer').textContent = data.reviewer;
  showProgress(data.progress);
  chars.char = data.char;
  if (data.char === null) {
    chars.tiles = [];
    grid.append(el('p', 'empty', 'No comb boxes are waiting for the character view. The rest is in group view: Alt+G.'));
    return;
  }
  h1.textContent = `${charName(data.char)[0].toUpperCase()}${charName(data.char).slice(1)}`;
  const others = Object.entries(data.waiting).filter(([c]) => c !== data.char).sort((a, b) => b[1] - a[1]).slice(0, 8);
  count.textContent = `${data.tiles.length} on this screen${data.more ? `, ${data.more} more after` : ''}; least sure first` +
    (others.length ? ` · waiting: ${others.map(([c, n]) => `${shownChar(c)} ${n}`).join(', ')}` : '');
  chars.tiles = data.tiles.map(charTileOf);
  for (const x of chars.tiles) grid.append(x.el);
  focusChar(0);
}

document.addEventListener('keydown', onCharKey);
window.startCharView = (char) => {
  document.body.dataset.view = 'chars';
  charKeys();
  holdKeys(loadChars(char));
};
