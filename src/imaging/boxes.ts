// Measuring printed boxes on a canonical (template-space) page: local refinement of a box's position, ink in a
// box, and tick states. All coordinates here are canonical pixels.
import { darkShare, type GrayImage } from './gray.ts';
import { CANON_PX_PER_MM } from './warp.ts';

export interface PxRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type TickState = 'empty' | 'ticked' | 'crossed-out' | 'ambiguous';

/**
 * Dark-pixel share bands for a tick box interior (the printed border excluded), after queXF and SDAPS:
 * under `emptyBelow` empty, `tickedFrom`-`tickedTo` ticked, over `filledFrom` filled over (a crossing-out);
 * the gaps between are ambiguous and go to a person.
 */
export interface TickBands {
  emptyBelow: number;
  tickedFrom: number;
  tickedTo: number;
  filledFrom: number;
}

// Measured on synthetic scans (ticks, crosses and filled ticks; see the scan issue's note): empty boxes read
// 0-0.01, ticks 0.14-0.75, boxes filled over to cancel them 0.95-1.
export const DEFAULT_TICK_BANDS: TickBands = { emptyBelow: 0.04, tickedFrom: 0.08, tickedTo: 0.8, filledFrom: 0.88 };

export function tickState(share: number, bands: TickBands = DEFAULT_TICK_BANDS): { state: TickState; confidence: number } {
  // Confidence: how far the share sits inside its band, scaled to 0.5-1.
  const margin = (d: number, span: number) => Math.min(1, 0.5 + d / span);
  if (share < bands.emptyBelow) return { state: 'empty', confidence: margin(bands.emptyBelow - share, bands.emptyBelow) };
  if (share >= bands.tickedFrom && share <= bands.tickedTo) {
    return { state: 'ticked', confidence: margin(Math.min(share - bands.tickedFrom, bands.tickedTo - share), 0.08) };
  }
  if (share >= bands.filledFrom) return { state: 'crossed-out', confidence: margin(share - bands.filledFrom, 0.15) };
  return { state: 'ambiguous', confidence: 0.3 };
}

/**
 * Find the offset (dx, dy) within ±radius px at which the printed box edges of a group of boxes line up with the
 * dark lines of the scan: local registration that absorbs what the page-wide transform leaves over.
 */
export function refineBoxes(img: GrayImage, boxes: PxRect[], radius: number): { dx: number; dy: number } {
  if (boxes.length === 0) return { dx: 0, dy: 0 };
  const x0 = Math.max(0, Math.floor(Math.min(...boxes.map((b) => b.x)) - radius - 2));
  const x1 = Math.min(img.width, Math.ceil(Math.max(...boxes.map((b) => b.x + b.w)) + radius + 2));
  const y0 = Math.max(0, Math.floor(Math.min(...boxes.map((b) => b.y)) - radius - 2));
  const y1 = Math.min(img.height, Math.ceil(Math.max(...boxes.map((b) => b.y + b.h)) + radius + 2));
  if (x1 <= x0 || y1 <= y0) return { dx: 0, dy: 0 };
  const colDark = new Float64Array(x1 - x0);
  const rowDark = new Float64Array(y1 - y0);
  for (let y = y0; y < y1; y++) {
    const row = y * img.width;
    for (let x = x0; x < x1; x++) {
      const d = 255 - img.data[row + x]!;
      colDark[x - x0] += d;
      rowDark[y - y0] += d;
    }
  }
  const xEdges = new Set<number>();
  const yEdges = new Set<number>();
  for (const b of boxes) {
    xEdges.add(Math.round(b.x));
    xEdges.add(Math.round(b.x + b.w));
    yEdges.add(Math.round(b.y));
    yEdges.add(Math.round(b.y + b.h));
  }
  const best = (profile: Float64Array, origin: number, edges: Set<number>) => {
    let bestD = 0;
    let bestScore = -Infinity;
    for (let d = -radius; d <= radius; d++) {
      let s = 0;
      for (const e of edges) {
        const i = e + d - origin;
        if (i >= 0 && i < profile.length) s += profile[i]!;
      }
      // Prefer the smallest shift among equals: the global transform is usually right.
      s -= Math.abs(d) * 1e-6;
      if (s > bestScore) {
        bestScore = s;
        bestD = d;
      }
    }
    return bestD;
  };
  return { dx: best(colDark, x0, xEdges), dy: best(rowDark, y0, yEdges) };
}

/** The margin beside a comb box's printed lines that the ink test leaves out, so the line is not taken for writing. */
export const INK_MARGIN_MM = 0.45;

/** Share of ink inside a box, leaving out a border of `inset` px where the printed line and its blur lie. */
export function inkInside(img: GrayImage, r: PxRect, inset: number, threshold: number): number {
  return darkShare(img, r.x + inset, r.y + inset, r.w - 2 * inset, r.h - 2 * inset, threshold);
}

/** How much wider than the box's top and bottom lines a side line must look to carry writing (px, 8 a mm). */
const SIDE_LINE_WIDENING = 3;

/**
 * Writing on or hard against a side line of a box: the margin the ink test leaves out beside the printed line is
 * where a 1 written against the line lies, and it is erased with the line, so its box reads empty. A printed line
 * looks as wide at the sides as at the top and bottom (the same pen, the same scan); a stroke along it widens it.
 * Measured on 400 validation-hand forms: a widening of 3 px or more in none of 16,157 empty comb fields.
 */
export function sideLineWidened(img: GrayImage, b: PxRect, threshold: number): boolean {
  const m = Math.round(INK_MARGIN_MM * CANON_PX_PER_MM);
  const reach = m + 3;
  const [x0, x1, y0, y1] = [Math.round(b.x + m), Math.round(b.x + b.w - m), Math.round(b.y + m), Math.round(b.y + b.h - m)];
  const column = (x: number) => (x < 0 || x >= img.width ? 0 : darkShare(img, x, y0, 1, y1 - y0, threshold));
  const row = (y: number) => (y < 0 || y >= img.height ? 0 : darkShare(img, x0, y, x1 - x0, 1, threshold));
  const across = Math.max(lineWidth(row, Math.round(b.y), reach), lineWidth(row, Math.round(b.y + b.h), reach));
  const side = Math.max(lineWidth(column, Math.round(b.x), reach), lineWidth(column, Math.round(b.x + b.w), reach));
  return side - across >= SIDE_LINE_WIDENING;
}

/**
 * Width in px of the printed line near `centre`: from its darkest position (within 3 px), the run of positions dark
 * along at least half their length, at most `reach` px either side.
 */
function lineWidth(darkAlong: (at: number) => number, centre: number, reach: number): number {
  let best = centre;
  for (let k = centre - 3; k <= centre + 3; k++) if (darkAlong(k) > darkAlong(best)) best = k;
  let a = best;
  let b = best;
  while (a > centre - reach && darkAlong(a - 1) >= 0.5) a--;
  while (b < centre + reach && darkAlong(b + 1) >= 0.5) b++;
  return b - a + 1;
}
