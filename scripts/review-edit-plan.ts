// bench:review's model of a person editing the machine's reading in a box (F2 on the review page) rather than typing
// the value afresh: which keys they press to turn what the box holds into what the paper says. Pure functions: the
// keys' effects as Chromium gives them on Linux (measured: Ctrl+Left to the start of the previous word, Ctrl+Right to
// the end of the next, a punctuation mark a word of its own, Ctrl+Backspace and Ctrl+Delete delete as far), and the
// overtype block of a comb field (edit.js). The bench presses the planned keys in the real page and checks what the
// box then holds; where the page did otherwise it plans again from there, every key counted.

/** insert: a one-line box; lines: a multi-line box (Home and End keep to a wrapped line: Ctrl+Home, Ctrl+End); overtype: edit.js's block. */
export type EditMode = 'insert' | 'lines' | 'overtype';

/** What the box holds and its selection (a block of one character in overtype; a caret when s === e). */
export interface EditState {
  v: string;
  s: number;
  e: number;
}

export interface EditPlan {
  keys: string[];
  /** Places in the box the person changes, one after another (each after the first is one more decision). */
  hunks: number;
}

const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** Where words start and end: a run of letters and digits is one word, any other mark but a space is one of its own. */
function words(v: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < v.length; ) {
    if (v[i] === ' ') {
      i++;
      continue;
    }
    let j = i + 1;
    if (isWord(v[i])) while (j < v.length && isWord(v[j])) j++;
    out.push({ start: i, end: j });
    i = j;
  }
  return out;
}

const wordLeft = (v: string, c: number) => [...words(v)].reverse().find((w) => w.start < c)?.start ?? 0;
const wordRight = (v: string, c: number) => words(v).find((w) => w.end > c)?.end ?? v.length;

/** The state after one key, as the page gives it. */
export function afterKey(st: EditState, key: string, mode: EditMode): EditState {
  const { v } = st;
  const n = v.length;
  const block = (i: number): EditState => {
    const at = Math.max(0, Math.min(i, n));
    return { v, s: at, e: Math.min(at + 1, n) };
  };
  if (mode === 'overtype') {
    const at = st.s;
    const put = (text: string, from: number, to: number, next: number): EditState => {
      const w = v.slice(0, from) + text + v.slice(to);
      const i = Math.max(0, Math.min(next, w.length));
      return { v: w, s: i, e: Math.min(i + 1, w.length) };
    };
    if (key.length === 1) return put(key, at, Math.min(at + 1, n), at + 1);
    if (key === 'Backspace') return at > 0 ? put('', at - 1, at, at - 1) : st;
    if (key === 'Delete') return at < n ? put('', at, at + 1, at) : st;
    if (key === 'ArrowLeft') return block(at - 1);
    if (key === 'ArrowRight') return block(at + 1);
    if (key === 'Home') return block(0);
    if (key === 'End') return block(n - 1);
    throw new Error(`no overtype model for ${key}`);
  }
  const caret = (i: number): EditState => ({ v, s: i, e: i });
  const cut = (from: number, to: number): EditState => ({ v: v.slice(0, from) + v.slice(to), s: from, e: from });
  if (st.s !== st.e) {
    // A selection: the arrows collapse it to its ends, a key replaces it.
    if (key === 'ArrowLeft') return caret(st.s);
    if (key === 'ArrowRight') return caret(st.e);
    if (key === 'Home' || key === 'Control+Home') return caret(0);
    if (key === 'End' || key === 'Control+End') return caret(n);
    if (key.length === 1) return { v: v.slice(0, st.s) + key + v.slice(st.e), s: st.s + 1, e: st.s + 1 };
    if (key === 'Backspace' || key === 'Delete') return cut(st.s, st.e);
    throw new Error(`no model for ${key} on a selection`);
  }
  const c = st.s;
  if (key.length === 1) return { v: v.slice(0, c) + key + v.slice(c), s: c + 1, e: c + 1 };
  switch (key) {
    case 'ArrowLeft':
      return caret(Math.max(0, c - 1));
    case 'ArrowRight':
      return caret(Math.min(n, c + 1));
    case 'Home':
    case 'Control+Home':
      return caret(0);
    case 'End':
    case 'Control+End':
      return caret(n);
    case 'Control+ArrowLeft':
      return caret(wordLeft(v, c));
    case 'Control+ArrowRight':
      return caret(wordRight(v, c));
    case 'Backspace':
      return c > 0 ? cut(c - 1, c) : st;
    case 'Delete':
      return c < n ? cut(c, c + 1) : st;
    case 'Control+Backspace':
      return cut(wordLeft(v, c), c);
    case 'Control+Delete':
      return cut(c, wordRight(v, c));
  }
  throw new Error(`no model for ${key}`);
}

/** One place to change: characters [a, b) of what the box holds become `r`. */
interface Hunk {
  a: number;
  b: number;
  r: string;
}

/** The places where `v` differs from `t`, by an alignment of least edits; places a gap of `merge` or fewer apart as one. */
export function hunks(v: string, t: string, merge = 2): Hunk[] {
  const n = v.length;
  const m = t.length;
  const d: number[][] = Array.from({ length: n + 1 }, (_, i) => Array.from({ length: m + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= n; i++) for (let j = 1; j <= m; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (v[i - 1] === t[j - 1] ? 0 : 1));
  // Back from the end: which characters of v are kept (matched), the rest replaced.
  const out: Hunk[] = [];
  let i = n;
  let j = m;
  let cur: Hunk | null = null;
  const close = () => {
    if (cur) out.unshift(cur);
    cur = null;
  };
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && v[i - 1] === t[j - 1] && d[i]![j] === d[i - 1]![j - 1]) {
      close();
      i--;
      j--;
      continue;
    }
    cur ??= { a: i, b: i, r: '' };
    if (i > 0 && j > 0 && d[i]![j] === d[i - 1]![j - 1]! + 1) {
      cur.a = --i;
      cur.r = t[--j] + cur.r;
    } else if (i > 0 && d[i]![j] === d[i - 1]![j]! + 1) cur.a = --i;
    else cur.r = t[--j] + cur.r;
  }
  close();
  const merged: Hunk[] = [];
  for (const h of out) {
    const last = merged[merged.length - 1];
    if (last && h.a - last.b <= merge) {
      last.r = last.r + v.slice(last.b, h.a) + h.r;
      last.b = h.b;
    } else merged.push({ ...h });
  }
  return merged;
}

/** The fewest keys that move the caret (or block) from `st` to position `to`, by the keys that only move. */
function moveKeys(st: EditState, to: number, mode: EditMode): string[] {
  const keys =
    mode === 'overtype' ? ['ArrowLeft', 'ArrowRight', 'Home', 'End']
    : mode === 'lines' ? ['ArrowLeft', 'ArrowRight', 'Control+Home', 'Control+End', 'Control+ArrowLeft', 'Control+ArrowRight']
    : ['ArrowLeft', 'ArrowRight', 'Home', 'End', 'Control+ArrowLeft', 'Control+ArrowRight'];
  const at = (x: EditState) => (x.s === x.e || mode === 'overtype' ? x.s : -1);
  if (at(st) === to) return [];
  const seen = new Map<string, string[]>([[`${st.s},${st.e}`, []]]);
  let frontier: EditState[] = [st];
  while (frontier.length) {
    const next: EditState[] = [];
    for (const x of frontier) {
      // On a selection only the keys that collapse it (its ends, the box's ends) are modelled.
      for (const k of x.s !== x.e && mode !== 'overtype' ? keys.filter((k) => !k.startsWith('Control+Arrow')) : keys) {
        const y = afterKey(x, k, mode);
        const id = `${y.s},${y.e}`;
        if (seen.has(id)) continue;
        const path = [...seen.get(`${x.s},${x.e}`)!, k];
        if (at(y) === to) return path;
        seen.set(id, path);
        next.push(y);
      }
    }
    frontier = next;
  }
  throw new Error(`cannot move to ${to}`);
}

/** Keys that delete characters [a, b) with the caret at b (back) or at a (forward), words at a time where they fit. */
function deleteKeys(v: string, a: number, b: number, from: 'back' | 'forward'): string[] {
  const keys: string[] = [];
  let st: EditState = from === 'back' ? { v, s: b, e: b } : { v, s: a, e: a };
  for (let left = b - a; left > 0; ) {
    const word = from === 'back' ? st.s - wordLeft(st.v, st.s) : wordRight(st.v, st.s) - st.s;
    const k = word >= 2 && word <= left ? (from === 'back' ? 'Control+Backspace' : 'Control+Delete') : from === 'back' ? 'Backspace' : 'Delete';
    const next = afterKey(st, k, 'insert');
    left -= st.v.length - next.v.length;
    st = next;
    keys.push(k);
  }
  return keys;
}

const typeKeys = (r: string) => [...r];

/** Keys that make hunk h right from state st in insert mode: the cheaper of deleting back from its end or forward from its start. */
function insertHunkKeys(st: EditState, h: Hunk, mode: EditMode): string[] {
  const back = [...moveKeys(st, h.b, mode), ...deleteKeys(st.v, h.a, h.b, 'back'), ...typeKeys(h.r)];
  const fwd = [...moveKeys(st, h.a, mode), ...deleteKeys(st.v, h.a, h.b, 'forward'), ...typeKeys(h.r)];
  return fwd.length < back.length ? fwd : back;
}

/** Keys that make hunk h right in overtype: characters replaced in place, extra ones deleted; null where one must be inserted before others. */
function overtypeHunkKeys(st: EditState, h: Hunk): string[] | null {
  const len = h.b - h.a;
  if (h.r.length > len && h.b < st.v.length) return null;
  const keys = moveKeys(st, h.a, 'overtype');
  keys.push(...typeKeys(h.r));
  for (let k = h.r.length; k < len; k++) keys.push('Delete');
  return keys;
}

/**
 * The keys that turn what the box holds into `target`, and the places changed: each place in turn, the one the
 * caret reaches with the fewest keys first. Null when overtype cannot do it (a character to insert mid-value).
 */
export function planEdit(start: EditState, target: string, mode: EditMode): EditPlan | null {
  let st = start;
  const keys: string[] = [];
  let places = 0;
  for (let guard = 0; st.v !== target; guard++) {
    if (guard > target.length + start.v.length + 5) return null;
    const todo = hunks(st.v, target);
    let best: string[] | null = null;
    for (const h of todo) {
      const k = mode === 'overtype' ? overtypeHunkKeys(st, h) : insertHunkKeys(st, h, mode);
      if (k && (!best || k.length < best.length)) best = k;
    }
    if (!best) return null;
    for (const k of best) st = afterKey(st, k, mode);
    keys.push(...best);
    places++;
  }
  return { keys, hunks: places };
}
