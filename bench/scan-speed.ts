// Scan speed benchmark: where a page's time goes. Scans one kept corpus with each worker count in turn (--workers
// 1,2 by default; 1,2,1,2 repeats the pair, since the machine may be shared) and prints, for each run, pages a minute,
// CPU seconds (user+sys of every thread, which holds on a shared machine better than wall time), the load average,
// CPU seconds a page by where they went (stage, engine, thread), the share of CPU outside the engines, peak RSS, and
// a digest of everything read (the same digest before and after a change means nothing is read differently).
// `npm run bench:scan -- --corpus DIR` reuses a corpus; the table also goes to JSON. It only needs scanJob and its
// summary, so it also runs against an older checkout (which lacks the CPU split: its columns then show '-').
import { createHash } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { scanJob } from '../src/job/scan.ts';
import { JobStore } from '../src/job/store.ts';
import { loadTemplate } from '../src/template/load.ts';
import { keptCorpus } from './kept-corpus.ts';

export interface SpeedRun {
  label: string;
  workers: number;
  pages: number;
  formPages: number;
  wallSeconds: number;
  pagesPerMinute: number;
  cpuSeconds: number;
  cpuPerPage: number;
  /** The run's CPU over its form pages only (blank backs and other quarantines cost little). */
  cpuPerFormPage: number;
  /** Load average (1 minute) just before and just after the run: the machine is shared. */
  load: [number, number];
  /** CPU seconds a page by where it went (see cpuByStage); null for a tree whose scan does not report it. */
  cpuByStagePerPage: Record<string, number> | null;
  /** Share of the scan's CPU outside the engines (tesseract's threads and the classifier's inference). */
  outsideEngineShare: number | null;
  stagePerPage: Record<string, number>;
  engineByKindPerPage: Record<string, number> | null;
  peakRssMb: number;
  readDigest: string;
  /** The same without the free text the template never transcribes (validation takes no reading of it). */
  recordDigest: string;
  quarantined: Record<string, number>;
}

/** Peak RSS of the process (worker threads are inside it), sampled every 100 ms. */
function rssPeak() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss) / 2 ** 20;
  };
}

/**
 * sha256 over every field read (serial, field, raw text, value, confidence) and every page's state: what was read.
 * Fields in `leaveOut` are not hashed (e.g. the free text a template never transcribes, which no record takes).
 */
export function readDigest(jobDir: string, leaveOut: ReadonlySet<string> = new Set()): string {
  const store = JobStore.open(jobDir);
  try {
    const h = createHash('sha256');
    const fields = store.db.prepare('SELECT serial, field_id, raw_text, read_json, confidence FROM fields ORDER BY serial, field_id').all() as Record<string, unknown>[];
    for (const f of fields) if (!leaveOut.has(String(f.field_id))) h.update(JSON.stringify([f.serial, f.field_id, f.raw_text, f.read_json, f.confidence === null ? null : Number(f.confidence).toFixed(6)]) + '\n');
    const pages = store.db.prepare('SELECT s.path, p.page_index, p.state, p.reason_code, p.serial, p.page_no FROM pages p JOIN sources s ON s.id = p.source_id ORDER BY s.path, p.page_index').all() as Record<string, unknown>[];
    for (const p of pages) h.update(JSON.stringify([String(p.path).split('/').pop(), p.page_index, p.state, p.reason_code, p.serial, p.page_no]) + '\n');
    return h.digest('hex').slice(0, 16);
  } finally {
    store.close();
  }
}

/** The part of the summary this bench reads (a tree from before the CPU split has no `cpu.helpers`). */
type Summary = Awaited<ReturnType<typeof scanJob>> & { decodeOnMainThread?: boolean };

/**
 * The scan's CPU, every second of it placed once: the JavaScript steps by stage (decode and save on the main thread,
 * the rest in the page workers), the engines by kind of call, then what no step accounts for, by thread: the main
 * thread's and the page workers' time outside the steps (start-up, module loading, waiting), the OCR threads' time
 * outside calls (loading the language data), libvips' threads, V8's and libuv's helpers, and threads that ended
 * unseen. The columns add up to the total.
 */
export function cpuByStage(s: Summary): Record<string, number> | null {
  const c = s.cpu as Partial<Summary['cpu']> | undefined;
  if (!c || c.helpers === undefined) return null;
  const stage = s.stageCpuSeconds as Record<string, number>;
  const engine = (s.engineCpuSecondsByKind ?? {}) as Record<string, number>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stage)) out[k] = v;
  const ocrKinds = Object.entries(engine).filter(([k]) => k !== 'box-classifier');
  out['box classifier'] = c.boxClassifier ?? 0;
  for (const [k, v] of ocrKinds) out[`OCR ${k}`] = v;
  out['OCR start-up, other'] = Math.max(0, (c.ocr ?? 0) - ocrKinds.reduce((n, [, v]) => n + v, 0));
  // Pages are decoded in the page workers (a tree from before that decoded them on this thread says so).
  const mainSteps = s.decodeOnMainThread === false ? ['save'] : ['decode', 'save'];
  out['main thread, other'] = Math.max(0, (c.mainThread ?? 0) - mainSteps.reduce((n, k) => n + (stage[k] ?? 0), 0));
  const workerSteps = Object.entries(stage).reduce((n, [k, v]) => (mainSteps.includes(k) ? n : n + v), 0);
  out['page workers, other'] = Math.max(0, (c.pageWorkers ?? 0) - workerSteps);
  out['libvips threads'] = c.libvips ?? 0;
  out['V8 and libuv helpers'] = c.helpers;
  out['ended unseen'] = c.unsampled ?? 0;
  return out;
}

export async function measureScan(opts: { label: string; scans: string; jobDir: string; workers: number; template: ReturnType<typeof loadTemplate> }): Promise<SpeedRun> {
  rmSync(opts.jobDir, { recursive: true, force: true });
  const load0 = loadavg()[0]!;
  const stopRss = rssPeak();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const s = await scanJob({ inputs: [opts.scans], jobDir: opts.jobDir, template: opts.template, workers: opts.workers });
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const peakRssMb = stopRss();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const pages = s.pagesRead + s.pagesQuarantined;
  const formPages = s.pagesRead;
  const perPage = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v / Math.max(1, pages)]));
  const byStage = cpuByStage(s);
  const c = s.cpu as Partial<Summary['cpu']> | undefined;
  return {
    label: opts.label,
    workers: opts.workers,
    pages,
    formPages,
    wallSeconds,
    pagesPerMinute: (pages / wallSeconds) * 60,
    cpuSeconds,
    cpuPerPage: cpuSeconds / pages,
    cpuPerFormPage: cpuSeconds / Math.max(1, formPages),
    load: [load0, loadavg()[0]!],
    cpuByStagePerPage: byStage ? perPage(byStage) : null,
    outsideEngineShare: byStage && c?.total ? (c.total - (c.boxClassifier ?? 0) - (c.ocr ?? 0)) / c.total : null,
    stagePerPage: perPage(s.stageSeconds as Record<string, number>),
    engineByKindPerPage: s.engineSecondsByKind ? perPage(s.engineSecondsByKind) : null,
    peakRssMb,
    readDigest: readDigest(opts.jobDir),
    recordDigest: readDigest(opts.jobDir, new Set(opts.template.fields.filter((f) => f.type === 'text' && f.transcribe === 'never').map((f) => f.id))),
    quarantined: s.quarantinedByReason,
  };
}

export function speedTable(runs: SpeedRun[]): string {
  const f = (n: number | null | undefined, d = 2) => (n === null || n === undefined ? '-' : n.toFixed(d));
  const lines = [
    '| run | workers | load before/after | pages (form) | wall s | pages/min | CPU s | CPU-s/page | CPU-s/form page | CPU outside engines | peak RSS MB | read digest | digest without never-transcribed text |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${r.label} | ${r.workers} | ${f(r.load[0], 1)} / ${f(r.load[1], 1)} | ${r.pages} (${r.formPages}) | ${f(r.wallSeconds, 1)} | ${f(r.pagesPerMinute, 1)} | ${f(r.cpuSeconds, 1)} | ${f(r.cpuPerPage)} | ${f(r.cpuPerFormPage)} | ${r.outsideEngineShare === null ? '-' : (r.outsideEngineShare * 100).toFixed(0) + '%'} | ${f(r.peakRssMb, 0)} | ${r.readDigest} | ${r.recordDigest} |`,
    ),
  ];
  const split = runs.filter((r) => r.cpuByStagePerPage);
  if (split.length) {
    const cols = [...new Set(split.flatMap((r) => Object.keys(r.cpuByStagePerPage!)))];
    lines.push(
      '',
      'CPU seconds a page by where they went (user+sys; the columns add up to the CPU a page of the scan; engines are the',
      'box classifier and the OCR kinds; "other" is a thread\'s time outside its timed steps):',
      '',
      `| run | workers | ${cols.join(' | ')} | sum |`,
      `|---|---|${cols.map(() => '---').join('|')}|---|`,
      ...split.map((r) => `| ${r.label} | ${r.workers} | ${cols.map((k) => f(r.cpuByStagePerPage![k] ?? 0, 3)).join(' | ')} | ${f(Object.values(r.cpuByStagePerPage!).reduce((a, b) => a + b, 0), 3)} |`),
    );
  }
  const stages = [...new Set(runs.flatMap((r) => Object.keys(r.stagePerPage)))];
  lines.push(
    '',
    'Busy seconds a page by stage (wall clock of the step, summed over pages; stages of different pages overlap; read includes waiting on the engines):',
    '',
    `| run | workers | ${stages.join(' | ')} |`,
    `|---|---|${stages.map(() => '---').join('|')}|`,
    ...runs.map((r) => `| ${r.label} | ${r.workers} | ${stages.map((k) => f(r.stagePerPage[k], 3)).join(' | ')} |`),
  );
  const byLabel = new Map<string, SpeedRun[]>();
  for (const r of runs) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  for (const [label, rs] of byLabel) {
    const one = rs.find((r) => r.workers === 1);
    const two = rs.find((r) => r.workers === 2);
    if (one && two) lines.push('', `${label}: speed-up from 1 to 2 workers ${(two.pagesPerMinute / one.pagesPerMinute).toFixed(2)}x (wall time; load ${f(one.load[0], 1)}-${f(two.load[1], 1)})`);
  }
  return lines.join('\n');
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      corpus: { type: 'string', default: 'bench/results/work-speed/corpus' },
      forms: { type: 'string', default: '16' },
      seed: { type: 'string', default: 'bench-1' },
      workers: { type: 'string', default: '1,2' },
      label: { type: 'string', default: 'this tree' },
      out: { type: 'string', default: 'bench/results' },
    },
  });
  const template = loadTemplate('standard-prf');
  const corpus = resolve(args.corpus!);
  await keptCorpus(corpus, Number(args.forms), args.seed!, template);
  const outDir = resolve(args.out!);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const runs: SpeedRun[] = [];
  for (const w of args.workers!.split(',').map(Number)) {
    runs.push(await measureScan({ label: args.label!, scans: join(corpus, 'scans'), jobDir: join(outDir, `work-speed-job-${w}`), workers: w, template }));
    rmSync(join(outDir, `work-speed-job-${w}`), { recursive: true, force: true });
  }
  const table = speedTable(runs);
  process.stdout.write(`prf-backload scan speed: ${runs[0]?.pages ?? 0} pages from ${corpus}, ${availableParallelism()} cores\n\n${table}\n`);
  const name = `bench-speed-${args.label!.replace(/[^a-z0-9]+/gi, '-')}`;
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify({ cores: availableParallelism(), corpus, runs }, null, 2));
  writeFileSync(join(outDir, `${name}.md`), table + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
