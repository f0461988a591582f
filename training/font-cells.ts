// Training cells from handwriting fonts: sheets of printed comb boxes written in by a font "writer" with wide
// augmentation (pen width, slant, rotation, size, offset, elastic distortion, blur, noise, pen colour, 150-300 dpi,
// bitonal, faded / dotted / thick box lines, registration error so cutting leaves line fragments), then cut by the
// reader's own cutCell and normalised by cellTensor. Also the bad boxes a reader must not read as a confident
// character (label '' = not a character): blank boxes, smudges, comb fragments, a neighbour's ink, two characters,
// crossed-out and overwritten characters. The sheets take any SheetHand: stroke-cells.ts writes them with
// procedural stroke writers.
import type * as fontkit from 'fontkit';
import sharp from 'sharp';
import { createGray, type GrayImage } from '../src/imaging/gray.ts';
import { CANON_PX_PER_MM } from '../src/imaging/warp.ts';
import { cellTensor, cutCell } from '../src/recognition/cell-image.ts';
import { inkThreshold } from '../src/recognition/read-page.ts';
import { writeCharInBox, type Writer } from '../src/synth/handwriting.ts';
import type { Rng } from '../src/synth/rng.ts';
import type { Shape } from '../src/template/drawing.ts';
import { drawingToSvg } from '../src/template/render-raster.ts';
import type { Zone } from '../src/template/schema.ts';
import type { BoxCharset } from '../src/recognition/box-classifier.ts';

export interface FontFace {
  id: string;
  font: fontkit.Font;
}

/** Who writes the boxes of one sheet: a font face with augmented habits (fontHand), or a stroke writer (stroke-cells.ts). */
export interface SheetHand {
  /** The pen's colour, for the strikes and scribbles drawn over this hand's characters. */
  ink: string;
  /** Whether this hand can write the character. */
  has(ch: string): boolean;
  /** The character written in the box (mm), or [] when this hand cannot write it. */
  write(ch: string, box: Zone, rng: Rng): Shape[];
}

export interface LabelledCells {
  /** N x CELL_INPUT tensors as uint8 (value x 255). */
  tensors: Uint8Array[];
  labels: string[];
  /** The charset each cell is read with: the field's, for scanned cells; from the label otherwise. */
  charsets: BoxCharset[];
}

const ANY_CHARSET: BoxCharset[] = ['digits', 'letters', 'alnum', 'dose'];

/** The charset a cell with this label is read with when it has no field of its own (i: the cell's number). */
export function charsetOfLabel(label: string, i: number): BoxCharset {
  if (/[0-9]/.test(label)) return 'digits';
  if (/[A-Z]/.test(label)) return i % 2 ? 'alnum' : 'letters';
  if (label === '-' || label === "'") return 'letters';
  if (label === '.' || label === '/') return 'dose';
  return ANY_CHARSET[i % 4]!;
}

const PPM = CANON_PX_PER_MM;
const COLS = 10;
const ROWS = 8;

export type Content = { kind: 'char'; ch: string } | { kind: 'noise'; how: NoiseKind };
export type NoiseKind = 'blank' | 'smudge' | 'fragment' | 'neighbour' | 'two' | 'crossed' | 'overwritten' | 'scribble';
const NOISE_KINDS: [NoiseKind, number][] = [
  ['blank', 1],
  ['smudge', 2],
  ['fragment', 2],
  ['neighbour', 2],
  ['two', 2],
  ['crossed', 3],
  ['overwritten', 1.5],
  ['scribble', 1.5],
];

/** Pen colours of the training hands: blacks, blues, a grey. */
export const INKS = ['#111111', '#1b1b1b', '#202022', '#2a2a2a', '#1a2f8a', '#1c2a7a', '#22359a', '#303a70', '#4a4a4a'];

/** A writer of a font with habits drawn wider than synth's, so the model sees more than any one test hand. */
function augmentedWriter(face: FontFace, rng: Rng): Writer {
  const messy = rng.next();
  const ink = rng.pick(INKS);
  return {
    fontId: face.id,
    font: face.font,
    inkName: ink.startsWith('#1') && ink[3] !== '1' ? 'blue' : 'black',
    ink,
    capShare: rng.float(0.42, 0.78),
    slant: rng.normal(0.05, 0.14),
    sizeJitter: 0.04 + 0.1 * messy,
    slantJitter: 0.04 + 0.08 * messy,
    rotateJitter: 0.03 + 0.09 * messy,
    positionJitter: 0.04 + 0.09 * messy,
    baselineJitter: 0.04 + 0.08 * messy,
    touchRate: 0.04 + 0.12 * messy,
    tickStyle: 'tick',
    tickStyleMix: 0,
    pen: rng.float(0.25, 0.5),
    // The synthesiser's pen pressure left neutral: penned() below varies stroke width for training, wider than synth.
    pressure: 1,
    pressureJitter: 0,
  };
}

/** A font face as a sheet's hand: writeCharInBox with augmentedWriter's habits and penned's pressure. */
export function fontHand(face: FontFace, rng: Rng): SheetHand {
  const w = augmentedWriter(face, rng);
  return {
    ink: w.ink,
    has: (ch) => hasGlyph(w.font, ch),
    write(ch, box, r) {
      // Only the face's own glyphs: writeCharInBox's fallback hand is a test-pool font.
      if (!hasGlyph(w.font, ch)) return [];
      const s = writeCharInBox(w, ch, box, r);
      return s ? penned(s, w, r) : [];
    },
  };
}

/** The glyph as written, with pen pressure: a stroke of the ink thickens it, a white one thins it. */
function penned(s: Shape, w: Writer, rng: Rng): Shape[] {
  if (s.op !== 'path') return [s];
  const r = rng.next();
  if (r < 0.45) return [{ ...s, stroke: w.ink, lineWidth: rng.float(0.02, 0.35) }];
  if (r < 0.55) return [s, { op: 'path', d: s.d, stroke: '#ffffff', lineWidth: rng.float(0.03, 0.12) }];
  return [s];
}

function scribble(box: Zone, ink: string, rng: Rng, dense: boolean): Shape {
  const pts: string[] = [];
  const n = dense ? rng.int(5, 9) : rng.int(2, 4);
  for (let i = 0; i < n; i++) {
    const v = 0.2 + (0.6 * i) / Math.max(1, n - 1);
    pts.push(`${(box.x + box.w * rng.float(0.1, 0.3)).toFixed(3)} ${(box.y + box.h * (v + rng.normal(0, 0.04))).toFixed(3)}`);
    pts.push(`${(box.x + box.w * rng.float(0.7, 0.9)).toFixed(3)} ${(box.y + box.h * (v + rng.normal(0.05, 0.04))).toFixed(3)}`);
  }
  return { op: 'path', d: `M${pts.join(' L')}`, stroke: ink, lineWidth: rng.float(0.25, 0.5) };
}

function strike(box: Zone, ink: string, rng: Rng): Shape[] {
  const lw = rng.float(0.25, 0.45);
  const P = (u: number, v: number) => `${(box.x + box.w * (u + rng.normal(0, 0.05))).toFixed(3)} ${(box.y + box.h * (v + rng.normal(0, 0.05))).toFixed(3)}`;
  switch (rng.int(0, 2)) {
    case 0: // an X over it
      return [{ op: 'path', d: `M${P(0.15, 0.2)} L${P(0.85, 0.8)} M${P(0.85, 0.2)} L${P(0.15, 0.8)}`, stroke: ink, lineWidth: lw }];
    case 1: // struck through, once or twice
      return [{ op: 'path', d: `M${P(0.05, 0.45)} L${P(0.95, 0.5)}` + (rng.chance(0.5) ? ` M${P(0.05, 0.6)} L${P(0.95, 0.62)}` : ''), stroke: ink, lineWidth: lw }];
    default:
      return [scribble(box, ink, rng, true)];
  }
}

/** What one box holds: the shapes written in it and its label. */
function fill(box: Zone, content: Content, w: SheetHand, chars: string, rng: Rng): { shapes: Shape[]; label: string } {
  const write = (ch: string, b: Zone) => w.write(ch, b, rng);
  if (content.kind === 'char') {
    const shapes = write(content.ch, box);
    // Now and then a fragment of comb left in the cell by the printer or the cutting: still the character.
    if (rng.chance(0.08)) shapes.push(fragment(box, rng));
    return { shapes, label: shapes.length ? content.ch : '' };
  }
  const other = () => rng.pick([...chars].filter((c) => w.has(c)));
  switch (content.how) {
    case 'blank':
      return { shapes: [], label: '' };
    case 'smudge': {
      const g = rng.int(90, 200).toString(16).padStart(2, '0');
      const cx = box.x + box.w * rng.float(0.25, 0.75);
      const cy = box.y + box.h * rng.float(0.25, 0.75);
      const rx = box.w * rng.float(0.1, 0.35);
      const ry = box.h * rng.float(0.08, 0.3);
      const d = `M${(cx - rx).toFixed(3)} ${cy.toFixed(3)} A${rx.toFixed(3)} ${ry.toFixed(3)} ${rng.float(0, 90).toFixed(1)} 1 0 ${(cx + rx).toFixed(3)} ${cy.toFixed(3)} A${rx.toFixed(3)} ${ry.toFixed(3)} 0 1 0 ${(cx - rx).toFixed(3)} ${cy.toFixed(3)} Z`;
      return { shapes: [{ op: 'path', d, fill: `#${g}${g}${g}` }], label: '' };
    }
    case 'fragment': {
      const shapes = [fragment(box, rng)];
      if (rng.chance(0.4)) shapes.push(fragment(box, rng));
      return { shapes, label: '' };
    }
    case 'neighbour': {
      // A character written in the next box that runs over into this one.
      const side = rng.chance(0.5) ? -1 : 1;
      const shift = box.w * rng.float(0.55, 0.8) * side;
      return { shapes: write(other(), { ...box, x: box.x + shift }), label: '' };
    }
    case 'two': {
      const half = box.w / 2;
      return { shapes: [...write(other(), { ...box, w: half + 0.3 }), ...write(other(), { ...box, x: box.x + half - 0.3, w: half + 0.3 })], label: '' };
    }
    case 'crossed':
      return { shapes: [...write(other(), box), ...strike(box, w.ink, rng)], label: '' };
    case 'overwritten': {
      const a = other();
      let b = other();
      if (b === a) b = chars[(chars.indexOf(a) + 1) % chars.length]!;
      return { shapes: [...write(a, box), ...write(b, box)], label: '' };
    }
    case 'scribble':
      return { shapes: [scribble(box, w.ink, rng, rng.chance(0.6))], label: '' };
  }
}

export function hasGlyph(font: fontkit.Font, ch: string): boolean {
  const b = font.glyphForCodePoint(ch.codePointAt(0)!).path.bbox;
  return Number.isFinite(b.minX) && b.maxX > b.minX && b.maxY > b.minY;
}

/** A piece of printed comb line inside the box near one edge (a misregistered neighbour line, a separator). */
function fragment(box: Zone, rng: Rng): Shape {
  const vertical = rng.chance(0.6);
  const off = rng.float(0.25, 1.2);
  const len = rng.float(0.8, vertical ? box.h * 0.9 : box.w * 0.9);
  const grey = rng.pick(['#6e6e6e', '#555555', '#888888', '#333333']);
  if (vertical) {
    const x = rng.chance(0.5) ? box.x + off : box.x + box.w - off;
    const y = box.y + rng.float(0, box.h - len);
    return { op: 'line', x1: x, y1: y, x2: x, y2: y + len, stroke: grey, lineWidth: rng.float(0.15, 0.35) };
  }
  const y = rng.chance(0.5) ? box.y + off : box.y + box.h - off;
  const x = box.x + rng.float(0, box.w - len);
  return { op: 'line', x1: x, y1: y, x2: x + len, y2: y, stroke: grey, lineWidth: rng.float(0.15, 0.35) };
}

/** The printed comb of one row, as the form draws it (grey rectangles), sometimes faded, dotted or heavy. */
function combShapes(boxes: Zone[], rng: Rng): Shape[] {
  const style = rng.weighted<'normal' | 'faded' | 'dotted' | 'heavy'>([
    ['normal', 6],
    ['faded', 2],
    ['dotted', 1],
    ['heavy', 1],
  ]);
  const colour = style === 'faded' ? rng.pick(['#a0a0a0', '#b4b4b4', '#909090']) : style === 'heavy' ? '#444444' : '#6e6e6e';
  const lw = style === 'heavy' ? rng.float(0.3, 0.45) : style === 'faded' ? rng.float(0.12, 0.25) : 0.25;
  if (style !== 'dotted') return boxes.map((b) => ({ op: 'rect', ...b, stroke: colour, lineWidth: lw }) as Shape);
  // Dotted lines as short dashes along each edge.
  const out: Shape[] = [];
  const dash = rng.float(0.3, 0.7);
  const gap = rng.float(0.2, 0.5);
  const seg = (x1: number, y1: number, x2: number, y2: number) => {
    const len = Math.hypot(x2 - x1, y2 - y1);
    for (let t = 0; t < len; t += dash + gap) {
      const t2 = Math.min(len, t + dash);
      out.push({ op: 'line', x1: x1 + ((x2 - x1) * t) / len, y1: y1 + ((y2 - y1) * t) / len, x2: x1 + ((x2 - x1) * t2) / len, y2: y1 + ((y2 - y1) * t2) / len, stroke: colour, lineWidth: 0.22 });
    }
  };
  for (const b of boxes) {
    seg(b.x, b.y, b.x + b.w, b.y);
    seg(b.x, b.y + b.h, b.x + b.w, b.y + b.h);
    seg(b.x, b.y, b.x, b.y + b.h);
    seg(b.x + b.w, b.y, b.x + b.w, b.y + b.h);
  }
  return out;
}

/** Scan-like damage on the canonical sheet, in place: paper level, contrast, noise, speckle. */
function degrade(img: GrayImage, rng: Rng): void {
  const paper = rng.float(0.82, 1);
  const inkFloor = rng.float(0, 0.35);
  const noise = rng.chance(0.7) ? rng.float(0, 14) : 0;
  const speckle = rng.chance(0.3) ? rng.float(0, 0.004) : 0;
  const d = img.data;
  for (let i = 0; i < d.length; i++) {
    let v = d[i]! / 255;
    v = inkFloor + (paper - inkFloor) * v;
    let px = v * 255 + (noise ? rng.normal(0, noise) : 0);
    if (speckle && rng.next() < speckle) px = rng.chance(0.5) ? rng.float(0, 90) : 255;
    d[i] = Math.max(0, Math.min(255, Math.round(px)));
  }
}

/** Elastic distortion of one region in place: a smooth random displacement field (coarse grid, bilinear). */
function elastic(img: GrayImage, r: { x: number; y: number; w: number; h: number }, alpha: number, rng: Rng): void {
  const G = 4;
  const dxs = Array.from({ length: (G + 1) * (G + 1) }, () => rng.normal(0, alpha));
  const dys = Array.from({ length: (G + 1) * (G + 1) }, () => rng.normal(0, alpha));
  const src = img.data.slice();
  const at = (arr: number[], u: number, v: number) => {
    const gx = Math.min(G - 1e-6, u * G);
    const gy = Math.min(G - 1e-6, v * G);
    const ix = Math.floor(gx);
    const iy = Math.floor(gy);
    const fx = gx - ix;
    const fy = gy - iy;
    const g = (a: number, b: number) => arr[b * (G + 1) + a]!;
    return (g(ix, iy) * (1 - fx) + g(ix + 1, iy) * fx) * (1 - fy) + (g(ix, iy + 1) * (1 - fx) + g(ix + 1, iy + 1) * fx) * fy;
  };
  for (let y = Math.max(0, r.y); y < Math.min(img.height, r.y + r.h); y++) {
    for (let x = Math.max(0, r.x); x < Math.min(img.width, r.x + r.w); x++) {
      const u = (x - r.x) / r.w;
      const v = (y - r.y) / r.h;
      const sx = Math.round(x + at(dxs, u, v));
      const sy = Math.round(y + at(dys, u, v));
      img.data[y * img.width + x] = sx >= 0 && sy >= 0 && sx < img.width && sy < img.height ? src[sy * img.width + sx]! : 255;
    }
  }
}

export interface CellOptions {
  chars: string;
  /** Digits are this many times as likely as other characters. */
  digitWeight: number;
  /** Share of boxes that hold not-a-character. */
  noiseShare: number;
}

/**
 * `count` labelled cells (about noiseShare of them not-a-character) written by the given faces, the characters
 * drawn from `chars` (weights: digits `digitWeight` times as likely as others).
 */
export function fontCells(faces: FontFace[], count: number, rng: Rng, opts: CellOptions): Promise<LabelledCells> {
  return handCells((sRng) => fontHand(sRng.pick(faces), sRng.fork('writer')), count, rng, opts);
}

/** `count` labelled cells on sheets, each sheet written by a new hand from `handOf` (given the sheet's stream). */
export async function handCells(handOf: (sheetRng: Rng) => SheetHand, count: number, rng: Rng, opts: CellOptions): Promise<LabelledCells> {
  const out: LabelledCells = { tensors: [], labels: [], charsets: [] };
  const weighted: [string, number][] = [...opts.chars].map((c) => [c, /[0-9]/.test(c) ? opts.digitWeight : 1]);
  let sheetNo = 0;
  while (out.labels.length < count) {
    const sRng = rng.fork(`sheet-${sheetNo++}`);
    const hand = handOf(sRng);
    const have = weighted.filter(([c]) => hand.has(c));
    const contents = Array.from({ length: ROWS * COLS }, (): Content =>
      sRng.chance(opts.noiseShare) ? { kind: 'noise', how: sRng.weighted(NOISE_KINDS) } : { kind: 'char', ch: sRng.weighted(have) },
    );
    for (const c of await sheetCells(hand, contents, opts.chars, sRng)) {
      out.tensors.push(toBytes(cellTensor(c.cell)));
      out.labels.push(c.label);
      out.charsets.push(charsetOfLabel(c.label, out.labels.length));
      if (out.labels.length >= count) break;
    }
  }
  return out;
}

/**
 * One sheet of comb rows (COLS boxes a row) written by `w`, one box per content, rendered, damaged and cut with
 * cutCell. Returns each box's cell and label ('' for not a character).
 */
export async function sheetCells(w: SheetHand, contents: Content[], chars: string, rng: Rng): Promise<{ cell: GrayImage; label: string }[]> {
  const shapes: Shape[] = [];
  const cells: { box: Zone; label: string }[] = [];
  let y = 4;
  for (let r = 0; r * COLS < contents.length; r++) {
    const bw = rng.float(3.8, 6.2);
    const bh = rng.float(6.0, 7.6);
    const boxes = Array.from({ length: Math.min(COLS, contents.length - r * COLS) }, (_, i) => ({ x: 4 + i * bw, y, w: bw, h: bh }));
    shapes.push(...combShapes(boxes, rng));
    boxes.forEach((box, i) => {
      const f = fill(box, contents[r * COLS + i]!, w, chars, rng);
      shapes.push(...f.shapes);
      cells.push({ box, label: f.label });
    });
    y += bh + rng.float(3, 6);
  }
  const sheet = await renderSheet({ widthMm: 8 + COLS * 6.2, heightMm: y + 2, shapes }, rng.fork('scan'));
  for (const c of cells) {
    const box = { x: c.box.x * PPM, y: c.box.y * PPM, w: c.box.w * PPM, h: c.box.h * PPM };
    if (rng.chance(0.5)) elastic(sheet, { x: Math.round(box.x) - 6, y: Math.round(box.y) - 6, w: Math.round(box.w) + 12, h: Math.round(box.h) + 12 }, rng.float(0.4, 1.6), rng);
  }
  const threshold = inkThreshold(sheet);
  return cells.map((c) => {
    // Registration is never perfect: the box the reader cuts is off by a pixel or two.
    const err = () => Math.round(rng.normal(0, 1.1));
    const box = { x: c.box.x * PPM + err(), y: c.box.y * PPM + err(), w: c.box.w * PPM, h: c.box.h * PPM };
    return { cell: cutCell(sheet, box, threshold), label: c.label };
  });
}

/** Render a sheet at a random scanner dpi and bring it to canonical 8 px/mm, as the reader's warp does. */
async function renderSheet(drawing: { widthMm: number; heightMm: number; shapes: Shape[] }, rng: Rng): Promise<GrayImage> {
  const dpi = rng.weighted<number>([
    [150, 2],
    [200, 3],
    [240, 1],
    [300, 3],
  ]);
  let pipe = sharp(Buffer.from(drawingToSvg({ ...drawing, shapes: drawing.shapes }, dpi))).flatten({ background: '#ffffff' }).greyscale();
  const blur = rng.chance(0.6) ? rng.float(0.3, dpi / 200) : 0;
  if (blur >= 0.3) pipe = pipe.blur(blur);
  if (rng.chance(0.12)) pipe = pipe.threshold(rng.int(110, 170));
  const w = Math.round(drawing.widthMm * CANON_PX_PER_MM);
  const h = Math.round(drawing.heightMm * CANON_PX_PER_MM);
  const { data } = await pipe.resize(w, h, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer({ resolveWithObject: true });
  const img = createGray(w, h);
  img.data.set(data.subarray(0, w * h));
  degrade(img, rng);
  return img;
}

export function toBytes(t: Float32Array): Uint8Array {
  const b = new Uint8Array(t.length);
  for (let i = 0; i < t.length; i++) b[i] = Math.round(Math.min(1, Math.max(0, t[i]!)) * 255);
  return b;
}
