// The scanned pages of one form as one PDF, for the DocumentReference that carries the legal original: each page as
// it was scanned (no deskew, no crop), greyscale JPEG, compressed to at most PAGE_BUDGET bytes where the page allows.
// The source files are re-read from where scan found them and must still have the sha256 scan recorded.
import { existsSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import sharp from '../imaging/sharp.ts';
import type { Database } from 'better-sqlite3';
import { decodePages, type PageImage } from '../imaging/decode.ts';
import { sha256Hex } from './manifest.ts';

/** Aim for each page of the attached PDF (issue 13): readable at 200-300 dpi and small enough to import. */
export const PAGE_BUDGET = 300 * 1024;

export interface ScanPageSource {
  path: string;
  sha256: string;
  pageIndex: number;
  pageNo: number;
}

export interface ScanPdf {
  pdf: Uint8Array;
  sha256: string;
  pages: number;
  /** Bytes of each page's image, in page order. */
  pageBytes: number[];
}

/** Why a record's scan could not be attached, as a reason code and words naming the file and page. */
export interface ScanProblem {
  code: 'scan-source-missing' | 'scan-source-changed' | 'scan-page-unreadable' | 'scan-no-pages';
  message: string;
}

/** The source file and page of every read page of a record, in form page order. */
export function recordScanSources(db: Database, serial: string): ScanPageSource[] {
  return db
    .prepare(
      `SELECT s.path AS path, s.sha256 AS sha256, p.page_index AS pageIndex, p.page_no AS pageNo FROM pages p
       JOIN sources s ON s.id = p.source_id WHERE p.serial = ? AND p.state = 'read' ORDER BY p.page_no`,
    )
    .all(serial) as ScanPageSource[];
}

/**
 * One page image as a greyscale JPEG under the budget. Tried in order, cheapest loss first: the scan's own resolution
 * at falling quality, then 200 dpi (what document archives keep; text stays sharp), then 150 dpi. Plain libjpeg, not
 * mozjpeg: mozjpeg saves about a fifth but costs ten times the CPU, and a backlog is tens of thousands of pages.
 */
export async function compressPage(img: PageImage, dpi: number, budget = PAGE_BUDGET): Promise<{ jpeg: Buffer; dpi: number }> {
  const raw = { raw: { width: img.width, height: img.height, channels: 1 as const } };
  const steps: [number, number][] = [[dpi, 60], [dpi, 45]];
  for (const target of [200, 150]) if (dpi > target) steps.push([target, 60], [target, 45]);
  let best: { jpeg: Buffer; dpi: number } | undefined;
  for (const [atDpi, quality] of steps) {
    let pipe = sharp(img.data, raw);
    if (atDpi < dpi) pipe = pipe.resize(Math.round((img.width * atDpi) / dpi));
    const jpeg = await pipe.jpeg({ quality }).toBuffer();
    best = { jpeg, dpi: atDpi };
    if (jpeg.length <= budget) return best;
  }
  return best!; // the smallest we could make; the caller reports its size
}

/**
 * Build the PDF for a record's pages. Deterministic for the same pages and `createdAt` (a reissue is identical):
 * the PDF's dates are the batch's, and nothing random goes in.
 */
export async function buildScanPdf(
  serial: string,
  pages: ScanPageSource[],
  createdAt: string,
): Promise<ScanPdf | ScanProblem> {
  if (pages.length === 0) return { code: 'scan-no-pages', message: `form ${serial}: the job has no scanned page for it` };
  const images: { jpeg: Buffer; widthPt: number; heightPt: number }[] = [];
  const byFile = new Map<string, ScanPageSource[]>();
  for (const p of pages) byFile.set(p.path, [...(byFile.get(p.path) ?? []), p]);
  const found = new Map<ScanPageSource, { jpeg: Buffer; widthPt: number; heightPt: number }>();
  for (const [path, want] of byFile) {
    if (!existsSync(path)) {
      return { code: 'scan-source-missing', message: `form ${serial}: the scan file ${path} is no longer there` };
    }
    const indexes = new Map(want.map((p) => [p.pageIndex, p]));
    for await (const page of decodePages(path, { expectSha256: want[0]!.sha256 })) {
      const p = indexes.get(page.pageIndex);
      if (page.error?.code === 'file-changed') {
        return { code: 'scan-source-changed', message: `form ${serial}: the scan file ${path} has changed since it was scanned` };
      }
      if (!p) continue;
      if (!page.image) {
        return { code: 'scan-page-unreadable', message: `form ${serial}: page ${p.pageIndex + 1} of ${path} could not be read again` };
      }
      const dpi = page.dpi ?? 300;
      const { jpeg } = await compressPage(page.image, dpi);
      // Page size in points from the scan's own resolution, so the PDF prints at the paper's size.
      found.set(p, { jpeg, widthPt: (page.image.width / dpi) * 72, heightPt: (page.image.height / dpi) * 72 });
    }
    for (const p of want) {
      if (!found.has(p)) return { code: 'scan-page-unreadable', message: `form ${serial}: page ${p.pageIndex + 1} of ${path} is missing from the file` };
    }
  }
  for (const p of pages) images.push(found.get(p)!);

  const doc = await PDFDocument.create({ updateMetadata: false });
  const when = new Date(createdAt);
  doc.setTitle(`Patient Report Form ${serial} (scanned pages)`);
  doc.setProducer('prf-backload');
  doc.setCreator('prf-backload');
  doc.setCreationDate(when);
  doc.setModificationDate(when);
  for (const im of images) {
    const jpg = await doc.embedJpg(im.jpeg);
    const page = doc.addPage([im.widthPt, im.heightPt]);
    page.drawImage(jpg, { x: 0, y: 0, width: im.widthPt, height: im.heightPt });
  }
  const pdf = await doc.save({ useObjectStreams: true });
  return { pdf, sha256: sha256Hex(pdf), pages: images.length, pageBytes: images.map((i) => i.jpeg.length) };
}

export function isScanProblem(x: ScanPdf | ScanProblem): x is ScanProblem {
  return 'code' in x;
}
