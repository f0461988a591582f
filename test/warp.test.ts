// The warp into template space: every output pixel is the bilinear sample of the scan at the homography's image of
// the pixel's centre, and paper white outside the scan. Checked against that definition written out per pixel (the
// warp's arithmetic, before its per-column terms were computed once), to the last bit, on random images and
// transforms (scaled, sheared, turned, with perspective, partly off the scan).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../src/imaging/gray.ts';
import type { Homography } from '../src/imaging/homography.ts';
import { warpToTemplate } from '../src/imaging/warp.ts';

function warpByDefinition(scan: GrayImage, h: Homography, widthMm: number, heightMm: number, pxPerMm: number): Uint8Array {
  const W = Math.round(widthMm * pxPerMm);
  const H = Math.round(heightMm * pxPerMm);
  const out = new Uint8Array(W * H).fill(255);
  const inv = 1 / pxPerMm;
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = h as [number, number, number, number, number, number, number, number, number];
  for (let v = 0; v < H; v++) {
    for (let u = 0; u < W; u++) {
      const mx = (u + 0.5) * inv;
      const my = (v + 0.5) * inv;
      const w = h6 * mx + h7 * my + h8;
      const sx = (h0 * mx + h1 * my + h2) / w - 0.5;
      const sy = (h3 * mx + h4 * my + h5) / w - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= scan.width || y0 + 1 >= scan.height) continue;
      const p = (x: number, y: number) => scan.data[y * scan.width + x]!;
      const top = p(x0, y0) + (p(x0 + 1, y0) - p(x0, y0)) * (sx - x0);
      const bot = p(x0, y0 + 1) + (p(x0 + 1, y0 + 1) - p(x0, y0 + 1)) * (sx - x0);
      out[v * W + u] = top + (bot - top) * (sy - y0);
    }
  }
  return out;
}

describe('warpToTemplate', () => {
  it('samples the scan bilinearly at each pixel centre, exactly as defined, white outside the scan', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.record({
          scale: fc.double({ min: 0.3, max: 6, noNaN: true }),
          shear: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
          turn: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
          tx: fc.double({ min: -20, max: 40, noNaN: true }),
          ty: fc.double({ min: -20, max: 40, noNaN: true }),
          px: fc.double({ min: -0.004, max: 0.004, noNaN: true }),
          py: fc.double({ min: -0.004, max: 0.004, noNaN: true }),
        }),
        fc.constantFrom(2, 3.5, 8),
        (width, height, seed, t, pxPerMm) => {
          let s = seed;
          const data = new Uint8Array(width * height).map(() => ((s = (s * 1103515245 + 12345) & 0x7fffffff), s & 255));
          const scan: GrayImage = { data, width, height };
          const c = Math.cos(t.turn) * t.scale;
          const n = Math.sin(t.turn) * t.scale;
          const h: Homography = [c, -n + t.shear, t.tx, n, c, t.ty, t.px, t.py, 1];
          const got = warpToTemplate(scan, h, 6, 5, pxPerMm);
          expect(Buffer.from(got.data).equals(Buffer.from(warpByDefinition(scan, h, 6, 5, pxPerMm)))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
