// Fits the box classifier's class-wise calibration (src/recognition/class-calibration.ts) on scanned forms written
// in the VALIDATION pool of hands, and writes the exponents into models/icr-boxes.json. Run after train:icr and
// before scripts/calibrate-template.ts (whose thresholds stand on the calibrated p), on forms kept apart from the
// ones calibrate-template measures thresholds on:
//   prf-backload synth --count 120 --seed box-calibration-validation-1 --hands validation --first-serial 50000 --out DIR
//   nice -n 10 node --import tsx training/fit-class-calibration.ts --corpus DIR [--job JOB] [--workers 2]
// The forms are scanned with the model WITHOUT its class-wise calibration (a copy of the model files with it left
// out), so the fit sees the network's own probabilities. The held-out fixture's figure is measured again on the
// calibrated model (a box whose best class is made less sure may change its reading), and the model card's
// class-calibration section is rewritten.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { scanJob } from '../src/job/scan.ts';
import { JobStore } from '../src/job/store.ts';
import { loadBoxClassifier, META_FILE, MODEL_FILE, NOT_A_CHARACTER, type BoxAlternative, type BoxCharset, type BoxModelMeta } from '../src/recognition/box-classifier.ts';
import { classKey, FIT_FROM_P, fitClassExponents, MIN_CLASS_BOXES, recalibrate, type BoxSample } from '../src/recognition/class-calibration.ts';
import { charsetOf } from '../src/recognition/read-page.ts';
import { fontById } from '../src/synth/font-pools.ts';
import { loadTemplate } from '../src/template/load.ts';
import { tensorAt } from './evaluate.ts';
import { boxLabels } from './scan-cells.ts';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', multiple: true },
    job: { type: 'string' },
    workers: { type: 'string', default: '2' },
    models: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelDir = resolve(args.models ?? join(root, 'models'));
const corpora = (args.corpus ?? []).map((d) => resolve(d));
if (!corpora.length) throw new Error('--corpus DIR (forms synthesised with --hands validation) is needed');
const work = join(root, '.scratch', 'fit-class-calibration');
const template = loadTemplate('standard-prf');

// The forms' truth, checked to be validation hands (never the bench's test pool, never the training pool).
interface Truth {
  serial: string;
  seed: unknown;
  fields: Record<string, { written?: unknown; correction?: { box: number } }>;
  synth?: { writer?: { font?: string } };
}
const truths = new Map<string, Truth>();
const seeds = new Set<string>();
for (const d of corpora) {
  for (const f of readdirSync(join(d, 'truth')).filter((x) => x.endsWith('.json'))) {
    const t = JSON.parse(readFileSync(join(d, 'truth', f), 'utf8')) as Truth;
    const pool = fontById(t.synth?.writer?.font ?? '')?.pool;
    if (pool !== 'validation') throw new Error(`${join(d, 'truth', f)}: written with a font of the ${pool ?? 'unknown'} pool; fit on validation hands only`);
    truths.set(String(t.serial), t);
    seeds.add(String(t.seed));
  }
}

// The model as the network gives it: the same files without the class-wise calibration.
const meta = JSON.parse(readFileSync(join(modelDir, META_FILE), 'utf8')) as BoxModelMeta & { classCalibration?: unknown };
const { classExponents: _old, classCalibration: _oldNote, ...plain } = meta;
const plainDir = join(work, 'model-uncalibrated');
rmSync(plainDir, { recursive: true, force: true });
mkdirSync(plainDir, { recursive: true });
copyFileSync(join(modelDir, MODEL_FILE), join(plainDir, MODEL_FILE));
writeFileSync(join(plainDir, META_FILE), JSON.stringify(plain, null, 2) + '\n');

const jobDir = args.job ? resolve(args.job) : join(work, 'job');
if (!args.job) {
  rmSync(jobDir, { recursive: true, force: true });
  await scanJob({ inputs: corpora.map((d) => join(d, 'scans')), jobDir, template, workers: Number(args.workers), modelDir: plainDir });
}

// Every box the classifier read (ink in it), with what was written there.
const fieldsById = new Map(template.fields.map((f) => [f.id, f]));
const samples = new Map<string, BoxSample[]>();
const boxes: { cs: BoxCharset; alts: BoxAlternative[]; label: string }[] = [];
const store = JobStore.open(jobDir);
for (const r of store.db.prepare('SELECT serial, field_id, alternatives_json FROM fields WHERE alternatives_json IS NOT NULL').all() as { serial: string; field_id: string; alternatives_json: string }[]) {
  const field = fieldsById.get(r.field_id);
  const truth = truths.get(r.serial)?.fields[r.field_id];
  if (!field || !truth) continue;
  const alts = JSON.parse(r.alternatives_json) as BoxAlternative[][];
  const labels = boxLabels(truth as Parameters<typeof boxLabels>[0], alts.length);
  const cs = charsetOf(field);
  alts.forEach((a, i) => {
    const best = a[0];
    // An empty box (the ink test's, not the classifier's) and a corrected box (two characters in it) say nothing.
    if (!best || best.char === ' ' || truth.correction?.box === i) return;
    const label = labels[i] ?? NOT_A_CHARACTER;
    const key = classKey(cs, best.char);
    if (!samples.has(key)) samples.set(key, []);
    samples.get(key)!.push({ p: best.p, right: best.char === label });
    boxes.push({ cs, alts: a, label });
  });
}
store.close();
const exponents = fitClassExponents(samples);

// What the calibration changes on these boxes: wrong readings the classifier is sure of, before and after.
const sure = [0.99, 0.999];
const tally = (ex: Record<string, number>) => {
  const after = boxes.map((b) => recalibrate(b.cs, b.alts, ex)[0]!);
  return {
    right: after.filter((a, i) => a.char === boxes[i]!.label).length,
    wrongAt: sure.map((t) => after.filter((a, i) => a.p >= t && a.char !== boxes[i]!.label).length),
    rightAt: sure.map((t) => after.filter((a, i) => a.p >= t && a.char === boxes[i]!.label).length),
  };
};
const before = tally({});
const after = tally(exponents);

if (args['dry-run']) {
  console.log(JSON.stringify({ exponents, before, after }, null, 1));
  process.exit(0);
}

// The model files with the calibration, then the held-out fixture measured again on them.
const measuredOn = { forms: truths.size, boxes: boxes.length, hands: 'validation', seeds: [...seeds].sort() };
writeFileSync(join(modelDir, META_FILE), JSON.stringify({ ...plain, classExponents: exponents, classCalibration: { measuredOn } }, null, 2) + '\n');
const clf = await loadBoxClassifier({ modelDir });
const fixtureDir = join(root, 'fixtures', 'icr-heldout');
const fixture = JSON.parse(readFileSync(join(fixtureDir, 'cells.json'), 'utf8')) as { modelVersion: string; accuracy: number; labels: string[]; charsets: BoxCharset[] };
const x = gunzipSync(readFileSync(join(fixtureDir, 'cells.u8.gz')));
let chars = 0;
let right = 0;
for (const cs of ['digits', 'letters', 'alnum', 'dose'] as const) {
  const idx = fixture.charsets.flatMap((c, i) => (c === cs ? [i] : []));
  const read = await clf.classify(cs, idx.map((i) => tensorAt(x, i)));
  read.forEach((a, k) => {
    const label = fixture.labels[idx[k]!]!;
    if (label === NOT_A_CHARACTER) return;
    chars++;
    if (a[0]!.char === label) right++;
  });
}
const fixtureBefore = fixture.accuracy;
fixture.modelVersion = clf.modelVersion;
fixture.accuracy = Number((right / chars).toFixed(4));
writeFileSync(join(fixtureDir, 'cells.json'), JSON.stringify(fixture) + '\n'); // one line, as evaluate.ts writes it
await clf.release();

// The model card's section, rewritten in place.
const rows = Object.entries(exponents).map(([k, a]) => {
  const s = samples.get(k)!.filter((q) => q.p >= FIT_FROM_P);
  const expected = s.reduce((sum, q) => sum + (1 - q.p), 0);
  return `| ${k.replace(/:$/, ':(not a character)')} | ${s.length} | ${s.filter((q) => !q.right).length} | ${expected.toFixed(1)} | ${a} |`;
});
const section = [
  '<!-- class-calibration: written by training/fit-class-calibration.ts -->',
  '## Class-wise calibration',
  '',
  `One temperature leaves the network's p meaning different things for different characters: at the same p, some`,
  `best classes are wrong far less often than p says and others nearly as often (the table: boxes read at p >= ${FIT_FROM_P},`,
  `wrong among them, and the wrong the network's p expects). Each (charset, best class) with at least ${MIN_CLASS_BOXES} such`,
  `boxes gets its own exponent a (best p becomes p^a; the other alternatives are never raised), fitted on`,
  `${boxes.length} scanned boxes of ${truths.size} forms in the validation hands (seeds ${measuredOn.seeds.join(', ')}), kept apart from the forms`,
  `the template's thresholds are measured on. Model ${clf.modelVersion}; the figures above this section were measured`,
  `before it (the calibration changes a box's reading only where its best class is made less sure than its second).`,
  '',
  '| on the fitting boxes | before | after |',
  '|---|---|---|',
  `| best character right | ${before.right} of ${boxes.length} | ${after.right} of ${boxes.length} |`,
  ...sure.map((t, i) => `| wrong with p >= ${t} | ${before.wrongAt[i]} | ${after.wrongAt[i]} |`),
  ...sure.map((t, i) => `| right with p >= ${t} | ${before.rightAt[i]} | ${after.rightAt[i]} |`),
  `| held-out fixture, best character right | ${(fixtureBefore * 100).toFixed(2)}% | ${(fixture.accuracy * 100).toFixed(2)}% |`,
  '',
  `| class | boxes at p >= ${FIT_FROM_P} | wrong | wrong expected | exponent |`,
  '|---|---|---|---|---|',
  ...rows,
  '<!-- /class-calibration -->',
].join('\n');
const cardPath = join(root, 'docs', 'model-card-icr.md');
const card = readFileSync(cardPath, 'utf8');
const marked = /<!-- class-calibration[^>]*-->[\s\S]*<!-- \/class-calibration -->/;
writeFileSync(cardPath, marked.test(card) ? card.replace(marked, section) : `${card.trimEnd()}\n\n${section}\n`);
console.log(section);
