// What the box classifier costs: CPU (user + system, all threads) per box, classifying the inked comb cells of a
// few of the job's pages the way the reader does (one batched call per charset per page). Cutting and normalising
// the cells is not counted: it is the reader's, and shows in the scan's CPU per page.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { grayFromEncoded } from '../src/imaging/gray.ts';
import { loadBoxClassifier, type BoxCharset } from '../src/recognition/box-classifier.ts';
import { combCells, faintThreshold, inkThreshold, locateCombs } from '../src/recognition/read-page.ts';
import type { Template } from '../src/template/schema.ts';

export interface BoxCost {
  pages: number;
  boxes: number;
  cpuMs: number;
  msPerBox: number;
  modelVersion: string;
}

export async function boxClassifierCost(jobDir: string, template: Template, pages: number, model: { modelDir?: string } = {}): Promise<BoxCost> {
  const files = readdirSync(join(jobDir, 'pages')).filter((f) => /^\d+-p\d+\.png$/.test(f)).sort().slice(0, pages);
  const batches: { cs: BoxCharset; cells: Float32Array[] }[] = [];
  for (const f of files) {
    const canon = await grayFromEncoded(readFileSync(join(jobDir, 'pages', f)));
    const threshold = inkThreshold(canon);
    const faint = faintThreshold(canon, threshold);
    const fields = template.fields.filter((x) => x.page === Number(/-p(\d+)\.png$/.exec(f)![1]));
    for (const [cs, lines] of locateCombs(canon, fields, threshold, faint)) {
      const { cells } = combCells(canon, lines, threshold, faint);
      if (cells.length) batches.push({ cs, cells });
    }
  }
  const clf = await loadBoxClassifier(model);
  try {
    // One warm-up call per charset (session set-up is start-up cost, not per box).
    for (const cs of new Set(batches.map((b) => b.cs))) await clf.classify(cs, batches.find((b) => b.cs === cs)!.cells.slice(0, 1));
    const cpu0 = process.cpuUsage();
    for (const b of batches) await clf.classify(b.cs, b.cells);
    const c = process.cpuUsage(cpu0);
    const boxes = batches.reduce((n, b) => n + b.cells.length, 0);
    const cpuMs = (c.user + c.system) / 1000;
    return { pages: files.length, boxes, cpuMs, msPerBox: boxes ? cpuMs / boxes : 0, modelVersion: clf.modelVersion };
  } finally {
    await clf.release();
  }
}
