// Reads the form serial and page number the form prints in words ("Form 001234 / page 1" in the footer, and again
// in the header), for a page whose QR code cannot be read. Printed text, so tesseract reads it well, but not
// without fail: on a 1-bit fax page it read a header's 070036 as 070086 while the footer read right. A serial
// misread puts a page, its patient and every value on it into another form's record, so both places must be read
// and must agree; where one of them cannot be read, a person assigns the page.
import { cropGray, grayToPng, HANDOFF_PNG_LEVEL, type GrayImage } from '../imaging/gray.ts';
import { CANON_PX_PER_MM } from '../imaging/warp.ts';
import type { Template } from '../template/schema.ts';
import { PSM, type Recognizer } from './pool.ts';

export interface PrintedIdentity {
  serial: string;
  /** The page number printed after the serial; null where tesseract read it as no digit ("pagel", "page |"). */
  page: number | null;
}

/** The strips where draw-form prints the serial: the header's second line and the footer. */
function serialStrips(template: Template): { x: number; y: number; w: number; h: number }[] {
  const H = template.pageSize.heightMm;
  const W = template.pageSize.widthMm;
  return [
    { x: 11, y: 14.5, w: Math.min(110, template.qr.x - 14), h: 5 },
    { x: W / 2 - 22, y: H - 11, w: 44, h: 5 },
  ];
}

/**
 * The serial is the one run of six to nine digits in the line, an O among them taken as 0 (the word "Form" before it
 * comes out too garbled to look for: "Forrh", "Porm", "Form'"); the page number is the digit after "page", if it
 * reads as one. Nothing here is trusted alone: the two places must agree (agreedIdentity).
 */
export function parsePrintedSerial(text: string): PrintedIdentity | null {
  const runs = [...text.matchAll(/(?<![0-9O])[0-9O]{6,9}(?![0-9O])/gi)].map((m) => m[0].toUpperCase().replace(/O/g, '0'));
  if (runs.length !== 1 || !/\d/.test(runs[0]!)) return null;
  const page = /page\W{0,2}([0-9])/i.exec(text);
  return { serial: runs[0]!, page: page ? Number(page[1]) : null };
}

export async function readPrintedSerial(canon: GrayImage, template: Template, ocr: Recognizer): Promise<PrintedIdentity | null> {
  const found: (PrintedIdentity | null)[] = [];
  for (const z of serialStrips(template)) {
    const strip = cropGray(canon, z.x * CANON_PX_PER_MM, z.y * CANON_PX_PER_MM, z.w * CANON_PX_PER_MM, z.h * CANON_PX_PER_MM);
    const res = await ocr.recognize(await grayToPng(strip, HANDOFF_PNG_LEVEL), { psm: PSM.SINGLE_LINE, whitelist: '' });
    found.push(parsePrintedSerial(res.lines.map((l) => l.text).join(' ')));
  }
  return agreedIdentity(found);
}

/** The identity every printed place gave: null where one gave none, or two disagree on the serial or the page. */
export function agreedIdentity(found: readonly (PrintedIdentity | null)[]): PrintedIdentity | null {
  const first = found[0];
  if (!first || found.some((f) => !f || f.serial !== first.serial)) return null;
  const pages = new Set(found.map((f) => f!.page).filter((p) => p !== null));
  if (pages.size > 1) return null;
  return { serial: first.serial, page: pages.size ? [...pages][0]! : null };
}
