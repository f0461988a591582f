// Calibrates the thresholds standard-prf ships with, so a new user's first scan accepts handwriting: synthetic
// forms written in the VALIDATION pool of hands (never the test pool the benchmark uses), scanned with the committed
// box model, scored, calibrated (target: 1 wrong in 1,000 accepted). Writes src/template/standard-thresholds.json
// and rebuilds templates/standard-prf.json from it. Run after every new box model:
//   nice -n 10 node --import tsx scripts/calibrate-template.ts [--corpus DIR ...] [--job DIR]
// Without --corpus it uses the standard calibration corpora (STANDARD_CORPORA below: seed, forms, first serial),
// synthesised into .scratch/calibrate-template/corpora/ where they are not there already, so anyone gets the same
// forms and, with the same model, the same thresholds. --corpus reuses folders `synth --hands validation` already
// wrote (their truth is scored; nothing is synthesised); with --job as well, that job, already scanned from those
// corpora with the committed model, is scored as it stands.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scanJob } from '../src/job/scan.ts';
import { calibrateJob, loadTruthDir } from '../src/job/score.ts';
import { JobStore } from '../src/job/store.ts';
import { importCadLog } from '../src/job/cad-import.ts';
import { importStaffRoster } from '../src/job/roster-import.ts';
import { createRng } from '../src/synth/rng.ts';
import { buildStaffRoster } from '../src/synth/staff-roster.ts';
import { synthesise } from '../src/synth/synth.ts';
import { fontById } from '../src/synth/font-pools.ts';
import { loadTemplate } from '../src/template/load.ts';

/**
 * The standard calibration corpora, written down so anyone regenerates the same forms: 800 forms, mixed profiles,
 * validation hands; the shipped thresholds are measured on them. The serials of the corpora never overlap (one job
 * holds them all). A third more forms than the 600 before them: two 600-form corpora of the same hands put the date
 * threshold at 0.934 and at 0.987, since one confident wrong value decides where a threshold falls (which is why a
 * threshold must now hold on each half of the forms too: chooseThresholds).
 */
const STANDARD_CORPORA = [
  { seed: 'calib-validation-2', forms: 80, firstSerial: 20000 },
  { seed: 'calib-validation-3', forms: 260, firstSerial: 30000 },
  { seed: 'calib-validation-4', forms: 60, firstSerial: 6000 },
  { seed: 'calib-validation-5', forms: 200, firstSerial: 50000 },
  { seed: 'calib-validation-6', forms: 200, firstSerial: 60000 },
] as const;

const { values: args } = parseArgs({
  options: {
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
if (!corpora.length) {
  for (const c of STANDARD_CORPORA) {
    const dir = join(work, 'corpora', c.seed);
    const have = existsSync(join(dir, 'truth')) ? readdirSync(join(dir, 'truth')).filter((x) => x.endsWith('.json')).length : 0;
    if (have !== c.forms) {
      rmSync(dir, { recursive: true, force: true });
      await synthesise({ count: c.forms, seed: c.seed, firstSerial: c.firstSerial, outDir: dir, template, profile: 'mixed', hands: 'validation' });
    }
    corpora.push(dir);
  }
}
const seeds: string[] = [];
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
const jobDir = args.job ? resolve(args.job) : join(work, 'job');
mkdirSync(work, { recursive: true });
if (!args.job) rmSync(jobDir, { recursive: true, force: true });
if (!args.job) await scanJob({ inputs: corpora.map((d) => join(d, 'scans')), jobDir, template, workers: Number(args.workers), ...(args['model-dir'] ? { modelDir: resolve(args['model-dir']) } : {}) });
const store = JobStore.open(jobDir);
// The corpora's CAD logs in the job, as `validate --cad` would put a trust's there: CAD evidence is measured with them.
await importCadLogs(store, corpora.map((d) => join(d, 'cad-incidents.csv')));
// One staff list for all the corpora, of a trust's size (each corpus's own would make the list five times as dense):
// everyone the forms name among the trust's other staff, as `validate --roster` would put a trust's there.
const rosterFile = join(work, 'staff-roster.csv');
writeFileSync(rosterFile, buildStaffRoster(truths.map((t) => t.intendedRecord), createRng('calibrate-template-roster')).csv, { mode: 0o600 });
await importStaffRoster(store, rosterFile);
const cal = calibrateJob(store, truths, Number(args.target));
store.close();
const out = {
  comment: 'Written by scripts/calibrate-template.ts: thresholds measured on synthetic forms in the validation pool of hands. Do not edit by hand.',
  modelVersion: cal.modelVersion,
  targetWrongShare: cal.targetWrongShare,
  measuredOn: { ...cal.measuredOn, hands: 'validation', seeds: [...new Set(seeds)].sort(), ...(args.corpus?.length ? {} : { corpora: STANDARD_CORPORA }) },
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
