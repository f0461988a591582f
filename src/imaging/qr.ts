// Finds and reads the page's QR code wherever it is and however the page is turned.
import jsQRModule from 'jsqr';
import { binarise, cropGray, downscaleGray, median3, type GrayImage } from './gray.ts';
import type { Point } from './homography.ts';

// jsqr is CommonJS with a default export; under Node's ESM loader the function is the module itself.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof import("jsqr").default;

export interface QrFound {
  payload: string;
  /** Corners of the symbol in full-image pixels (as the symbol reads: top-left is its top-left finder). */
  topLeft: Point;
  topRight: Point;
  bottomLeft: Point;
  version: number;
}

function toRgba(img: GrayImage): Uint8ClampedArray {
  const out = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0, j = 0; i < img.data.length; i++, j += 4) {
    const v = img.data[i]!;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
    out[j + 3] = 255;
  }
  return out;
}

/** Ways to clean a region before decoding, cheapest first: as scanned, speckle removed, then averaged and thresholded. */
const CLEANUPS: ((g: GrayImage, factor: number) => { img: GrayImage; factor: number })[] = [
  (g, f) => ({ img: downscaleGray(g, f), factor: f }),
  (g, f) => ({ img: downscaleGray(median3(g), f), factor: f }),
  (g, f) => ({ img: binarise(downscaleGray(g, f + 1)), factor: f + 1 }),
];

function tryRegion(img: GrayImage, x: number, y: number, w: number, h: number, factor: number, cleanup = 0): QrFound | null {
  const { img: region, factor: scale } = CLEANUPS[cleanup]!(cropGray(img, x, y, w, h), factor);
  const res = jsQR(toRgba(region), region.width, region.height, { inversionAttempts: 'dontInvert' });
  if (!res || !res.data) return null;
  const map = (p: { x: number; y: number }): Point => ({ x: x + p.x * scale, y: y + p.y * scale });
  return {
    payload: res.data,
    topLeft: map(res.location.topLeftCorner),
    topRight: map(res.location.topRightCorner),
    bottomLeft: map(res.location.bottomLeftCorner),
    version: res.version,
  };
}

/**
 * Look in each corner first (where a form's QR code is, whichever way up), cleaning the image harder each round,
 * then the whole page.
 * pxPerMm sizes the search so a module stays 3-5 pixels wide after downscaling.
 */
export function findQr(img: GrayImage, pxPerMm: number, accept: (payload: string) => boolean = () => true, opts: { quick?: boolean } = {}): QrFound | null {
  const factor = Math.max(1, Math.floor(pxPerMm / 5));
  const rw = Math.round(img.width * 0.42);
  const rh = Math.round(img.height * 0.3);
  const topRight: [number, number, number, number] = [img.width - rw, 0, rw, rh]; // upright form
  const bottomLeft: [number, number, number, number] = [0, img.height - rh, rw, rh]; // upside down
  const topLeft: [number, number, number, number] = [0, 0, rw, rh]; // turned 270 degrees
  const bottomRight: [number, number, number, number] = [img.width - rw, img.height - rh, rw, rh]; // turned 90 degrees
  // A landscape image of a portrait form is a sheet turned sideways: look first where its code then is.
  const regions = img.width > img.height ? [topLeft, bottomRight, topRight, bottomLeft] : [topRight, bottomLeft, topLeft, bottomRight];
  // quick: the page's corners as scanned only; enough for most pages, and cheap enough to run before anything else.
  for (let cleanup = 0; cleanup < (opts.quick ? 1 : CLEANUPS.length); cleanup++) {
    for (const [x, y, w, h] of regions) {
      const found = tryRegion(img, x, y, w, h, factor, cleanup);
      if (found && !isMirrored(found) && accept(found.payload)) return found;
    }
  }
  if (opts.quick) return null;
  for (const f of [factor, factor + 1]) {
    const found = tryRegion(img, 0, 0, img.width, img.height, f);
    if (found && !isMirrored(found) && accept(found.payload)) return found;
  }
  return null;
}

/**
 * A symbol seen from the back of the sheet (show-through on a blank reverse side) reads mirrored: its finder
 * patterns turn the other way round. Such a code is not this page's identity.
 */
export function isMirrored(q: Pick<QrFound, 'topLeft' | 'topRight' | 'bottomLeft'>): boolean {
  const ax = q.topRight.x - q.topLeft.x;
  const ay = q.topRight.y - q.topLeft.y;
  const bx = q.bottomLeft.x - q.topLeft.x;
  const by = q.bottomLeft.y - q.topLeft.y;
  return ax * by - ay * bx < 0;
}

/** Quarter turns clockwise that bring the symbol upright (0 upright, 2 upside down). */
export function qrQuarterTurns(q: QrFound): number {
  const angle = Math.atan2(q.topRight.y - q.topLeft.y, q.topRight.x - q.topLeft.x);
  const quarters = Math.round(angle / (Math.PI / 2));
  return (((-quarters) % 4) + 4) % 4;
}
