// The recognition engines of one page worker, made in one place: each worker thread holds its own sessions.
import { OcrPool, type OcrParams, type OcrResult, type Recognizer } from '../recognition/pool.ts';
import { loadBoxClassifier, type BoxAlternative, type BoxCharset, type BoxClassifier } from '../recognition/box-classifier.ts';
import type { EngineCounts } from './task.ts';
import { threadCpuSeconds } from './thread-cpu.ts';

export interface PageEngineOptions {
  /** OCR job timeout (tests shorten it). */
  ocrTimeoutMs?: number;
  /** Folder of the box classifier's model files (default: the committed models/). */
  modelDir?: string;
  /** Shared by the scan's page workers: one starts its OCR engine at a time (see OcrPoolOptions.startLock). */
  ocrStartLock?: Int32Array;
}

export interface PageEngines {
  /** Comb and free-text fields, and the printed serial of a page without its QR code. */
  ocr: Recognizer;
  /** Every comb box: the per-box handwriting classifier (its own onnxruntime session in this worker). */
  boxes: BoxClassifier;
  /** Counters since the engines were made. */
  counts(): EngineCounts;
  close(): Promise<void>;
}

export async function createPageEngines(opts: PageEngineOptions = {}): Promise<PageEngines> {
  // One OCR worker per page worker: pages, not fields, are what runs in parallel.
  const boxes = await loadBoxClassifier(opts.modelDir ? { modelDir: opts.modelDir } : {});
  const ocr = await OcrPool.create({ size: 1, ...(opts.ocrTimeoutMs ? { jobTimeoutMs: opts.ocrTimeoutMs } : {}), ...(opts.ocrStartLock ? { startLock: opts.ocrStartLock } : {}) });
  return {
    ocr,
    boxes,
    counts: () => ({ ...ocr.stats }),
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

export function countsSince(now: EngineCounts, before: EngineCounts): EngineCounts {
  return {
    jobs: now.jobs - before.jobs,
    timeouts: now.timeouts - before.timeouts,
    crashes: now.crashes - before.crashes,
    recycled: now.recycled - before.recycled,
    retries: now.retries - before.retries,
  };
}
