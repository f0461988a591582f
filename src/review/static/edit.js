// Editing the machine's reading rather than typing it afresh (F2, as in a spreadsheet cell), shared by the group and
// field views. Free text: the reading in the box, the caret at its end, ordinary editing (Ctrl+arrows a word at a
// time). Comb fields (one character a box): overtype, as the boxes are: a one-character block over a character,
// first the one the machine was least sure of; typing replaces it and moves on, the arrows, Home and End move it,
// Backspace and Delete remove a character. Nothing is saved until Enter, and what is saved is what the box holds.
'use strict';

/** Block cursor over character `at` of the box (or a plain caret at its end). */
function placeBlock(input, at) {
  const n = input.value.length;
  const i = Math.max(0, Math.min(at, n));
  input.setSelectionRange(i, Math.min(i + 1, n));
}

/** Open an input on the reading `text`: overtype from `doubtAt` for a comb field, the caret at the end for free text. */
function startEditingReading(input, text, comb, doubtAt) {
  input.value = text;
  input.dataset.overtype = comb ? '1' : '';
  input.classList.toggle('overtype', comb);
  if (comb && !input.dataset.blockKept) {
    // A caret put mid-value some other way (a click, Ctrl+arrows) becomes the block again, so what the next key
    // replaces is always shown.
    input.dataset.blockKept = '1';
    const keep = () => {
      if (input.dataset.overtype === '1' && input.selectionStart === input.selectionEnd && input.selectionStart < input.value.length) placeBlock(input, input.selectionStart);
    };
    input.addEventListener('keyup', keep);
    input.addEventListener('mouseup', keep);
  }
  input.focus();
  if (comb) placeBlock(input, Number.isInteger(doubtAt) ? doubtAt : 0);
  else input.setSelectionRange(text.length, text.length);
}

function stopOvertype(input) {
  input.dataset.overtype = '';
  input.classList.remove('overtype');
}

/**
 * A key in an input in overtype: handled here (returns true, the default prevented) or left to the caller (Enter,
 * Escape, Tab, chords). The block is always one character, or a caret after the last.
 */
function overtypeKey(ev, input) {
  if (input.dataset.overtype !== '1' || ev.ctrlKey || ev.metaKey || ev.altKey) return false;
  const at = input.selectionStart ?? input.value.length;
  const n = input.value.length;
  // More than one character selected (Ctrl+A, Shift+arrows, the box refocused): a key replaces the selection, as in
  // any box, and overtype ends.
  if ((input.selectionEnd ?? at) - at > 1) {
    stopOvertype(input);
    return false;
  }
  const set = (text, from, to, next) => {
    input.setRangeText(text, from, to, 'end');
    placeBlock(input, next);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  if (ev.key.length === 1) set(ev.key, at, Math.min(at + 1, n), at + 1);
  else if (ev.key === 'Backspace') {
    if (at > 0) set('', at - 1, at, at - 1);
  } else if (ev.key === 'Delete') {
    if (at < n) set('', at, at + 1, at);
  } else if (ev.key === 'ArrowLeft') placeBlock(input, at - 1);
  else if (ev.key === 'ArrowRight') placeBlock(input, at + 1);
  else if (ev.key === 'Home') placeBlock(input, 0);
  else if (ev.key === 'End') placeBlock(input, n - 1);
  else return false;
  ev.preventDefault();
  return true;
}
