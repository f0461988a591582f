// The benchmark: synthesise a corpus over every scanning profile, scan it, validate it with thresholds calibrated
// by two-fold cross-validation (calibrated on one half, measured on the other), score it against the truth, and
// print one table (also written as JSON to bench/results/). `npm run bench -- --mode memory` scans 500 pages and
// samples RSS to show memory does not grow with the input.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scanJob, type ScanSummary } from '../src/job/scan.ts';
import { chooseThresholds, loadTruthDir, scoreFields, scoreTruths, type ScoreReport, type TypeStats } from '../src/job/score.ts';
import { JobStore } from '../src/job/store.ts';
import { CALIBRATION_FILE, validateJob, type Calibration } from '../src/job/validate.ts';
import { synthesise } from '../src/synth/synth.ts';
import { PROFILE_NAMES } from '../src/synth/scan-profiles.ts';
import { loadTemplate } from '../src/template/load.ts';
import { printedDigitAccuracy, timeNativeTesseract } from './native-tesseract.ts';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'main' },
    forms: { type: 'string' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: 'bench-1' },
    out: { type: 'string', default: 'bench/results' },
    keep: { type: 'boolean', default: false },
  },
});

const template = loadTemplate('standard-prf');
const workers = Number(args.workers);
const outDir = resolve(args.out!);
mkdirSync(outDir, { recursive: true, mode: 0o700 });
const work = join(outDir, `work-${args.mode}`);

/** Peak resident memory of this process (OCR workers are threads inside it), sampled every 100 ms. */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const samples: { t: number; rss: number; pages: number }[] = [];
  let pages = 0;
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    samples.push({ t: Date.now(), rss, pages });
  }, 100);
  return {
    setPages: (n: number) => (pages = n),
    stop: () => {
      clearInterval(timer);
      return { peakMb: peak / 2 ** 20, samples };
    },
  };
}

async function makeCorpus(forms: number, sessionPlan?: { profile: (typeof PROFILE_NAMES)[number]; forms: number }[]) {
  const dir = join(work, 'corpus');
  if (existsSync(join(dir, 'synth-summary.json')) && args.keep) return { dir, seconds: 0, formsPerSecond: NaN };
  rmSync(dir, { recursive: true, force: true });
  const res = await synthesise({ count: forms, seed: args.seed!, outDir: dir, template, profile: 'mixed', ...(sessionPlan ? { sessionPlan } : {}) });
  return { dir, seconds: res.seconds, formsPerSecond: res.formsPerSecond };
}

function evenPlan(forms: number) {
  // Every profile gets its share, in sessions of up to 4 forms.
  const plan: { profile: (typeof PROFILE_NAMES)[number]; forms: number }[] = [];
  const per = Math.floor(forms / PROFILE_NAMES.length);
  PROFILE_NAMES.forEach((profile, i) => {
    let left = per + (i < forms % PROFILE_NAMES.length ? 1 : 0);
    while (left > 0) {
      const n = Math.min(4, left);
      plan.push({ profile, forms: n });
      left -= n;
    }
  });
  return plan;
}

const pct = (a: number, b: number) => (b ? ((a / b) * 100).toFixed(1) : '-');

function mergeStats(reports: ScoreReport[], pick: (r: ScoreReport) => Record<string, TypeStats>): Record<string, TypeStats> {
  const out: Record<string, TypeStats> = {};
  for (const r of reports) {
    for (const [k, s] of Object.entries(pick(r))) {
      const o = (out[k] ??= { fields: 0, readRight: 0, written: 0, writtenReadRight: 0, accepted: 0, silentErrors: 0, auc: null });
      o.fields += s.fields;
      o.readRight += s.readRight;
      o.written += s.written;
      o.writtenReadRight += s.writtenReadRight;
      o.accepted += s.accepted;
      o.silentErrors += s.silentErrors;
      // AUC of the two folds, weighted by fields (an approximation, said so in the table's note).
      o.auc = s.auc === null ? o.auc : o.auc === null ? s.auc : (o.auc * (o.fields - s.fields) + s.auc * s.fields) / o.fields;
    }
  }
  return out;
}

async function mainMode() {
  const forms = Number(args.forms ?? 60);
  const corpus = await makeCorpus(forms, evenPlan(forms));
  const jobDir = join(work, 'job');
  rmSync(jobDir, { recursive: true, force: true });
  const rss = rssSampler();
  const scan: ScanSummary = await scanJob({
    inputs: [join(corpus.dir, 'scans')],
    jobDir,
    template,
    workers,
    onProgress: (p) => rss.setPages(p.pagesDone),
  });
  const mem = rss.stop();

  // Two-fold cross-validated calibration: thresholds chosen on one half are applied to, and scored on, the other.
  const truths = loadTruthDir(join(corpus.dir, 'truth'));
  const halves = [truths.filter((_, i) => i % 2 === 0), truths.filter((_, i) => i % 2 === 1)];
  const folds: ScoreReport[] = [];
  const thresholdsByFold: Record<string, number>[] = [];
  for (let k = 0; k < 2; k++) {
    const store = JobStore.open(jobDir);
    const thresholds = chooseThresholds(scoreFields(store, halves[1 - k]!), 0.001);
    store.close();
    thresholdsByFold.push(thresholds);
    const cal: Calibration = {
      templateId: template.id,
      templateVersion: template.version,
      targetWrongShare: 0.001,
      thresholds,
      measuredOn: { fields: 0, forms: halves[1 - k]!.length },
      createdAt: new Date().toISOString(),
    };
    writeFileSync(join(jobDir, CALIBRATION_FILE), JSON.stringify(cal));
    validateJob({ jobDir, today: '2026-01-01' });
    const s = JobStore.open(jobDir);
    folds.push(scoreTruths(s, halves[k]!));
    s.close();
  }
  const byType = mergeStats(folds, (r) => r.byType);
  const profiles = [...new Set(truths.map((t) => t.profile))].sort();
  const byProfile = Object.fromEntries(profiles.map((p) => [p, mergeStats(folds, (r) => r.byProfileType[p] ?? {})]));
  const pagesByProfile = Object.fromEntries(
    profiles.map((p) => {
      const e = folds.reduce((n, r) => n + (r.pages.byProfile[p]?.expected ?? 0), 0);
      const i = folds.reduce((n, r) => n + (r.pages.byProfile[p]?.identified ?? 0), 0);
      return [p, { expected: e, identified: i }];
    }),
  );
  const accepted = folds.reduce((n, r) => n + r.automation.accepted, 0);
  const fieldsAll = folds.reduce((n, r) => n + r.automation.fields, 0);
  const silent = folds.reduce((n, r) => n + r.silentErrors.count, 0);
  const planted = folds.reduce((n, r) => n + r.writerErrors.planted, 0);
  const flagged = folds.reduce((n, r) => n + r.writerErrors.flagged, 0);
  const wrongIdentity = folds.reduce((n, r) => n + r.readyWithWrongIdentity, 0);

  // How close the pipeline runs to the engine: time the OCR images of a few pages in tesseract.js and native tesseract.
  const native = await timeNativeTesseract(jobDir, template, 6);
  const printed = await printedDigitAccuracy(jobDir, template);

  const pagesTotal = scan.pagesRead + scan.pagesQuarantined;
  const lines: string[] = [];
  lines.push(`prf-backload benchmark: ${forms} forms (${truths.length} with truth), ${pagesTotal} scanned pages, ${workers} OCR workers, ${availableParallelism()} cores`);
  lines.push('');
  lines.push('| measure | value |');
  lines.push('|---|---|');
  lines.push(`| synthesis | ${Number.isNaN(corpus.formsPerSecond) ? 'corpus kept from an earlier run (--keep)' : `${corpus.formsPerSecond.toFixed(2)} forms/s`} |`);
  lines.push(`| scan, end to end | ${scan.pagesPerMinute.toFixed(1)} pages/min (${scan.seconds.toFixed(0)} s) |`);
  lines.push(`| peak RSS during scan | ${mem.peakMb.toFixed(0)} MB |`);
  lines.push(`| time per page, summed by step (s) | ${Object.entries(scan.stageSeconds).map(([k, v]) => `${k} ${(v / Math.max(1, pagesTotal)).toFixed(2)}`).join(', ')} |`);
  lines.push(`| CPU s a page: total; main thread / page workers / libvips / engines, native decode and helper threads | ${(scan.cpu.total / Math.max(1, pagesTotal)).toFixed(2)}; ${[scan.cpu.mainThread, scan.cpu.pageWorkers, scan.cpu.libvips, scan.cpu.enginesAndHelpers].map((v) => (v / Math.max(1, pagesTotal)).toFixed(3)).join(' / ')} (outside the engines, at least ${scan.cpu.total ? (((scan.cpu.total - scan.cpu.enginesAndHelpers) / scan.cpu.total) * 100).toFixed(0) : '-'}%) |`);
  lines.push(`| pages quarantined | ${scan.pagesQuarantined} (${Object.entries(scan.quarantinedByReason).map(([k, v]) => `${k} ${v}`).join(', ')}) |`);
  lines.push(`| OCR on ${native.images} page composites: tesseract.js / native tesseract | ${native.jsSeconds.toFixed(2)} s / ${native.nativeSeconds === null ? 'not installed' : native.nativeSeconds.toFixed(2) + ' s'} |`);
  lines.push(`| printed digits (each page's printed serial, read as for a page without its QR code) | ${pct(printed.right, printed.pages)}% of ${printed.pages} pages right, ${printed.wrong} wrong, ${printed.unread} not read |`);
  lines.push(`| automation (fields accepted by the machine) | ${pct(accepted, fieldsAll)}% of ${fieldsAll} |`);
  lines.push(`| silent errors (accepted but wrong) | ${silent} = ${accepted ? ((silent / accepted) * 1000).toFixed(2) : '0'} per 1,000 accepted |`);
  lines.push(`| planted writer errors flagged | ${flagged} of ${planted} |`);
  lines.push(`| ready forms with a wrong NHS number or DOB | ${wrongIdentity} |`);
  lines.push('');
  lines.push('Pages identified and registered, by profile: ' + profiles.map((p) => `${p} ${pagesByProfile[p]!.identified}/${pagesByProfile[p]!.expected}`).join(', '));
  lines.push('');
  lines.push('| profile | type | fields | read right % | written | written read right % | accepted % | silent errors | confidence AUC |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const p of [...profiles, 'all']) {
    const stats = p === 'all' ? byType : byProfile[p]!;
    for (const [t, s] of Object.entries(stats).sort()) {
      lines.push(`| ${p} | ${t} | ${s.fields} | ${pct(s.readRight, s.fields)} | ${s.written} | ${pct(s.writtenReadRight, s.written)} | ${pct(s.accepted, s.fields)} | ${s.silentErrors} | ${s.auc === null ? '-' : s.auc.toFixed(3)} |`);
    }
  }
  lines.push('');
  lines.push('Thresholds chosen per fold (target 0.1% wrong among accepted): ' + thresholdsByFold.map((t) => JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Number(v.toFixed(3))])))).join(' / '));
  const table = lines.join('\n');
  process.stdout.write(table + '\n');
  const result = {
    mode: 'main',
    forms,
    workers,
    cores: availableParallelism(),
    synthesis: corpus,
    scan,
    peakRssMb: mem.peakMb,
    nativeTesseract: native,
    printedDigits: printed,
    automation: { accepted, fields: fieldsAll },
    silentErrors: silent,
    writerErrors: { planted, flagged, missed: folds.flatMap((f) => f.writerErrors.missed) },
    readyWithWrongIdentity: wrongIdentity,
    pagesByProfile,
    byType,
    byProfile,
    thresholdsByFold,
  };
  writeFileSync(join(outDir, 'bench-main.json'), JSON.stringify(result, null, 2));
  writeFileSync(join(outDir, 'bench-main.md'), table + '\n');
}

async function memoryMode() {
  const forms = Number(args.forms ?? 250);
  const corpus = await makeCorpus(forms, Array.from({ length: Math.ceil(forms / 4) }, (_, i) => ({ profile: 'clean' as const, forms: Math.min(4, forms - i * 4) })));
  const jobDir = join(work, 'job');
  rmSync(jobDir, { recursive: true, force: true });
  const rss = rssSampler();
  const scan = await scanJob({ inputs: [join(corpus.dir, 'scans')], jobDir, template, workers, onProgress: (p) => rss.setPages(p.pagesDone) });
  const mem = rss.stop();
  // RSS by quarter of the run: flat means memory does not grow with the number of pages.
  const total = scan.pagesRead + scan.pagesQuarantined;
  const quarters = [0, 1, 2, 3].map((q) => {
    const s = mem.samples.filter((x) => x.pages >= (q * total) / 4 && x.pages < ((q + 1) * total) / 4);
    return s.length ? Math.max(...s.map((x) => x.rss)) / 2 ** 20 : 0;
  });
  const lines = [
    `prf-backload memory benchmark: ${total} pages, ${workers} OCR workers`,
    '',
    '| measure | value |',
    '|---|---|',
    `| scan | ${scan.pagesPerMinute.toFixed(1)} pages/min (${scan.seconds.toFixed(0)} s) |`,
    `| peak RSS | ${mem.peakMb.toFixed(0)} MB |`,
    `| peak RSS by quarter of the run | ${quarters.map((q) => q.toFixed(0)).join(' / ')} MB |`,
    `| OCR workers recycled | ${scan.ocr.recycled} |`,
    `| page workers replaced (against memory growth) | ${scan.pageWorkers.recycled} |`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  writeFileSync(join(outDir, 'bench-memory.json'), JSON.stringify({ mode: 'memory', pages: total, scan, peakRssMb: mem.peakMb, quarters }, null, 2));
  writeFileSync(join(outDir, 'bench-memory.md'), lines.join('\n') + '\n');
}

if (args.mode === 'memory') await memoryMode();
else await mainMode();
if (!args.keep) rmSync(work, { recursive: true, force: true });
