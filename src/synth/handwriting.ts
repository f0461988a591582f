// Handwriting as vector shapes: one writer (a font, an ink and habits) per form, per-character jitter in size,
// slant, baseline, rotation and position, ticks, crosses, filled boxes and signatures as wobbly pen strokes.
// Pure: every wobble comes from the rng passed in. Shapes are in page millimetres, like the rest of a Drawing.
import type * as fontkit from 'fontkit';
import { glyphMatrix, glyphPath, loadPackagedFont, type Colour, type Shape } from '../template/drawing.ts';
import type { Zone } from '../template/schema.ts';
import type { Rng } from './rng.ts';
import { fontsOfPool, HANDWRITING_FONTS, type FontPool, type HandwritingFont } from './font-pools.ts';
import { hasOutline, hasOverlappingContours, strokeWidthUnits } from './glyph-outline.ts';

export { HANDWRITING_FONTS } from './font-pools.ts';
export type HandwritingFontId = string;

export const INKS = {
  black: ['#111111', '#1b1b1b', '#202022', '#141418'],
  blue: ['#1a2f8a', '#1c2a7a', '#22359a', '#16267a'],
} as const;
export type InkName = keyof typeof INKS;

export type TickStyle = 'tick' | 'cross' | 'blob';

/** One person's hand: the same for every field on a form. */
export interface Writer {
  fontId: HandwritingFontId;
  font: fontkit.Font;
  inkName: InkName;
  ink: Colour;
  /** Cap height as a share of a comb box's height. */
  capShare: number;
  /** Mean slant (tan of the lean angle; positive leans right). */
  slant: number;
  /** Standard deviations of the per-character jitter. */
  sizeJitter: number;
  slantJitter: number;
  /** Radians. */
  rotateJitter: number;
  /** Shares of the box width / height. */
  positionJitter: number;
  baselineJitter: number;
  /** Chance that a character runs onto or across its comb box's line. */
  touchRate: number;
  /** How this writer marks a tick box, and how often they mark one another way. */
  tickStyle: TickStyle;
  tickStyleMix: number;
  /** Pen width for strokes (ticks, signatures), mm, at this writer's usual pressure. */
  pen: number;
  /**
   * Pen pressure: how thick this hand's strokes come out against the font as drawn (1), from a light hand or a fine
   * pen (0.55) to a heavy hand or a felt tip (2). Glyph outlines are thickened or eroded to it, strokes scaled.
   */
  pressure: number;
  /** Standard deviation of the pressure's log from one character or stroke to the next. */
  pressureJitter: number;
}

/**
 * A writer drawn from one pool of hands (the test pool unless told: the hands the model never trained on). `face`
 * fixes the font (to look at one face); the rest of the hand is drawn from the rng as usual.
 */
export function createWriter(rng: Rng, pool: FontPool = 'test', face?: HandwritingFont): Writer {
  const picked = rng.pick(fontsOfPool(pool));
  const f = face ?? picked;
  const inkName: InkName = rng.chance(0.6) ? 'black' : 'blue';
  const messy = rng.next(); // 0 = neat, 1 = hurried
  return {
    fontId: f.id,
    font: loadPackagedFont(f.file),
    inkName,
    ink: rng.pick(INKS[inkName]),
    capShare: rng.float(0.5, 0.68) * f.scale,
    slant: rng.normal(0.06, 0.08),
    sizeJitter: 0.03 + 0.07 * messy,
    slantJitter: 0.03 + 0.06 * messy,
    rotateJitter: 0.02 + 0.06 * messy,
    positionJitter: 0.03 + 0.07 * messy,
    baselineJitter: 0.03 + 0.06 * messy,
    touchRate: 0.01 + 0.06 * messy,
    tickStyle: rng.weighted<TickStyle>([
      ['tick', 6],
      ['cross', 3],
      ['blob', 1],
    ]),
    tickStyleMix: rng.float(0, 0.15),
    pen: rng.float(0.28, 0.45),
    pressure: clamp(Math.exp(rng.normal(0.05, 0.3)), 0.55, 2),
    pressureJitter: rng.float(0.04, 0.14),
  };
}

// ---------- pen pressure ----------

/** This character's or stroke's pressure: the writer's own, varied a little each time the pen goes down. */
function pressureNow(w: Writer, rng: Rng): number {
  return clamp(w.pressure * Math.exp(rng.normal(0, w.pressureJitter)), 0.45, 2.4);
}

/** A stroke's pen width (ticks, crosses, signatures): the writer's pen at this stroke's pressure. */
export function strokeWidth(w: Writer, rng: Rng): number {
  return w.pen * Math.sqrt(pressureNow(w, rng));
}

/**
 * A glyph outline filled in ink, at this character's pressure: thickened by stroking its outline in ink, or thinned
 * by eroding it (see the `inset` of a path Shape), by the share of the face's own stroke width the pressure asks.
 * A light hand's ink is paler too, as a ballpoint's is. strokeMm is the face's stroke width at this glyph's size;
 * erodable is false for outlines that overlap (see hasOverlappingContours), which only get paler.
 */
function inked(w: Writer, d: string, strokeMm: number, erodable: boolean, rng: Rng): Shape {
  const p = pressureNow(w, rng);
  const grow = ((p - 1) * strokeMm) / 2; // mm added to each side of a stroke
  if (grow > 0.004) return { op: 'path', d, fill: w.ink, stroke: w.ink, lineWidth: 2 * grow };
  const ink = p < 1 ? towardPaper(w.ink, (1 - p) * 0.6) : w.ink;
  if (grow < -0.004 && erodable) return { op: 'path', d, fill: ink, inset: -grow };
  return { op: 'path', d, fill: ink };
}

/** An ink colour mixed a share k of the way to white paper. */
function towardPaper(ink: Colour, k: number): Colour {
  const ch = [1, 3, 5].map((i) => parseInt(ink.slice(i, i + 2), 16)).map((v) => Math.round(v + (255 - v) * k));
  return `#${ch.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

// ---------- glyph geometry ----------

const capHeightCache = new WeakMap<fontkit.Font, number>();

/** Height of a capital H in font units (some fonts report no capHeight): the size of small marks (. / :). */
function capHeightUnits(font: fontkit.Font): number {
  let h = capHeightCache.get(font);
  if (h === undefined) {
    const bbox = font.glyphForCodePoint(0x48).path.bbox;
    h = bbox.maxY > 0 ? bbox.maxY : font.capHeight || font.unitsPerEm * 0.7;
    capHeightCache.set(font, h);
  }
  return h;
}

/** Capitals without a descender or a tall accent, and the digits: what a hand's writing size is measured on. */
const SIZE_SAMPLES = { digit: '0123456789', capital: 'ABCDEFGHIKLMNOPRSTUVWXYZ' } as const;
const typicalHeightCache = new WeakMap<fontkit.Font, Record<keyof typeof SIZE_SAMPLES, number>>();

/**
 * The median outline height of a face's digits and of its capitals, in font units. Faces differ: one draws its H
 * taller than its other capitals, another draws old-style digits that drop below the line or digits taller than
 * its capitals. In a comb box a person writes digits and capitals alike to the box, so each class is sized by its
 * own median and every face comes out the same size in a box (at a cap share of 0.6, sizing by H alone gave
 * medians of 0.47-0.76 of the box height across the faces; this gives 0.58-0.62).
 */
function typicalHeightUnits(font: fontkit.Font, cls: keyof typeof SIZE_SAMPLES): number {
  let t = typicalHeightCache.get(font);
  if (!t) {
    const median = (chars: string) => {
      const hs = [...chars]
        .map((ch) => font.glyphForCodePoint(ch.codePointAt(0)!))
        .filter(hasOutline)
        .map((g) => g.path.bbox.maxY - g.path.bbox.minY)
        .sort((a, b) => a - b);
      return hs.length ? hs[Math.floor(hs.length / 2)]! : capHeightUnits(font);
    };
    t = { digit: median(SIZE_SAMPLES.digit), capital: median(SIZE_SAMPLES.capital) };
    typicalHeightCache.set(font, t);
  }
  return t[cls];
}

interface GlyphChoice {
  font: fontkit.Font;
  glyph: fontkit.Glyph;
}

/** The glyph for a character, from the writer's font or, if it has none, from a fallback hand. */
function glyphFor(font: fontkit.Font, ch: string): GlyphChoice | null {
  const cp = ch.codePointAt(0)!;
  const g = font.glyphForCodePoint(cp);
  if (hasOutline(g)) return { font, glyph: g };
  const fallback = loadPackagedFont(HANDWRITING_FONTS[0]!.file);
  const fg = fallback.glyphForCodePoint(cp);
  return hasOutline(fg) ? { font: fallback, glyph: fg } : null;
}


interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** The glyph's outline box after the same scale, flip, shear and rotation glyphPath applies (origin at 0,0). */
function transformedBox(font: fontkit.Font, glyph: fontkit.Glyph, size: number, slant: number, rotate: number): Box {
  const [a, b, c, d] = glyphMatrix(font, { size, slant, rotate });
  const bb = glyph.path.bbox;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [u, v] of [
    [bb.minX, bb.minY],
    [bb.maxX, bb.minY],
    [bb.minX, bb.maxY],
    [bb.maxX, bb.maxY],
  ] as const) {
    xs.push(a * u + c * v);
    ys.push(b * u + d * v);
  }
  return { minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) };
}

// ---------- characters in comb boxes ----------

/**
 * One character written in one comb box. It sits inside the box, except now and then (the writer's touchRate)
 * when a stroke runs onto or a little across the box's line, as real writing does. Null for a blank.
 */
export function writeCharInBox(w: Writer, ch: string, box: Zone, rng: Rng): Shape | null {
  if (!ch.trim()) return null;
  const choice = glyphFor(w.font, ch);
  if (!choice) return null;
  const { font, glyph } = choice;
  const capMm = box.h * w.capShare * Math.exp(rng.normal(0, w.sizeJitter));
  // Digits and capitals are each written to the box (see typicalHeightUnits); small marks (. /) keep their own size
  // relative to a capital.
  const refHeight = /[0-9]/.test(ch) ? typicalHeightUnits(font, 'digit') : /[A-Z]/.test(ch) ? typicalHeightUnits(font, 'capital') : capHeightUnits(font);
  let size = (capMm * font.unitsPerEm) / refHeight;
  const slant = w.slant + rng.normal(0, w.slantJitter);
  const rotate = rng.normal(0, w.rotateJitter);
  let bb = transformedBox(font, glyph, size, slant, rotate);
  // Wide letters (M, W) are squeezed to fit the box, as a writer would.
  const maxW = box.w * 0.84;
  const maxH = box.h * 0.86;
  const shrink = Math.min(1, maxW / (bb.maxX - bb.minX), maxH / (bb.maxY - bb.minY));
  if (shrink < 1) {
    size *= shrink;
    bb = transformedBox(font, glyph, size, slant, rotate);
  }
  const gw = bb.maxX - bb.minX;
  const gh = bb.maxY - bb.minY;
  // Where the glyph's outline box goes: centred, a little low (people write towards the bottom of a box), jittered.
  let left = box.x + (box.w - gw) / 2 + rng.normal(0, w.positionJitter) * box.w;
  let top = box.y + (box.h - gh) / 2 + box.h * 0.04 + rng.normal(0, w.baselineJitter) * box.h;
  const margin = 0.35;
  left = clamp(left, box.x + margin, box.x + box.w - margin - gw);
  top = clamp(top, box.y + margin, box.y + box.h - margin - gh);
  if (rng.chance(w.touchRate)) {
    // Run onto the line: past it by up to 0.6 mm on one side.
    const over = rng.float(0.05, 0.6);
    switch (rng.int(0, 3)) {
      case 0:
        left = box.x - over;
        break;
      case 1:
        left = box.x + box.w - gw + over;
        break;
      case 2:
        top = box.y - over;
        break;
      default:
        top = box.y + box.h - gh + over;
    }
  }
  const x = left - bb.minX;
  const baseline = top - bb.minY;
  return inked(w, glyphPath(font, glyph, x, baseline, { size, slant, rotate }), (strokeWidthUnits(font) * size) / font.unitsPerEm, !hasOverlappingContours(font, glyph), rng);
}

// ---------- free text ----------

/**
 * A line of free text written from (x, baseline), wandering up and down a little and never wider than maxWidth
 * (the writer writes smaller to fit). capMm is the writer's intended cap height.
 */
export function writeTextLine(w: Writer, line: string, x: number, baseline: number, maxWidth: number, capMm: number, rng: Rng): Shape | null {
  if (!line.trim()) return null;
  const font = w.font;
  let size = (capMm * font.unitsPerEm) / capHeightUnits(font);
  const spacing = rng.float(1.0, 1.12);
  const natural = naturalWidth(font, line, size) * spacing;
  if (natural > maxWidth) size *= maxWidth / natural;
  const parts: string[] = [];
  let cx = x + rng.float(0, 1.5);
  let drift = 0;
  const driftStep = capMm * 0.02;
  const driftMax = capMm * 0.25;
  for (const ch of line) {
    drift = clamp(drift + rng.normal(0, driftStep), -driftMax, driftMax);
    const choice = glyphFor(font, ch);
    if (!choice) {
      cx += size * 0.3 * spacing; // a space, or a character no hand has
      continue;
    }
    const jitterSize = size * Math.exp(rng.normal(0, w.sizeJitter * 0.6));
    if (ch.trim()) {
      parts.push(
        glyphPath(choice.font, choice.glyph, cx, baseline + drift + rng.normal(0, capMm * w.baselineJitter * 0.4), {
          size: jitterSize,
          slant: w.slant + rng.normal(0, w.slantJitter * 0.5),
          rotate: rng.normal(0, w.rotateJitter * 0.5),
        }),
      );
    }
    cx += choice.glyph.advanceWidth * (jitterSize / choice.font.unitsPerEm) * spacing;
  }
  // Letters of a line may touch one another, so a line is never eroded (see hasOverlappingContours), only paler.
  return parts.length ? inked(w, parts.join(''), (strokeWidthUnits(font) * size) / font.unitsPerEm, false, rng) : null;
}

function naturalWidth(font: fontkit.Font, text: string, size: number): number {
  let units = 0;
  for (const ch of text) {
    const g = glyphFor(font, ch);
    // Advance as a share of the em, so a fallback font's glyphs measure the same way.
    units += g ? g.glyph.advanceWidth / g.font.unitsPerEm : 0.3;
  }
  return units * size;
}

// ---------- tick boxes ----------

/** A pen mark in a tick box: a tick, a cross, or a rough blob of ink, each with some wobble. */
export function tickMark(w: Writer, box: Zone, style: TickStyle, rng: Rng): Shape {
  const j = () => rng.normal(0, 0.06);
  const P = (u: number, v: number): [number, number] => [box.x + box.w * (u + j()), box.y + box.h * (v + j())];
  const pen = strokeWidth(w, rng) * rng.float(1.0, 1.35);
  let d: string;
  if (style === 'tick') {
    const a = P(0.18, 0.5);
    const b = P(0.42, 0.84);
    // The long stroke of a tick often runs up past the box.
    const c = P(rng.float(0.85, 1.05), rng.float(-0.15, 0.12));
    d = `M${f(a)} Q${f(mid(a, b, 0.05, rng))} ${f(b)} Q${f(mid(b, c, 0.08, rng))} ${f(c)}`;
  } else if (style === 'cross') {
    const a = P(0.15, 0.15);
    const b = P(0.85, 0.85);
    const c = P(0.85, 0.15);
    const e = P(0.15, 0.85);
    d = `M${f(a)} Q${f(mid(a, b, 0.06, rng))} ${f(b)} M${f(c)} Q${f(mid(c, e, 0.06, rng))} ${f(e)}`;
  } else {
    // A quick scribble in the middle of the box: dark, but not the whole box (a filled box means "cancelled").
    const rows = rng.int(4, 6);
    const pts: string[] = [];
    for (let i = 0; i < rows; i++) {
      const v = 0.25 + (0.5 * i) / (rows - 1);
      pts.push(f(P(i % 2 ? 0.72 : 0.28, v)), f(P(i % 2 ? 0.28 : 0.72, v + 0.06)));
    }
    d = `M${pts.join(' L')}`;
    return { op: 'path', d, stroke: w.ink, lineWidth: pen * 1.4 };
  }
  return { op: 'path', d, stroke: w.ink, lineWidth: pen };
}

/** A tick box filled in completely, the form's way of cancelling a mark: a solid patch plus scribble past the edges. */
export function crossOutBox(w: Writer, box: Zone, rng: Rng): Shape[] {
  const o = () => rng.float(0.0, 0.3);
  const quad = `M${f([box.x - o(), box.y - o()])} L${f([box.x + box.w + o(), box.y - o()])} L${f([box.x + box.w + o(), box.y + box.h + o()])} L${f([box.x - o(), box.y + box.h + o()])} Z`;
  const scribble: string[] = [];
  const rows = rng.int(5, 8);
  for (let i = 0; i < rows; i++) {
    const y = box.y - 0.3 + ((box.h + 0.6) * i) / (rows - 1) + rng.normal(0, 0.1);
    scribble.push(f([box.x - rng.float(0, 0.4), y]), f([box.x + box.w + rng.float(0, 0.4), y + rng.normal(0, 0.2)]));
  }
  return [
    { op: 'path', d: quad, fill: w.ink },
    { op: 'path', d: `M${scribble.join(' L')}`, stroke: w.ink, lineWidth: strokeWidth(w, rng) * 1.3 },
  ];
}

/**
 * A character scribbled out inside its comb box: a dense zigzag of pen strokes over most of the box, dark enough
 * that the character under it cannot be read, as a writer cancels a wrong digit.
 */
export function scribbleOut(w: Writer, box: Zone, rng: Rng): Shape[] {
  const rows = rng.int(6, 9);
  const pts: string[] = [];
  for (let i = 0; i < rows; i++) {
    const v = 0.12 + (0.76 * i) / (rows - 1);
    const l: [number, number] = [box.x + box.w * rng.float(0.06, 0.2), box.y + box.h * (v + rng.normal(0, 0.03))];
    const r: [number, number] = [box.x + box.w * rng.float(0.8, 0.94), box.y + box.h * (v + 0.05 + rng.normal(0, 0.03))];
    pts.push(...(i % 2 ? [f(r), f(l)] : [f(l), f(r)]));
  }
  return [{ op: 'path', d: `M${pts.join(' L')}`, stroke: w.ink, lineWidth: strokeWidth(w, rng) * 1.2 }];
}

// ---------- signatures ----------

/** A signature: a run of loops and strokes left to right across the zone, with a flourish. */
export function signature(w: Writer, zone: Zone, rng: Rng): Shape {
  const top = zone.y + 0.8;
  const bottom = zone.y + zone.h - 0.8;
  const x0 = zone.x + zone.w * rng.float(0.06, 0.2);
  const x1 = zone.x + zone.w * rng.float(0.6, 0.9);
  const midY = zone.y + zone.h * rng.float(0.5, 0.62);
  const amp = zone.h * rng.float(0.28, 0.4);
  const cy = (v: number) => clamp(v, top, bottom);
  const parts: string[] = [];
  // A tall opening letter: up, loop over, down.
  let x = x0;
  let y = midY + amp * 0.4;
  parts.push(`M${f([x, y])}`);
  const capX = x + zone.w * rng.float(0.04, 0.08);
  parts.push(`C${f([x + 1, cy(midY - amp * 1.6)])} ${f([capX + 3, cy(midY - amp * 1.5)])} ${f([capX, cy(midY + amp * 0.2)])}`);
  x = capX;
  y = cy(midY + amp * 0.2);
  // Then a run of smaller loops and humps to the right, as in a hurried hand.
  const segs = rng.int(5, 9);
  const step = (x1 - x) / segs;
  for (let i = 0; i < segs; i++) {
    const nx = x + step * rng.float(0.75, 1.25);
    const ny = cy(midY + rng.normal(0, amp * 0.35));
    const h = amp * rng.float(0.5, 1.3);
    const loop = rng.chance(0.45);
    const c1: [number, number] = [x + step * (loop ? 1.1 : 0.3), cy(y - h)];
    const c2: [number, number] = [nx - step * (loop ? 1.1 : 0.3), cy(ny - h * rng.float(0.3, 1))];
    parts.push(`C${f(c1)} ${f(c2)} ${f([nx, ny])}`);
    x = nx;
    y = ny;
  }
  if (rng.chance(0.65)) {
    // An underline flourish back to the left.
    const uy = cy(midY + amp * rng.float(0.7, 1.1));
    parts.push(`Q${f([x + step * 1.5, uy + 0.5])} ${f([x0 + rng.float(0, step * 2), uy + rng.normal(0, 0.3)])}`);
  }
  return { op: 'path', d: parts.join(' '), stroke: w.ink, lineWidth: strokeWidth(w, rng) * rng.float(0.8, 1.05) };
}

// ---------- helpers ----------

function mid(a: [number, number], b: [number, number], wobble: number, rng: Rng): [number, number] {
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  return [(a[0] + b[0]) / 2 + rng.normal(0, wobble * len), (a[1] + b[1]) / 2 + rng.normal(0, wobble * len)];
}

function f(p: readonly [number, number]): string {
  return `${p[0].toFixed(3)} ${p[1].toFixed(3)}`;
}

function clamp(v: number, lo: number, hi: number): number {
  if (hi < lo) return (lo + hi) / 2;
  return Math.min(hi, Math.max(lo, v));
}
