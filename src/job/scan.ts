// The scan stage: every page of every input file ends in the job store, read or quarantined with a reason.
// Files already in the job (same sha256) are skipped, so a rerun is safe and a crashed run resumes.
// Orchestration and writes only: each page's work (decode, identify, register, warp, read) runs in a pool of page
// workers (src/page/); this thread counts each file's pages, hands out the pages (where each one is) through a
// bounded window, and commits the results in page order, one transaction a page, the page image fsynced first.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from '../imaging/sharp.ts';
import { openSource } from '../imaging/decode.ts';
import { ScanInputError } from '../imaging/errors.ts';
import { walkInputs } from '../imaging/walk.ts';
import { loadBoxClassifier } from '../recognition/box-classifier.ts';
import { claimReaderVersion } from './reader-version.ts';
import { withJobLock } from './job-lock.ts';
import { PagePool, PageTimeoutError } from '../page/pool.ts';
import { thumbnailFromImage } from '../page/thumbnail.ts';
import { ThreadCpuSampler, threadCpuSeconds, type ThreadCpuSplit } from '../page/thread-cpu.ts';
import { PAGE_STAGES, type EngineCounts, type PageResult, type PageTask } from '../page/task.ts';
import type { Template } from '../template/schema.ts';
import { removeStaleTempFiles, writePrivateFile, writePrivateFileAtomic } from './fs-safe.ts';
import { JobStore } from './store.ts';
import type { SavePageInput } from './page-store.ts';
import { rememberTemplate } from './validate.ts';

export interface ScanProgress {
  pagesDone: number;
  pagesTotal: number;
  startedAt: number;
}

export interface ScanOptions {
  inputs: string[];
  jobDir: string;
  template: Template;
  /** Page workers (threads), each with its own box classifier; they share one OCR engine. */
  workers: number;
  onProgress?: (p: ScanProgress) => void;
  /** OCR job timeout (tests shorten it). */
  ocrTimeoutMs?: number;
  /** Folder of the box classifier's model files (default: the committed models/). */
  modelDir?: string;
  /** Time a page may take in its worker before the worker is stopped and the page quarantined. */
  pageTimeoutMs?: number;
}

export type ScanStage = 'decode' | (typeof PAGE_STAGES)[number] | 'save';

export interface ScanSummary {
  sourcesSeen: number;
  sourcesSkipped: number;
  sourcesRead: number;
  sourcesFailed: number;
  pagesRead: number;
  pagesQuarantined: number;
  quarantinedByReason: Record<string, number>;
  records: number;
  recordsIncomplete: number;
  seconds: number;
  pagesPerMinute: number;
  ocr: EngineCounts;
  /** Page workers: pages done, pages cut by the timeout, workers that crashed, times the workers were replaced. */
  /** The box classifier's model version that read the comb boxes (recorded in the job). */
  modelVersion: string;
  pageWorkers: PagePool['stats'];
  /** Busy seconds in each step, summed over pages (steps of different pages overlap in time). */
  stageSeconds: Record<ScanStage, number>;
  /** CPU seconds of the JavaScript thread doing each step (save here, the rest in the page workers). */
  stageCpuSeconds: Record<ScanStage, number>;
  /** Where pages are decoded: false, in the page workers (older trees decoded them on the main thread). */
  decodeOnMainThread: false;
  /** Seconds inside the recognition engines, by kind of call, summed over pages (wall clock, part of the read step). */
  engineSeconds: number;
  engineSecondsByKind: Record<string, number>;
  /** The engines' CPU seconds by kind of call: tesseract's threads, and the classifier's inference. */
  engineCpuSecondsByKind: Record<string, number>;
  /**
   * Where the CPU went (Linux; user+sys), by thread: this one, the page workers, the engines (tesseract's threads
   * and the classifier's inference), libvips' threads, and V8's and libuv's helpers (GC, compiling, sharp's calls).
   */
  cpu: ThreadCpuSplit;
}

/** A page handed to a worker, or the end of a source: committed strictly in this order. */
type WindowEntry =
  | { kind: 'page'; sourceId: number; where: string; result: Promise<PageResult> }
  | { kind: 'end'; sourceId: number; pages: () => number };

export async function scanJob(opts: ScanOptions): Promise<ScanSummary> {
  const started = Date.now();
  // Each page image is used once: libvips' operation cache would only hold on to memory.
  sharp.cache(false);
  // The model first: a missing or corrupt model file stops the scan, naming the file, before any page is read. Each
  // page worker loads its own session; this one only proves the files and names the model the job is read with.
  const probe = await loadBoxClassifier(opts.modelDir ? { modelDir: opts.modelDir } : {});
  const modelVersion = probe.modelVersion;
  await probe.release();
  // One writer at a time on a job, whoever calls (the CLI, the bench, a script); taken only once the model is proven,
  // so a bad model file makes no job folder.
  return withJobLock(opts.jobDir, 'scan', () => scanWithModel(opts, modelVersion, started), { create: true });
}

/** The scan itself, under the job's lock, with the box model already proven. */
async function scanWithModel(
  opts: ScanOptions,
  modelVersion: string,
  started: number,
): Promise<ScanSummary> {
  const store = JobStore.open(opts.jobDir, { create: true, templateId: opts.template.id, templateVersion: opts.template.version });
  try {
    claimReaderVersion(store, opts.jobDir, modelVersion);
  } catch (e) {
    store.close();
    throw e;
  }
  rememberTemplate(store, opts.template);
  // Temp files of a scan that was killed while writing page images or thumbnails.
  removeStaleTempFiles(opts.jobDir);
  const pool = new PagePool({
    size: opts.workers,
    templates: [opts.template],
    engines: opts.modelDir ? { modelDir: opts.modelDir } : {},
    ...(opts.ocrTimeoutMs ? { ocr: { timeoutMs: opts.ocrTimeoutMs } } : {}),
    ...(opts.pageTimeoutMs ? { pageTimeoutMs: opts.pageTimeoutMs } : {}),
  });
  const summary: ScanSummary = {
    sourcesSeen: 0,
    sourcesSkipped: 0,
    sourcesRead: 0,
    sourcesFailed: 0,
    pagesRead: 0,
    pagesQuarantined: 0,
    quarantinedByReason: {},
    records: 0,
    recordsIncomplete: 0,
    seconds: 0,
    pagesPerMinute: 0,
    ocr: pool.ocrStats,
    pageWorkers: pool.stats,
    modelVersion,
    decodeOnMainThread: false,
    stageSeconds: { decode: 0, identify: 0, register: 0, warp: 0, read: 0, encode: 0, save: 0 },
    stageCpuSeconds: { decode: 0, identify: 0, register: 0, warp: 0, read: 0, encode: 0, save: 0 },
    engineSeconds: 0,
    engineSecondsByKind: {},
    engineCpuSecondsByKind: {},
    cpu: { total: 0, mainThread: 0, pageWorkers: 0, boxClassifier: 0, ocr: 0, libvips: 0, helpers: 0, unsampled: 0 },
  };
  const cpu = new ThreadCpuSampler();
  const window: WindowEntry[] = [];
  // A page waiting for each one running, so no worker idles while this thread commits; a waiting page is only
  // where it is (its worker decodes it), so the window costs no memory.
  const limit = pool.size * 2;
  let pagesInWindow = 0;
  let progress: ScanProgress = { pagesDone: 0, pagesTotal: 0, startedAt: started };
  const commitNext = async () => {
    const entry = window.shift()!;
    if (entry.kind === 'end') {
      store.pages.finishSource(entry.sourceId, entry.pages());
      summary.sourcesRead++;
      return;
    }
    const result = await entry.result;
    pagesInWindow--;
    const t0 = performance.now();
    const c0 = threadCpuSeconds();
    await commitPage(store, opts.jobDir, entry.sourceId, entry.where, result, summary);
    summary.stageSeconds.save += (performance.now() - t0) / 1000;
    summary.stageCpuSeconds.save += threadCpuSeconds() - c0;
    addTimings(summary, result);
    progress.pagesDone++;
    opts.onProgress?.(progress);
  };
  try {
    // First pass: what is there to do, so progress can show pages left.
    const plan: { path: string; info?: Awaited<ReturnType<typeof openSource>>; walkError?: ScanInputError }[] = [];
    for await (const item of walkInputs(opts.inputs)) {
      if ('error' in item) plan.push({ path: item.path, walkError: item.error });
      else plan.push({ path: item.path, info: await openSource(item.path) });
    }
    const resume = new Map(store.pages.resumeInfo().map((r) => [r.sha256, r]));
    progress = {
      pagesDone: 0,
      pagesTotal: plan.reduce((n, p) => n + (p.info && !(p.info instanceof ScanInputError) && (!store.pages.hasSource(p.info.sha256) || resume.has(p.info.sha256)) ? p.info.pageCount : 0), 0),
      startedAt: started,
    };

    for (const item of plan) {
      summary.sourcesSeen++;
      const failure = item.walkError ?? (item.info instanceof ScanInputError ? item.info : undefined);
      if (failure) {
        // Written in order with the pages before it.
        while (window.length) await commitNext();
        recordFailedSource(store, item.path, failure, summary);
        continue;
      }
      const info = item.info as Exclude<typeof item.info, ScanInputError | undefined>;
      const resumed = resume.get(info.sha256);
      if (store.pages.hasSource(info.sha256) && !resumed) {
        summary.sourcesSkipped++;
        continue;
      }
      const sourceId = resumed?.id ?? store.pages.beginSource({ path: item.path, sha256: info.sha256, bytes: info.bytes, format: info.format });
      const saved = new Set(resumed?.savedPageIndexes ?? []);
      for (let pageIndex = 0; pageIndex < info.pageCount; pageIndex++) {
        if (saved.has(pageIndex)) continue;
        while (pagesInWindow >= limit) await commitNext();
        const task: PageTask = { file: item.path, pageIndex, sha256: info.sha256, template: { id: opts.template.id, version: opts.template.version } };
        const where = `${item.path}, page ${pageIndex + 1}`;
        window.push({ kind: 'page', sourceId, where, result: runTask(pool, task, where) });
        pagesInWindow++;
      }
      window.push({ kind: 'end', sourceId, pages: () => info.pageCount });
    }
    while (window.length) await commitNext();
  } finally {
    // After an error, let what is in flight settle before the workers stop (nothing more is committed).
    await Promise.allSettled(window.flatMap((e) => (e.kind === 'page' ? [e.result] : [])));
    // The CPU split is taken while the page workers and their engines still run, so each thread is seen by name.
    summary.cpu = cpu.stop(summary.engineCpuSecondsByKind['box-classifier'] ?? 0);
    await pool.close();
    const counts = store.statusCounts();
    summary.records = Object.values(counts.records).reduce((a, b) => a + b, 0);
    summary.recordsIncomplete = store.records.listRecords().filter((r) => r.pagesRead < r.pagesExpected).length;
    store.close();
  }
  summary.seconds = (Date.now() - started) / 1000;
  const pages = summary.pagesRead + summary.pagesQuarantined;
  summary.pagesPerMinute = summary.seconds > 0 ? (pages / summary.seconds) * 60 : 0;
  return summary;
}

/**
 * A page's work in a worker; a worker that crashed is replaced and the page tried once more. A page that hangs, or
 * fails twice, comes back quarantined with the reason, and the run goes on.
 */
async function runTask(pool: PagePool, task: PageTask, where: string): Promise<PageResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await pool.run(task);
    } catch (e) {
      const failed = (code: string, why: string): PageResult => ({
        pageIndex: task.pageIndex,
        state: 'quarantined',
        reasonCode: code,
        reason: `${where}: ${why}. Scan the page again`,
        rotation: 0,
        seconds: {},
        cpuSeconds: {},
        engineSeconds: {},
        engineCpuSeconds: {},
      });
      if (e instanceof PageTimeoutError) return failed('page-timeout', `reading it took too long (${e.message}; its worker was stopped)`);
      if (attempt >= 2) return failed('read-failed', `reading it failed twice (${(e as Error)?.name ?? 'error'})`);
    }
  }
}

function addTimings(summary: ScanSummary, r: PageResult): void {
  for (const [k, v] of Object.entries(r.seconds)) summary.stageSeconds[k as ScanStage] += v;
  for (const [k, v] of Object.entries(r.cpuSeconds)) summary.stageCpuSeconds[k as ScanStage] += v;
  for (const [k, v] of Object.entries(r.engineSeconds)) {
    summary.engineSecondsByKind[k] = (summary.engineSecondsByKind[k] ?? 0) + v;
    summary.engineSeconds += v;
  }
  for (const [k, v] of Object.entries(r.engineCpuSeconds)) summary.engineCpuSecondsByKind[k] = (summary.engineCpuSecondsByKind[k] ?? 0) + v;
}

/** A file that cannot be opened at all is one quarantined page, so it is counted and never silently dropped. */
function recordFailedSource(store: JobStore, path: string, err: ScanInputError, summary: ScanSummary): void {
  let sha: string;
  let bytes = 0;
  try {
    // Only a regular file is read: opening a FIFO named like a scan would block for ever.
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    const buf = readFileSync(path);
    sha = createHash('sha256').update(buf).digest('hex');
    bytes = buf.length;
  } catch {
    // Unreadable: key it by its path (still 64 hex digits, as the store requires), so it is not counted twice.
    sha = createHash('sha256').update('unreadable:' + path).digest('hex');
  }
  if (store.pages.hasSource(sha)) {
    summary.sourcesSkipped++;
    return;
  }
  // One transaction: a crash must not leave a 'reading' source with no page, which a rerun would skip for ever.
  store.inTransaction(() => {
    const id = store.pages.beginSource({ path, sha256: sha, bytes, format: 'unknown' });
    store.pages.savePage({ sourceId: id, pageIndex: 0, state: 'quarantined', reasonCode: err.code, reason: err.message, rotation: 0 });
    store.pages.finishSource(id, 1);
    store.pages.failSource(id, err.message);
  });
  summary.sourcesFailed++;
  summary.pagesQuarantined++;
  summary.quarantinedByReason[err.code] = (summary.quarantinedByReason[err.code] ?? 0) + 1;
}

/**
 * Write the page's image, then the page in one transaction (the image first, fsynced: a row never points at a
 * missing file). A field's crop is cut from the page image when a person asks for it; none is written here.
 */
async function commitPage(store: JobStore, jobDir: string, sourceId: number, where: string, r: PageResult, summary: ScanSummary): Promise<void> {
  const id = r.identity;
  const s: SavePageInput = {
    sourceId,
    pageIndex: r.pageIndex,
    state: r.state,
    rotation: r.rotation,
    ...(r.reasonCode ? { reasonCode: r.reasonCode, reason: r.reason } : {}),
    ...(id?.serial ? { serial: id.serial } : {}),
    ...(id?.page ? { pageNo: id.page } : {}),
    ...(id?.templateId ? { templateId: id.templateId, templateVersion: id.templateVersion } : {}),
  };
  let thumbnail = r.thumbnail;
  if (r.state === 'read' && id?.serial && id.page) {
    if (store.pages.hasPage(id.serial, id.page)) {
      // Read from another scan already (or a second copy of this page was in flight at the same time).
      Object.assign(s, { state: 'quarantined', reasonCode: 'duplicate-page', reason: `${where}: form ${id.serial} page ${id.page} was already read from another scan` });
      if (r.pageImage) thumbnail = await thumbnailFromImage(r.pageImage);
    } else {
      const imagePath = `pages/${id.serial}-p${id.page}.png`;
      writePrivateFileAtomic(join(jobDir, imagePath), r.pageImage!);
      Object.assign(s, {
        pagesExpected: r.pagesExpected,
        ...(r.residualPx !== undefined ? { residualPx: r.residualPx } : {}),
        dpi: r.dpi,
        imagePath,
        // The crop's name: the review page and the CSV cut it from the page image on request.
        fields: (r.fields ?? []).map((f) => ({ ...f, cropPath: `crops/${id.serial}/${f.fieldId}.png` })),
      });
    }
  }
  if (s.state === 'quarantined' && thumbnail) {
    const thumb = `thumbs/${s.sourceId}-${s.pageIndex}.jpg`;
    await writePrivateFile(join(jobDir, thumb), thumbnail);
    s.thumbPath = thumb;
  }
  const saved = store.pages.savePage(s);
  if (saved.state === 'read') summary.pagesRead++;
  else {
    summary.pagesQuarantined++;
    const code = saved.reasonCode ?? 'unknown';
    summary.quarantinedByReason[code] = (summary.quarantinedByReason[code] ?? 0) + 1;
  }
}
