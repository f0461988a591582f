// A contact sheet of every handwriting face: digits and capitals written into comb boxes by the synthesiser's own
// writer (writeCharInBox), one row a face, so a person can see faces whose glyphs come out clipped, tiny, huge or
// off their boxes before they write a corpus, and what pen pressure does to them.
// Usage: node --import tsx scripts/look-at-hands.ts OUT_DIR [pool|all] [pressure, e.g. 0.55 or 2]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HANDWRITING_FONTS, type FontPool } from '../src/synth/font-pools.ts';
import { createWriter, writeCharInBox } from '../src/synth/handwriting.ts';
import { createRng } from '../src/synth/rng.ts';
import { text, type Shape } from '../src/template/drawing.ts';
import { renderPng } from '../src/template/render-raster.ts';

const CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** The standard form's comb box. */
const BOX = { w: 5.2, h: 6.8 };
const LABEL_W = 42;
const ROW_H = 10;
const ROWS_PER_SHEET = 13;

const out = process.argv[2] ?? 'hands-sheets';
const pool = process.argv[3] && process.argv[3] !== 'all' ? (process.argv[3] as FontPool) : undefined;
const pressure = process.argv[4] ? Number(process.argv[4]) : 1;
mkdirSync(out, { recursive: true });
const faces = HANDWRITING_FONTS.filter((f) => !pool || f.pool === pool);
for (let s = 0; s * ROWS_PER_SHEET < faces.length; s++) {
  const rows = faces.slice(s * ROWS_PER_SHEET, (s + 1) * ROWS_PER_SHEET);
  const shapes: Shape[] = [];
  rows.forEach((face, r) => {
    const y = 4 + r * ROW_H;
    shapes.push(text(`${face.id} (${face.pool}${face.scale !== 1 ? `, x${face.scale}` : ''}${pressure !== 1 ? `, pressure ${pressure}` : ''})`, 2, y + 4.5, 2.6, { maxWidth: LABEL_W - 4 }));
    const rng = createRng(`look-${face.id}`);
    // A steady hand of middling size, so the faces compare with each other and not with their writers' habits.
    const writer = { ...createWriter(rng.fork('writer'), face.pool, face), capShare: 0.6, touchRate: 0, pressure, pressureJitter: 0, sizeJitter: 0.02, positionJitter: 0.02, baselineJitter: 0.02 };
    [...CHARS].forEach((ch, i) => {
      const box = { x: LABEL_W + i * BOX.w, y, ...BOX };
      shapes.push({ op: 'rect', ...box, stroke: '#5a5a5a', lineWidth: 0.25 });
      const g = writeCharInBox(writer, ch, box, rng);
      if (g) shapes.push(g);
    });
  });
  const drawing = { widthMm: LABEL_W + CHARS.length * BOX.w + 4, heightMm: 8 + rows.length * ROW_H, shapes };
  const file = join(out, `hands-${pressure !== 1 ? `p${pressure}-` : ''}${s + 1}.png`);
  writeFileSync(file, await renderPng(drawing, 200));
  console.log(file);
}
