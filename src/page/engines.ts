// The recognition engines, made in one place: each page worker holds its own box classifier session; the scan's
// one OCR engine sits on the main thread's side, reached by the workers through OCR links.
import { OcrPool, type OcrParams, type OcrResult, type Recognizer } from '../recognition/pool.ts';
import { loadBoxClassifier, type BoxAlternative, type BoxCharset, type BoxClassifier } from '../recognition/box-classifier.ts';
import type { PageReaders } from '../recognition/read-page.ts';
import { threadCpuSeconds } from './thread-cpu.ts';

export interface PageEngineOptions {
  /** Folder of the box classifier's model files (default: the committed models/). */
  modelDir?: string;
}

export interface OcrEngineOptions {
  /** OCR job timeout (tests shorten it). */
  timeoutMs?: number;
}

/** The scan's OCR engine: one for every page worker (they reach it through an OCR link, ocr-link.ts). */
export function createOcrEngine(opts: OcrEngineOptions = {}): Promise<OcrPool> {
  return OcrPool.create({ size: 1, ...(opts.timeoutMs ? { jobTimeoutMs: opts.timeoutMs } : {}) });
}

/** A page worker's own engine: the box classifier runs in the worker, on its thread. */
export function createBoxEngine(opts: PageEngineOptions = {}): Promise<BoxClassifier> {
  return loadBoxClassifier(opts.modelDir ? { modelDir: opts.modelDir } : {});
}

/** Both engines in this thread, for reading pages in-line (the QR benchmark). */
export async function createInlineReaders(opts: PageEngineOptions & { ocr?: OcrEngineOptions } = {}): Promise<PageReaders & { close(): Promise<void> }> {
  const boxes = await createBoxEngine(opts);
  const ocr = await createOcrEngine(opts.ocr);
  return {
    ocr,
    boxes,
    close: async () => {
      await ocr.close();
      await boxes.release();
    },
  };
}

/** Time inside the engines by kind of call, summed over a page: wall seconds, and the engine's CPU seconds. */
export interface EngineTimes {
  seconds: Record<string, number>;
  cpuSeconds: Record<string, number>;
}

function add(into: Record<string, number>, kind: string, v: number): void {
  into[kind] = (into[kind] ?? 0) + Math.max(0, v);
}

/**
 * The box classifier, timed under one kind. onnxruntime runs the inference on the calling thread (the page worker),
 * inside a callback of its own: the CPU counted is the classifier's own count of its work there (cpuSeconds), not
 * the thread's CPU across the call, which also held the rest of the page's reading done while the call waited (a
 * classifier without its own count is timed by the thread's CPU across the call). Calls run one at a time, so each
 * is counted once.
 */
export function timedClassifier(inner: BoxClassifier, into: EngineTimes, kind = 'box-classifier'): BoxClassifier {
  const cpu = () => (inner.cpuSeconds ? inner.cpuSeconds() : threadCpuSeconds());
  let tail: Promise<unknown> = Promise.resolve();
  return {
    modelVersion: inner.modelVersion,
    classify(charset: BoxCharset, cells: Float32Array[]): Promise<BoxAlternative[][]> {
      const run = tail.then(async () => {
        const t0 = performance.now();
        const c0 = cpu();
        try {
          return await inner.classify(charset, cells);
        } finally {
          add(into.seconds, kind, (performance.now() - t0) / 1000);
          add(into.cpuSeconds, kind, cpu() - c0);
        }
      });
      tail = run.catch(() => undefined);
      return run;
    },
    release: () => inner.release(),
    ...(inner.cpuSeconds ? { cpuSeconds: () => inner.cpuSeconds!() } : {}),
  };
}

/**
 * A recognizer that runs one call at a time and times it by kind (the call's own `kind`, else kindOf), so the time
 * inside the engine is measured apart from the queue in front of it: wall clock, and the CPU of the engine's own
 * threads. One page's calls would wait on its single OCR worker anyway.
 */
export function timedRecognizer(inner: Recognizer, kindOf: (p: OcrParams) => string, into: EngineTimes): Recognizer {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    recognize(image: Buffer, params: OcrParams): Promise<OcrResult> {
      const run = tail.then(async () => {
        const t0 = performance.now();
        const c0 = inner.cpuSeconds?.() ?? 0;
        try {
          return await inner.recognize(image, params);
        } finally {
          const k = params.kind ?? kindOf(params);
          add(into.seconds, k, (performance.now() - t0) / 1000);
          // A worker replaced during the call (recycled, crashed) restarts its count: that call counts 0.
          add(into.cpuSeconds, k, (inner.cpuSeconds?.() ?? 0) - c0);
        }
      });
      tail = run.catch(() => undefined);
      return run;
    },
  };
}
