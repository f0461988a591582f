// Why a page without a readable QR code could not be identified: a blank back, a document that is not one of our
// forms, or one of our forms whose QR code is damaged or torn off.
import { darkShare, downscaleGray, greyAtShare, greyHistogram, type GrayImage } from '../imaging/gray.ts';
import { cornerMarks } from '../imaging/layout-match.ts';
import type { Template } from '../template/schema.ts';

export interface Unidentified {
  code: 'blank-page' | 'not-a-form' | 'qr-unreadable' | 'foreign-qr';
  message: string;
}

/** Share of ink under which a page counts as blank (a duplex back with a little noise or bleed-through). */
const BLANK_INK_SHARE = 0.0025;

/**
 * A page with next to no ink in its middle: a duplex back, an empty sheet. "Ink" is measured against the page's own
 * paper, so a pale, low-contrast scan of a form still counts as written on; faint show-through does not.
 */
export function isBlankPage(img: GrayImage, pxPerMm: number): boolean {
  // At about 4 px/mm single specks average away while box lines and pen strokes stay.
  const small = downscaleGray(img, Math.max(1, Math.floor(pxPerMm / 4)));
  // Look at the middle of the image only: scanner lids, tables and skewed edges make the border dark, and every
  // page of the form has boxes and writing across its middle.
  const x0 = Math.round(small.width * 0.2);
  const y0 = Math.round(small.height * 0.2);
  const w = small.width - 2 * x0;
  const h = small.height - 2 * y0;
  // Paper: the 90th percentile of brightness.
  const paper = greyAtShare(greyHistogram(small, x0, y0, w, h), 0.1, 'light');
  return darkShare(small, x0, y0, w, h, Math.min(paper - 50, 200)) < BLANK_INK_SHARE;
}

export const BLANK_PAGE: Unidentified = { code: 'blank-page', message: 'the page is blank (a duplex back or an empty sheet)' };

/** A blank page's reason when all it shows is the other side of the sheet, its QR code reading mirrored. */
export const SHOW_THROUGH_MESSAGE = 'the page is blank but for the other side of the sheet showing through (its QR code reads mirrored)';

export function classifyUnidentified(img: GrayImage, template: Template, pxPerMm: number, foreignQrSeen: boolean): Unidentified {
  if (isBlankPage(img, pxPerMm)) return BLANK_PAGE;
  if (foreignQrSeen) return { code: 'foreign-qr', message: 'its QR code is not one of this tool\'s forms: another document' };
  const marks = cornerMarksFound(img, template, pxPerMm);
  if (marks >= 3) {
    return { code: 'qr-unreadable', message: `the form's QR code cannot be read (damaged, covered or torn off); ${marks} corner marks were found. Assign the page by hand from its thumbnail` };
  }
  return { code: 'not-a-form', message: 'no QR code and no corner marks: this does not look like a page of the form' };
}

/** Corners of the image that hold a solid square the size of a registration mark. */
function cornerMarksFound(img: GrayImage, template: Template, pxPerMm: number): number {
  return cornerMarks(img, template, pxPerMm).filter(Boolean).length;
}
