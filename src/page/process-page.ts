// One page's work, from where the page is to a result record: decode it from its file, identify (QR code, else
// blank check, else printed layout), register, warp into template space, read every field, and encode the images
// the job keeps. Pure of the job store: the caller decides duplicates and writes. Runs in a page worker
// (page-worker.ts) or in-line.
import { decodePage } from '../imaging/decode.ts';
import { ScanInputError } from '../imaging/errors.ts';
import { graySharp, type GrayImage } from '../imaging/gray.ts';
import { localScale, type Homography } from '../imaging/homography.ts';
import { cornersMayHoldQr } from '../imaging/corner-ink.ts';
import { findQr, findQrWhereSeen, seenMirrored } from '../imaging/qr.ts';
import { locateQrCodes } from '../imaging/qr-locate.ts';
import { estimatePxPerMm, registerWithQr } from '../imaging/register.ts';
import { warpToTemplate } from '../imaging/warp.ts';
import { OcrTimeoutError } from '../recognition/pool.ts';
import { readPage, type PageReaders } from '../recognition/read-page.ts';
import { decodePageIdentity, type PageIdentity } from '../template/qr-payload.ts';
import type { Template } from '../template/schema.ts';
import { identifyByLayout } from '../job/identify-by-layout.ts';
import { BLANK_PAGE, SHOW_THROUGH_MESSAGE, classifyUnidentified, isBlankPage } from '../job/page-checks.ts';
import { thumbnailJpeg } from './thumbnail.ts';
import { threadCpuSeconds } from './thread-cpu.ts';
import { timedClassifier, timedRecognizer, type EngineTimes } from './engines.ts';
import type { PageResult, PageStage, PageTask } from './task.ts';

/** The aligned page is written fast (level 1): it is written once a page and read only when a person looks. */
const PAGE_PNG = { compressionLevel: 1 } as const;

export async function processPage(task: PageTask, template: Template, engines: PageReaders): Promise<PageResult> {
  const seconds: PageResult['seconds'] = {};
  const cpuSeconds: PageResult['cpuSeconds'] = {};
  const engineTimes: EngineTimes = { seconds: {}, cpuSeconds: {} };
  const ctx: PageContext = { task, template, engines, seconds, cpuSeconds, engineTimes };
  let out: Outcome;
  try {
    out = await identifyAndRead(ctx);
  } catch (e) {
    // A page whose reading failed twice (a hung or crashed OCR worker): quarantined with the reason.
    const timeout = e instanceof OcrTimeoutError;
    const why = timeout ? 'reading it took too long, twice (the OCR worker was stopped)' : `reading it failed twice (${(e as Error)?.name ?? 'error'})`;
    out = quarantined(task, timeout ? 'ocr-timeout' : 'read-failed', `${task.file}, page ${task.pageIndex + 1}: ${why}. Scan the page again`);
  }
  // The box classifier runs on this thread: its CPU is the engine's, not the read step's.
  const inference = engineTimes.cpuSeconds['box-classifier'] ?? 0;
  if (cpuSeconds.read !== undefined) cpuSeconds.read = Math.max(0, cpuSeconds.read - inference);
  return {
    ...out,
    seconds,
    cpuSeconds,
    engineSeconds: engineTimes.seconds,
    engineCpuSeconds: engineTimes.cpuSeconds,
  };
}

interface PageContext {
  task: PageTask;
  template: Template;
  engines: PageReaders;
  seconds: PageResult['seconds'];
  cpuSeconds: PageResult['cpuSeconds'];
  engineTimes: EngineTimes;
}

type Outcome = Omit<PageResult, 'seconds' | 'cpuSeconds' | 'engineSeconds' | 'engineCpuSeconds'>;

/** A moment to time a step from: wall clock, and this thread's CPU. */
interface Mark {
  wall: number;
  cpu: number;
}

function mark(): Mark {
  return { wall: performance.now(), cpu: threadCpuSeconds() };
}

function timed<T>(ctx: PageContext, stage: PageStage, from: Mark, v: T): T {
  ctx.seconds[stage] = (ctx.seconds[stage] ?? 0) + (performance.now() - from.wall) / 1000;
  ctx.cpuSeconds[stage] = (ctx.cpuSeconds[stage] ?? 0) + (threadCpuSeconds() - from.cpu);
  return v;
}

function quarantined(task: PageTask, code: string, reason: string, identity?: Partial<PageIdentity>, thumbnail?: Uint8Array): Outcome {
  return {
    pageIndex: task.pageIndex,
    state: 'quarantined',
    reasonCode: code,
    reason,
    rotation: 0,
    ...(identity ? { identity } : {}),
    ...(thumbnail ? { thumbnail } : {}),
  };
}

async function quarantineWithThumb(ctx: PageContext, code: string, reason: string, img: GrayImage, identity?: Partial<PageIdentity>): Promise<Outcome> {
  const t0 = mark();
  const thumb = timed(ctx, 'encode', t0, await thumbnailJpeg(img));
  return quarantined(ctx.task, code, reason, identity, thumb);
}

async function identifyAndRead(ctx: PageContext): Promise<Outcome> {
  const { task, template } = ctx;
  const where = `${task.file}, page ${task.pageIndex + 1}`;
  const page = timed(ctx, 'decode', mark(), await decodePage(task.file, task.pageIndex, task.sha256));
  if (page.error || !page.image) {
    const e = page.error ?? new ScanInputError('corrupt-image', task.file, { page: task.pageIndex });
    return quarantined(task, e.code, e.message);
  }
  const img: GrayImage = { data: new Uint8Array(page.image.data.buffer, page.image.data.byteOffset, page.image.data.length), width: page.image.width, height: page.image.height };
  const pxPerMm = estimatePxPerMm(img, page.dpi, template);
  let foreignQr: string | undefined;
  const ours = (payload: string) => {
    if (decodePageIdentity(payload)) return true;
    foreignQr = payload;
    return false;
  };
  const t0 = mark();
  // A page on which ZXing sees one of our codes is never taken for blank: where a corner has ink enough to hold a
  // code, a quick look comes first (ZXing finds the code, jsQR reads it: the corners are jsQR's, see qr.ts); only
  // then the blank check, and the thorough search (jsQR everywhere, harder) last. A page with no such corner goes
  // straight to the blank check. A blank back skips jsQR's search, and a code showing through from the sheet's
  // front (mirrored) does not make it a copy of that page.
  let qr = cornersMayHoldQr(img, pxPerMm) ? await findQrWhereSeen(img, pxPerMm, ours, locateQrCodes) : null;
  let blank = !qr && isBlankPage(img, pxPerMm) ? BLANK_PAGE.message : undefined;
  if (!qr && !blank) {
    qr = findQr(img, pxPerMm, ours);
    // A back whose front shows through strongly is not blank to the blank check, and jsQR reads the front's code
    // from it as if it were its own; ZXing tells it reads mirrored.
    if (qr && (await seenMirrored(img, pxPerMm, qr, locateQrCodes))) {
      qr = null;
      blank = SHOW_THROUGH_MESSAGE;
    }
  }
  timed(ctx, 'identify', t0, null);
  if (blank) return quarantineWithThumb(ctx, BLANK_PAGE.code, `${where}: ${blank}`, img);
  let id: PageIdentity;
  let reg: { h: Homography; quarterTurns: number; residualMm?: number };
  let canon: GrayImage;
  if (!qr) {
    const c = classifyUnidentified(img, template, pxPerMm, foreignQr !== undefined);
    if (c.code !== 'qr-unreadable') return quarantineWithThumb(ctx, c.code, `${where}: ${c.message}`, img);
    // Our form with its QR code lost: try its printed layout and printed serial before asking a person.
    const t1 = mark();
    const printedOcr = timedRecognizer(ctx.engines.ocr, () => 'printed-serial', ctx.engineTimes);
    const byLayout = timed(ctx, 'identify', t1, await identifyByLayout(img, template, pxPerMm, printedOcr));
    if ('failed' in byLayout) return quarantineWithThumb(ctx, c.code, `${where}: ${c.message}.${byLayout.hint}`, byLayout.canon ?? img);
    ({ id, canon } = byLayout);
    reg = byLayout;
  } else {
    id = decodePageIdentity(qr.payload)!;
    if (id.templateId !== template.id || id.templateVersion !== template.version) {
      return quarantineWithThumb(
        ctx,
        'other-template',
        `${where}: a page of form template ${id.templateId} v${id.templateVersion}; this job reads ${template.id} v${template.version}`,
        img,
      );
    }
    if (!template.pages.some((p) => p.number === id.page)) {
      return quarantineWithThumb(ctx, 'unknown-page', `${where}: its QR code names page ${id.page}, which the template does not have`, img);
    }
    const fit = timed(ctx, 'register', mark(), registerWithQr(img, template, qr));
    if ('failed' in fit) return quarantineWithThumb(ctx, fit.code, `${where}: ${fit.message}`, img, id);
    reg = fit;
    canon = timed(ctx, 'warp', mark(), warpToTemplate(fit.upright, fit.h, template.pageSize.widthMm, template.pageSize.heightMm));
  }
  const centre = { x: template.pageSize.widthMm / 2, y: template.pageSize.heightMm / 2 };
  const ocr = timedRecognizer(ctx.engines.ocr, (p) => (p.whitelist ? 'comb' : 'text'), ctx.engineTimes);
  const boxes = timedClassifier(ctx.engines.boxes, ctx.engineTimes);
  const readings = timed(ctx, 'read', mark(), await readPage(canon, template, id.page, { ocr, boxes }));
  const pageImage = timed(ctx, 'encode', mark(), await graySharp(canon).png(PAGE_PNG).toBuffer());
  return {
    pageIndex: task.pageIndex,
    state: 'read',
    identity: id,
    pagesExpected: template.pages.length,
    // How far the page is turned clockwise in the scan, as the truth records it: the turns that made it upright,
    // undone (the same for 0 and 180; 90 and 270 swap).
    rotation: ((4 - reg.quarterTurns) % 4) * 90,
    ...(reg.residualMm !== undefined ? { residualPx: reg.residualMm * localScale(reg.h, centre) } : {}),
    dpi: Math.round(localScale(reg.h, centre) * 25.4),
    fields: readings.map((r) => ({
      fieldId: r.fieldId,
      type: r.type,
      path: r.path,
      rawText: r.rawText,
      read: r.read,
      confidence: r.confidence,
      ...(r.alternatives ? { alternatives: r.alternatives } : {}),
    })),
    pageImage,
  };
}
