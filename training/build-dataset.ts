// Builds the box classifier's data set in Node, with the reader's own cutCell and cellTensor (Python only reads the
// tensors written here). Splits, by writer: train = MNIST train 0-54,999, train-pool fonts (plus Debian's
// fonts-breip, fonts-rufscript, fonts-kristi, fonts-sjfonts where installed), procedural stroke writers
// (stroke-cells.ts, train only: they are no pool's hand) and synth --hands train scans;
// validation = MNIST train 55,000-59,999, validation-pool fonts and scans (early stopping, temperature);
// test = MNIST's test set, test-pool fonts and scans (the model card's numbers only, never for choices).
// Files per split under --out: <split>.x.u8 (N x CELL_INPUT uint8: pixels, then geometry), <split>.y.u8 (class index), <split>.src.u8
// (SOURCES: 0 MNIST, 1 font, 2 scan, 3 stroke), plus dataset.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fontkit from 'fontkit';
import { BOX_CLASSES, CHARSETS, type BoxCharset } from '../src/recognition/box-classifier.ts';
import { CELL_INPUT, cellTensor } from '../src/recognition/cell-image.ts';
import { fontsOfPool, type FontPool } from '../src/synth/font-pools.ts';
import { createRng } from '../src/synth/rng.ts';
import { loadPackagedFont } from '../src/template/drawing.ts';
import { fontCells, toBytes, type FontFace, type LabelledCells } from './font-cells.ts';
import { readMnist } from './mnist.ts';
import { scanCells } from './scan-cells.ts';
import { strokeCells } from './stroke-cells.ts';

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
  /** Cells from procedural stroke writers (train split only). */
  strokeCells: number;
  fontCells: Record<FontPool, number>;
  scanForms: Record<FontPool, number>;
}

export const FULL: BuildSizes = { mnistTrain: 30000, strokeCells: 40000, fontCells: { train: 40000, validation: 4000, test: 4000 }, scanForms: { train: 160, validation: 16, test: 14 } };
export const QUICK: BuildSizes = { mnistTrain: 20000, strokeCells: 10000, fontCells: { train: 20000, validation: 3000, test: 3000 }, scanForms: { train: 0, validation: 0, test: 0 } };

/** Source index in <split>.src.u8. */
export const SOURCES = ['mnist', 'font', 'scan', 'stroke'] as const;

/** Charset index in <split>.cs.u8. */
export const CHARSET_NAMES: BoxCharset[] = ['digits', 'letters', 'alnum', 'dose'];

export const SEED = 'icr-1';

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
  cs: number[] = [];
  add(cells: LabelledCells, source: number): void {
    cells.tensors.forEach((t, i) => {
      const c = BOX_CLASSES.indexOf(cells.labels[i]!);
      if (c < 0) throw new Error(`label ${JSON.stringify(cells.labels[i])} is not a class`);
      this.x.push(t);
      this.y.push(c);
      this.src.push(source);
      this.cs.push(CHARSET_NAMES.indexOf(cells.charsets[i]!));
    });
  }
  write(dir: string, name: string): void {
    const x = new Uint8Array(this.x.length * CELL_INPUT);
    this.x.forEach((t, i) => x.set(t, i * CELL_INPUT));
    writeFileSync(join(dir, `${name}.x.u8`), x);
    writeFileSync(join(dir, `${name}.y.u8`), Uint8Array.from(this.y));
    writeFileSync(join(dir, `${name}.src.u8`), Uint8Array.from(this.src));
    writeFileSync(join(dir, `${name}.cs.u8`), Uint8Array.from(this.cs));
  }
}

export type Part = 'mnist' | 'strokes' | `fonts-${FontPool}` | `scans-${FontPool}`;
export const PARTS: Part[] = ['mnist', 'strokes', 'fonts-train', 'fonts-validation', 'fonts-test', 'scans-train', 'scans-validation', 'scans-test'];

const CELL_OPTIONS = { chars: ALL_CHARS, digitWeight: 2.5, noiseShare: 0.12 };

/** Build one part of the data set into <out>/parts/<part>.*: parts are independent, so they can run in parallel. */
export async function buildPart(outDir: string, seed: string, sizes: BuildSizes, part: Part, log: (s: string) => void = console.log): Promise<void> {
  const dir = join(outDir, 'parts');
  mkdirSync(dir, { recursive: true });
  const root = createRng(seed);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const splits: Partial<Record<FontPool, Split>> = {};
  const add = (pool: FontPool, cells: LabelledCells, source: (typeof SOURCES)[number]) => (splits[pool] ??= new Split()).add(cells, SOURCES.indexOf(source));
  if (part === 'mnist') {
    const mn = (set: 'train' | 'test', from: number, to: number): LabelledCells => {
      const m = readMnist(set, from, to);
      return { tensors: m.images.map((im) => toBytes(cellTensor(im))), labels: m.labels, charsets: m.labels.map(() => 'digits') };
    };
    add('train', mn('train', 0, sizes.mnistTrain), 'mnist');
    add('validation', mn('train', 55000, 60000), 'mnist');
    add('test', mn('test', 0, 10000), 'mnist');
  } else if (part === 'strokes') {
    add('train', await strokeCells(sizes.strokeCells, root.fork('strokes'), CELL_OPTIONS), 'stroke');
  } else {
    const [kind, pool] = part.split('-') as ['fonts' | 'scans', FontPool];
    if (kind === 'fonts') {
      add(pool, await fontCells(faces(pool), sizes.fontCells[pool], root.fork(`fonts-${pool}`), CELL_OPTIONS), 'font');
    } else if (sizes.scanForms[pool]) {
      add(pool, await scanCells(pool, sizes.scanForms[pool], `${seed}-scan-${pool}`, join(outDir, `synth-${pool}`)), 'scan');
    }
  }
  for (const [pool, sp] of Object.entries(splits)) sp.write(dir, `${part}.${pool}`);
  const cpu = process.cpuUsage(c0);
  const stats = { part, cells: Object.values(splits).reduce((n, sp) => n + sp.y.length, 0), wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  writeFileSync(join(dir, `${part}.json`), JSON.stringify(stats) + '\n');
  log(`${part}: ${stats.cells} cells, ${stats.cpuSeconds.toFixed(0)} s CPU, ${stats.wallSeconds.toFixed(0)} s wall`);
}

/** Join the parts into <split>.{x,y,src,cs}.u8 and write dataset.json and build-report.json. */
export function combineParts(outDir: string, seed: string): void {
  const dir = join(outDir, 'parts');
  const counts: Record<string, number> = {};
  let cpuSeconds = 0;
  let wallSeconds = 0;
  for (const part of PARTS) {
    if (!existsSync(join(dir, `${part}.json`))) continue;
    const st = JSON.parse(readFileSync(join(dir, `${part}.json`), 'utf8'));
    cpuSeconds += st.cpuSeconds;
    wallSeconds += st.wallSeconds;
  }
  for (const pool of ['train', 'validation', 'test'] as const) {
    const pieces = PARTS.filter((p) => existsSync(join(dir, `${p}.${pool}.y.u8`)));
    for (const ext of ['x', 'y', 'src', 'cs']) {
      writeFileSync(join(outDir, `${pool}.${ext}.u8`), Buffer.concat(pieces.map((p) => readFileSync(join(dir, `${p}.${pool}.${ext}.u8`)))));
    }
    counts[pool] = readFileSync(join(outDir, `${pool}.y.u8`)).length;
  }
  const meta = {
    seed,
    classes: BOX_CLASSES,
    inputLength: CELL_INPUT,
    sources: SOURCES,
    charsets: CHARSET_NAMES,
    families: Object.fromEntries((['train', 'validation', 'test'] as const).map((p) => [p, faces(p).map((f) => f.id)])),
    counts,
  };
  writeFileSync(join(outDir, 'dataset.json'), JSON.stringify(meta, null, 2) + '\n');
  writeFileSync(join(outDir, 'build-report.json'), JSON.stringify({ cpuSeconds: Math.round(cpuSeconds), wallSecondsSummedOverParts: Math.round(wallSeconds) }) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // build-dataset.ts [--out dir] [--quick] (--part <part> | --combine)
  const args = process.argv.slice(2);
  const opt = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  const out = opt('--out') ?? 'training/data';
  const sizes = args.includes('--quick') ? QUICK : FULL;
  const part = opt('--part') as Part | undefined;
  if (part) {
    if (!PARTS.includes(part)) throw new Error(`--part must be one of ${PARTS.join(', ')}`);
    await buildPart(out, SEED, sizes, part);
  } else if (args.includes('--combine')) combineParts(out, SEED);
  else {
    for (const p of PARTS) await buildPart(out, SEED, sizes, p);
    combineParts(out, SEED);
  }
}
