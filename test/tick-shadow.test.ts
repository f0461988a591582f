// A phone photo's shadow at the sheet's edge: paper there darker than the page's ink cut-off. An empty tick box in
// it read as ticked, sure (a phantom intervention); the cut-off for a tick box follows the paper round it.
import { describe, expect, it } from 'vitest';
import { createGray } from '../src/imaging/gray.ts';
import { inkInside } from '../src/imaging/boxes.ts';
import { tickThreshold } from '../src/recognition/read-page.ts';

/** A page 400 x 200 px: paper 200, its left 150 px in shadow (150), each with an empty tick box and a ticked one. */
function shadedPage() {
  const page = createGray(400, 200);
  for (let y = 0; y < 200; y++) for (let x = 0; x < 400; x++) page.data[y * 400 + x] = x < 150 ? 150 : 200;
  const rect = (x0: number, y0: number, x1: number, y1: number, v: number) => {
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) page.data[y * 400 + x] = v;
  };
  const boxAt = (x: number, y: number) => {
    rect(x, y, x + 35, y + 1, 40);
    rect(x, y + 34, x + 35, y + 35, 40);
    rect(x, y, x + 1, y + 35, 40);
    rect(x + 34, y, x + 35, y + 35, 40);
    return { x, y, w: 36, h: 36 };
  };
  const tick = (b: { x: number; y: number }) => {
    for (let k = 0; k < 20; k++) rect(b.x + 8 + k, b.y + 26 - k, b.x + 10 + k, b.y + 28 - k, 60);
  };
  const shadeEmpty = boxAt(40, 40);
  const shadeTicked = boxAt(40, 120);
  const lightEmpty = boxAt(250, 40);
  const lightTicked = boxAt(250, 120);
  tick(shadeTicked);
  tick(lightTicked);
  return { page, shadeEmpty, shadeTicked, lightEmpty, lightTicked };
}

describe('tick boxes in a shadow', () => {
  const { page, shadeEmpty, shadeTicked, lightEmpty, lightTicked } = shadedPage();
  const pageThreshold = 170; // the page's cut-off, between the shadow's paper (150) and the rest (200)
  const paper = 200;
  const ink = (b: typeof shadeEmpty, t: number) => inkInside(page, b, 4.4, t);

  it('an empty box in the shadow is empty at its own cut-off (it was nearly all "ink" at the page\'s)', () => {
    expect(ink(shadeEmpty, pageThreshold)).toBeGreaterThan(0.9);
    const t = tickThreshold(page, shadeEmpty, pageThreshold, paper);
    expect(t).toBeLessThan(150);
    expect(ink(shadeEmpty, t)).toBe(0);
  });

  it('a tick in the shadow still counts, and boxes on light paper keep the page\'s cut-off', () => {
    expect(ink(shadeTicked, tickThreshold(page, shadeTicked, pageThreshold, paper))).toBeGreaterThan(0.05);
    expect(tickThreshold(page, lightEmpty, pageThreshold, paper)).toBe(pageThreshold);
    expect(ink(lightEmpty, pageThreshold)).toBe(0);
    expect(ink(lightTicked, tickThreshold(page, lightTicked, pageThreshold, paper))).toBeGreaterThan(0.05);
  });
});
