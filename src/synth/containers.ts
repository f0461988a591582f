// Scanned pages into the files scanners write: single PNG or JPEG images, multi-page TIFF (8-bit, or 1-bit
// CCITT G4 like a fax), multi-page PDF of page images. Every file carries the scan's resolution. Deterministic:
// the same pages give the same bytes.
import sharp from '../imaging/sharp.ts';
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
 * All pages in one TIFF. 8-bit pages are JPEG-compressed inside when a quality is given (as office scanners do),
 * else deflate; 1-bit pages CCITT G4. Pages of one size are written by libvips in one go; a session with a sheet
 * turned sideways has pages of two sizes, which libvips cannot put in one file, so each page is written as its
 * own TIFF and the pages are chained into one file (joinTiffPages).
 */
export async function encodeTiff(pages: readonly ScannedPage[], quality?: number): Promise<Buffer> {
  if (!pages.length) throw new Error('a TIFF needs at least one page');
  const first = pages[0]!;
  for (const p of pages) {
    if (p.channels !== first.channels || p.dpi !== first.dpi || p.bitonal !== first.bitonal) {
      throw new Error('pages of one TIFF must share colour and resolution');
    }
  }
  if (pages.some((p) => p.width !== first.width || p.height !== first.height)) {
    return joinTiffPages(await Promise.all(pages.map((p) => encodeTiff([p], quality))));
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

/** Byte sizes of the TIFF field types (1 BYTE ... 13 IFD). */
const TIFF_TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
/** Tags whose values are file offsets: strip and tile offsets, JPEG tables' old-style pointer, sub-directories. */
const OFFSET_TAGS = new Set([273, 324, 513, 330, 34665, 34853]);

/**
 * Single-page classic little-endian TIFFs (as libvips writes them) chained into one multi-page file: each file's
 * bytes are laid end to end, every offset in its directory moved by where it now starts, and each directory's
 * next-directory pointer set to the following page's.
 */
export function joinTiffPages(files: readonly Buffer[]): Buffer {
  const out = Buffer.concat(files);
  const ifds: number[] = [];
  let base = 0;
  for (const file of files) {
    if (file.readUInt32LE(0) !== 0x002a4949) throw new Error('only classic little-endian TIFFs can be joined');
    const ifd = base + file.readUInt32LE(4);
    const entries = out.readUInt16LE(ifd);
    for (let i = 0; i < entries; i++) {
      const e = ifd + 2 + i * 12;
      const tag = out.readUInt16LE(e);
      const type = out.readUInt16LE(e + 2);
      const count = out.readUInt32LE(e + 4);
      const bytes = (TIFF_TYPE_SIZE[type] ?? 1) * count;
      // A value longer than 4 bytes lives elsewhere in the file: its pointer moves.
      const at = bytes > 4 ? base + out.readUInt32LE(e + 8) : e + 8;
      if (bytes > 4) out.writeUInt32LE(at, e + 8);
      if (OFFSET_TAGS.has(tag)) {
        for (let k = 0; k < count; k++) {
          if (type === 4 || type === 13) out.writeUInt32LE(out.readUInt32LE(at + 4 * k) + base, at + 4 * k);
          else if (type === 3) {
            const v = out.readUInt16LE(at + 2 * k) + base;
            if (v > 0xffff) throw new Error('a 16-bit TIFF offset cannot be moved that far');
            out.writeUInt16LE(v, at + 2 * k);
          }
        }
      }
    }
    if (out.readUInt32LE(ifd + 2 + entries * 12) !== 0) throw new Error('a page to join holds more than one directory');
    ifds.push(ifd);
    base += file.length;
  }
  ifds.forEach((ifd, i) => out.writeUInt32LE(ifds[i + 1] ?? 0, ifd + 2 + out.readUInt16LE(ifd) * 12));
  return out;
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
