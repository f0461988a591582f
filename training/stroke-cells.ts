// Training cells from procedural stroke writers: every box class drawn as pen strokes, with the shapes real people
// use and no font makes (a 1 with a long flag or a base serif, an open 4, a looped 2, a crossed 7, rounded M and W,
// J with a top bar ...). Writer variety that does not come from fonts.
//
// A character is a set of strokes, SVG-like paths (M, L, Q, C) in a unit frame (x 0..1 left to right, y 0..1 cap
// line to baseline). A writer (one a sheet) chooses a variant per character once, as a person always writes their 7
// the same way, and has habits (slant, width, size, pen, neatness, entry and exit ticks). Every sample is then
// jittered: control points, a smooth displacement field over the whole character (Simard-style elastic distortion),
// size, rotation, position and pen pressure per stroke. The strokes become `path` shapes on font-cells' comb sheets,
// so the comb, scan damage, elastic distortion of the raster, cutCell and cellTensor are the ones every other cell
// goes through (sheetCells).
import type { Rng } from '../src/synth/rng.ts';
import type { Shape } from '../src/template/drawing.ts';
import type { Zone } from '../src/template/schema.ts';
import { handCells, INKS, type CellOptions, type LabelledCells, type SheetHand } from './font-cells.ts';

type Pt = [number, number];
/** One pen stroke: a start point and segments, each ending at its last point (L: 1 point, Q: 2, C: 3). */
interface Stroke {
  start: Pt;
  segs: Pt[][];
}

/** A writer's choices, each drawn once per writer and key (the same for every sample of the writer). */
export interface Style {
  /** One of the variants, by weight. */
  pick<T extends string>(key: string, variants: readonly (readonly [T, number])[]): T;
  /** A number in [lo, hi). */
  num(key: string, lo: number, hi: number): number;
  /** True with probability p. */
  has(key: string, p: number): boolean;
}

type Glyph = (s: Style) => string[];

const f = (v: number) => (Math.round(v * 1000) / 1000).toString();

/**
 * An elliptical arc as cubic Beziers, angles in degrees (0 = right, 90 = down, as y grows downwards; a negative sweep
 * runs anticlockwise on the page). Starts with M unless `join`.
 */
export function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, join = false): string {
  const n = Math.max(1, Math.ceil(Math.abs(to - from) / 90));
  const step = ((to - from) / n) * (Math.PI / 180);
  const k = (4 / 3) * Math.tan(step / 4);
  let a = from * (Math.PI / 180);
  const P = (t: number): Pt => [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
  const [sx, sy] = P(a);
  let d = join ? '' : `M${f(sx)} ${f(sy)}`;
  for (let i = 0; i < n; i++) {
    const b = a + step;
    const [x0, y0] = P(a);
    const [x3, y3] = P(b);
    const c1: Pt = [x0 - k * rx * Math.sin(a), y0 + k * ry * Math.cos(a)];
    const c2: Pt = [x3 + k * rx * Math.sin(b), y3 - k * ry * Math.cos(b)];
    d += ` C${f(c1[0])} ${f(c1[1])} ${f(c2[0])} ${f(c2[1])} ${f(x3)} ${f(y3)}`;
    a = b;
  }
  return d;
}

// ---------- the characters ----------

const digit0: Glyph = (s) => {
  const over = s.num('0.over', -6, 30);
  const rx = s.num('0.rx', 0.24, 0.34);
  return [arc(0.5, 0.5, rx, 0.5, -90 + s.num('0.start', -25, 25), -450 - over)];
};

const one: Glyph = (s) => {
  // A long flag runs up to 0.6 of the height and as steep as 62 degrees (the continental 1), and is the commonest
  // kind: a contact sheet of 30 writers showed barely three visible flags when it was one in three, and the model
  // read flagged 1s as 7s.
  const flag = s.pick('1.flag', [
    ['none', 2],
    ['short', 3],
    ['long', 4],
    ['curved', 1],
  ] as const);
  const len = flag === 'long' ? s.num('1.long', 0.3, 0.6) : s.num('1.short', 0.12, 0.22);
  const angle = (s.num('1.angle', 22, 62) * Math.PI) / 180;
  const fx = 0.55 - len * Math.cos(angle);
  const fy = len * Math.sin(angle);
  const stem = 'L0.55 1';
  const out = [flag === 'none' ? `M0.55 0 ${stem}` : flag === 'curved' ? `M${f(fx)} ${f(fy + 0.05)} Q0.45 0.08 0.55 0 ${stem}` : `M${f(fx)} ${f(fy)} L0.55 0 ${stem}`];
  if (s.has('1.base', flag === 'none' ? 0.15 : 0.3)) out.push('M0.35 1 L0.75 1');
  return out;
};

const two: Glyph = (s) => {
  const top = 'M0.2 0.24 C0.24 0.0 0.76 -0.04 0.76 0.27';
  switch (
    s.pick('2.form', [
      ['plain', 4],
      ['loop', 3],
      ['swan', 2],
      ['angular', 1],
    ] as const)
  ) {
    case 'plain':
      return [`${top} C0.76 0.5 0.42 0.68 0.2 1 L0.82 1`];
    case 'loop':
      return [`${top} C0.76 0.52 0.42 0.7 0.26 0.88 C0.14 1.02 0.32 1.06 0.38 0.93 C0.42 0.84 0.26 0.82 0.27 0.94 C0.28 1.0 0.55 0.98 0.84 0.97`];
    case 'swan':
      return [`${top} C0.76 0.55 0.3 0.7 0.2 1 C0.4 0.9 0.6 1.04 0.84 0.95`];
    default:
      return ['M0.2 0.18 L0.48 0 L0.76 0.2 L0.2 1 L0.82 1'];
  }
};

const three: Glyph = (s) => {
  const bottom = 'C0.7 0.42 0.84 0.6 0.8 0.76 C0.75 1.02 0.34 1.05 0.18 0.86';
  switch (
    s.pick('3.form', [
      ['round', 5],
      ['flat', 2],
      ['cusp', 2],
    ] as const)
  ) {
    case 'round':
      return [`M0.22 0.13 C0.4 -0.04 0.78 -0.02 0.76 0.22 C0.74 0.4 0.55 0.46 0.42 0.47 C0.66 0.46 0.84 0.6 0.8 0.76 C0.75 1.02 0.34 1.05 0.18 0.86`];
    case 'flat':
      return [`M0.2 0 L0.78 0 L0.44 0.42 ${bottom}`];
    default:
      return [`M0.22 0.12 C0.4 -0.04 0.76 -0.02 0.74 0.2 C0.72 0.36 0.6 0.44 0.4 0.47 L0.5 0.47 ${bottom}`];
  }
};

const four: Glyph = (s) => {
  const stemX = s.num('4.stem', 0.58, 0.68);
  const bar = f(s.num('4.bar', 0.6, 0.72));
  switch (
    s.pick('4.form', [
      ['closed', 4],
      ['open', 4],
      ['openTall', 2],
    ] as const)
  ) {
    case 'closed':
      return [`M${f(stemX)} 1 L${f(stemX)} 0 L0.16 ${bar} L0.86 ${bar}`];
    case 'open':
      return [`M0.26 0 L0.2 ${bar} L0.84 ${bar}`, `M${f(stemX)} 0.25 L${f(stemX)} 1`];
    default:
      return [`M0.26 0 L0.2 ${bar} L0.84 ${bar}`, `M${f(stemX)} 0 L${f(stemX)} 1`];
  }
};

const five: Glyph = (s) => {
  const bowl = 'C0.45 0.32 0.82 0.36 0.8 0.66 C0.78 1.02 0.34 1.05 0.18 0.86';
  return s.pick('5.strokes', [
    ['two', 3],
    ['one', 2],
  ] as const) === 'two'
    ? [`M0.3 0 L0.26 0.44 ${bowl}`, `M0.3 0.0 L${f(s.num('5.bar', 0.7, 0.82))} ${f(s.num('5.barY', -0.04, 0.04))}`]
    : [`M0.76 0 L0.3 0 L0.26 0.44 ${bowl}`];
};

const six: Glyph = (s) => {
  const loop = 'C0.22 0.96 0.42 1.02 0.52 1 C0.72 0.98 0.8 0.84 0.78 0.7 C0.76 0.5 0.5 0.44 0.24 0.62';
  return s.pick('6.top', [
    ['curved', 4],
    ['straight', 2],
  ] as const) === 'curved'
    ? [`M0.72 0.06 C0.5 -0.06 0.22 0.12 0.22 0.62 ${loop}`]
    : [`M0.68 0 L0.3 0.5 C0.22 0.64 0.2 0.8 0.22 0.86 ${loop.replace(/^C0.22 0.96/, 'C0.24 0.96')}`];
};

const seven: Glyph = (s) => {
  const stem = s.pick('7.stem', [
    ['straight', 3],
    ['curved', 2],
  ] as const);
  const foot = f(s.num('7.foot', 0.32, 0.5));
  const out = [`${s.has('7.hook', 0.25) ? 'M0.2 0.14 L0.2 0.02' : 'M0.2 0.02'} L0.8 0.02 ${stem === 'straight' ? `L${foot} 1` : `C0.58 0.3 ${foot} 0.6 ${foot} 1`}`];
  if (s.has('7.bar', 0.35)) out.push('M0.36 0.52 L0.74 0.5');
  return out;
};

const eight: Glyph = (s) =>
  s.pick('8.form', [
    ['cross', 4],
    ['stacked', 2],
  ] as const) === 'cross'
    ? ['M0.72 0.16 C0.68 -0.02 0.3 -0.02 0.3 0.22 C0.3 0.42 0.72 0.5 0.74 0.74 C0.76 1.02 0.24 1.02 0.26 0.74 C0.26 0.52 0.7 0.42 0.7 0.22 C0.7 0.1 0.66 0.05 0.6 0.03']
    : [arc(0.5, 0.24, 0.2, 0.24, -90, -450), arc(0.5, 0.74, 0.25, 0.26, -90, -450)];

const nine: Glyph = (s) => {
  const loop = 'M0.74 0.2 C0.7 0.0 0.24 -0.02 0.24 0.27 C0.24 0.54 0.66 0.56 0.74 0.3';
  switch (
    s.pick('9.tail', [
      ['straight', 4],
      ['curved', 3],
      ['slanted', 2],
    ] as const)
  ) {
    case 'straight':
      return [`${loop} L0.74 1`];
    case 'curved':
      return [`${loop} C0.76 0.7 0.62 1.0 0.3 0.95`];
    default:
      return [`${loop} L0.55 1`];
  }
};

const LETTERS: Record<string, Glyph> = {
  A: (s) =>
    s.pick('A.top', [
      ['pointed', 5],
      ['round', 1],
    ] as const) === 'pointed'
      ? ['M0.12 1 L0.5 0 L0.88 1', `M0.28 ${f(s.num('A.bar', 0.55, 0.7))} L0.72 ${f(s.num('A.bar', 0.55, 0.7))}`]
      : ['M0.14 1 L0.2 0.3 C0.3 -0.08 0.7 -0.08 0.8 0.3 L0.86 1', 'M0.2 0.6 L0.8 0.6'],
  B: (s) =>
    s.pick('B.strokes', [
      ['two', 3],
      ['one', 2],
    ] as const) === 'two'
      ? ['M0.24 0 L0.24 1', 'M0.24 0 C0.86 -0.02 0.84 0.46 0.26 0.47 C0.96 0.46 0.94 1.02 0.24 1']
      : ['M0.24 1 L0.24 0 C0.86 -0.02 0.84 0.46 0.26 0.47 C0.96 0.46 0.94 1.02 0.24 1'],
  C: (s) => [arc(0.56, 0.5, 0.36, 0.5, -40 + s.num('C.open', -10, 10), -320 + s.num('C.open', -10, 10))],
  D: (s) =>
    s.pick('D.strokes', [
      ['two', 3],
      ['one', 2],
    ] as const) === 'two'
      ? ['M0.24 0 L0.24 1', 'M0.24 0 C0.96 0 0.96 1 0.24 1']
      : ['M0.24 1 L0.24 0 C0.96 0 0.96 1 0.24 1'],
  E: (s) => {
    const form = s.pick('E.form', [
      ['three', 4],
      ['four', 2],
      ['curly', 1],
    ] as const);
    if (form === 'three') return ['M0.76 0 L0.24 0 L0.24 1 L0.78 1', 'M0.24 0.5 L0.66 0.5'];
    if (form === 'four') return ['M0.24 0 L0.24 1', 'M0.24 0 L0.76 0', 'M0.24 0.5 L0.66 0.5', 'M0.24 1 L0.78 1'];
    return ['M0.74 0.12 C0.6 -0.04 0.24 -0.02 0.26 0.24 C0.28 0.42 0.45 0.48 0.56 0.48 C0.3 0.5 0.18 0.62 0.2 0.78 C0.24 1.04 0.64 1.04 0.78 0.86'];
  },
  F: () => ['M0.78 0 L0.26 0 L0.26 1', 'M0.26 0.48 L0.66 0.48'],
  G: (s) => {
    const spur = s.pick('G.spur', [
      ['bar', 4],
      ['hook', 2],
      ['plain', 1],
    ] as const);
    if (spur === 'bar') return [`${arc(0.54, 0.5, 0.36, 0.5, -40, -360)} L0.9 0.55 L0.6 0.55`];
    if (spur === 'hook') return [`${arc(0.54, 0.5, 0.36, 0.5, -40, -345)} L0.88 1`, 'M0.62 0.56 L0.9 0.56'];
    return [`${arc(0.54, 0.5, 0.36, 0.5, -40, -360)} L0.6 0.5`];
  },
  H: (s) => ['M0.22 0 L0.22 1', 'M0.78 0 L0.78 1', `M0.22 ${f(s.num('H.bar', 0.42, 0.56))} L0.78 ${f(s.num('H.bar', 0.42, 0.56))}`],
  I: (s) => (s.has('I.serif', 0.5) ? ['M0.5 0 L0.5 1', 'M0.28 0 L0.72 0', 'M0.28 1 L0.72 1'] : ['M0.5 0 L0.5 1']),
  J: (s) => (s.has('J.bar', 0.45) ? ['M0.64 0 L0.64 0.72 C0.64 1.04 0.24 1.04 0.2 0.74', 'M0.36 0 L0.88 0'] : ['M0.66 0 L0.66 0.72 C0.66 1.04 0.26 1.04 0.22 0.74']),
  K: (s) =>
    s.pick('K.join', [
      ['stem', 3],
      ['arm', 2],
    ] as const) === 'stem'
      ? ['M0.24 0 L0.24 1', 'M0.78 0 L0.26 0.55 L0.8 1']
      : ['M0.24 0 L0.24 1', 'M0.78 0 L0.26 0.55', 'M0.45 0.36 L0.8 1'],
  L: () => ['M0.26 0 L0.26 1 L0.8 1'],
  M: (s) => {
    const v = f(s.num('M.vertex', 0.45, 0.95));
    switch (
      s.pick('M.form', [
        ['pointed', 3],
        ['straight', 3],
        ['round', 2],
      ] as const)
    ) {
      case 'pointed':
        return [`M0.1 1 L0.2 0 L0.5 ${v} L0.8 0 L0.9 1`];
      case 'straight':
        return [`M0.14 1 L0.14 0 L0.5 ${v} L0.86 0 L0.86 1`];
      default:
        return ['M0.12 1 L0.12 0.28 C0.12 -0.06 0.5 -0.06 0.5 0.3 L0.5 0.72', 'M0.5 0.3 C0.5 -0.06 0.88 -0.06 0.88 0.28 L0.88 1'];
    }
  },
  N: () => ['M0.2 1 L0.2 0 L0.8 1 L0.8 0'],
  O: (s) => [arc(0.5, 0.5, s.num('O.rx', 0.36, 0.46), 0.5, -90 + s.num('O.start', -30, 20), -450 - s.num('O.over', -5, 30))],
  P: () => ['M0.24 1 L0.24 0 C0.9 -0.02 0.9 0.56 0.26 0.54'],
  Q: (s) => [
    arc(0.5, 0.48, 0.38, 0.48, -90, -450),
    s.has('Q.cross', 0.6) ? 'M0.56 0.72 L0.9 1.04' : 'M0.66 0.88 L0.88 1.04',
  ],
  R: (s) =>
    s.pick('R.leg', [
      ['bowl', 3],
      ['stem', 2],
    ] as const) === 'bowl'
      ? ['M0.24 1 L0.24 0 C0.9 -0.02 0.9 0.54 0.26 0.52 L0.8 1']
      : ['M0.24 1 L0.24 0 C0.9 -0.02 0.9 0.54 0.26 0.52', 'M0.3 0.52 L0.8 1'],
  S: () => ['M0.76 0.12 C0.62 -0.04 0.24 -0.02 0.24 0.24 C0.24 0.5 0.76 0.46 0.76 0.74 C0.76 1.02 0.34 1.05 0.18 0.86'],
  T: (s) => ['M0.12 0 L0.88 0', `M0.5 0 L${f(0.5 + s.num('T.lean', -0.04, 0.04))} 1`],
  U: (s) =>
    s.has('U.tail', 0.3) ? ['M0.2 0 L0.2 0.68 C0.2 1.04 0.8 1.04 0.8 0.68 L0.8 0 L0.8 1'] : ['M0.2 0 L0.2 0.68 C0.2 1.04 0.8 1.04 0.8 0.68 L0.8 0'],
  V: (s) => (s.has('V.round', 0.25) ? ['M0.14 0 L0.42 0.92 Q0.5 1.06 0.58 0.92 L0.86 0'] : ['M0.14 0 L0.5 1 L0.86 0']),
  W: (s) => {
    const v = f(s.num('W.vertex', 0.05, 0.55));
    return s.pick('W.form', [
      ['pointed', 3],
      ['round', 2],
    ] as const) === 'pointed'
      ? [`M0.06 0 L0.28 1 L0.5 ${v} L0.72 1 L0.94 0`]
      : [`M0.08 0 L0.1 0.7 C0.12 1.04 0.48 1.04 0.5 0.7 L0.5 ${v}`, 'M0.5 0.7 C0.52 1.04 0.88 1.04 0.9 0.7 L0.92 0'];
  },
  X: () => ['M0.18 0 L0.82 1', 'M0.82 0 L0.18 1'],
  Y: (s) =>
    s.pick('Y.form', [
      ['stem', 3],
      ['long', 2],
    ] as const) === 'stem'
      ? ['M0.16 0 L0.5 0.5 L0.84 0', 'M0.5 0.5 L0.5 1']
      : ['M0.16 0 L0.5 0.5', 'M0.84 0 L0.32 1'],
  Z: (s) => (s.has('Z.bar', 0.25) ? ['M0.18 0 L0.82 0 L0.18 1 L0.84 1', 'M0.32 0.5 L0.68 0.5'] : ['M0.18 0 L0.82 0 L0.18 1 L0.84 1']),
};

const MARKS: Record<string, Glyph> = {
  '-': (s) => [`M0.22 ${f(s.num('-.y', 0.48, 0.6))} L0.78 ${f(s.num('-.y', 0.48, 0.6))}`],
  "'": () => ['M0.52 0 L0.47 0.26'],
  '.': () => ['M0.49 0.965 L0.52 0.99'],
  '/': () => ['M0.76 0 L0.24 1'],
};

/** Every box class but not-a-character, as strokes. */
export const GLYPHS: Record<string, Glyph> = {
  '0': digit0,
  '1': one,
  '2': two,
  '3': three,
  '4': four,
  '5': five,
  '6': six,
  '7': seven,
  '8': eight,
  '9': nine,
  ...LETTERS,
  ...MARKS,
};

// ---------- from a path to pen strokes ----------

/** Parse an absolute M/L/Q/C path into strokes. */
export function parseStrokes(d: string): Stroke[] {
  const tokens = d.match(/[A-Za-z]|-?\d*\.?\d+/g) ?? [];
  const out: Stroke[] = [];
  let i = 0;
  const num = () => Number(tokens[i++]);
  const pt = (): Pt => [num(), num()];
  while (i < tokens.length) {
    const cmd = tokens[i++];
    if (cmd === 'M') out.push({ start: pt(), segs: [] });
    else if (cmd === 'L') out.at(-1)!.segs.push([pt()]);
    else if (cmd === 'Q') out.at(-1)!.segs.push([pt(), pt()]);
    else if (cmd === 'C') out.at(-1)!.segs.push([pt(), pt(), pt()]);
    else throw new Error(`stroke path: unexpected ${cmd} in ${d}`);
  }
  return out;
}

/** A stroke as a polyline: curves flattened, straight segments split so a displacement field can bend them. */
function flatten(s: Stroke): Pt[] {
  const pts: Pt[] = [s.start];
  let p0 = s.start;
  for (const seg of s.segs) {
    const n = seg.length === 1 ? 4 : 10;
    for (let k = 1; k <= n; k++) {
      const t = k / n;
      const u = 1 - t;
      let q: Pt;
      if (seg.length === 1) q = [p0[0] + (seg[0]![0] - p0[0]) * t, p0[1] + (seg[0]![1] - p0[1]) * t];
      else if (seg.length === 2) q = [u * u * p0[0] + 2 * u * t * seg[0]![0] + t * t * seg[1]![0], u * u * p0[1] + 2 * u * t * seg[0]![1] + t * t * seg[1]![1]];
      else {
        const [a, b, c] = seg as [Pt, Pt, Pt];
        q = [u * u * u * p0[0] + 3 * u * u * t * a[0] + 3 * u * t * t * b[0] + t * t * t * c[0], u * u * u * p0[1] + 3 * u * u * t * a[1] + 3 * u * t * t * b[1] + t * t * t * c[1]];
      }
      pts.push(q);
    }
    p0 = seg.at(-1)!;
  }
  return pts;
}

/** A smooth random displacement field over the unit frame: a few low-frequency waves (elastic distortion). */
function displacementField(rng: Rng, amp: number): (p: Pt) => Pt {
  const waves = Array.from({ length: 4 }, () => ({
    kx: rng.float(-1.6, 1.6),
    ky: rng.float(-1.6, 1.6),
    phase: rng.float(0, 2 * Math.PI),
    ax: rng.normal(0, amp),
    ay: rng.normal(0, amp),
  }));
  return ([x, y]) => {
    let dx = 0;
    let dy = 0;
    for (const w of waves) {
      const s = Math.sin(2 * Math.PI * (w.kx * x + w.ky * y) + w.phase);
      dx += w.ax * s;
      dy += w.ay * s;
    }
    return [x + dx, y + dy];
  };
}

// ---------- writers ----------

/** A writer's habits, drawn once per sheet. */
interface Habits {
  ink: string;
  /** Cap height as a share of the box height. */
  capShare: number;
  /** Width of the unit frame per unit of height. */
  aspect: number;
  /** Horizontal shear (tan of the lean, positive leans right). */
  slant: number;
  /** Pen width, mm. */
  pen: number;
  /** 0 neat .. 1 hurried: scales every per-sample jitter. */
  messy: number;
  /** Chance that a stroke starts or ends with a small tick (the pen landing or lifting). */
  tickRate: number;
  /** Chance of running onto the box line. */
  touchRate: number;
}

function habits(rng: Rng): Habits {
  const messy = rng.next();
  return {
    ink: rng.pick(INKS),
    capShare: rng.float(0.45, 0.8),
    aspect: 0.72 * Math.exp(rng.normal(0, 0.16)),
    slant: rng.normal(0.06, 0.13),
    // Ballpoint to felt tip: a thick pen closes a 1's flag into a wedge the fine pens never drew.
    pen: rng.chance(0.25) ? rng.float(0.55, 0.85) : rng.float(0.2, 0.55),
    messy,
    tickRate: rng.chance(0.4) ? rng.float(0.1, 0.5) : 0,
    touchRate: 0.03 + 0.1 * messy,
  };
}

/** A writer's style: every choice drawn from its own fork, so it is the same whatever order the keys are asked in. */
export function styleOf(rng: Rng): Style {
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, draw: (r: Rng) => T): T => {
    if (!memo.has(key)) memo.set(key, draw(rng.fork(`style/${key}`)));
    return memo.get(key) as T;
  };
  return {
    pick: (key, variants) => once(`pick/${key}`, (r) => r.weighted(variants)),
    num: (key, lo, hi) => once(`num/${key}`, (r) => r.float(lo, hi)),
    has: (key, p) => once(`has/${key}`, (r) => r.chance(p)),
  };
}

/** A procedural stroke writer as a sheet's hand (`style`: the writer's choices, drawn from rng unless given). */
export function strokeHand(rng: Rng, style: Style = styleOf(rng.fork('style'))): SheetHand {
  const h = habits(rng.fork('habits'));
  return {
    ink: h.ink,
    has: (ch) => Object.hasOwn(GLYPHS, ch),
    write: (ch, box, r) => (Object.hasOwn(GLYPHS, ch) ? writeStrokes(GLYPHS[ch]!(style), ch, box, h, r) : []),
  };
}

/** The character's strokes written in the box (mm): jittered, distorted, slanted, sized and placed, with pen pressure. */
function writeStrokes(paths: string[], ch: string, box: Zone, h: Habits, rng: Rng): Shape[] {
  const m = 0.4 + h.messy;
  const jit = 0.018 * m;
  const field = displacementField(rng, 0.012 * m);
  const rot = rng.normal(0, 0.04 * m);
  const slant = h.slant + rng.normal(0, 0.04 * m);
  // Capitals are written wider than digits.
  const aspect = h.aspect * (/[A-Z]/.test(ch) ? 1.18 : 1) * Math.exp(rng.normal(0, 0.06 * m));
  const J = ([x, y]: Pt): Pt => [x + rng.normal(0, jit), y + rng.normal(0, jit)];
  const polys: Pt[][] = [];
  for (const d of paths) {
    for (const s of parseStrokes(d)) {
      let pts = flatten({ start: J(s.start), segs: s.segs.map((seg) => seg.map(J)) }).map(field);
      pts = withTicks(pts, h.tickRate, rng);
      // Unit frame to a frame of height 1 and width `aspect`, sheared about the baseline, turned about the centre.
      polys.push(
        pts.map(([x, y]) => {
          const u = (x - 0.5) * aspect + slant * (1 - y);
          const v = y - 0.5;
          return [u * Math.cos(rot) - v * Math.sin(rot), u * Math.sin(rot) + v * Math.cos(rot)];
        }),
      );
    }
  }
  // Size: the cap height of the writer's hand; small marks keep their place in the frame (a dot stays a dot).
  let size = box.h * h.capShare * Math.exp(rng.normal(0, 0.05 + 0.07 * h.messy));
  const all = polys.flat();
  const minX = Math.min(...all.map((p) => p[0]));
  const maxX = Math.max(...all.map((p) => p[0]));
  const small = Object.hasOwn(MARKS, ch);
  // The frame's box for marks (where the cap line and baseline are); the ink's box for characters.
  const minY = small ? -0.5 : Math.min(...all.map((p) => p[1]));
  const maxY = small ? 0.5 : Math.max(...all.map((p) => p[1]));
  const pen = h.pen * Math.exp(rng.normal(0, 0.08));
  size = Math.min(size, (box.w * 0.84 - pen) / Math.max(0.05, maxX - minX), (box.h * 0.86 - pen) / Math.max(0.05, maxY - minY));
  const gw = (maxX - minX) * size;
  const gh = (maxY - minY) * size;
  const margin = 0.35;
  let left = box.x + (box.w - gw) / 2 + rng.normal(0, 0.04 + 0.08 * h.messy) * box.w;
  let top = box.y + (box.h - gh) / 2 + box.h * 0.04 + rng.normal(0, 0.04 + 0.07 * h.messy) * box.h;
  left = Math.min(Math.max(left, box.x + margin), box.x + box.w - margin - gw);
  top = Math.min(Math.max(top, box.y + margin), box.y + box.h - margin - gh);
  if (rng.chance(h.touchRate)) {
    const over = rng.float(0.05, 0.5);
    const side = rng.int(0, 3);
    if (side === 0) left = box.x - over;
    else if (side === 1) left = box.x + box.w - gw + over;
    else if (side === 2) top = box.y - over;
    else top = box.y + box.h - gh + over;
  }
  const X = (u: number) => left + (u - minX) * size;
  const Y = (v: number) => top + (v - minY) * size;
  const shapes: Shape[] = [];
  for (const poly of polys) {
    // Pen pressure: a width per stroke; now and then the stroke lightens towards its end as the pen lifts.
    const w = pen * Math.exp(rng.normal(0, 0.12));
    const d = (pts: Pt[]) => `M${pts.map(([u, v]) => `${f(X(u))} ${f(Y(v))}`).join(' L')}`;
    if (poly.length > 6 && rng.chance(0.25)) {
      const cut = Math.floor(poly.length * rng.float(0.7, 0.9));
      shapes.push({ op: 'path', d: d(poly.slice(0, cut + 1)), stroke: h.ink, lineWidth: w });
      shapes.push({ op: 'path', d: d(poly.slice(cut)), stroke: h.ink, lineWidth: w * rng.float(0.55, 0.8) });
    } else shapes.push({ op: 'path', d: d(poly), stroke: h.ink, lineWidth: w });
  }
  return shapes;
}

/** Small entry and exit ticks: the pen moving a little before it lands or after it lifts. */
function withTicks(pts: Pt[], rate: number, rng: Rng): Pt[] {
  if (!rate || pts.length < 2) return pts;
  const tick = (end: Pt, next: Pt): Pt => {
    // Off at an angle to the stroke's direction, short.
    const a = Math.atan2(end[1] - next[1], end[0] - next[0]) + rng.normal(0, 1.1);
    const len = rng.float(0.03, 0.08);
    return [end[0] + len * Math.cos(a), end[1] + len * Math.sin(a)];
  };
  const out = [...pts];
  if (rng.chance(rate)) out.unshift(tick(pts[0]!, pts[1]!));
  if (rng.chance(rate)) out.push(tick(pts.at(-1)!, pts.at(-2)!));
  return out;
}

/**
 * `count` labelled cells from stroke writers, a new writer a sheet (see font-cells' handCells), less the character
 * cells the scan damage left without ink (a thin pen on a faded bitonal sheet): a blank is not a character.
 */
export async function strokeCells(count: number, rng: Rng, opts: CellOptions): Promise<LabelledCells> {
  const all = await handCells((sRng) => strokeHand(sRng.fork('writer')), count, rng, opts);
  const keep = all.labels.map((l, i) => l === '' || inkOf(all.tensors[i]!) >= MIN_INK);
  const pick = <T>(a: T[]) => a.filter((_, i) => keep[i]);
  return { tensors: pick(all.tensors), labels: pick(all.labels), charsets: pick(all.charsets) };
}

/** Least ink (sum of tensor values, x255) a character cell keeps: about two pixels' worth; a '.' has far more. */
const MIN_INK = 2 * 255;

function inkOf(t: Uint8Array): number {
  let s = 0;
  for (const v of t) s += v;
  return s;
}
