// Finds and reads the page's QR code wherever it is and however the page is turned.
import { createRequire } from 'node:module';
import { binarise, cropGray, downscaleGray, grayToRgba, median3, type GrayImage } from './gray.ts';
import type { Point } from './homography.ts';
import type { QrBox } from './qr-locate.ts';

// jsqr is a CommonJS bundle of 300 KB: through require, which skips the ES loader's scan of its source for named
// exports in every page worker (see imaging/sharp.ts). Its function is the module itself or its default.
const jsQRModule = createRequire(import.meta.url)('jsqr') as { default?: unknown };
const jsQR = (jsQRModule.default ?? jsQRModule) as typeof import('jsqr').default;

export interface QrFound {
  payload: string;
  /** Corners of the symbol in full-image pixels (as the symbol reads: top-left is its top-left finder). */
  topLeft: Point;
  topRight: Point;
  bottomLeft: Point;
  version: number;
}

/** Ways to clean a region before decoding, cheapest first: as scanned, speckle removed, then averaged and thresholded. */
const CLEANUPS: ((g: GrayImage, factor: number) => { img: GrayImage; factor: number })[] = [
  (g, f) => ({ img: downscaleGray(g, f), factor: f }),
  (g, f) => ({ img: downscaleGray(median3(g), f), factor: f }),
  (g, f) => ({ img: binarise(downscaleGray(g, f + 1)), factor: f + 1 }),
];

/** jsQR's result as a QrFound, its points moved by (ox, oy) and scaled by `scale`, then moved by (x, y). */
function readJsqr(region: GrayImage, x: number, y: number, ox: number, oy: number, scale: number): QrFound | null {
  const res = jsQR(grayToRgba(region), region.width, region.height, { inversionAttempts: 'dontInvert' });
  if (!res || !res.data) return null;
  const map = (p: { x: number; y: number }): Point => ({ x: x + (ox + p.x) * scale, y: y + (oy + p.y) * scale });
  return {
    payload: res.data,
    topLeft: map(res.location.topLeftCorner),
    topRight: map(res.location.topRightCorner),
    bottomLeft: map(res.location.bottomLeftCorner),
    version: res.version,
  };
}

type Rect = [number, number, number, number];

/** One look: a region of the page, downscaled by `factor`, cleaned by CLEANUPS[cleanup]. */
interface Pass {
  rect: Rect;
  factor: number;
  cleanup: number;
}

export interface FindQrOptions {
  /** The page's corners as scanned only; enough for most pages, and cheap enough to run before anything else. */
  quick?: boolean;
}

/** The downscaling factor of a QR search at pxPerMm: a module of the form's code stays 3-5 pixels wide. */
export function qrSearchFactor(pxPerMm: number): number {
  return Math.max(1, Math.floor(pxPerMm / 5));
}

/**
 * The looks of a search, in order: each corner (where a form's QR code is, whichever way up), cleaning the image
 * harder each round, then the whole page. pxPerMm sizes the search so a module stays 3-5 pixels wide after downscaling.
 */
function* passes(img: GrayImage, pxPerMm: number, opts: FindQrOptions): Generator<Pass> {
  const factor = qrSearchFactor(pxPerMm);
  const rw = Math.round(img.width * 0.42);
  const rh = Math.round(img.height * 0.3);
  const topRight: Rect = [img.width - rw, 0, rw, rh]; // upright form
  const bottomLeft: Rect = [0, img.height - rh, rw, rh]; // upside down
  const topLeft: Rect = [0, 0, rw, rh]; // turned 270 degrees
  const bottomRight: Rect = [img.width - rw, img.height - rh, rw, rh]; // turned 90 degrees
  // A landscape image of a portrait form is a sheet turned sideways: look first where its code then is.
  const regions = img.width > img.height ? [topLeft, bottomRight, topRight, bottomLeft] : [topRight, bottomLeft, topLeft, bottomRight];
  for (let cleanup = 0; cleanup < (opts.quick ? 1 : CLEANUPS.length); cleanup++) {
    for (const rect of regions) yield { rect, factor, cleanup };
  }
  if (opts.quick) return;
  for (const f of [factor, factor + 1]) yield { rect: [0, 0, img.width, img.height], factor: f, cleanup: 0 };
}

function passImage(img: GrayImage, { rect: [x, y, w, h], factor, cleanup }: Pass): { region: GrayImage; scale: number } {
  const { img: region, factor: scale } = CLEANUPS[cleanup]!(cropGray(img, x, y, w, h), factor);
  return { region, scale };
}

/**
 * jsQR on a look's image: first on a crop around each box a locator found there, which jsQR binarises exactly as
 * it does the whole image (see jsqrEquivalentCrop), so a code read on it has the corners the whole image gives;
 * then on the whole image.
 */
function readPass(pass: Pass, region: GrayImage, scale: number, accept: (payload: string) => boolean, boxes: readonly QrBox[] = []): QrFound | null {
  const [x, y] = pass.rect;
  const ok = (found: QrFound | null): found is QrFound => found !== null && accept(found.payload);
  for (const box of boxes) {
    const c = jsqrEquivalentCrop(region, box);
    if (!c) continue;
    const found = readJsqr(cropGray(region, c.x, c.y, c.w, c.h), x, y, c.x, c.y, scale);
    if (ok(found)) return found;
  }
  const found = readJsqr(region, x, y, 0, 0, scale);
  return ok(found) ? found : null;
}

/** The thorough search: jsQR on every look, each corner cleaned harder each round, then the whole page. */
export function findQr(img: GrayImage, pxPerMm: number, accept: (payload: string) => boolean = () => true, opts: FindQrOptions = {}): QrFound | null {
  for (const pass of passes(img, pxPerMm, opts)) {
    const { region, scale } = passImage(img, pass);
    const found = readPass(pass, region, scale, accept);
    if (found) return found;
  }
  return null;
}

/** Finds where codes are in an image, cheaply (see qr-locate.ts); only used to choose where jsQR looks. */
export type QrLocator = (img: GrayImage) => Promise<QrBox[]>;

/**
 * The quick look: the page's corners as scanned, jsQR reading only where the locator sees a code the right way
 * round. There jsQR reads a small crop around the code (where both read, the same code and corners as on the whole
 * corner, at a fraction of the cost), and the whole corner if the crop reads nothing. A corner where the locator
 * sees nothing is not read: on a blank back with a dark scanner lid or heavy noise in its corners, jsQR's search of
 * the whole corner cost up to 2 CPU-s a page and found nothing. A code the locator reads mirrored is the other side of the sheet showing
 * through (jsQR reads a mirrored symbol as if it were not): it is not this page's, so it is not read.
 */
export async function findQrWhereSeen(img: GrayImage, pxPerMm: number, accept: (payload: string) => boolean, locate: QrLocator): Promise<QrFound | null> {
  for (const pass of passes(img, pxPerMm, { quick: true })) {
    const { region, scale } = passImage(img, pass);
    const boxes = (await locate(region)).filter((b) => !b.mirrored);
    if (!boxes.length) continue;
    const found = readPass(pass, region, scale, accept, boxes);
    if (found) return found;
  }
  return null;
}

/**
 * Whether the locator sees the code jsQR read as `qr` the wrong way round: the other side of the sheet showing
 * through, which jsQR reads as if it were the page's own code. Looked at on the code and its quiet zone only.
 */
export async function seenMirrored(img: GrayImage, pxPerMm: number, qr: QrFound, locate: QrLocator): Promise<boolean> {
  const bottomRight = { x: qr.topRight.x + qr.bottomLeft.x - qr.topLeft.x, y: qr.topRight.y + qr.bottomLeft.y - qr.topLeft.y };
  const xs = [qr.topLeft.x, qr.topRight.x, qr.bottomLeft.x, bottomRight.x];
  const ys = [qr.topLeft.y, qr.topRight.y, qr.bottomLeft.y, bottomRight.y];
  const margin = Math.hypot(qr.topRight.x - qr.topLeft.x, qr.topRight.y - qr.topLeft.y) / 2;
  const x0 = Math.max(0, Math.floor(Math.min(...xs) - margin));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - margin));
  const x1 = Math.min(img.width, Math.ceil(Math.max(...xs) + margin));
  const y1 = Math.min(img.height, Math.ceil(Math.max(...ys) + margin));
  if (x1 <= x0 || y1 <= y0) return false;
  const region = downscaleGray(cropGray(img, x0, y0, x1 - x0, y1 - y0), qrSearchFactor(pxPerMm));
  return (await locate(region)).some((b) => b.mirrored);
}

// ---------------------------------------------------------------------------------------------------------
// A crop jsQR binarises exactly as it does the whole image. jsQR (1.4) cuts the image into 8 x 8 blocks from its
// top-left corner; a block's black point is its mean, or, for a flat block, half its minimum, replaced by its up
// and left neighbours' mean when that is higher (so black points run on from up-left through flat areas); a pixel
// is black when it is at most the mean black point of the 5 x 5 blocks around its block (the window held inside
// the image at its edges). A crop whose offsets are whole blocks, whose black points are all the whole image's,
// and whose edges are the image's own or two blocks or more beyond the code, binarises the code and the ground
// around it pixel for pixel as the whole image does, so jsQR finds the same patterns there and reads the same.

const BLOCK = 8;
/** Ground kept around the located code: the 2 blocks where the crop's 5 x 5 windows differ, and 2 to spare. */
const MARGIN_BLOCKS = 4;

/**
 * jsQR's black points of every block of the image, as jsQR computes them: a last, partial block reads on into the
 * next row, and past the end of the image it reads nothing (its black point is then 0, as jsQR's NaN stores).
 */
export function jsqrBlackPoints(img: GrayImage, nw = Math.ceil(img.width / BLOCK), nh = Math.ceil(img.height / BLOCK)): Uint8ClampedArray {
  // Only the first nw x nh blocks (a block's black point depends on those up and left of it only).
  const { data, width } = img;
  const out = new Uint8ClampedArray(nw * nh);
  for (let v = 0; v < nh; v++) {
    for (let hz = 0; hz < nw; hz++) {
      let sum = 0;
      let min = 255;
      let max = 0;
      let past = false;
      for (let yy = 0; yy < BLOCK; yy++) {
        const row = (v * BLOCK + yy) * width + hz * BLOCK;
        if (row + BLOCK > data.length) past = true;
        for (let xx = 0; xx < BLOCK; xx++) {
          const p = data[row + xx]!;
          sum += p;
          if (p < min) min = p;
          if (p > max) max = p;
        }
      }
      if (past) {
        out[v * nw + hz] = 0;
        continue;
      }
      let average = sum / (BLOCK * BLOCK);
      if (max - min <= 24) {
        average = min / 2;
        if (v > 0 && hz > 0) {
          const neighbours = (out[(v - 1) * nw + hz]! + 2 * out[v * nw + hz - 1]! + out[(v - 1) * nw + hz - 1]!) / 4;
          if (min < neighbours) average = neighbours;
        }
      }
      out[v * nw + hz] = average;
    }
  }
  return out;
}

/**
 * A crop of `img` around `box` that jsQR binarises as it does `img` (see above), or null when there is none smaller
 * than the image. An edge of the crop is either the image's own or MARGIN_BLOCKS or more beyond the box; the
 * right edge is only ever the image's with the whole width (jsQR's last, partial block column reads on into the
 * next row).
 */
export function jsqrEquivalentCrop(img: GrayImage, box: Pick<QrBox, 'x0' | 'y0' | 'x1' | 'y1'>): { x: number; y: number; w: number; h: number } | null {
  const fullX = Math.floor(img.width / BLOCK);
  const fullY = Math.floor(img.height / BLOCK);
  let bx0 = Math.max(0, Math.floor(box.x0 / BLOCK) - MARGIN_BLOCKS);
  let by0 = Math.max(0, Math.floor(box.y0 / BLOCK) - MARGIN_BLOCKS);
  let bx1 = Math.ceil(box.x1 / BLOCK) + MARGIN_BLOCKS;
  let by1 = Math.ceil(box.y1 / BLOCK) + MARGIN_BLOCKS;
  const toRight = bx1 >= fullX;
  const toBottom = by1 >= fullY;
  if (toRight) bx0 = 0;
  bx1 = toRight ? Math.ceil(img.width / BLOCK) : bx1;
  by1 = toBottom ? Math.ceil(img.height / BLOCK) : by1;
  if (bx1 <= bx0 || by1 <= by0) return null;
  const right = toRight ? img.width : bx1 * BLOCK;
  const bottom = toBottom ? img.height : by1 * BLOCK;
  const whole = jsqrBlackPoints(img, bx1, by1);
  // Black points run on from up and left: the crop's own must be the image's, block for block. Where they are not,
  // a run came in through its top row or left column: that edge moves out, and the crop is looked at again.
  for (let attempt = 0; attempt < 4; attempt++) {
    const crop = { x: bx0 * BLOCK, y: by0 * BLOCK, w: right - bx0 * BLOCK, h: bottom - by0 * BLOCK };
    if (bx0 === 0 && by0 === 0) return crop.w < img.width || crop.h < img.height ? crop : null;
    const cw = bx1 - bx0;
    const own = jsqrBlackPoints(cropGray(img, crop.x, crop.y, crop.w, crop.h));
    let differs = -1;
    for (let i = 0; i < own.length && differs < 0; i++) if (own[i] !== whole[(by0 + Math.floor(i / cw)) * bx1 + bx0 + (i % cw)]) differs = i;
    if (differs < 0) return crop;
    // The first block that differs (in jsQR's order) is in the top row or the left column.
    if (differs < cw) by0 = Math.max(0, by0 - MARGIN_BLOCKS);
    else bx0 = Math.max(0, bx0 - MARGIN_BLOCKS);
  }
  return null;
}

/** Quarter turns clockwise that bring the symbol upright (0 upright, 2 upside down). */
export function qrQuarterTurns(q: QrFound): number {
  const angle = Math.atan2(q.topRight.y - q.topLeft.y, q.topRight.x - q.topLeft.x);
  const quarters = Math.round(angle / (Math.PI / 2));
  return (((-quarters) % 4) + 4) % 4;
}
