// Builds the box classifier's data set in Node, with the reader's own cutCell and cellTensor (Python only reads the
// tensors written here). Splits, by writer: train = MNIST train 0-54,999, train-pool fonts (plus Debian's
// fonts-breip, fonts-rufscript, fonts-kristi, fonts-sjfonts where installed) and synth --hands train scans;
// validation = MNIST train 55,000-59,999, validation-pool fonts and scans (early stopping, temperature);
// test = MNIST's test set, test-pool fonts and scans (the model card's numbers only, never for choices).
// Files per split under --out: <split>.x.u8 (N x 784 uint8), <split>.y.u8 (class index), <split>.src.u8
// (0 MNIST, 1 font, 2 scan), plus dataset.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fontkit from 'fontkit';
import { BOX_CLASSES, CHARSETS } from '../src/recognition/box-classifier.ts';
import { cellTensor } from '../src/recognition/cell-image.ts';
import { fontsOfPool, type FontPool } from '../src/synth/font-pools.ts';
import { createRng } from '../src/synth/rng.ts';
import { loadPackagedFont } from '../src/template/drawing.ts';
import { fontCells, toBytes, type FontFace, type LabelledCells } from './font-cells.ts';
import { readMnist } from './mnist.ts';
import { scanCells } from './scan-cells.ts';

/** The Debian handwriting fonts the training tool may use (no others: the team keeps those for a hold-out). */
export const DEBIAN_TRAIN_FONTS = [
  '/usr/share/fonts/truetype/breip/Breip.ttf',
  '/usr/share/fonts/truetype/kristi/Kristi.ttf',
  '/usr/share/fonts/truetype/rufscript/Rufscript010.ttf',
  '/usr/share/fonts/truetype/sjfonts/Delphine.ttf',
  '/usr/share/fonts/truetype/sjfonts/SteveHand.ttf',
];

export interface BuildSizes {
  mnistTrain: number;
  fontCells: Record<FontPool, number>;
  scanForms: Record<FontPool, number>;
}

export const FULL: BuildSizes = { mnistTrain: 55000, fontCells: { train: 60000, validation: 8000, test: 8000 }, scanForms: { train: 90, validation: 16, test: 20 } };
export const QUICK: BuildSizes = { mnistTrain: 20000, fontCells: { train: 20000, validation: 3000, test: 3000 }, scanForms: { train: 0, validation: 0, test: 0 } };

const ALL_CHARS = [...new Set(Object.values(CHARSETS).join(''))].join('');

function faces(pool: FontPool): FontFace[] {
  const out: FontFace[] = fontsOfPool(pool).map((f) => ({ id: f.id, font: loadPackagedFont(f.file) }));
  if (pool === 'train') {
    for (const file of DEBIAN_TRAIN_FONTS) {
      if (existsSync(file)) out.push({ id: file.split('/').pop()!.replace(/\.ttf$/, ''), font: fontkit.create(readFileSync(file)) as fontkit.Font });
    }
  }
  return out;
}

class Split {
  x: Uint8Array[] = [];
  y: number[] = [];
  src: number[] = [];
  add(cells: LabelledCells, source: number): void {
    cells.tensors.forEach((t, i) => {
      const c = BOX_CLASSES.indexOf(cells.labels[i]!);
      if (c < 0) throw new Error(`label ${JSON.stringify(cells.labels[i])} is not a class`);
      this.x.push(t);
      this.y.push(c);
      this.src.push(source);
    });
  }
  write(dir: string, name: string): void {
    const x = new Uint8Array(this.x.length * 784);
    this.x.forEach((t, i) => x.set(t, i * 784));
    writeFileSync(join(dir, `${name}.x.u8`), x);
    writeFileSync(join(dir, `${name}.y.u8`), Uint8Array.from(this.y));
    writeFileSync(join(dir, `${name}.src.u8`), Uint8Array.from(this.src));
  }
}

export async function buildDataset(outDir: string, seed: string, sizes: BuildSizes, log: (s: string) => void = console.log): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const root = createRng(seed);
  const splits: Record<FontPool, Split> = { train: new Split(), validation: new Split(), test: new Split() };
  const mn = (set: 'train' | 'test', from: number, to: number): LabelledCells => {
    const m = readMnist(set, from, to);
    return { tensors: m.images.map((im) => toBytes(cellTensor(im))), labels: m.labels };
  };
  splits.train.add(mn('train', 0, sizes.mnistTrain), 0);
  splits.validation.add(mn('train', 55000, 60000), 0);
  splits.test.add(mn('test', 0, 10000), 0);
  log(`mnist: ${sizes.mnistTrain} train, 5000 validation, 10000 test`);
  for (const pool of ['train', 'validation', 'test'] as const) {
    const t0 = performance.now();
    const cells = await fontCells(faces(pool), sizes.fontCells[pool], root.fork(`fonts-${pool}`), { chars: ALL_CHARS, digitWeight: 2.5, noiseShare: 0.12 });
    splits[pool].add(cells, 1);
    log(`fonts ${pool}: ${cells.labels.length} cells in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  for (const pool of ['train', 'validation', 'test'] as const) {
    if (!sizes.scanForms[pool]) continue;
    const t0 = performance.now();
    const cells = await scanCells(pool, sizes.scanForms[pool], `${seed}-scan-${pool}`, join(outDir, `synth-${pool}`));
    splits[pool].add(cells, 2);
    log(`scans ${pool}: ${cells.labels.length} cells from ${sizes.scanForms[pool]} forms in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const meta = {
    seed,
    classes: BOX_CLASSES,
    sources: ['mnist', 'font', 'scan'],
    families: Object.fromEntries((['train', 'validation', 'test'] as const).map((p) => [p, faces(p).map((f) => f.id)])),
    counts: Object.fromEntries(Object.entries(splits).map(([k, s]) => [k, s.y.length])),
  };
  for (const [name, s] of Object.entries(splits)) s.write(outDir, name);
  writeFileSync(join(outDir, 'dataset.json'), JSON.stringify(meta, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const out = args[args.indexOf('--out') + 1] ?? 'training/data';
  const quick = args.includes('--quick');
  await buildDataset(args.includes('--out') ? out : 'training/data', 'icr-1', quick ? QUICK : FULL);
}
