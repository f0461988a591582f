// Prints blank forms: every serial in a range, every page, as one PDF or as PNG previews.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFileAtomic } from '../job/fs-safe.ts';
import { drawFormPage } from './draw-form.ts';
import { formatSerial } from './qr-payload.ts';
import { addDrawingPage, createPdf } from './render-pdf.ts';
import { renderPng } from './render-raster.ts';
import type { Template } from './schema.ts';

export const MAX_FORMS_PER_RUN = 100_000;

export interface SerialRange {
  first: number;
  last: number;
}

/** Parse "1000-1099" or "1000"; throws with a message a user understands. */
export function parseSerialRange(text: string): SerialRange {
  const m = /^\s*(\d{1,9})\s*(?:-\s*(\d{1,9}))?\s*$/.exec(text);
  if (!m) throw new Error(`serials "${text}" should look like 1000-1099 (or a single serial)`);
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  if (last < first) throw new Error(`serial range ${text} is reversed: the first serial is larger than the last`);
  const count = last - first + 1;
  if (count > MAX_FORMS_PER_RUN) throw new Error(`serial range ${text} asks for ${count} forms; at most ${MAX_FORMS_PER_RUN} a run`);
  return { first, last };
}

export async function renderFormsPdf(template: Template, range: SerialRange, outFile: string): Promise<{ pages: number }> {
  const doc = await createPdf(`${template.title} ${formatSerial(range.first)}-${formatSerial(range.last)}`);
  for (let s = range.first; s <= range.last; s++) {
    for (const p of template.pages) addDrawingPage(doc, drawFormPage(template, formatSerial(s), p.number));
  }
  const bytes = await doc.save();
  writePrivateFileAtomic(outFile, Buffer.from(bytes));
  return { pages: doc.getPageCount() };
}

/** PNG previews, one file a page: <outDir>/<serial>-p<page>.png. */
export async function renderFormsPng(template: Template, range: SerialRange, outDir: string, dpi: number): Promise<{ pages: number; files: string[] }> {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  for (let s = range.first; s <= range.last; s++) {
    for (const p of template.pages) {
      const serial = formatSerial(s);
      const file = join(outDir, `${serial}-p${p.number}.png`);
      writePrivateFileAtomic(file, await renderPng(drawFormPage(template, serial, p.number), dpi));
      files.push(file);
    }
  }
  return { pages: files.length, files };
}
