// The previous comb reader, kept for the benchmark's comparison only: the same boxes and ink test as the box
// classifier's, read by tesseract (box lines left out, a whitelist per charset, one composite image per charset and
// page). Returns the raw box string of every comb field of the job's read pages, and the CPU it took.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cropGray, grayFromEncoded, grayToPng, type GrayImage } from '../src/imaging/gray.ts';
import type { PxRect } from '../src/imaging/boxes.ts';
import { CANON_PX_PER_MM } from '../src/imaging/warp.ts';
import { assignSymbols, buildComposite, type CompositeCell } from '../src/recognition/composite.ts';
import { OcrPool, PSM } from '../src/recognition/pool.ts';
import { inkThreshold, locateCombs } from '../src/recognition/read-page.ts';
import type { Template } from '../src/template/schema.ts';

const WHITELISTS: Record<string, string> = {
  digits: '0123456789',
  letters: "ABCDEFGHIJKLMNOPQRSTUVWXYZ-'",
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  dose: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./',
};

/** A comb box's interior with the printed lines (and what lies outside them) left white: the old cell cut. */
function cleanCell(canon: GrayImage, b: PxRect, threshold: number): GrayImage {
  const edge = Math.round(0.38 * CANON_PX_PER_MM);
  const cell = cropGray(canon, b.x, b.y, b.w, b.h);
  for (let y = 0; y < cell.height; y++) {
    for (let x = 0; x < cell.width; x++) {
      const i = y * cell.width + x;
      if (x < edge || y < edge || x >= cell.width - edge || y >= cell.height - edge) cell.data[i] = 255;
      else if (cell.data[i]! > threshold + 30) cell.data[i] = 255;
    }
  }
  return cell;
}

export interface TesseractCombs {
  /** serial -> field id -> raw box string (' ' empty, '?' unread). */
  raw: Map<string, Map<string, string>>;
  pages: number;
  cpuSeconds: number;
}

export async function readCombsWithTesseract(jobDir: string, template: Template, workers: number): Promise<TesseractCombs> {
  const files = readdirSync(join(jobDir, 'pages')).filter((f) => /^\d+-p\d+\.png$/.test(f)).sort();
  const pool = await OcrPool.create({ size: workers });
  const raw = new Map<string, Map<string, string>>();
  const cpu0 = process.cpuUsage();
  try {
    await Promise.all(
      files.map(async (f) => {
        const [, serial, page] = /^(\d+)-p(\d+)\.png$/.exec(f)!;
        const canon = await grayFromEncoded(readFileSync(join(jobDir, 'pages', f)));
        const threshold = inkThreshold(canon);
        const fields = template.fields.filter((x) => x.page === Number(page));
        const out = raw.get(serial!) ?? new Map<string, string>();
        raw.set(serial!, out);
        for (const [cs, lines] of locateCombs(canon, fields, threshold, threshold)) {
          const chars: string[][] = lines.map((l) => l.ink.map((k) => (k === 'blank' ? ' ' : '?')));
          const cells: CompositeCell[] = [];
          lines.forEach((l, li) => l.boxes.forEach((b, bi) => chars[li]![bi] !== ' ' && cells.push({ line: li, cell: bi, image: cleanCell(canon, b, threshold) })));
          if (cells.length) {
            const cellW = Math.round(Math.max(...lines.flatMap((l) => l.boxes.map((b) => b.w))));
            const cellH = Math.round(Math.max(...lines.flatMap((l) => l.boxes.map((b) => b.h))));
            const layout = buildComposite(cells, cellW, cellH);
            const result = await pool.recognize(await grayToPng(layout.image), { psm: PSM.SINGLE_BLOCK, whitelist: WHITELISTS[cs]! });
            const byCell = assignSymbols(layout, result);
            chars.forEach((row, li) => row.forEach((c, bi) => c !== ' ' && (row[bi] = byCell.get(`${li}:${bi}`)?.text ?? '?')));
          }
          lines.forEach((l, li) => out.set(l.field.id, chars[li]!.join('')));
        }
      }),
    );
  } finally {
    await pool.close();
  }
  const c = process.cpuUsage(cpu0);
  return { raw, pages: files.length, cpuSeconds: (c.user + c.system) / 1e6 };
}
