// Suggestions while keying free text and capitals (shared by the field and group views). A field's dictionary is
// what people already settled for the same template field in this job, most often first, then the template's short
// list (the server sends it with the screen; a value saved here is added to it at once). Pure functions over it:
// the page shows what they return, Tab puts it in the box, and only the person's Enter saves it.
'use strict';

/** A completion must add at least this many characters (one is no quicker than typing it). */
const SUGGEST_MIN_REST = 2;
/** The machine's reading is "close" to an entry when at most this share of the entry's characters differ. */
const SUGGEST_CLOSE_SHARE = 0.3;

const suggestKey = (t) => t.replace(/\s+/g, ' ').toUpperCase();

/** Where words start in `text`: after a space or a comma (and at 0). */
function wordStarts(text) {
  const out = [];
  for (let i = 0; i < text.length; i++) if (text[i] !== ' ' && text[i] !== ',' && (i === 0 || text[i - 1] === ' ' || text[i - 1] === ',')) out.push(i);
  return out;
}

/**
 * A dictionary from the server's entries ({text, n, vocab}): the entries, most often settled first (the template's
 * list after the job's own), and their phrases: every run of words from a word start to the end of its part (a part
 * ends at a comma), weighted by how often it was settled, so "HIGH STREET" completes in any address and "RAMIPRIL"
 * after "AMLODIPINE, ".
 */
function makeDictionary(entries) {
  const byKey = new Map();
  for (const e of entries || []) {
    const text = String(e.text).replace(/\s+/g, ' ').trim();
    const k = suggestKey(text);
    if (!k) continue;
    const old = byKey.get(k);
    if (old) {
      old.n += e.n || 0;
      old.vocab = old.vocab || !!e.vocab;
    } else byKey.set(k, { text, key: k, n: e.n || 0, vocab: !!e.vocab });
  }
  return rankDictionary([...byKey.values()]);
}

function rankDictionary(list) {
  const entries = list.map((e, i) => ({ ...e, order: e.order === undefined ? i : e.order }));
  entries.sort((a, b) => b.n - a.n || a.order - b.order);
  const phrases = new Map();
  for (const e of entries) {
    for (const part of e.text.split(',')) {
      for (const s of wordStarts(part)) {
        const text = part.slice(s).trim();
        const k = suggestKey(text);
        if (k.length < 2) continue;
        const p = phrases.get(k);
        if (p) {
          p.n += e.n;
          p.vocab = p.vocab || e.vocab;
        } else phrases.set(k, { text, key: k, n: e.n, vocab: e.vocab, order: e.order });
      }
    }
  }
  // Every part of an entry on its own (the words between commas), for a reading whose parts are each near one;
  // and every word of them without a digit (a street, a town, a medicine in a phrase no entry has whole).
  const parts = piecesOf(entries, (t) => t.split(',').map((raw) => raw.trim()), (k) => k.length >= 3);
  const words = piecesOf(entries, (t) => t.split(/[\s,]+/), (k) => k.length >= 4 && !/\d/.test(k));
  const byN = (a, b) => b.n - a.n || a.order - b.order;
  return { entries, phrases: [...phrases.values()].sort(byN), parts: parts.sort(byN), words: words.sort(byN) };
}

/**
 * The pieces `split` cuts the entries' texts into, each once by its key with the counts of the entries it is in
 * summed (the first entry's spelling and place kept); only pieces whose key `keep` accepts.
 */
function piecesOf(entries, split, keep) {
  const byKey = new Map();
  for (const e of entries) {
    for (const text of split(e.text)) {
      const k = suggestKey(text);
      if (!keep(k)) continue;
      const p = byKey.get(k);
      if (p) p.n += e.n;
      else byKey.set(k, { text, key: k, n: e.n, vocab: e.vocab, order: e.order });
    }
  }
  return [...byKey.values()];
}

/** The dictionary with one more settled value (the page adds what was just saved, so the next tile gets it). */
function addToDictionary(dict, text) {
  const t = String(text).replace(/\s+/g, ' ').trim();
  const k = suggestKey(t);
  if (!k) return dict;
  const list = dict.entries.map((e) => ({ ...e }));
  const old = list.find((e) => e.key === k);
  if (old) old.n += 1;
  else list.push({ text: t, key: k, n: 1, vocab: false, order: list.length });
  return rankDictionary(list);
}

const sourceOf = (e) => (e.n > 0 ? 'job' : 'template');

/**
 * What typing `typed` may be completed to: the first entry that starts with it (the most often settled), else,
 * from the earliest word typed on, the first phrase that starts with what was typed from there. Case and repeated
 * spaces are ignored in matching; the words matched take the entry's own spelling. Null when nothing adds at least
 * SUGGEST_MIN_REST characters. `full` is what the box would hold, `rest` what Tab adds at its end.
 */
function completionFor(dict, typed) {
  if (!dict || typeof typed !== 'string' || !typed.trim() || /\n/.test(typed)) return null;
  const fits = (cands, q) => cands.find((c) => c.key.length - q.length >= SUGGEST_MIN_REST && c.key.startsWith(q));
  const T = suggestKey(typed);
  const hit = fits(dict.entries, T);
  if (hit) return { full: hit.text, rest: hit.text.slice(T.length), source: sourceOf(hit), n: hit.n };
  for (const s of wordStarts(typed)) {
    const q = suggestKey(typed.slice(s));
    const p = q.trim() ? fits(dict.phrases, q) : null;
    if (p) return { full: typed.slice(0, s) + p.text, rest: p.text.slice(q.length), source: sourceOf(p), n: p.n };
  }
  return null;
}

/** Levenshtein distance, with a cap: returns cap + 1 as soon as it must exceed it. */
function editDistance(a, b, cap) {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (cur[j] < best) best = cur[j];
    }
    if (best > cap) return cap + 1;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The entry the machine's reading is close to (at most SUGGEST_CLOSE_SHARE of the entry's characters differ), to
 * offer before anything is typed; null when the reading is already an entry as shown, or none is close. Nearest
 * first, then the most often settled. Never one whose numbers differ from the reading's: a house number, a dose or
 * a year is what the person must read off the paper, not take from another form.
 */
function closestEntry(dict, guess) {
  if (!dict || typeof guess !== 'string' || !guess.trim()) return null;
  const e = nearestIn(dict.entries, guess.trim());
  if (!e || e.text === guess.trim()) return null;
  return { full: e.text, rest: e.text, source: sourceOf(e), n: e.n, close: true };
}

const numbersIn = (t) => (t.match(/\d+/g) || []).join(' ');

/**
 * The item of `list` (entries, parts or words: keys of 3 characters or more) nearest `text`, at most
 * SUGGEST_CLOSE_SHARE of its characters off and with the same numbers; the first of the nearest, null when none.
 */
function nearestIn(list, text) {
  const g = suggestKey(text);
  const gNumbers = numbersIn(g);
  let best = null;
  for (const c of list) {
    if (c.key.length < 3 || numbersIn(c.key) !== gNumbers) continue;
    const cap = Math.floor(c.key.length * SUGGEST_CLOSE_SHARE);
    const d = editDistance(g, c.key, best ? Math.min(cap, best.d - 1) : cap);
    if (d > cap || (best && d >= best.d)) continue;
    best = { c, d };
    if (d === 0) break;
  }
  return best ? best.c : null;
}

/**
 * A list read as a whole that no entry is near (a patient's medicines, past history, an address), part by part:
 * each part between commas of the machine's reading replaced by the part of an entry it is near (by the rule
 * closestEntry keeps: a few characters off, never other numbers), the others left as read. So "RAMIPRIL, HEBEVERINE :"
 * is offered as "RAMIPRIL, MEBEVERINE" where the job or the template's list has MEBEVERINE in any value. Null where
 * no part changes.
 */
function closestParts(dict, guess) {
  if (!dict || !dict.parts || typeof guess !== 'string' || !guess.trim()) return null;
  let changed = 0;
  let fromJob = false;
  const out = [];
  const take = (c, text) => {
    if (c && c.text !== text) {
      changed++;
      fromJob = fromJob || c.n > 0;
    }
    return c ? c.text : text;
  };
  for (const raw of guess.split(',')) {
    const part = raw.trim().replace(/\s+/g, ' ');
    if (!part) continue;
    const whole = nearestIn(dict.parts, part);
    if (whole) {
      out.push(take(whole, part));
      continue;
    }
    // No part near it: word by word, a word without digits near a word of an entry (never one of 3 letters or fewer).
    out.push(part.split(' ').map((w) => (w.length < 4 || /\d/.test(w) || !dict.words ? w : take(nearestIn(dict.words, w), w))).join(' '));
  }
  const full = out.join(', ');
  if (!changed || full === guess.trim()) return null;
  return { full, rest: full, source: fromJob ? 'job' : 'template', n: 0, close: true, parts: changed };
}

/** What is offered for the machine's reading before anything is typed: the entry near it, else its parts snapped. */
function nearReading(dict, guess) {
  return closestEntry(dict, guess) || closestParts(dict, guess);
}

/** Words for where a suggestion comes from, as the page prints it beside the suggestion. */
function suggestionSource(s) {
  if (s.parts) return `near the reading: ${s.parts} changed (${s.source === 'job' ? 'words in this job' : "template's words"})`;
  const from = s.source === 'job' ? `keyed ${s.n}× in this job` : "the template's list";
  return s.close ? `near the reading; ${from}` : from;
}

/**
 * Fill a suggestion line: Tab, what would be in the box (what is typed plain, what Tab adds marked), and where it
 * comes from. `data-full` holds what Tab puts in the box. Hidden when there is no suggestion.
 */
function renderSuggestion(line, s) {
  line.textContent = '';
  if (!s) {
    line.hidden = true;
    line.removeAttribute('title');
    delete line.dataset.full;
    delete line.dataset.source;
    return;
  }
  line.hidden = false;
  line.dataset.full = s.full;
  line.dataset.source = s.source;
  const shown = document.createElement('span');
  shown.className = 'sg-text';
  if (s.close) shown.append(Object.assign(document.createElement('b'), { className: 'sg-rest', textContent: s.full }));
  else shown.append(Object.assign(document.createElement('span'), { className: 'sg-typed', textContent: s.full.slice(0, s.full.length - s.rest.length) }), Object.assign(document.createElement('b'), { className: 'sg-rest', textContent: s.rest }));
  // A tile has room for little of where it comes from: all of it on hover.
  line.title = suggestionSource(s);
  line.append(Object.assign(document.createElement('kbd'), { textContent: 'Tab' }), ' ', shown, ' ', Object.assign(document.createElement('span'), { className: 'sg-src', textContent: suggestionSource(s) }));
}

/** Tab with a suggestion shown puts it in the box (caret at the end); nothing is saved until Enter. */
function takeSuggestion(input, line) {
  if (!line || line.hidden || !line.dataset.full) return false;
  input.value = line.dataset.full;
  input.setSelectionRange(input.value.length, input.value.length);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  return true;
}
