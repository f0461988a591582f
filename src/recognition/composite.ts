// Builds one OCR image out of many comb fields (one line a field, one cell a box) so that a page needs a handful of
// tesseract calls rather than one a field, and maps tesseract's symbols back to the cell each came from.
import { createGray, type GrayImage } from '../imaging/gray.ts';
import type { OcrResult } from './pool.ts';

export interface CompositeCell {
  /** Which line (field) and which box of it. */
  line: number;
  cell: number;
  image: GrayImage;
}

export interface CompositeLayout {
  image: GrayImage;
  /** Where each placed cell lies in the composite. */
  placed: { line: number; cell: number; x: number; y: number; w: number; h: number }[];
  lineHeight: number;
}

const PAD = 24;

/** The ink's bounding box inside a cell (null when the cell holds no dark pixel). */
function inkBounds(img: GrayImage, threshold = 160): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = img.width, y0 = img.height, x1 = -1, y1 = -1;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[y * img.width + x]! < threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Widest composite row, in pixels: long enough to hold several fields, short enough for tesseract's line model. */
const MAX_ROW_WIDTH = 1400;

/**
 * Lay the cells out as text: each character cut to its ink and set beside the previous one at handwriting spacing,
 * bottoms aligned, so tesseract reads words rather than isolated boxes (it reads those badly). An empty box inside a
 * field becomes a space; fields follow one another along a row, a wide gap apart, and wrap to a new row. A field of
 * one character thus sits among others, where tesseract does not drop it as noise.
 */
export function buildComposite(cells: CompositeCell[], cellW: number, cellH: number): CompositeLayout {
  const gap = Math.max(3, Math.round(cellH * 0.16));
  const wordGap = Math.round(cellW * 0.8);
  const fieldGap = Math.round(cellW * 1.8);
  const lineHeight = Math.round(cellH * 1.9);
  const byLine = new Map<number, CompositeCell[]>();
  for (const c of [...cells].sort((a, b) => a.line - b.line || a.cell - b.cell)) {
    if (!byLine.has(c.line)) byLine.set(c.line, []);
    byLine.get(c.line)!.push(c);
  }
  const pieces: { c: CompositeCell; b: { x0: number; y0: number; x1: number; y1: number }; x: number; row: number }[] = [];
  let row = 0;
  let cursor = PAD;
  for (const fieldCells of byLine.values()) {
    const bounds = fieldCells.map((c) => inkBounds(c.image) ?? { x0: 0, y0: 0, x1: c.image.width, y1: c.image.height });
    let width = 0;
    fieldCells.forEach((c, i) => {
      if (i > 0) width += c.cell - fieldCells[i - 1]!.cell > 1 ? wordGap : gap;
      width += bounds[i]!.x1 - bounds[i]!.x0;
    });
    if (cursor > PAD && cursor + fieldGap + width > MAX_ROW_WIDTH) {
      row++;
      cursor = PAD;
    } else if (cursor > PAD) cursor += fieldGap;
    fieldCells.forEach((c, i) => {
      if (i > 0) cursor += c.cell - fieldCells[i - 1]!.cell > 1 ? wordGap : gap;
      pieces.push({ c, b: bounds[i]!, x: cursor, row });
      cursor += bounds[i]!.x1 - bounds[i]!.x0;
    });
  }
  const rows = pieces.length ? row + 1 : 0;
  const width = Math.max(PAD * 2, ...pieces.map((p) => p.x + (p.b.x1 - p.b.x0) + PAD));
  const height = PAD * 2 + rows * lineHeight;
  const img = createGray(width, height);
  const placed: CompositeLayout['placed'] = [];
  for (const { c, b, x, row: r0 } of pieces) {
    const w = b.x1 - b.x0;
    const h = b.y1 - b.y0;
    // Bottom of the ink sits on the row's baseline.
    const y = PAD + r0 * lineHeight + cellH - h;
    for (let r = 0; r < h; r++) {
      const from = (b.y0 + r) * c.image.width + b.x0;
      img.data.set(c.image.data.subarray(from, from + w), (y + r) * width + x);
    }
    placed.push({ line: c.line, cell: c.cell, x, y, w, h });
  }
  return { image: img, placed, lineHeight };
}

export interface CellReading {
  text: string;
  confidence: number;
}

/**
 * Assign every OCR symbol to the placed cell its centre falls in. A cell with no symbol reads '?' (ink that was not
 * recognised); a cell with two symbols keeps the more confident with its confidence halved.
 */
export function assignSymbols(layout: CompositeLayout, result: OcrResult): Map<string, CellReading> {
  const out = new Map<string, CellReading>();
  const key = (line: number, cell: number) => `${line}:${cell}`;
  const symbols = result.lines.flatMap((l) => l.symbols);
  for (const p of layout.placed) {
    const inCell = symbols.filter((s) => {
      const cx = (s.bbox.x0 + s.bbox.x1) / 2;
      const cy = (s.bbox.y0 + s.bbox.y1) / 2;
      return cx >= p.x - 1 && cx < p.x + p.w + 1 && cy >= p.y - layout.lineHeight / 3 && cy < p.y + p.h + layout.lineHeight / 3;
    });
    if (inCell.length === 0) {
      out.set(key(p.line, p.cell), { text: '?', confidence: 0 });
    } else {
      inCell.sort((a, b) => b.confidence - a.confidence);
      const top = inCell[0]!;
      out.set(key(p.line, p.cell), {
        text: top.text.slice(0, 1) || '?',
        confidence: (top.confidence / 100) * (inCell.length > 1 || top.text.length > 1 ? 0.5 : 1),
      });
    }
  }
  return out;
}
