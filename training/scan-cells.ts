// Training cells cut exactly as the reader cuts them: forms written by one pool of hands (synth --hands <pool>,
// every scanning profile), then the real path — decode, QR identify, register, warp to the canonical page — and
// refineBoxes + cutCell + cellTensor per comb box, labelled from the truth files. Boxes the reader would classify
// (ink above its blank cut-off) with nothing written in them are kept as not-a-character examples.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodePages } from '../src/imaging/decode.ts';
import type { GrayImage } from '../src/imaging/gray.ts';
import { findQr } from '../src/imaging/qr.ts';
import { estimatePxPerMm, registerWithQr } from '../src/imaging/register.ts';
import { warpToTemplate } from '../src/imaging/warp.ts';
import type { BoxCharset } from '../src/recognition/box-classifier.ts';
import { cellTensor, cutCell } from '../src/recognition/cell-image.ts';
import { inkThreshold, locateCombs } from '../src/recognition/read-page.ts';
import type { FontPool } from '../src/synth/font-pools.ts';
import { synthesise, type SynthTruth } from '../src/synth/synth.ts';
import type { FieldTruth } from '../src/synth/truth.ts';
import { loadTemplate } from '../src/template/load.ts';
import { decodePageIdentity } from '../src/template/qr-payload.ts';
import type { Template } from '../src/template/schema.ts';
import { toBytes, type LabelledCells } from './font-cells.ts';

/** One labelled cell as the reader sees it, with where it came from (for fixtures). */
export interface ScanCell {
  cell: GrayImage;
  label: string;
  charset: BoxCharset;
  profile: string;
  font: string;
  fieldId: string;
  /** The box's place in its field, from 0. */
  box: number;
}

/** Synthesise `forms` forms written by `pool` hands into dir, then cut every inked comb box through the scan path. */
export async function scanCells(pool: FontPool, forms: number, seed: string, dir: string): Promise<LabelledCells> {
  const out: LabelledCells = { tensors: [], labels: [], charsets: [] };
  for await (const c of scanCellsOf(pool, forms, seed, dir)) {
    out.tensors.push(toBytes(cellTensor(c.cell)));
    out.labels.push(c.label);
    out.charsets.push(c.charset);
  }
  return out;
}

export async function* scanCellsOf(pool: FontPool, forms: number, seed: string, dir: string): AsyncGenerator<ScanCell> {
  const template = loadTemplate('standard-prf');
  await synthesise({ count: forms, seed, outDir: dir, template, profile: 'mixed', hands: pool });
  const truthDir = join(dir, 'truth');
  // Truth per (file, page index): which form page lies there.
  const where = new Map<string, { truth: SynthTruth; page: number }>();
  for (const f of readdirSync(truthDir).sort()) {
    const truth = JSON.parse(readFileSync(join(truthDir, f), 'utf8')) as SynthTruth;
    for (const p of truth.pages) where.set(`${resolve(truthDir, p.file)}#${p.pageIndex}`, { truth, page: p.page });
  }
  const files = [...new Set([...where.keys()].map((k) => k.split('#')[0]!))].sort();
  for (const file of files) {
    for await (const page of decodePages(file)) {
      const at = where.get(`${file}#${page.pageIndex}`);
      if (!at || !page.image) continue;
      const canon = canonicalPage(page.image, page.dpi, template);
      if (!canon) continue;
      const profile = at.truth.pages.find((p) => p.page === at.page)!.scan.profile;
      yield* cellsOfPage(canon, template, at.page, at.truth, profile);
    }
  }
}

/** The page warped to template space through the reader's own QR identify and registration, or null if that fails. */
export function canonicalPage(image: { data: Buffer; width: number; height: number }, dpi: number | undefined, template: Template): GrayImage | null {
  const img: GrayImage = { data: image.data, width: image.width, height: image.height };
  const pxPerMm = estimatePxPerMm(img, dpi, template);
  const qr = findQr(img, pxPerMm, (p) => decodePageIdentity(p) !== null);
  if (!qr) return null;
  const fit = registerWithQr(img, template, qr);
  if ('failed' in fit) return null;
  return warpToTemplate(fit.upright, fit.h, template.pageSize.widthMm, template.pageSize.heightMm);
}

/**
 * The label of each box of a comb field: the truth's `written` is already one character a box (a space for an
 * empty one), so it is read as it stands, never passed through combCharacters again (that re-aligns a decimal's
 * digits and would label a 3 as 7). A box the writer corrected (overwritten, or scribbled out and rewritten
 * outside it) shows more than one character: it is a not-a-character example.
 */
export function boxLabels(field: FieldTruth | undefined, boxes: number): string[] {
  const written = typeof field?.written === 'string' ? [...field.written] : [];
  return Array.from({ length: boxes }, (_, i) => (field?.correction?.box === i || written[i] === undefined || written[i] === ' ' ? '' : written[i]!));
}

export function* cellsOfPage(canon: GrayImage, template: Template, pageNo: number, truth: SynthTruth, profile: string): Generator<ScanCell> {
  const threshold = inkThreshold(canon);
  // The reader's own box location and ink test (faint ink counted as blank: only boxes the reader classifies with
  // confidence to spare are training data).
  const fields = template.fields.filter((f) => f.page === pageNo);
  const lineOf = new Map([...locateCombs(canon, fields, threshold, threshold)].flatMap(([charset, lines]) => lines.map((l) => [l.field.id, { charset, l }] as const)));
  for (const f of fields) {
    const found = lineOf.get(f.id);
    if (!found) continue;
    const chars = boxLabels(truth.fields[f.id], found.l.boxes.length);
    for (const [i, b] of found.l.boxes.entries()) {
      // What the reader classifies: boxes with ink. An empty box with ink in it (noise) is a not-a-character example.
      if (found.l.ink[i] !== 'ink') continue;
      yield { cell: cutCell(canon, b, threshold), label: chars[i] ?? '', charset: found.charset, profile, font: truth.synth.writer.font, fieldId: f.id, box: i };
    }
  }
}
