// One comb box's cell, from the aligned page to the classifier's input. Two steps, each the ONE definition used by
// both the reader and the training-data builder (training/build-dataset.ts), so what the model learnt from is cut
// and normalised exactly as what it reads:
//  - cutCell: the box's interior with the printed comb lines found (near where the template and registration put
//    them) and removed pixel by pixel, keeping the writer's ink, strokes that cross the line included;
//  - cellTensor: the ink normalised MNIST-style into a CELL_SIZE x CELL_SIZE float tensor (ink = 1), followed by
//    where that ink lay in the box (CELL_GEOMETRY numbers), which the crop to the ink would otherwise throw away.
import { createGray, type GrayImage } from '../imaging/gray.ts';
import type { PxRect } from '../imaging/boxes.ts';

/** Side of the classifier's square input, pixels. */
export const CELL_SIZE = 28;
/**
 * Numbers after the pixels: the ink's bounding box (left, right, top, bottom) and centre of mass (x, y), each as a
 * share of the cell's width or height. Cropped to its ink, a thin 1 in the middle of a box and a fragment of the
 * printed line at its edge are the same picture; where they lay tells them apart.
 */
export const CELL_GEOMETRY = 6;
/** Length of cellTensor's output, the classifier's input a cell. */
export const CELL_INPUT = CELL_SIZE * CELL_SIZE + CELL_GEOMETRY;
/** Side of the square the ink is scaled into (MNIST's 20 in 28). */
const INK_BOX = 20;
/** Ink never grows by more than this factor of a box's height share: a dot stays a dot, a dash stays thin. */
const MAX_SCALE_PER_CELL_HEIGHT = 0.5;

/** How far from its expected place a printed line is looked for, px (registration leaves 1-2 px over). */
const LINE_SEARCH = 4;
/** A column (row) is a printed line where at least this share of it is dark: dotted and faded lines included. */
const LINE_MIN_SHARE = 0.3;
/** Pixels lighter than threshold + this are paper. */
const PAPER_MARGIN = 25;
/** A row of a line's band is the printed line where this share of the box's width is dark (writing along it is less). */
const PRINTED_ROW_SHARE = 0.85;
/** Connected ink smaller than this (pixels) is speckle, not writing. */
const SPECK_MAX = 4;

interface LineBand {
  /** First and last column (vertical line) or row (horizontal line) of the line, in cell-region coordinates. */
  from: number;
  to: number;
}

/**
 * The cell of one comb box, cut from the canonical page: white paper, the writer's ink as it was scanned, the printed
 * comb lines removed. `box` is the box as refined by refineBoxes; `threshold` the page's ink threshold (inkThreshold).
 * The cell is the box's inside edge to inside edge of the lines found; ink that crosses a line is kept.
 */
export function cutCell(canon: GrayImage, box: PxRect, threshold: number, report?: CutReport): GrayImage {
  const pad = LINE_SEARCH + 2;
  const x0 = Math.round(box.x) - pad;
  const y0 = Math.round(box.y) - pad;
  const w = Math.round(box.w) + 2 * pad;
  const h = Math.round(box.h) + 2 * pad;
  // The region around the box, with everything lighter than the paper cut-off flattened to white.
  const paper = Math.min(250, threshold + PAPER_MARGIN);
  const px = new Uint8Array(w * h).fill(255);
  const dark = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = y0 + y;
    if (sy < 0 || sy >= canon.height) continue;
    for (let x = 0; x < w; x++) {
      const sx = x0 + x;
      if (sx < 0 || sx >= canon.width) continue;
      const v = canon.data[sy * canon.width + sx]!;
      if (v < paper) {
        px[y * w + x] = v;
        dark[y * w + x] = 1;
      }
    }
  }
  const left = findLine(dark, w, h, 'v', pad, pad + 3, h - pad - 3);
  const right = findLine(dark, w, h, 'v', pad + Math.round(box.w), pad + 3, h - pad - 3);
  const top = findLine(dark, w, h, 'h', pad, pad + 3, w - pad - 3);
  const bottom = findLine(dark, w, h, 'h', pad + Math.round(box.h), pad + 3, w - pad - 3);

  // Every pixel of a line band; a run of ink leaving a band only through other bands is still the printed comb.
  const inBand = new Uint8Array(w * h);
  for (const b of [left, right]) if (b) for (let y = 0; y < h; y++) for (let x = b.from; x <= b.to; x++) inBand[y * w + x] = 1;
  for (const b of [top, bottom]) if (b) for (let y = b.from; y <= b.to; y++) for (let x = 0; x < w; x++) inBand[y * w + x] = 1;

  // The ink as scanned at the page's ink cut-off, lines and all: the spill test follows writing through the lines
  // (see spillOutside). Not the paper cut-off: on a grey phone photo that takes in the paper's grain, which joins
  // the lines to specks all round and reads as writing run out of the box.
  const scanned = report ? inkMask(px, dark, threshold) : undefined;
  const erase = new Uint8Array(w * h);
  // Vertical lines: in each row, the ink in the band is the line unless it runs on past the band (a stroke crossing).
  for (const b of [left, right]) {
    if (!b) continue;
    for (let y = 0; y < h; y++) {
      const row = y * w;
      let any = false;
      for (let x = b.from; x <= b.to; x++) any ||= dark[row + x] === 1;
      if (!any) continue;
      const crosses = runsOn(dark, inBand, row + b.from, -1, Math.max(0, b.from - 2), 1) || runsOn(dark, inBand, row + b.to, 1, Math.max(0, w - 1 - b.to - 2), 1);
      if (!crosses) for (let x = b.from; x <= b.to; x++) erase[row + x] = 1;
    }
  }
  for (const b of [top, bottom]) {
    if (!b) continue;
    for (let x = 0; x < w; x++) {
      let any = false;
      for (let y = b.from; y <= b.to; y++) any ||= dark[y * w + x] === 1;
      if (!any) continue;
      const crosses = runsOn(dark, inBand, b.from * w + x, -w, Math.max(0, b.from - 2), 1) || runsOn(dark, inBand, b.to * w + x, w, Math.max(0, h - 1 - b.to - 2), 1);
      if (!crosses) for (let y = b.from; y <= b.to; y++) erase[y * w + x] = 1;
    }
  }
  for (let i = 0; i < w * h; i++) {
    if (erase[i]) {
      px[i] = 255;
      dark[i] = 0;
    }
  }
  removeSpecks(px, dark, w, h);

  // The cell: inside edge to inside edge of the lines (the expected edge where a line was not found).
  const cx0 = left ? left.to + 1 : pad + 1;
  const cx1 = right ? right.from - 1 : pad + Math.round(box.w) - 1;
  const cy0 = top ? top.to + 1 : pad + 1;
  const cy1 = bottom ? bottom.from - 1 : pad + Math.round(box.h) - 1;
  const cw = Math.max(1, cx1 - cx0 + 1);
  const ch = Math.max(1, cy1 - cy0 + 1);
  if (report) Object.assign(report, spillOutside(scanned!, dark, w, h, { x0: cx0, x1: cx1, y0: cy0, y1: cy1 }, top, bottom));
  const out = createGray(cw, ch);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const sx = cx0 + x;
      const sy = cy0 + y;
      if (sx >= 0 && sx < w && sy >= 0 && sy < h) out.data[y * cw + x] = px[sy * w + sx]!;
    }
  }
  return out;
}

/** What cutting a cell saw beside the cell it returns. */
export interface CutReport {
  /**
   * Writing that ran out of the box over its top or bottom line and was cut off with the outside (the loop of a 9
   * written high): ink pixels beyond the line, joined to the ink inside the cell. What is left in the cell may be
   * another character (a 9 without its loop reads as 7), so a reader must not trust the box.
   */
  spill: number;
  /**
   * Some of that writing reaches the edge of the region looked at, a few pixels past the line: it goes on further
   * than `spill` can count (an 8 written mostly above the box, its lower loop alone in the cell, read as 0).
   */
  runsOut: boolean;
}

/** Pixels of `dark` (before any erasing) darker than the ink cut-off; `px` holds their grey levels. */
function inkMask(px: Uint8Array, dark: Uint8Array, threshold: number): Uint8Array {
  const ink = new Uint8Array(dark.length);
  for (let i = 0; i < dark.length; i++) ink[i] = dark[i] && px[i]! < threshold ? 1 : 0;
  return ink;
}

/**
 * Ink pixels above the top line or below the bottom line reached from the writing in the cell (`writing`: the ink
 * left once lines and specks are erased) through the ink as scanned (8-neighbour, within the cell's columns): the
 * part of the writing the cell leaves out. The lines are followed too: a 7's bar drawn on the top line is erased
 * with it, and only through the line does the bar's part above it join the stem. "The line" here is its printed
 * rows only (dark across nearly the whole box), not the band the cut erases, which widens to take in writing that
 * lies along it. Ink beyond a side line is the neighbouring box's, and printed labels above the comb join no
 * writing, so neither counts; nor do specks (at most SPECK_MAX pixels) touching a line from outside. Writing that
 * reaches the region's first or last row runs out of it (`runsOut`).
 */
function spillOutside(scanned: Uint8Array, writing: Uint8Array, w: number, h: number, cell: { x0: number; x1: number; y0: number; y1: number }, top: LineBand | null, bottom: LineBand | null): CutReport {
  const x0 = Math.max(0, cell.x0);
  const x1 = Math.min(w - 1, cell.x1);
  const aboveFrom = top ? printedRows(scanned, w, top, x0, x1).from : cell.y0 - 1;
  const belowTo = bottom ? printedRows(scanned, w, bottom, x0, x1).to : cell.y1 + 1;
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let y = Math.max(0, cell.y0); y <= Math.min(h - 1, cell.y1); y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * w + x;
      if (scanned[i] && writing[i]) {
        seen[i] = 1;
        stack.push(i);
      }
    }
  }
  const outside = new Uint8Array(w * h);
  // Only up and down out of the cell: sideways is the neighbour's box.
  floodInk(scanned, w, h, seen, stack, (i) => {
    const y = Math.floor(i / w);
    if (y < aboveFrom || y > belowTo) outside[i] = 1;
  }, cell);
  let spill = 0;
  let runsOut = false;
  forEachComponent(outside, w, h, (size, pixels) => {
    if (size <= SPECK_MAX) return;
    spill += size;
    runsOut ||= pixels.some((i) => i < w || i >= (h - 1) * w);
  });
  return { spill, runsOut };
}

/** Of a horizontal line's band, the rows dark across nearly the whole box: the printed line, not writing along it. */
function printedRows(dark: Uint8Array, w: number, band: LineBand, x0: number, x1: number): LineBand {
  const share = (y: number) => {
    let n = 0;
    for (let x = x0; x <= x1; x++) n += dark[y * w + x]!;
    return n / Math.max(1, x1 - x0 + 1);
  };
  const rows = Array.from({ length: band.to - band.from + 1 }, (_, k) => band.from + k).filter((y) => share(y) >= PRINTED_ROW_SHARE);
  // No blur allowance: at the ink cut-off the line's blur is paper, and a loop's top lying on the line (a 9 written
  // high, 1 px above the line's dark rows) is writing the cell leaves out.
  return rows.length ? { from: rows[0]!, to: rows[rows.length - 1]! } : band;
}

/**
 * The printed line near `expected` (a column for 'v', a row for 'h'), measured over [along0, along1): the columns
 * (rows) next to the darkest one that are at least half as dark, or null when no line is there (dropped out).
 */
function findLine(dark: Uint8Array, w: number, h: number, dir: 'v' | 'h', expected: number, along0: number, along1: number): LineBand | null {
  const extent = dir === 'v' ? w : h;
  const lo = Math.max(0, expected - LINE_SEARCH);
  const hi = Math.min(extent - 1, expected + LINE_SEARCH);
  const share = new Float64Array(extent);
  const a0 = Math.max(0, along0);
  const a1 = Math.min(dir === 'v' ? h : w, along1);
  if (a1 <= a0) return null;
  for (let p = lo; p <= hi; p++) {
    let n = 0;
    for (let a = a0; a < a1; a++) n += dir === 'v' ? dark[a * w + p]! : dark[p * w + a]!;
    share[p] = n / (a1 - a0);
  }
  let peak = lo;
  for (let p = lo; p <= hi; p++) {
    // Nearest the expected place among equals.
    if (share[p]! > share[peak]! || (share[p] === share[peak] && Math.abs(p - expected) < Math.abs(peak - expected))) peak = p;
  }
  if (share[peak]! < LINE_MIN_SHARE) return null;
  let from = peak;
  let to = peak;
  while (from - 1 >= lo && share[from - 1]! >= share[peak]! * 0.4) from--;
  while (to + 1 <= hi && share[to + 1]! >= share[peak]! * 0.4) to++;
  // One pixel of the line's blur either side.
  return { from: Math.max(0, from - 1), to: Math.min(extent - 1, to + 1) };
}

/** Whether ink continues from index `start` in direction `step` beyond the line bands for at least `need` pixels. */
function runsOn(dark: Uint8Array, inBand: Uint8Array, start: number, step: number, maxSteps: number, need: number): boolean {
  let i = start;
  let outside = 0;
  for (let k = 0; k < maxSteps; k++) {
    i += step;
    if (i < 0 || i >= dark.length || !dark[i]) return false;
    if (!inBand[i] && ++outside > need) return true;
  }
  return false;
}

/** Call `each` with the pixels of every connected piece of ink (8-neighbour) in `dark`. */
function forEachComponent(dark: Uint8Array, w: number, h: number, each: (size: number, pixels: readonly number[]) => void): void {
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  const comp: number[] = [];
  for (let s = 0; s < w * h; s++) {
    if (!dark[s] || seen[s]) continue;
    stack.push(s);
    seen[s] = 1;
    comp.length = 0;
    floodInk(dark, w, h, seen, stack, (i) => comp.push(i));
    each(comp.length, comp);
  }
}

/** Remove connected ink (8-neighbour) of at most SPECK_MAX pixels. */
function removeSpecks(px: Uint8Array, dark: Uint8Array, w: number, h: number): void {
  forEachComponent(dark, w, h, (size, pixels) => {
    if (size <= SPECK_MAX) for (const i of pixels) {
      px[i] = 255;
      dark[i] = 0;
    }
  });
}

/**
 * Grow connected ink (8-neighbour) from the pixels on `stack` (already marked in `seen`), calling `visit` once for
 * each pixel reached, seeds included; with `columns`, only within those columns.
 */
function floodInk(dark: Uint8Array, w: number, h: number, seen: Uint8Array, stack: number[], visit: (i: number) => void, columns?: { x0: number; x1: number }): void {
  const x0 = columns ? Math.max(0, columns.x0) : 0;
  const x1 = columns ? Math.min(w - 1, columns.x1) : w - 1;
  while (stack.length) {
    const i = stack.pop()!;
    visit(i);
    const x = i % w;
    const y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < x0 || ny < 0 || nx > x1 || ny >= h) continue;
        const j = ny * w + nx;
        if (dark[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
  }
}

/**
 * THE normalisation of a cell into the classifier's input: ink = 1, paper = 0, contrast stretched so faint and
 * blue ink look like black, cropped to the ink, scaled (aspect kept) into INK_BOX px, never enlarged past half the
 * cell's height per INK_BOX (a dot stays small), centred by mass in CELL_SIZE x CELL_SIZE. A cell with no ink is
 * all zeros. Row-major, CELL_SIZE² pixels, then the CELL_GEOMETRY numbers of where the ink lay: CELL_INPUT in all.
 */
export function cellTensor(cell: GrayImage): Float32Array {
  const out = new Float32Array(CELL_INPUT);
  const { width: w, height: h, data } = cell;
  // Contrast reference: the 95th percentile of ink darkness, so one dark speck does not dim the rest.
  const hist = new Uint32Array(256);
  let inked = 0;
  for (let i = 0; i < data.length; i++) {
    const a = 255 - data[i]!;
    if (a > 25) {
      hist[a]++;
      inked++;
    }
  }
  if (inked === 0) return out;
  let ref = 255;
  let acc = 0;
  for (let a = 255; a > 25; a--) {
    acc += hist[a]!;
    if (acc >= inked * 0.05) {
      ref = a;
      break;
    }
  }
  ref = Math.max(ref, 60);
  const ink = new Float32Array(w * h);
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = 255 - data[y * w + x]!;
      if (a <= 25) continue;
      const v = Math.min(1, a / ref);
      ink[y * w + x] = v;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
      if (v >= 0.3) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0 || mass === 0) return out;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = Math.min(INK_BOX / Math.max(bw, bh), INK_BOX / (MAX_SCALE_PER_CELL_HEIGHT * h));
  // Where the source's centre of mass lands: the middle, unless that would push the ink box off the tensor.
  const cmx = mx / mass;
  const cmy = my / mass;
  let offX = CELL_SIZE / 2 - (cmx - x0) * scale;
  let offY = CELL_SIZE / 2 - (cmy - y0) * scale;
  offX = Math.min(Math.max(offX, 0), CELL_SIZE - bw * scale);
  offY = Math.min(Math.max(offY, 0), CELL_SIZE - bh * scale);
  out.set([x0 / w, (x1 + 1) / w, y0 / h, (y1 + 1) / h, cmx / w, cmy / h], CELL_SIZE * CELL_SIZE);
  // Area sampling, separable: each output pixel averages a 4x4 grid of bilinear samples over its footprint.
  const wx = sampleWeights(w, x0, offX, scale);
  const wy = sampleWeights(h, y0, offY, scale);
  const tmp = new Float32Array(h * CELL_SIZE);
  for (let y = 0; y < h; y++) {
    for (let ox = 0; ox < CELL_SIZE; ox++) {
      let s = 0;
      const row = wx[ox]!;
      for (let k = 0; k < row.length; k += 2) s += row[k + 1]! * ink[y * w + row[k]!]!;
      tmp[y * CELL_SIZE + ox] = s;
    }
  }
  for (let oy = 0; oy < CELL_SIZE; oy++) {
    const col = wy[oy]!;
    for (let ox = 0; ox < CELL_SIZE; ox++) {
      let s = 0;
      for (let k = 0; k < col.length; k += 2) s += col[k + 1]! * tmp[col[k]! * CELL_SIZE + ox]!;
      out[oy * CELL_SIZE + ox] = s;
    }
  }
  return out;
}

/**
 * Per output index (0..CELL_SIZE-1), the source indices and weights [i0, w0, i1, w1, ...] of 4 bilinear samples
 * spread over the output pixel's footprint in a source axis of length n, the ink box starting at `start`.
 */
function sampleWeights(n: number, start: number, off: number, scale: number): number[][] {
  const S = 4;
  const out: number[][] = [];
  // Each output's 4 samples move right with j, so the indices they touch come in ascending order, each summed in
  // the order of j from 0 (as a Map keyed by index, in insertion order, would give them), without the Map.
  const idx = new Int32Array(2 * S);
  const wgt = new Float64Array(2 * S);
  for (let o = 0; o < CELL_SIZE; o++) {
    let m = 0;
    for (let j = 0; j < S; j++) {
      const s = start + (o + (j + 0.5) / S - off) / scale - 0.5;
      const f = Math.floor(s);
      const t = s - f;
      for (let e = 0; e < 2; e++) {
        const i = f + e;
        const w = e === 0 ? 1 - t : t;
        if (i < 0 || i >= n || w === 0) continue;
        let k = m - 1;
        while (k >= 0 && idx[k] !== i) k--;
        if (k < 0) {
          idx[m] = i;
          wgt[m++] = 0 + w / S;
        } else wgt[k] = wgt[k]! + w / S;
      }
    }
    const row: number[] = [];
    for (let k = 0; k < m; k++) row.push(idx[k]!, wgt[k]!);
    out.push(row);
  }
  return out;
}
