// Scan speed benchmark: where a page's time goes. Scans one kept corpus with 1 and then 2 workers and prints, for
// each run, pages a minute, CPU seconds a page (user+sys of every thread, which holds on a shared machine better
// than wall time), the busy seconds a page by stage as the scan reports them, the share of CPU spent outside the
// OCR engine, peak RSS, and a digest of everything read (the same digest before and after a change means nothing
// is read differently). `npm run bench:scan -- --corpus DIR` reuses a corpus; the table also goes to JSON.
// It only needs scanJob and its summary, so it also runs against an older checkout for a before/after comparison.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { decodePages } from '../src/imaging/decode.ts';
import { walkInputs } from '../src/imaging/walk.ts';
import { scanJob } from '../src/job/scan.ts';
import { JobStore } from '../src/job/store.ts';
import { synthesise } from '../src/synth/synth.ts';
import { loadTemplate } from '../src/template/load.ts';

export interface SpeedRun {
  label: string;
  workers: number;
  pages: number;
  formPages: number;
  wallSeconds: number;
  pagesPerMinute: number;
  cpuSeconds: number;
  cpuPerPage: number;
  /** CPU a page attributed to the page's form pages (blank backs and other quarantines cost little). */
  cpuPerFormPage: number;
  /** Busy seconds inside the OCR engine (and the box classifier, when there is one), summed over pages. */
  engineSeconds: number | null;
  /** Where the CPU went, seconds a page: main thread, page worker threads, libvips, engines and helper threads. */
  cpuSplitPerPage: { mainThread: number; pageWorkers: number; libvips: number; enginesAndHelpers: number } | null;
  outsideEngineShare: number | null;
  /**
   * The same share with the native imaging counted out of the engines' bucket: decoding every page and encoding
   * every page image again, alone, measured in process CPU (sharp's work on libuv threads has no name to count by).
   */
  outsideEngineShareWithNative: number | null;
  nativeImagingPerPage: { decode: number; encode: number } | null;
  stagePerPage: Record<string, number>;
  stageCpuPerPage: Record<string, number> | null;
  engineByKindPerPage: Record<string, number> | null;
  peakRssMb: number;
  readDigest: string;
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

/** sha256 over every field read (serial, field, raw text, value, confidence) and every page's state: what was read. */
export function readDigest(jobDir: string): string {
  const store = JobStore.open(jobDir);
  try {
    const h = createHash('sha256');
    const fields = store.db.prepare('SELECT serial, field_id, raw_text, read_json, confidence FROM fields ORDER BY serial, field_id').all() as Record<string, unknown>[];
    for (const f of fields) h.update(JSON.stringify([f.serial, f.field_id, f.raw_text, f.read_json, f.confidence === null ? null : Number(f.confidence).toFixed(6)]) + '\n');
    const pages = store.db.prepare('SELECT s.path, p.page_index, p.state, p.reason_code, p.serial, p.page_no FROM pages p JOIN sources s ON s.id = p.source_id ORDER BY s.path, p.page_index').all() as Record<string, unknown>[];
    for (const p of pages) h.update(JSON.stringify([String(p.path).split('/').pop(), p.page_index, p.state, p.reason_code, p.serial, p.page_no]) + '\n');
    return h.digest('hex').slice(0, 16);
  } finally {
    store.close();
  }
}

/** CPU seconds (every thread) to decode every page of the corpus, and to encode the job's page images again. */
async function nativeImagingCpu(scans: string, jobDir: string): Promise<{ decode: number; encode: number }> {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let t = cpu();
  for await (const item of walkInputs([scans])) if (!('error' in item)) for await (const p of decodePages(item.path)) void p;
  const decode = cpu() - t;
  let encode = 0;
  const pagesDir = join(jobDir, 'pages');
  for (const f of existsSync(pagesDir) ? readdirSync(pagesDir).filter((n) => n.endsWith('.png')) : []) {
    const { data, info } = await sharp(readFileSync(join(pagesDir, f))).raw().toBuffer({ resolveWithObject: true });
    t = cpu();
    await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).png({ compressionLevel: 1 }).toBuffer();
    encode += cpu() - t;
  }
  return { decode, encode };
}

export async function measureScan(opts: { label: string; scans: string; jobDir: string; workers: number; template: ReturnType<typeof loadTemplate> }): Promise<SpeedRun> {
  rmSync(opts.jobDir, { recursive: true, force: true });
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
  const stageSeconds = s.stageSeconds as Record<string, number>;
  const engine = (s as { engineSeconds?: number }).engineSeconds ?? null;
  const split = (s as { cpu?: { total: number; mainThread: number; pageWorkers: number; libvips: number; enginesAndHelpers: number } }).cpu;
  const stageCpu = (s as { stageCpuSeconds?: Record<string, number> }).stageCpuSeconds;
  const perPage = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v / Math.max(1, pages)]));
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
    engineSeconds: engine,
    cpuSplitPerPage: split
      ? { mainThread: split.mainThread / pages, pageWorkers: split.pageWorkers / pages, libvips: split.libvips / pages, enginesAndHelpers: split.enginesAndHelpers / pages }
      : null,
    // Outside the engines, at least: the JavaScript threads and libvips' named threads (measured). The rest is the
    // engines plus native decoding on libuv's threads and V8's helpers, which cannot be told apart by thread.
    outsideEngineShare: split && split.total > 0 ? (split.total - split.enginesAndHelpers) / split.total : null,
    stagePerPage: perPage(stageSeconds),
    stageCpuPerPage: stageCpu ? perPage(stageCpu) : null,
    engineByKindPerPage: (s as { engineSecondsByKind?: Record<string, number> }).engineSecondsByKind ? perPage((s as { engineSecondsByKind: Record<string, number> }).engineSecondsByKind) : null,
    peakRssMb,
    ...(await (async () => {
      if (!split || split.total <= 0) return { outsideEngineShareWithNative: null, nativeImagingPerPage: null };
      const native = await nativeImagingCpu(opts.scans, opts.jobDir);
      // The decode's JavaScript part is in the main thread's count already.
      const nativeOnly = Math.max(0, native.decode - (stageCpu?.decode ?? 0)) + native.encode;
      const engines = Math.max(0, split.enginesAndHelpers - nativeOnly);
      return { outsideEngineShareWithNative: (split.total - engines) / split.total, nativeImagingPerPage: { decode: native.decode / pages, encode: native.encode / pages } };
    })()),
    readDigest: readDigest(opts.jobDir),
    quarantined: s.quarantinedByReason,
  };
}

export function speedTable(runs: SpeedRun[]): string {
  const f = (n: number | null, d = 2) => (n === null ? '-' : n.toFixed(d));
  const stages = [...new Set(runs.flatMap((r) => Object.keys(r.stagePerPage)))];
  const lines = [
    '| run | workers | pages (form) | wall s | pages/min | CPU-s/page | CPU-s/form page | CPU-s/page: main / page workers / libvips / engines, native decode and helpers | CPU outside engines (at least) | with native imaging counted out (decode / encode CPU-s a page) | peak RSS MB | read digest |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${r.label} | ${r.workers} | ${r.pages} (${r.formPages}) | ${f(r.wallSeconds, 1)} | ${f(r.pagesPerMinute, 1)} | ${f(r.cpuPerPage)} | ${f(r.cpuPerFormPage)} | ${r.cpuSplitPerPage ? [r.cpuSplitPerPage.mainThread, r.cpuSplitPerPage.pageWorkers, r.cpuSplitPerPage.libvips, r.cpuSplitPerPage.enginesAndHelpers].map((v) => f(v, 3)).join(' / ') : '-'} | ${r.outsideEngineShare === null ? '-' : (r.outsideEngineShare * 100).toFixed(0) + '%'} | ${r.outsideEngineShareWithNative === null ? '-' : `${(r.outsideEngineShareWithNative * 100).toFixed(0)}% (${f(r.nativeImagingPerPage!.decode, 3)} / ${f(r.nativeImagingPerPage!.encode, 3)})`} | ${f(r.peakRssMb, 0)} | ${r.readDigest} |`,
    ),
    '',
    `Seconds a page by stage, summed over pages (busy = wall clock of the step; stages of different pages overlap in time;`,
    `CPU = the JavaScript thread's CPU in the step, without libvips and engine threads; read includes waiting on the engine):`,
    '',
    `| run | workers | measure | ${stages.join(' | ')} |`,
    `|---|---|---|${stages.map(() => '---').join('|')}|`,
    ...runs.flatMap((r) => [
      `| ${r.label} | ${r.workers} | busy | ${stages.map((k) => (r.stagePerPage[k] === undefined ? '-' : f(r.stagePerPage[k]!, 3))).join(' | ')} |`,
      ...(r.stageCpuPerPage ? [`| ${r.label} | ${r.workers} | CPU | ${stages.map((k) => (r.stageCpuPerPage![k] === undefined ? '-' : f(r.stageCpuPerPage![k]!, 3))).join(' | ')} |`] : []),
    ]),
  ];
  const kinds = [...new Set(runs.flatMap((r) => Object.keys(r.engineByKindPerPage ?? {})))];
  if (kinds.length) {
    lines.push('', 'Busy seconds a page inside the engine, by kind of field:', '', `| run | workers | ${kinds.join(' | ')} |`, `|---|---|${kinds.map(() => '---').join('|')}|`);
    for (const r of runs) if (r.engineByKindPerPage) lines.push(`| ${r.label} | ${r.workers} | ${kinds.map((k) => f(r.engineByKindPerPage![k] ?? 0, 3)).join(' | ')} |`);
  }
  const byLabel = new Map<string, SpeedRun[]>();
  for (const r of runs) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  for (const [label, rs] of byLabel) {
    const one = rs.find((r) => r.workers === 1);
    const two = rs.find((r) => r.workers === 2);
    if (one && two) lines.push('', `${label}: speed-up from 1 to 2 workers ${(two.pagesPerMinute / one.pagesPerMinute).toFixed(2)}x`);
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
  if (!existsSync(join(corpus, 'synth-summary.json'))) {
    rmSync(corpus, { recursive: true, force: true });
    await synthesise({ count: Number(args.forms), seed: args.seed!, outDir: corpus, template, profile: 'mixed' });
  }
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
