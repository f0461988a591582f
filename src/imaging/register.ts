// Registration: the transform from template millimetres to scan pixels, from the QR code and the corner marks.
import { downscaleGray, otsuThreshold, rotateGray90s, type GrayImage } from './gray.ts';
import { applyHomography, fitAffine, fitTransform, localScale, residual, type Homography, type Point } from './homography.ts';
import { blobsInWindow, pickMark } from './marks.ts';
import { qrQuarterTurns, type QrFound } from './qr.ts';
import { qrSymbolCorners } from '../template/qr-geometry.ts';
import type { Template } from '../template/schema.ts';

export interface Registration {
  /** Template mm -> pixels of the upright image. */
  h: Homography;
  /** The scan turned upright (a multiple of 90 degrees). */
  upright: GrayImage;
  /** Clockwise quarter turns applied to the scan to make it upright. */
  quarterTurns: number;
  marksFound: number;
  model: 'homography' | 'affine';
  /** RMS disagreement of the marks and QR corners with the fitted transform, in mm. */
  residualMm: number;
  pxPerMm: number;
}

export type RegistrationFailure = { failed: true; code: 'marks-not-found' | 'registration-poor'; message: string; marksFound: number; residualMm?: number };

/**
 * Largest disagreement between marks and QR code for a page to be read. Good registrations measure 0.02-0.1 mm on
 * every profile; a mark matched to the wrong blob shows as 0.7 mm or more.
 */
export const MAX_RESIDUAL_MM = 0.5;

/** Where a point of the scan lands after turning the image clockwise by q quarter turns. */
export function rotatePoint(p: Point, q: number, w: number, h: number): Point {
  switch (((q % 4) + 4) % 4) {
    case 1:
      return { x: h - 1 - p.y, y: p.x };
    case 2:
      return { x: w - 1 - p.x, y: h - 1 - p.y };
    case 3:
      return { x: p.y, y: w - 1 - p.x };
    default:
      return p;
  }
}

/**
 * Pixels per millimetre of a scan before registration has measured it: the file's dpi when that is plausible for a
 * page of this size, else the image's long side taken as the page's (many files say 72 dpi whatever they hold).
 */
export function estimatePxPerMm(img: { width: number; height: number }, dpi: number | undefined, template: Template): number {
  const long = Math.max(template.pageSize.widthMm, template.pageSize.heightMm);
  const fromSize = Math.max(img.width, img.height) / long;
  if (!dpi) return fromSize;
  const longMm = (Math.max(img.width, img.height) / dpi) * 25.4;
  return longMm > long * 0.8 && longMm < long * 1.6 ? dpi / 25.4 : fromSize;
}

/** Page ink threshold, estimated on a reduced copy for speed. */
export function pageThreshold(img: GrayImage): number {
  const t = otsuThreshold(downscaleGray(img, 4));
  // Keep the threshold in a sane band: a blank page's Otsu split is noise.
  return Math.min(170, Math.max(70, t));
}

export function registerWithQr(scan: GrayImage, template: Template, qr: QrFound): Registration | RegistrationFailure {
  const q = qrQuarterTurns(qr);
  const upright = rotateGray90s(scan, q);
  const corners = [qr.topLeft, qr.topRight, qr.bottomLeft].map((p) => rotatePoint(p, q, scan.width, scan.height));
  const mm = qrSymbolCorners(template, qr.version);
  const qrMm = [mm.topLeft, mm.topRight, mm.bottomLeft];
  const rough = fitAffine(qrMm, corners);
  if (!rough) return { failed: true, code: 'registration-poor', message: 'the QR code is too distorted to place the page', marksFound: 0 };
  const pxPerMm = localScale(rough, mm.topLeft);
  const threshold = pageThreshold(upright);
  const side = template.registration.markSizeMm * pxPerMm;
  const src: Point[] = [];
  const dst: Point[] = [];
  let marksFound = 0;
  // Nearest marks first; each mark found sharpens the guess for the next (a phone photo's perspective bends the far
  // corners away from where the QR code alone predicts them).
  const qrCentre = { x: template.qr.x + template.qr.w / 2, y: template.qr.y + template.qr.h / 2 };
  const marks = [...template.registration.marks].sort((a, b) => Math.hypot(a.x - qrCentre.x, a.y - qrCentre.y) - Math.hypot(b.x - qrCentre.x, b.y - qrCentre.y));
  for (const m of marks) {
    const model = marksFound >= 3 ? fitTransform([...src, ...qrMm], [...dst, ...corners]) : fitAffine([...src, ...qrMm], [...dst, ...corners]);
    const guess = applyHomography(model ?? rough, m);
    const farMm = Math.min(...[qrCentre, ...src].map((p) => Math.hypot(p.x - m.x, p.y - m.y)));
    // A tilted phone photo can put a far corner well outside the first window: look again, twice as wide.
    let mark: ReturnType<typeof pickMark> = null;
    for (const r of [side * 2.6 + 0.08 * farMm * pxPerMm, 2 * (side * 2.6 + 0.08 * farMm * pxPerMm)]) {
      const blobs = blobsInWindow(upright, guess.x - r, guess.y - r, 2 * r, 2 * r, threshold, side * side * 0.3);
      mark = pickMark(blobs, side, guess);
      if (mark) break;
    }
    if (!mark) continue;
    marksFound++;
    src.push(m);
    dst.push(mark.centre);
  }
  if (marksFound < 3) {
    return { failed: true, code: 'marks-not-found', message: `found ${marksFound} of ${template.registration.marks.length} corner marks; at least 3 are needed`, marksFound };
  }
  const allSrc = [...src, ...qrMm];
  const allDst = [...dst, ...corners];
  const model = marksFound >= 4 ? 'homography' : 'affine';
  const h = model === 'homography' ? fitTransform(allSrc, allDst) : fitAffine(allSrc, allDst);
  if (!h) return { failed: true, code: 'registration-poor', message: 'the corner marks do not fit a plane transform', marksFound };
  const scale = localScale(h, { x: template.pageSize.widthMm / 2, y: template.pageSize.heightMm / 2 });
  const residualMm = residual(h, allSrc, allDst) / scale;
  if (residualMm > MAX_RESIDUAL_MM) {
    return {
      failed: true,
      code: 'registration-poor',
      message: `corner marks and QR code disagree by ${residualMm.toFixed(2)} mm (limit ${MAX_RESIDUAL_MM} mm): the page may be folded, cropped or not this template`,
      marksFound,
      residualMm,
    };
  }
  return { h, upright, quarterTurns: q, marksFound, model, residualMm, pxPerMm: scale };
}
