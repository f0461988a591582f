// Reads the form serial and page number the form prints in words ("Form 001234 / page 1" in the footer, and again
// in the header), for a page whose QR code cannot be read. Printed text, so tesseract reads it reliably; both
// places are read and must not disagree.
import { cropGray, grayToPng, HANDOFF_PNG_LEVEL, type GrayImage } from '../imaging/gray.ts';
import { CANON_PX_PER_MM } from '../imaging/warp.ts';
import type { Template } from '../template/schema.ts';
import { PSM, type Recognizer } from './pool.ts';

export interface PrintedIdentity {
  serial: string;
  page: number;
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

export function parsePrintedSerial(text: string): PrintedIdentity | null {
  const m = /Form\s*([0-9O]{6,9})\W+page\s*([0-9])/i.exec(text);
  if (!m) return null;
  return { serial: m[1]!.replace(/O/g, '0'), page: Number(m[2]) };
}

export async function readPrintedSerial(canon: GrayImage, template: Template, ocr: Recognizer): Promise<PrintedIdentity | null> {
  const found: PrintedIdentity[] = [];
  for (const z of serialStrips(template)) {
    const strip = cropGray(canon, z.x * CANON_PX_PER_MM, z.y * CANON_PX_PER_MM, z.w * CANON_PX_PER_MM, z.h * CANON_PX_PER_MM);
    const res = await ocr.recognize(await grayToPng(strip, HANDOFF_PNG_LEVEL), { psm: PSM.SINGLE_LINE, whitelist: '' });
    const id = parsePrintedSerial(res.lines.map((l) => l.text).join(' '));
    if (id) found.push(id);
  }
  if (!found.length) return null;
  if (found.some((f) => f.serial !== found[0]!.serial || f.page !== found[0]!.page)) return null;
  return found[0]!;
}
