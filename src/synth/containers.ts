// Scanned pages into the files scanners write: single PNG or JPEG images, multi-page TIFF (8-bit, or 1-bit
// CCITT G4 like a fax), multi-page PDF of page images. Every file carries the scan's resolution. Deterministic:
// the same pages give the same bytes.
import sharp from 'sharp';
import { PDFDocument } from 'pdf-lib';
import { pageToSharp, type ScannedPage } from './degrade.ts';

const MM_PER_INCH = 25.4;

export async function encodePng(page: ScannedPage): Promise<Buffer> {
  return pageToSharp(page).png({ compressionLevel: 6 }).toBuffer();
}

export async function encodeJpeg(page: ScannedPage, quality: number): Promise<Buffer> {
  return pageToSharp(page).jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
}

/**
 * All pages in one TIFF; they must share size, channels and resolution (one scanning session). 8-bit pages are
 * JPEG-compressed inside when a quality is given (as office scanners do), else deflate; 1-bit pages CCITT G4.
 */
export async function encodeTiff(pages: readonly ScannedPage[], quality?: number): Promise<Buffer> {
  if (!pages.length) throw new Error('a TIFF needs at least one page');
  const first = pages[0]!;
  for (const p of pages) {
    if (p.width !== first.width || p.height !== first.height || p.channels !== first.channels || p.dpi !== first.dpi || p.bitonal !== first.bitonal) {
      throw new Error('pages of one TIFF must share size, colour and resolution');
    }
  }
  const raw = Buffer.concat(pages.map((p) => p.data));
  const res = first.dpi / MM_PER_INCH;
  const pipe = sharp(raw, {
    raw: { width: first.width, height: first.height * pages.length, channels: first.channels, pageHeight: first.height },
  }).toColourspace(first.channels === 1 ? 'b-w' : 'srgb');
  const common = { xres: res, yres: res, resolutionUnit: 'inch' as const };
  if (first.bitonal) return pipe.tiff({ ...common, compression: 'ccittfax4', bitdepth: 1 }).toBuffer();
  if (quality !== undefined) return pipe.tiff({ ...common, compression: 'jpeg', quality }).toBuffer();
  return pipe.tiff({ ...common, compression: 'deflate', predictor: 'horizontal' }).toBuffer();
}

/** All pages as one PDF, a page image each, at the scan's physical size. Lossless (PNG) when quality is undefined. */
export async function encodePdf(pages: readonly ScannedPage[], quality: number | undefined): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setCreator('prf-backload synth');
  doc.setProducer('prf-backload');
  // Fixed dates keep a seed's PDF byte-identical from run to run.
  doc.setCreationDate(new Date(0));
  doc.setModificationDate(new Date(0));
  for (const p of pages) {
    const wPt = (p.width * 72) / p.dpi;
    const hPt = (p.height * 72) / p.dpi;
    const image = quality === undefined ? await doc.embedPng(await encodePng(p)) : await doc.embedJpg(await encodeJpeg(p, quality));
    const page = doc.addPage([wPt, hPt]);
    page.drawImage(image, { x: 0, y: 0, width: wPt, height: hPt });
  }
  return Buffer.from(await doc.save());
}
