// The benchmark: synthesise a corpus over every scanning profile with hands from the test pool only, scan it,
// validate it with the thresholds shipped in the template (calibrated on other hands, never on this corpus), score
// it against the truth, read the same comb boxes with tesseract for comparison, and print the tables (also written
// as JSON to bench/results/). The memory run over 500 pages is `npm run bench:mem` (bench/memory.ts).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scanJob, type ScanSummary } from '../src/job/scan.ts';
import { loadTruthDir, scoreTruths, type ScoreReport, type TypeStats } from '../src/job/score.ts';
import { JobStore, withJobStore } from '../src/job/store.ts';
import { CALIBRATION_FILE, validateJob } from '../src/job/validate.ts';
import { importCadIntoJob } from '../src/job/cad-import.ts';
import { importRosterIntoJob } from '../src/job/roster-import.ts';
import { STAFF_ROSTER_FILE } from '../src/synth/staff-roster.ts';
import { familiesOfPool } from '../src/synth/font-pools.ts';
import type { GroundTruth } from '../src/synth/truth.ts';
import { synthesise } from '../src/synth/synth.ts';
import { PROFILE_NAMES } from '../src/synth/scan-profiles.ts';
import { COMB_FIELD_TYPES } from '../src/template/geometry.ts';
import { loadTemplate } from '../src/template/load.ts';
import { boxClassifierCost } from './box-classifier-cost.ts';
import { printedDigitAccuracy } from './printed-digits.ts';
import { readCombsWithTesseract } from './tesseract-combs.ts';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'main' },
    forms: { type: 'string' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: 'bench-1' },
    out: { type: 'string', default: 'bench/results' },
    keep: { type: 'boolean', default: false },
    'model-dir': { type: 'string' },
    /** Validate with this calibration (measured on other hands, e.g. by scripts/calibrate-template.ts) instead of the template's. */
    calibration: { type: 'string' },
    'skip-tesseract': { type: 'boolean', default: false },
    /** Validate without the corpus's CAD log (as a trust that has none would). */
    'no-cad': { type: 'boolean', default: false },
    /** Validate without the corpus's staff list (as a trust that has none would). */
    'no-roster': { type: 'boolean', default: false },
  },
});
const modelOpt = args['model-dir'] ? { modelDir: resolve(args['model-dir']) } : {};

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
const COMB_TYPES = [...COMB_FIELD_TYPES];

/** Sum of the comb types' stats. */
function combStats(byType: Record<string, TypeStats>) {
  const out = { written: 0, writtenReadRight: 0, charsWritten: 0, charsRight: 0 };
  for (const t of COMB_TYPES) {
    const s = byType[t];
    if (!s) continue;
    out.written += s.written;
    out.writtenReadRight += s.writtenReadRight;
    out.charsWritten += s.charsWritten;
    out.charsRight += s.charsRight;
  }
  return out;
}

/** Raw box strings of the comb fields against what was written, box by box and field by field. */
function rawAccuracy(truths: GroundTruth[], rawOf: (serial: string, fieldId: string) => string | undefined) {
  const combIds = new Set(template.fields.filter((f) => COMB_TYPES.includes(f.type)).map((f) => f.id));
  const out = { chars: 0, charsRight: 0, fields: 0, fieldsRight: 0 };
  for (const t of truths) {
    for (const [id, ft] of Object.entries(t.fields)) {
      if (!combIds.has(id) || typeof ft.written !== 'string' || ft.written.trim() === '') continue;
      const raw = rawOf(t.serial, id);
      if (raw === undefined) continue;
      out.fields++;
      if (raw === ft.written) out.fieldsRight++;
      for (let i = 0; i < ft.written.length; i++) {
        if (ft.written[i] === ' ') continue;
        out.chars++;
        if (raw[i] === ft.written[i]) out.charsRight++;
      }
    }
  }
  return out;
}

async function mainMode() {
  // About 207 written comb characters a form: 52 forms give over 10,000, split evenly over the four profiles.
  const forms = Number(args.forms ?? 52);
  const corpus = await makeCorpus(forms, evenPlan(forms));
  const jobDir = join(work, 'job');
  rmSync(jobDir, { recursive: true, force: true });
  const rss = rssSampler();
  const cpu0 = process.cpuUsage();
  const scan: ScanSummary = await scanJob({
    inputs: [join(corpus.dir, 'scans')],
    jobDir,
    template,
    workers,
    onProgress: (p) => rss.setPages(p.pagesDone),
    ...modelOpt,
  });
  const scanCpu = process.cpuUsage(cpu0);
  const mem = rss.stop();

  // The thresholds shipped in the template, calibrated on the validation hands: never on this corpus. A calibration
  // file given with --calibration (also measured on other hands) takes their place; the bench waits for it.
  if (args.calibration) {
    while (!existsSync(args.calibration)) await new Promise((r) => setTimeout(r, 5000));
    copyFileSync(args.calibration, join(jobDir, CALIBRATION_FILE));
  }
  // The trust's CAD export, as `validate --cad` imports it (synth writes one beside every corpus).
  const cad = args['no-cad'] ? null : await importCadIntoJob(jobDir, join(corpus.dir, 'cad-incidents.csv'));
  const truths = loadTruthDir(join(corpus.dir, 'truth'));
  const profiles = [...new Set(truths.map((t) => t.profile))].sort();
  // First without the trust's staff list, for the line that says what the list adds; then with it, as
  // `validate --roster` imports it (synth writes one beside every corpus), for every table below.
  const rosterFile = join(corpus.dir, STAFF_ROSTER_FILE);
  if (!args['no-roster'] && !existsSync(rosterFile)) throw new Error(`${rosterFile} is missing (a corpus synthesised before synth wrote one): run without --keep, or with --no-roster`);
  validateJob({ jobDir, today: '2026-01-01' });
  const withoutRoster = args['no-roster'] ? null : await withJobStore(jobDir, (s) => scoreTruths(s, truths));
  const roster = args['no-roster'] ? null : await importRosterIntoJob(jobDir, rosterFile);
  if (roster) validateJob({ jobDir, today: '2026-01-01' });
  const store = JobStore.open(jobDir);
  const reports: Record<string, ScoreReport> = {};
  for (const p of [...profiles, 'all']) reports[p] = scoreTruths(store, p === 'all' ? truths : truths.filter((t) => t.profile === p));
  const ours = new Map(truths.map((t) => [t.serial, new Map(store.records.recordFields(t.serial).map((f) => [f.fieldId, f.rawText]))]));
  store.close();

  // The same pages' comb boxes read by tesseract, the reader this one replaces.
  const tess = args['skip-tesseract'] ? { raw: new Map<string, Map<string, string>>(), pages: 0, cpuSeconds: 0 } : await readCombsWithTesseract(jobDir, template, workers);
  const cost = await boxClassifierCost(jobDir, template, 20, modelOpt);
  const printed = await printedDigitAccuracy(jobDir, template);

  const pagesTotal = scan.pagesRead + scan.pagesQuarantined;
  const scanCpuPerPage = (scanCpu.user + scanCpu.system) / 1e6 / Math.max(1, pagesTotal);
  const lines: string[] = [];
  lines.push(`prf-backload benchmark: ${forms} forms (${truths.length} with truth), ${pagesTotal} scanned pages, ${workers} OCR workers, ${availableParallelism()} cores`);
  lines.push(`Hands: the test pool only (families never trained on): ${familiesOfPool('test').join(', ')}.`);
  lines.push(`Comb boxes read by box model ${scan.modelVersion}; thresholds ${args.calibration ? `from ${args.calibration}` : 'from the standard-prf template'} (calibrated on the validation hands, never on this corpus).`);
  lines.push(cad ? `Validated against the corpus's CAD log (${cad.imported} incidents, ${cad.rows} rows).` : 'Validated without a CAD log (--no-cad).');
  lines.push(roster ? `Validated against the corpus's staff list (${roster.imported} staff, ${roster.rows} rows).` : 'Validated without a staff list (--no-roster).');
  lines.push('');
  lines.push('| measure | value |');
  lines.push('|---|---|');
  lines.push(`| synthesis | ${Number.isNaN(corpus.formsPerSecond) ? 'corpus kept from an earlier run (--keep)' : `${corpus.formsPerSecond.toFixed(2)} forms/s`} |`);
  lines.push(`| scan, end to end | ${scan.pagesPerMinute.toFixed(1)} pages/min (${scan.seconds.toFixed(0)} s) |`);
  lines.push(`| scan CPU per page (user+sys, all threads) | ${scanCpuPerPage.toFixed(2)} s |`);
  lines.push(`| peak RSS during scan | ${mem.peakMb.toFixed(0)} MB |`);
  lines.push(`| time per page, summed by step (s) | ${Object.entries(scan.stageSeconds).map(([k, v]) => `${k} ${(v / Math.max(1, pagesTotal)).toFixed(2)}`).join(', ')} |`);
  const c = scan.cpu;
  const pp = (v: number) => (v / Math.max(1, pagesTotal)).toFixed(3);
  lines.push(`| CPU s a page: total; main thread / page workers / box classifier / OCR threads / libvips / V8 and libuv helpers / ended unseen | ${(c.total / Math.max(1, pagesTotal)).toFixed(2)}; ${[c.mainThread, c.pageWorkers, c.boxClassifier, c.ocr, c.libvips, c.helpers, c.unsampled].map(pp).join(' / ')} (outside the engines ${c.total ? (((c.total - c.boxClassifier - c.ocr) / c.total) * 100).toFixed(0) : '-'}%) |`);
  lines.push(`| pages quarantined | ${scan.pagesQuarantined} (${Object.entries(scan.quarantinedByReason).map(([k, v]) => `${k} ${v}`).join(', ')}) |`);
  lines.push(`| box classifier CPU per box | ${cost.msPerBox.toFixed(3)} ms (${cost.boxes} boxes of ${cost.pages} pages, batched per page and charset) |`);
  lines.push(`| comb reading CPU per page: box classifier / tesseract (same pages) | ${((cost.msPerBox * cost.boxes) / Math.max(1, cost.pages) / 1000).toFixed(3)} s / ${(tess.cpuSeconds / Math.max(1, tess.pages)).toFixed(2)} s |`);
  lines.push(`| printed digits (each page's printed serial, read as for a page without its QR code) | ${pct(printed.right, printed.pages)}% of ${printed.pages} pages right, ${printed.wrong} wrong, ${printed.unread} not read |`);
  lines.push('');
  lines.push('Pages identified and registered, by profile: ' + profiles.map((p) => `${p} ${reports[p]!.pages.identified}/${reports[p]!.pages.expected}`).join(', '));
  lines.push('');
  lines.push('| profile | written comb chars | chars right % | written comb fields | comb fields right % | written fields | written accepted % | accepted | silent wrong | silent omitted | silent per 1,000 accepted | ready forms, wrong NHS/DOB | fields a person sees per form |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const p of [...profiles, 'all']) {
    const r = reports[p]!;
    const c = combStats(r.byType);
    const formsIn = new Set(truths.filter((t) => p === 'all' || t.profile === p).map((t) => t.serial)).size;
    lines.push(
      `| ${p} | ${c.charsWritten} | ${pct(c.charsRight, c.charsWritten)} | ${c.written} | ${pct(c.writtenReadRight, c.written)} | ${r.overall.written} | ${pct(r.overall.writtenAccepted, r.overall.written)} | ${r.automation.accepted} | ${r.silentErrors.wrong} | ${r.silentErrors.omitted} | ${r.silentErrors.perThousandAccepted.toFixed(2)} | ${r.readyWithWrongIdentity} | ${(r.overall.toPerson / Math.max(1, formsIn)).toFixed(1)} |`,
    );
  }
  if (withoutRoster) {
    const w = withoutRoster;
    lines.push('');
    lines.push(`Without the staff list (same job, validated before it was imported): written accepted ${pct(w.overall.writtenAccepted, w.overall.written)}%, ${w.automation.accepted} accepted, silent wrong ${w.silentErrors.wrong}, silent omitted ${w.silentErrors.omitted}, fields a person sees per form ${(w.overall.toPerson / Math.max(1, truths.length)).toFixed(1)}.`);
  }
  lines.push('');
  lines.push('| profile | type | written | chars right % | written read right % | written accepted % | silent wrong | silent omitted | to a person |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const p of [...profiles, 'all']) {
    for (const [t, s] of Object.entries(reports[p]!.byType).sort()) {
      lines.push(`| ${p} | ${t} | ${s.written} | ${s.charsWritten ? pct(s.charsRight, s.charsWritten) : '-'} | ${pct(s.writtenReadRight, s.written)} | ${pct(s.writtenAccepted, s.written)} | ${s.silentErrors - s.silentOmissions} | ${s.silentOmissions} | ${s.toPerson} |`);
    }
  }
  lines.push('');
  lines.push('Same pages, raw box strings against what was written (before any evidence): box classifier vs tesseract');
  lines.push('');
  lines.push('| profile | reader | written comb chars | chars right % | written comb fields | fields right % |');
  lines.push('|---|---|---|---|---|---|');
  const comparison: Record<string, unknown> = {};
  for (const p of [...profiles, 'all']) {
    const ts = truths.filter((t) => p === 'all' || t.profile === p);
    const a = rawAccuracy(ts, (s, f) => ours.get(s)?.get(f));
    const b = rawAccuracy(ts, (s, f) => tess.raw.get(s)?.get(f));
    comparison[p] = { boxClassifier: a, tesseract: b };
    lines.push(`| ${p} | box classifier | ${a.chars} | ${pct(a.charsRight, a.chars)} | ${a.fields} | ${pct(a.fieldsRight, a.fields)} |`);
    lines.push(`| ${p} | tesseract | ${b.chars} | ${pct(b.charsRight, b.chars)} | ${b.fields} | ${pct(b.fieldsRight, b.fields)} |`);
  }
  lines.push('');
  const inForce = args.calibration ? (JSON.parse(readFileSync(args.calibration, 'utf8')) as { thresholds: unknown }).thresholds : (template.thresholds ?? {});
  lines.push(`Thresholds in force (${args.calibration ? args.calibration : 'the template'}): ${JSON.stringify(inForce)}`);
  const table = lines.join('\n');
  process.stdout.write(table + '\n');
  const result = {
    mode: 'main',
    forms,
    workers,
    cores: availableParallelism(),
    hands: { pool: 'test', families: familiesOfPool('test') },
    modelVersion: scan.modelVersion,
    synthesis: corpus,
    scan,
    scanCpuSecondsPerPage: scanCpuPerPage,
    peakRssMb: mem.peakMb,
    boxCost: cost,
    tesseractCombCpuSecondsPerPage: tess.cpuSeconds / Math.max(1, tess.pages),
    printedDigits: printed,
    reports,
    ...(withoutRoster ? { withoutRoster: withoutRoster.overall, withoutRosterSilentErrors: withoutRoster.silentErrors, withoutRosterAccepted: withoutRoster.automation.accepted } : {}),
    roster,
    comparison,
    thresholds: inForce,
  };
  writeFileSync(join(outDir, 'bench-main.json'), JSON.stringify(result, null, 2));
  writeFileSync(join(outDir, 'bench-main.md'), table + '\n');
}

if (args.mode === 'memory') throw new Error('the memory run is its own bench now: npm run bench:mem');
await mainMode();
if (!args.keep) rmSync(work, { recursive: true, force: true });
