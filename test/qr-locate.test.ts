// The quick look (ZXing finds the code, jsQR reads a crop around it) must give what jsQR gives on the whole corner:
// the same payload and the same corner points (to float rounding), since registration uses them. It must not read
// a code that shows through from the other side of the sheet, which jsQR reads as if it were the page's own.
import { describe, expect, it } from 'vitest';
import { decodePages } from '../src/imaging/decode.ts';
import { cropGray, rotateGray90s, type GrayImage } from '../src/imaging/gray.ts';
import { findQr, findQrWhereSeen, jsqrBlackPoints, jsqrEquivalentCrop } from '../src/imaging/qr.ts';
import { locateQrCodes } from '../src/imaging/qr-locate.ts';
import { estimatePxPerMm } from '../src/imaging/register.ts';
import { decodePageIdentity } from '../src/template/qr-payload.ts';
import { loadTemplate } from '../src/template/load.ts';

const template = loadTemplate('standard-prf');
const ours = (p: string) => decodePageIdentity(p) !== null;

async function firstPage(file: string): Promise<{ img: GrayImage; dpi?: number }> {
  for await (const p of decodePages(file)) {
    return { img: { data: new Uint8Array(p.image!.data), width: p.image!.width, height: p.image!.height }, ...(p.dpi ? { dpi: p.dpi } : {}) };
  }
  throw new Error('no page');
}

function expectSameCorners(a: NonNullable<ReturnType<typeof findQr>>, b: ReturnType<typeof findQr>): void {
  expect(b).not.toBeNull();
  expect(b!.payload).toBe(a!.payload);
  expect(b!.version).toBe(a.version);
  for (const k of ['topLeft', 'topRight', 'bottomLeft'] as const) {
    expect(Math.abs(b![k].x - a[k].x)).toBeLessThan(1e-9);
    expect(Math.abs(b![k].y - a[k].y)).toBeLessThan(1e-9);
  }
}

describe('quick QR look where ZXing sees a code', () => {
  it('reads every fixture scan as jsQR does on the whole corner, upright and turned a quarter', async () => {
    let read = 0;
    for (const name of ['scan-001-0001.png', 'scan-003-0001.jpg', 'scan-003-0002.jpg', 'scan-004.tif', 'scan-006-0001.jpg', 'scan-007-0002.jpg']) {
      const { img, dpi } = await firstPage(`fixtures/scans/${name}`);
      const ppm = estimatePxPerMm(img, dpi, template);
      // Turned a quarter, the code is in another corner: found there, and read the same way.
      for (const page of [img, rotateGray90s(img, 1)]) {
        const whole = findQr(page, ppm, ours, { quick: true });
        const located = await findQrWhereSeen(page, ppm, ours, locateQrCodes);
        if (whole === null) expect(located, name).toBeNull();
        else {
          expectSameCorners(whole, located);
          read++;
        }
      }
    }
    expect(read).toBeGreaterThanOrEqual(8);
  });

  it('crops only where the black points match the whole image, moving an edge out when a dark run comes in through it', async () => {
    const { img } = await firstPage('fixtures/scans/scan-001-0001.png');
    // A region with a dark, flat band across its top: jsQR's black points run on from it down through flat blocks.
    const region: GrayImage = cropGray(img, 0, 0, 800, 800);
    for (let y = 0; y < 120; y++) region.data.fill(30, y * 800, y * 800 + 800);
    for (let y = 120; y < 800; y++) region.data.fill(200, y * 800, y * 800 + 800);
    const box = { x0: 400, y0: 300, x1: 500, y1: 400, mirrored: false };
    const c = jsqrEquivalentCrop(region, box)!;
    expect(c.x % 8).toBe(0);
    expect(c.y % 8).toBe(0);
    expect(c.x).toBeLessThanOrEqual(box.x0 - 32);
    expect(c.x + c.w).toBeGreaterThanOrEqual(box.x1 + 32);
    const whole = jsqrBlackPoints(region);
    const own = jsqrBlackPoints(cropGray(region, c.x, c.y, c.w, c.h));
    const cw = Math.ceil(c.w / 8);
    const nw = Math.ceil(region.width / 8);
    for (let i = 0; i < own.length; i++) expect(own[i]).toBe(whole[(c.y / 8 + Math.floor(i / cw)) * nw + c.x / 8 + (i % cw)]);
    // A crop as large as the image is no crop.
    expect(jsqrEquivalentCrop(region, { x0: 0, y0: 0, x1: 800, y1: 800 })).toBeNull();
  });

  it('finds no code on a blank page, as jsQR finds none', async () => {
    const { img, dpi } = await firstPage('fixtures/pages/blank-page.png');
    const ppm = estimatePxPerMm(img, dpi, template);
    expect(await findQrWhereSeen(img, ppm, ours, locateQrCodes)).toBeNull();
    expect(findQr(img, ppm, ours, { quick: true })).toBeNull();
  });

  it('does not read a code seen mirrored (show-through from the front of the sheet), which jsQR reads as the front', async () => {
    const { img, dpi } = await firstPage('fixtures/scans/scan-001-0001.png');
    const ppm = estimatePxPerMm(img, dpi, template);
    const mirrored: GrayImage = { data: new Uint8Array(img.data.length), width: img.width, height: img.height };
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) mirrored.data[y * img.width + x] = img.data[y * img.width + img.width - 1 - x]!;
    }
    const front = findQr(img, ppm, ours, { quick: true });
    expect(front).not.toBeNull();
    // Why the locator must tell: jsQR reads the mirrored symbol, with the front's payload and nothing to say so.
    expect(findQr(mirrored, ppm, ours, { quick: true })?.payload).toBe(front!.payload);
    const boxes = (await Promise.all([0, 1].map((i) => locateQrCodes(cropGray(mirrored, i * (img.width >> 1), 0, img.width >> 1, Math.round(img.height * 0.3)))))).flat();
    expect(boxes.some((b) => b.mirrored)).toBe(true);
    expect(await findQrWhereSeen(mirrored, ppm, ours, locateQrCodes)).toBeNull();
    // The front itself is read as before.
    expectSameCorners(front!, await findQrWhereSeen(img, ppm, ours, locateQrCodes));
  });
});
