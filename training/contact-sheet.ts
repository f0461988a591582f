// A contact sheet of stroke-writer cells as the classifier sees them (cellTensor output, ink dark, 2x): one row per
// character, one column per writer. For looking at the generator before training on it.
//   node --import tsx training/contact-sheet.ts [--chars 0123456789] [--writers 20] [--out contact.png]
import sharp from 'sharp';
import { BOX_CLASSES, NOT_A_CHARACTER } from '../src/recognition/box-classifier.ts';
import { CELL_SIZE, cellTensor } from '../src/recognition/cell-image.ts';
import { createRng } from '../src/synth/rng.ts';
import { sheetCells, type Content } from './font-cells.ts';
import { strokeHand } from './stroke-cells.ts';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1]! : d);
const classes = BOX_CLASSES.filter((c) => c !== NOT_A_CHARACTER);
const chars = [...opt('--chars', classes.join(''))];
const writers = Number(opt('--writers', '20'));
const out = opt('--out', 'training/data/contact-strokes.png');
const S = CELL_SIZE;
const Z = 2;
const W = writers * S * Z;
const H = chars.length * S * Z;
const img = Buffer.alloc(W * H, 255);
for (let w = 0; w < writers; w++) {
  const rng = createRng(`contact-${w}`);
  const contents: Content[] = chars.map((ch) => ({ kind: 'char', ch }));
  const cells = await sheetCells(strokeHand(rng.fork('writer')), contents, classes.join(''), rng);
  cells.forEach((c, r) => {
    const t = cellTensor(c.cell);
    for (let y = 0; y < S * Z; y++) {
      for (let x = 0; x < S * Z; x++) {
        // A grey rule between cells.
        const v = x === 0 || y === 0 ? 180 : Math.round(255 * (1 - Math.min(1, t[Math.floor(y / Z) * S + Math.floor(x / Z)]!)));
        img[(r * S * Z + y) * W + w * S * Z + x] = v;
      }
    }
  });
}
await sharp(img, { raw: { width: W, height: H, channels: 1 } }).png().toFile(out);
console.log(`${out}: ${chars.length} characters x ${writers} writers`);
