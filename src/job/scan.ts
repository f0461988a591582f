// The scan stage: every page of every input file ends in the job store, read or quarantined with a reason.
// Files already in the job (same sha256) are skipped, so a rerun is safe and a crashed run resumes.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodePages, openSource, type DecodedPage } from '../imaging/decode.ts';
import { ScanInputError } from '../imaging/errors.ts';
import { cropGray, graySharp, type GrayImage } from '../imaging/gray.ts';
import { findQr } from '../imaging/qr.ts';
import { estimatePxPerMm, registerWithQr } from '../imaging/register.ts';
import { warpToTemplate } from '../imaging/warp.ts';
import { walkInputs } from '../imaging/walk.ts';
import { OcrPool, OcrTimeoutError } from '../recognition/pool.ts';
import { readPage, type FieldReading, type PageReaders } from '../recognition/read-page.ts';
import { loadBoxClassifier, type BoxClassifier } from '../recognition/box-classifier.ts';
import { claimReaderVersion } from './reader-version.ts';
import { decodePageIdentity, type PageIdentity } from '../template/qr-payload.ts';
import { localScale, type Homography } from '../imaging/homography.ts';
import { identifyByLayout } from './identify-by-layout.ts';
import type { Template } from '../template/schema.ts';
import { ensurePrivateDir, removeStaleTempFiles, writePrivateFile, writePrivateFileAtomic } from './fs-safe.ts';
import { JobStore, type FieldRead, type SavePageInput } from './store.ts';
import { BLANK_PAGE, classifyUnidentified, isBlankPage } from './page-checks.ts';
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
  workers: number;
  onProgress?: (p: ScanProgress) => void;
  /** OCR job timeout (tests shorten it). */
  ocrTimeoutMs?: number;
  /** Folder of the box classifier's model files (default: the committed models/). */
  modelDir?: string;
}

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
  ocr: OcrPool['stats'];
  /** The box classifier's model version that read the comb boxes (recorded in the job). */
  modelVersion: string;
  /** Seconds spent in each step, summed over pages (steps of different pages overlap in time). */
  stageSeconds: Record<'decode' | 'identify' | 'register' | 'warp' | 'read' | 'save', number>;
}

interface PageOutcome {
  save: SavePageInput;
  /** "file, page N", for a reason decided only at commit time. */
  where?: string;
  crops?: { path: string; rect: FieldReading['crop'] }[];
  canon?: GrayImage;
}

export async function scanJob(opts: ScanOptions): Promise<ScanSummary> {
  const started = Date.now();
  // Each page image is used once: libvips' operation cache would only hold on to memory.
  sharp.cache(false);
  // The model first: a missing or corrupt model file stops the scan, naming the file, before any page is read.
  const boxes: BoxClassifier = await loadBoxClassifier(opts.modelDir ? { modelDir: opts.modelDir } : {});
  let store: JobStore;
  try {
    store = JobStore.open(opts.jobDir, { create: true, templateId: opts.template.id, templateVersion: opts.template.version });
    try {
      claimReaderVersion(store, opts.jobDir, boxes.modelVersion);
    } catch (e) {
      store.close();
      throw e;
    }
  } catch (e) {
    await boxes.release();
    throw e;
  }
  rememberTemplate(store, opts.template);
  // Temp files of a scan that was killed while writing page images or crops.
  removeStaleTempFiles(opts.jobDir);
  const pool = await OcrPool.create({ size: opts.workers, ...(opts.ocrTimeoutMs ? { jobTimeoutMs: opts.ocrTimeoutMs } : {}) });
  const readers: PageReaders = { ocr: pool, boxes };
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
    ocr: pool.stats,
    modelVersion: boxes.modelVersion,
    stageSeconds: { decode: 0, identify: 0, register: 0, warp: 0, read: 0, save: 0 },
  };
  const timed = <T>(stage: keyof ScanSummary['stageSeconds'], t0: number, v: T): T => {
    summary.stageSeconds[stage] += (performance.now() - t0) / 1000;
    return v;
  };
  try {
    // First pass: what is there to do, so progress can show pages left.
    const plan: { path: string; info?: Awaited<ReturnType<typeof openSource>>; walkError?: ScanInputError }[] = [];
    for await (const item of walkInputs(opts.inputs)) {
      if ('error' in item) plan.push({ path: item.path, walkError: item.error });
      else plan.push({ path: item.path, info: await openSource(item.path) });
    }
    const resume = new Map(store.resumeInfo().map((r) => [r.sha256, r]));
    const progress: ScanProgress = {
      pagesDone: 0,
      pagesTotal: plan.reduce((n, p) => n + (p.info && !(p.info instanceof ScanInputError) && (!store.hasSource(p.info.sha256) || resume.has(p.info.sha256)) ? p.info.pageCount : 0), 0),
      startedAt: started,
    };
    const inFlight = new Set<Promise<void>>();
    const limit = pool.size + 1;

    for (const item of plan) {
      summary.sourcesSeen++;
      const failure = item.walkError ?? (item.info instanceof ScanInputError ? item.info : undefined);
      if (failure) {
        recordFailedSource(store, item.path, failure, summary);
        continue;
      }
      const info = item.info as Exclude<typeof item.info, ScanInputError | undefined>;
      const resumed = resume.get(info.sha256);
      if (store.hasSource(info.sha256) && !resumed) {
        summary.sourcesSkipped++;
        continue;
      }
      const sourceId = resumed?.id ?? store.beginSource({ path: item.path, sha256: info.sha256, bytes: info.bytes, format: info.format });
      const saved = new Set(resumed?.savedPageIndexes ?? []);
      let pages = 0;
      let decodeStart = performance.now();
      for await (const page of decodePages(item.path, { expectSha256: info.sha256 })) {
        timed('decode', decodeStart, null);
        pages = Math.max(pages, page.pageIndex + 1);
        if (saved.has(page.pageIndex)) continue;
        while (inFlight.size >= limit) await Promise.race(inFlight);
        const task = processPage(page, sourceId, item.path, opts.template, readers, store, timed)
          .catch((e: unknown) => readFailed(sourceId, page.pageIndex, item.path, e))
          .then((outcome) => {
            const t0 = performance.now();
            return commitPage(store, opts.jobDir, outcome, summary).then(() => timed('save', t0, undefined));
          })
          .then(() => {
            progress.pagesDone++;
            opts.onProgress?.(progress);
          });
        const tracked = task.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        decodeStart = performance.now();
      }
      await Promise.all(inFlight);
      if (pages === 0) pages = info.pageCount;
      store.finishSource(sourceId, pages);
      summary.sourcesRead++;
    }
    await Promise.all(inFlight);
  } finally {
    await pool.close();
    await boxes.release();
    const counts = store.statusCounts();
    summary.records = Object.values(counts.records).reduce((a, b) => a + b, 0);
    summary.recordsIncomplete = store.listRecords().filter((r) => r.pagesRead < r.pagesExpected).length;
    store.close();
  }
  summary.seconds = (Date.now() - started) / 1000;
  const pages = summary.pagesRead + summary.pagesQuarantined;
  summary.pagesPerMinute = summary.seconds > 0 ? (pages / summary.seconds) * 60 : 0;
  return summary;
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
  if (store.hasSource(sha)) {
    summary.sourcesSkipped++;
    return;
  }
  // One transaction: a crash must not leave a 'reading' source with no page, which a rerun would skip for ever.
  store.inTransaction(() => {
    const id = store.beginSource({ path, sha256: sha, bytes, format: 'unknown' });
    store.savePage({ sourceId: id, pageIndex: 0, state: 'quarantined', reasonCode: err.code, reason: err.message, rotation: 0 });
    store.finishSource(id, 1);
    store.failSource(id, err.message);
  });
  summary.sourcesFailed++;
  summary.pagesQuarantined++;
  summary.quarantinedByReason[err.code] = (summary.quarantinedByReason[err.code] ?? 0) + 1;
}

/** A page whose reading failed twice (a hung or crashed OCR worker): quarantined with the reason; the run goes on. */
function readFailed(sourceId: number, pageIndex: number, file: string, e: unknown): PageOutcome {
  const timeout = e instanceof OcrTimeoutError;
  const why = timeout ? 'reading it took too long, twice (the OCR worker was stopped)' : `reading it failed twice (${(e as Error)?.name ?? 'error'})`;
  return quarantine(sourceId, pageIndex, timeout ? 'ocr-timeout' : 'read-failed', `${file}, page ${pageIndex + 1}: ${why}. Scan the page again`);
}

function quarantine(sourceId: number, pageIndex: number, code: string, reason: string, image?: GrayImage, identity?: Partial<PageIdentity>): PageOutcome {
  return {
    save: {
      sourceId,
      pageIndex,
      state: 'quarantined',
      reasonCode: code,
      reason,
      rotation: 0,
      ...(identity?.serial ? { serial: identity.serial } : {}),
      ...(identity?.page ? { pageNo: identity.page } : {}),
      ...(identity?.templateId ? { templateId: identity.templateId, templateVersion: identity.templateVersion } : {}),
    },
    ...(image ? { canon: image } : {}),
  };
}

/** Identify, register and read one page. Pure of the store except for the duplicate check. */
type Timer = <T>(stage: keyof ScanSummary['stageSeconds'], t0: number, v: T) => T;

async function processPage(
  page: DecodedPage,
  sourceId: number,
  file: string,
  template: Template,
  readers: PageReaders,
  store: JobStore,
  timed: Timer,
): Promise<PageOutcome> {
  const pool = readers.ocr;
  const where = `${file}, page ${page.pageIndex + 1}`;
  if (page.error || !page.image) {
    const e = page.error ?? new ScanInputError('corrupt-image', file, { page: page.pageIndex });
    return quarantine(sourceId, page.pageIndex, e.code, e.message);
  }
  const img: GrayImage = { data: page.image.data, width: page.image.width, height: page.image.height };
  const pxPerMm = estimatePxPerMm(img, page.dpi, template);
  let foreignQr: string | undefined;
  const ours = (payload: string) => {
    if (decodePageIdentity(payload)) return true;
    foreignQr = payload;
    return false;
  };
  const t0 = performance.now();
  // A quick look for the QR code first, so a page whose code reads is never taken for blank; only then the blank
  // check (cheap), and the thorough search last.
  let qr = findQr(img, pxPerMm, ours, { quick: true });
  if (!qr && isBlankPage(img, pxPerMm)) {
    timed('identify', t0, null);
    return quarantine(sourceId, page.pageIndex, BLANK_PAGE.code, `${where}: ${BLANK_PAGE.message}`, img);
  }
  qr ??= findQr(img, pxPerMm, ours);
  timed('identify', t0, null);
  let id: PageIdentity;
  let reg: { upright: GrayImage; h: Homography; quarterTurns: number; residualMm?: number };
  let canon: GrayImage;
  if (!qr) {
    const c = classifyUnidentified(img, template, pxPerMm, foreignQr !== undefined);
    if (c.code !== 'qr-unreadable') return quarantine(sourceId, page.pageIndex, c.code, `${where}: ${c.message}`, img);
    // Our form with its QR code lost: try its printed layout and printed serial before asking a person.
    const t0 = performance.now();
    const byLayout = timed('identify', t0, await identifyByLayout(img, template, pxPerMm, pool));
    if ('failed' in byLayout) return quarantine(sourceId, page.pageIndex, c.code, `${where}: ${c.message}.${byLayout.hint}`, byLayout.canon ?? img);
    ({ id, canon } = byLayout);
    reg = byLayout;
  } else {
    id = decodePageIdentity(qr.payload)!;
    if (id.templateId !== template.id || id.templateVersion !== template.version) {
      return quarantine(
        sourceId,
        page.pageIndex,
        'other-template',
        `${where}: a page of form template ${id.templateId} v${id.templateVersion}; this job reads ${template.id} v${template.version}`,
        img,
      );
    }
    if (!template.pages.some((p) => p.number === id.page)) {
      return quarantine(sourceId, page.pageIndex, 'unknown-page', `${where}: its QR code names page ${id.page}, which the template does not have`, img);
    }
    const fit = timed('register', performance.now(), registerWithQr(img, template, qr));
    if ('failed' in fit) return quarantine(sourceId, page.pageIndex, fit.code, `${where}: ${fit.message}`, img, id);
    reg = fit;
    canon = timed('warp', performance.now(), warpToTemplate(fit.upright, fit.h, template.pageSize.widthMm, template.pageSize.heightMm));
  }
  if (store.hasPage(id.serial, id.page)) {
    return quarantine(sourceId, page.pageIndex, 'duplicate-page', `${where}: form ${id.serial} page ${id.page} was already read from another scan`, img, id);
  }
  const centre = { x: template.pageSize.widthMm / 2, y: template.pageSize.heightMm / 2 };
  const readStart = performance.now();
  const readings = timed('read', readStart, await readPage(canon, template, id.page, readers));
  const cropDir = `crops/${id.serial}`;
  const fields: FieldRead[] = readings.map((r) => ({
    fieldId: r.fieldId,
    type: r.type,
    path: r.path,
    rawText: r.rawText,
    read: r.read,
    confidence: r.confidence,
    cropPath: `${cropDir}/${r.fieldId}.png`,
    ...(r.alternatives ? { alternatives: r.alternatives } : {}),
  }));
  return {
    save: {
      sourceId,
      pageIndex: page.pageIndex,
      state: 'read',
      serial: id.serial,
      pageNo: id.page,
      templateId: id.templateId,
      templateVersion: id.templateVersion,
      pagesExpected: template.pages.length,
      rotation: reg.quarterTurns * 90,
      ...(reg.residualMm !== undefined ? { residualPx: reg.residualMm * localScale(reg.h, centre) } : {}),
      dpi: Math.round(localScale(reg.h, centre) * 25.4),
      imagePath: `pages/${id.serial}-p${id.page}.png`,
      fields,
    },
    crops: readings.map((r) => ({ path: `${cropDir}/${r.fieldId}.png`, rect: r.crop })),
    canon,
    where,
  };
}

/** Write the page's images, then the page in one transaction (images first: a row never points at a missing file). */
async function commitPage(store: JobStore, jobDir: string, outcome: PageOutcome, summary: ScanSummary): Promise<void> {
  const s = outcome.save;
  if (s.state === 'read' && outcome.canon) {
    if (s.serial && store.hasPage(s.serial, s.pageNo!)) {
      // Two copies of one page were in flight at once: the second is the duplicate.
      Object.assign(s, { state: 'quarantined', reasonCode: 'duplicate-page', reason: `${outcome.where ?? 'this page'}: form ${s.serial} page ${s.pageNo} was already read from another scan`, fields: undefined });
    } else {
      ensurePrivateDir(join(jobDir, 'crops', s.serial!));
      const canon = outcome.canon;
      writePrivateFileAtomic(join(jobDir, s.imagePath!), await graySharp(canon).png({ compressionLevel: 6 }).toBuffer());
      await Promise.all(
        (outcome.crops ?? []).map(async (c) => {
          // Cut in JS and hand sharp only the small crop: passing it the whole page once per field was the slow part.
          const png = await graySharp(cropGray(canon, c.rect.x, c.rect.y, c.rect.w, c.rect.h)).png({ compressionLevel: 3 }).toBuffer();
          // Crops are cut again from the page image if ever lost, so they skip the fsync the page image gets.
          await writePrivateFile(join(jobDir, c.path), png);
        }),
      );
    }
  }
  if (s.state === 'quarantined' && outcome.canon) {
    // A thumbnail so a person can see what the page was and assign it by hand.
    const thumb = `thumbs/${s.sourceId}-${s.pageIndex}.jpg`;
    const jpg = await graySharp(outcome.canon).resize({ width: 400 }).jpeg({ quality: 70 }).toBuffer();
    await writePrivateFile(join(jobDir, thumb), jpg);
    s.thumbPath = thumb;
  }
  const saved = store.savePage(s);
  if (saved.state === 'read') summary.pagesRead++;
  else {
    summary.pagesQuarantined++;
    const code = saved.reasonCode ?? 'unknown';
    summary.quarantinedByReason[code] = (summary.quarantinedByReason[code] ?? 0) + 1;
  }
}
