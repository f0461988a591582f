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
  const { data: src, width: sw, height: sh } = scan;
  const inv = 1 / pxPerMm;
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = h as [number, number, number, number, number, number, number, number, number];
  for (let v = 0; v < H; v++) {
    const my = (v + 0.5) * inv;
    for (let u = 0; u < W; u++) {
      const mx = (u + 0.5) * inv;
      const w = h6 * mx + h7 * my + h8;
      const sx = (h0 * mx + h1 * my + h2) / w - 0.5;
      const sy = (h3 * mx + h4 * my + h5) / w - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= sw || y0 + 1 >= sh) continue; // outside the scan: paper white
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * sw + x0;
      const top = src[i]! + (src[i + 1]! - src[i]!) * fx;
      const bot = src[i + sw]! + (src[i + sw + 1]! - src[i + sw]!) * fx;
      out.data[v * W + u] = top + (bot - top) * fy;
    }
  }
  return out;
}
