// cropGray copies rows with typed-array copies; it must agree pixel for pixel with the plain definition
// (clipped to the image, white outside) for any rectangle, inside the image or across its edges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGray, cropGray, type GrayImage } from '../src/imaging/gray.ts';

function cropByDefinition(img: GrayImage, x: number, y: number, w: number, h: number): GrayImage {
  const out = createGray(Math.max(1, Math.round(w)), Math.max(1, Math.round(h)));
  for (let r = 0; r < out.height; r++) {
    for (let c = 0; c < out.width; c++) {
      const sx = Math.round(x) + c;
      const sy = Math.round(y) + r;
      if (sx >= 0 && sy >= 0 && sx < img.width && sy < img.height) out.data[r * out.width + c] = img.data[sy * img.width + sx]!;
    }
  }
  return out;
}

describe('cropGray', () => {
  it('matches the per-pixel definition for any rectangle', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: -50, max: 80, noNaN: true }),
        fc.double({ min: -50, max: 80, noNaN: true }),
        fc.double({ min: 0, max: 60, noNaN: true }),
        fc.double({ min: 0, max: 60, noNaN: true }),
        (iw, ih, x, y, w, h) => {
          const img = createGray(iw, ih, 0);
          for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37) % 251;
          const got = cropGray(img, x, y, w, h);
          const want = cropByDefinition(img, x, y, w, h);
          expect([got.width, got.height]).toEqual([want.width, want.height]);
          expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
