// Resamples a scan into template space: a canonical, upright image at a fixed number of pixels per millimetre,
// where every zone of the template is a plain axis-aligned rectangle.
import { createGray, type GrayImage } from './gray.ts';
import type { Homography } from './homography.ts';

/** Canonical resolution: 8 px/mm is about 203 dpi, enough for tesseract and for tick boxes. */
export const CANON_PX_PER_MM = 8;

/** Warp the scan into a widthMm x heightMm page at pxPerMm, h mapping template mm to scan px (bilinear). */
export function warpToTemplate(scan: GrayImage, h: Homography, widthMm: number, heightMm: number, pxPerMm = CANON_PX_PER_MM): GrayImage {
  const W = Math.round(widthMm * pxPerMm);
  const H = Math.round(heightMm * pxPerMm);
  const out = createGray(W, H);
  const dst = out.data;
  const { data: src, width: sw, height: sh } = scan;
  const inv = 1 / pxPerMm;
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = h as [number, number, number, number, number, number, number, number, number];
  // A column's terms (h0 mx, h3 mx, h6 mx) are the same on every row: computed once. Each sum below is added in the
  // same order as (h0 mx + h1 my) + h2, so every sample lands where it always did, to the last bit.
  const colX = new Float64Array(W);
  const colY = new Float64Array(W);
  const colW = new Float64Array(W);
  for (let u = 0; u < W; u++) {
    const mx = (u + 0.5) * inv;
    colX[u] = h0 * mx;
    colY[u] = h3 * mx;
    colW[u] = h6 * mx;
  }
  const lastX = sw - 1;
  const lastY = sh - 1;
  for (let v = 0; v < H; v++) {
    const my = (v + 0.5) * inv;
    const rowX = h1 * my;
    const rowY = h4 * my;
    const rowW = h7 * my;
    const row = v * W;
    for (let u = 0; u < W; u++) {
      const w = colW[u]! + rowW + h8;
      const sx = (colX[u]! + rowX + h2) / w - 0.5;
      const sy = (colY[u]! + rowY + h5) / w - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= lastX || y0 >= lastY) continue; // outside the scan: paper white
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * sw + x0;
      const a = src[i]!;
      const b = src[i + 1]!;
      const c = src[i + sw]!;
      const d = src[i + sw + 1]!;
      const top = a + (b - a) * fx;
      const bot = c + (d - c) * fx;
      dst[row + u] = top + (bot - top) * fy;
    }
  }
  return out;
}
