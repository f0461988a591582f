// Identity for a page of the form whose QR code cannot be read: which page it is from its printed layout (and which
// way up), its transform from the four corner marks, and its serial from the serial printed in words on the page.
// Only when the printed serial is read, alike, in both places it is printed, and its page number agrees with the
// layout, is the page taken as identified; otherwise a person assigns it.
import type { GrayImage } from '../imaging/gray.ts';
import type { Homography } from '../imaging/homography.ts';
import { matchLayout } from '../imaging/layout-match.ts';
import { warpToTemplate } from '../imaging/warp.ts';
import { readPrintedSerial } from '../recognition/printed-serial.ts';
import type { Recognizer } from '../recognition/pool.ts';
import type { PageIdentity } from '../template/qr-payload.ts';
import type { Template } from '../template/schema.ts';

/** The best page must fit clearly, and clearly better than any other page or orientation (measured: 0.4-0.6). */
const MIN_SCORE = 0.35;
const MIN_MARGIN = 0.15;

export type LayoutIdentity =
  | { id: PageIdentity; upright: GrayImage; h: Homography; quarterTurns: number; canon: GrayImage }
  | { failed: true; hint: string; canon?: GrayImage };

export async function identifyByLayout(img: GrayImage, template: Template, pxPerMm: number, ocr: Recognizer): Promise<LayoutIdentity> {
  const match = await matchLayout(img, template, pxPerMm);
  if (!match || match.score < MIN_SCORE || match.margin < MIN_MARGIN) {
    return { failed: true, hint: ' Its layout matches no page of the template clearly.' };
  }
  const canon = warpToTemplate(match.upright, match.h, template.pageSize.widthMm, template.pageSize.heightMm);
  const printed = await readPrintedSerial(canon, template, ocr);
  // The page number printed beside the serial must agree with the layout where it reads; the layout says which page.
  if (!printed || (printed.page !== null && printed.page !== match.pageNo)) {
    return { failed: true, hint: ` Its layout is page ${match.pageNo} of ${template.id}, but its printed serial could not be read for sure.`, canon };
  }
  return {
    id: { templateId: template.id, templateVersion: template.version, serial: printed.serial, page: match.pageNo },
    upright: match.upright,
    h: match.h,
    quarterTurns: match.quarterTurns,
    canon,
  };
}
