// Calibrates the thresholds standard-prf ships with, so a new user's first scan accepts handwriting: synthetic
// forms written in the VALIDATION pool of hands (never the test pool the benchmark uses), scanned with the committed
// box model, scored, calibrated (target: 1 wrong in 1,000 accepted). Writes src/template/standard-thresholds.json
// and rebuilds templates/standard-prf.json from it. Run after every new box model:
//   nice -n 10 node --import tsx scripts/calibrate-template.ts [--forms 80] [--seed calib-validation] [--corpus DIR ...]
// --corpus reuses folders `synth --hands validation` already wrote (their truth is scored; nothing is synthesised);
// with --job as well, that job, already scanned from the corpus with the committed model, is scored as it stands.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scanJob } from '../src/job/scan.ts';
import { calibrateJob, loadTruthDir } from '../src/job/score.ts';
import { JobStore } from '../src/job/store.ts';
import { importCadLog } from '../src/job/cad-import.ts';
import { synthesise } from '../src/synth/synth.ts';
import { fontById } from '../src/synth/font-pools.ts';
import { loadTemplate } from '../src/template/load.ts';

const { values: args } = parseArgs({
  options: {
    forms: { type: 'string', default: '80' },
    seed: { type: 'string', default: 'calib-validation' },
    corpus: { type: 'string', multiple: true },
    workers: { type: 'string', default: '2' },
    job: { type: 'string' },
    target: { type: 'string', default: '0.001' },
    'model-dir': { type: 'string' },
  },
});
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, '.scratch', 'calibrate-template');
const template = loadTemplate('standard-prf');

let corpora = args.corpus ?? [];
const seeds: string[] = [];
if (!corpora.length) {
  rmSync(work, { recursive: true, force: true });
  const dir = join(work, 'corpus');
  await synthesise({ count: Number(args.forms), seed: args.seed!, outDir: dir, template, profile: 'mixed', hands: 'validation' });
  corpora = [dir];
  seeds.push(args.seed!);
}
const truths = corpora.flatMap((d) => loadTruthDir(join(d, 'truth')));
// Never calibrate on hands of the test pool (the benchmark's) or the training pool: check every form's writer.
for (const d of corpora) {
  for (const f of readdirSync(join(d, 'truth')).filter((x) => x.endsWith('.json'))) {
    const raw = JSON.parse(readFileSync(join(d, 'truth', f), 'utf8')) as { serial: string; seed: unknown; synth?: { writer?: { font?: string } } };
    const pool = fontById(raw.synth?.writer?.font ?? '')?.pool;
    if (pool !== 'validation') throw new Error(`${join(d, 'truth', f)}: written with a font of the ${pool ?? 'unknown'} pool; calibrate on validation hands only`);
    seeds.push(String(raw.seed));
  }
}
if (args.job && !args.corpus?.length) throw new Error('--job needs --corpus: the folders whose truth the job was scanned from');
const jobDir = args.job ? resolve(args.job) : join(work, 'job');
mkdirSync(work, { recursive: true });
if (!args.job) rmSync(jobDir, { recursive: true, force: true });
if (!args.job) await scanJob({ inputs: corpora.map((d) => join(d, 'scans')), jobDir, template, workers: Number(args.workers), ...(args['model-dir'] ? { modelDir: resolve(args['model-dir']) } : {}) });
const store = JobStore.open(jobDir);
// The corpora's CAD logs in the job, as `validate --cad` would put a trust's there: CAD evidence is measured with them.
await importCadLogs(store, corpora.map((d) => join(d, 'cad-incidents.csv')));
const cal = calibrateJob(store, truths, Number(args.target));
store.close();
const out = {
  comment: 'Written by scripts/calibrate-template.ts: thresholds measured on synthetic forms in the validation pool of hands. Do not edit by hand.',
  modelVersion: cal.modelVersion,
  targetWrongShare: cal.targetWrongShare,
  measuredOn: { ...cal.measuredOn, hands: 'validation', seeds: [...new Set(seeds)].sort() },
  thresholds: cal.thresholds,
};
writeFileSync(join(root, 'src', 'template', 'standard-thresholds.json'), JSON.stringify(out, null, 2) + '\n');
// The same as a calibration file, for `validate` of a job or `npm run bench -- --calibration FILE`.
writeFileSync(join(work, 'calibration.json'), JSON.stringify(cal, null, 2) + '\n');
execFileSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'template', 'build-standard.ts')], { stdio: 'inherit' });
console.log(JSON.stringify(out, null, 2));

/** One CAD log from several corpora's (each corpus's incidents are its own). */
async function importCadLogs(store: JobStore, files: string[]) {
  const joined = join(work, 'cad-incidents.csv');
  const [first, ...rest] = files.map((f) => readFileSync(f, 'utf8').trimEnd().split(/\r?\n/));
  const lines = [...first!, ...rest.flatMap((l) => l.slice(1))];
  writeFileSync(joined, lines.join('\n') + '\n', { mode: 0o600 });
  await importCadLog(store, joined);
}
