// Finds the solid square registration marks: dark connected blobs of the expected size near where they should be.
import type { GrayImage } from './gray.ts';
import type { Point } from './homography.ts';

export interface Blob {
  centre: Point;
  area: number;
  width: number;
  height: number;
  /** Dark pixels over bounding-box area: 1 for a solid square. */
  fill: number;
}

/** Dark connected components inside a window (4-connectivity, iterative flood fill). */
export function blobsInWindow(img: GrayImage, x0: number, y0: number, w: number, h: number, threshold: number, minArea: number): Blob[] {
  const xs = Math.max(0, Math.round(x0));
  const ys = Math.max(0, Math.round(y0));
  const xe = Math.min(img.width, Math.round(x0 + w));
  const ye = Math.min(img.height, Math.round(y0 + h));
  const W = xe - xs;
  const H = ye - ys;
  if (W <= 0 || H <= 0) return [];
  const seen = new Uint8Array(W * H);
  const stack = new Int32Array(W * H);
  const blobs: Blob[] = [];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (seen[i] || img.data[(ys + y) * img.width + xs + x]! >= threshold) continue;
      let sp = 0;
      stack[sp++] = i;
      seen[i] = 1;
      let area = 0;
      let sx = 0;
      let sy = 0;
      let minX = x, maxX = x, minY = y, maxY = y;
      while (sp > 0) {
        const j = stack[--sp]!;
        const jx = j % W;
        const jy = (j - jx) / W;
        area++;
        sx += jx;
        sy += jy;
        if (jx < minX) minX = jx;
        if (jx > maxX) maxX = jx;
        if (jy < minY) minY = jy;
        if (jy > maxY) maxY = jy;
        const nb = [jx > 0 ? j - 1 : -1, jx < W - 1 ? j + 1 : -1, jy > 0 ? j - W : -1, jy < H - 1 ? j + W : -1];
        for (const k of nb) {
          if (k < 0 || seen[k]) continue;
          const kx = k % W;
          const ky = (k - kx) / W;
          if (img.data[(ys + ky) * img.width + xs + kx]! < threshold) {
            seen[k] = 1;
            stack[sp++] = k;
          }
        }
      }
      if (area < minArea) continue;
      const bw = maxX - minX + 1;
      const bh = maxY - minY + 1;
      blobs.push({ centre: { x: xs + sx / area + 0.5, y: ys + sy / area + 0.5 }, area, width: bw, height: bh, fill: area / (bw * bh) });
    }
  }
  return blobs;
}

/** The blob that best looks like a solid mark of side `sidePx`, near `near`; null if none is convincing. */
export function pickMark(blobs: Blob[], sidePx: number, near: Point): Blob | null {
  const expected = sidePx * sidePx;
  let best: Blob | null = null;
  let bestScore = Infinity;
  for (const b of blobs) {
    const areaRatio = b.area / expected;
    const aspect = Math.max(b.width, b.height) / Math.max(1, Math.min(b.width, b.height));
    // A square turned by the few degrees a scan is skewed fills ~0.75-1 of its bounding box; letters and lines are
    // thin, hollow or long.
    if (areaRatio < 0.45 || areaRatio > 2.2 || aspect > 1.4 || b.fill < 0.6) continue;
    const dist = Math.hypot(b.centre.x - near.x, b.centre.y - near.y) / sidePx;
    const score = dist + Math.abs(Math.log(areaRatio)) * 2 + (1 - b.fill) * 3 + (aspect - 1) * 2;
    if (score < bestScore) {
      bestScore = score;
      best = b;
    }
  }
  return best;
}
