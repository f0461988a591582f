// Memory benchmark: scans about 500 pages (a kept synthetic corpus, made once: 210 mixed forms, blank backs included)
// and samples the process's resident memory twice a second. The page workers and their engines are threads inside
// this process, so its RSS is the whole scan's. Prints RSS by band of pages (flat means memory does not grow with
// pages), the peak, and the growth over the second half, and writes every sample to bench/results/bench-memory.json.
// `npm run bench:mem -- --workers 2 --corpus DIR`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scanJob } from '../src/job/scan.ts';
import { loadTemplate } from '../src/template/load.ts';
import { keptCorpus } from './kept-corpus.ts';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'bench/results/work-mem/corpus' },
    forms: { type: 'string', default: '210' },
    seed: { type: 'string', default: 'mem-1' },
    workers: { type: 'string', default: '2' },
    band: { type: 'string', default: '50' },
    label: { type: 'string', default: 'this tree' },
    out: { type: 'string', default: 'bench/results' },
  },
});

/** Resident and peak-resident memory of the process, MB, from /proc (process.memoryUsage().rss elsewhere). */
function rssMb(): { rss: number; hwm: number } {
  try {
    const s = readFileSync('/proc/self/status', 'latin1');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) / 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    const rss = process.memoryUsage().rss / 2 ** 20;
    return { rss, hwm: rss };
  }
}

const template = loadTemplate('standard-prf');
const corpus = resolve(args.corpus!);
await keptCorpus(corpus, Number(args.forms), args.seed!, template);
const outDir = resolve(args.out!);
mkdirSync(outDir, { recursive: true, mode: 0o700 });
// One job folder a label, so two runs (e.g. two trees, side by side under the same load) never share one.
const jobDir = join(outDir, `work-mem-job-${args.label!.replace(/[^a-z0-9]+/gi, '-')}`);
rmSync(jobDir, { recursive: true, force: true });
const workers = Number(args.workers);

const samples: { t: number; pages: number; rssMb: number; mainHeapMb: number; mainArrayBuffersMb: number }[] = [];
let pages = 0;
const t0 = Date.now();
const sample = () => {
  const m = process.memoryUsage();
  samples.push({ t: (Date.now() - t0) / 1000, pages, rssMb: rssMb().rss, mainHeapMb: m.heapUsed / 2 ** 20, mainArrayBuffersMb: m.arrayBuffers / 2 ** 20 });
};
sample();
const timer = setInterval(sample, 500);
const load0 = loadavg()[0]!;
const scan = await scanJob({ inputs: [join(corpus, 'scans')], jobDir, template, workers, onProgress: (p) => (pages = p.pagesDone) });
clearInterval(timer);
sample();
const load1 = loadavg()[0]!;
rmSync(jobDir, { recursive: true, force: true });

const total = scan.pagesRead + scan.pagesQuarantined;
const band = Number(args.band);
const bands: { from: number; to: number; peak: number; mean: number }[] = [];
for (let from = 0; from < total; from += band) {
  const s = samples.filter((x) => x.pages >= from && x.pages < from + band);
  if (s.length) bands.push({ from, to: Math.min(total, from + band), peak: Math.max(...s.map((x) => x.rssMb)), mean: s.reduce((n, x) => n + x.rssMb, 0) / s.length });
}
// Growth: least-squares slope of RSS against pages over the second half of the run (the first holds start-up).
const half = samples.filter((x) => x.pages >= total / 2);
const slope = (() => {
  const n = half.length;
  if (n < 2) return 0;
  const mx = half.reduce((a, x) => a + x.pages, 0) / n;
  const my = half.reduce((a, x) => a + x.rssMb, 0) / n;
  const sxy = half.reduce((a, x) => a + (x.pages - mx) * (x.rssMb - my), 0);
  const sxx = half.reduce((a, x) => a + (x.pages - mx) ** 2, 0);
  return sxx ? (sxy / sxx) * 100 : 0;
})();
const peak = Math.max(rssMb().hwm, ...samples.map((x) => x.rssMb));
const lines = [
  `prf-backload memory benchmark (${args.label}): ${total} pages from ${corpus}, ${workers} page workers, ${availableParallelism()} cores, load ${load0.toFixed(1)} / ${load1.toFixed(1)}`,
  '',
  '| measure | value |',
  '|---|---|',
  `| scan | ${scan.pagesPerMinute.toFixed(1)} pages/min (${scan.seconds.toFixed(0)} s), ${(((scan.cpu as { total?: number } | undefined)?.total ?? 0) / Math.max(1, total)).toFixed(2)} CPU-s a page |`,
  `| peak RSS (whole process: main thread, page workers, engines) | ${peak.toFixed(0)} MB |`,
  `| RSS growth over the second half | ${slope.toFixed(1)} MB per 100 pages |`,
  `| page workers replaced (against memory growth) / OCR workers recycled | ${scan.pageWorkers.recycled} / ${scan.ocr.recycled} |`,
  '',
  '| pages | peak RSS MB | mean RSS MB |',
  '|---|---|---|',
  ...bands.map((b) => `| ${b.from}-${b.to} | ${b.peak.toFixed(0)} | ${b.mean.toFixed(0)} |`),
];
process.stdout.write(lines.join('\n') + '\n');
const name = `bench-memory-${args.label!.replace(/[^a-z0-9]+/gi, '-')}`;
writeFileSync(join(outDir, `${name}.json`), JSON.stringify({ label: args.label, pages: total, workers, load: [load0, load1], peakRssMb: peak, growthMbPer100Pages: slope, bands, samples, scan }, null, 2));
writeFileSync(join(outDir, `${name}.md`), lines.join('\n') + '\n');
