// The recognition engines of one page worker, made in one place: each worker thread holds its own sessions.
import { OcrPool, type OcrParams, type OcrResult, type Recognizer } from '../recognition/pool.ts';
import { loadBoxClassifier, type BoxAlternative, type BoxCharset, type BoxClassifier } from '../recognition/box-classifier.ts';
import type { EngineCounts } from './task.ts';

export interface PageEngineOptions {
  /** OCR job timeout (tests shorten it). */
  ocrTimeoutMs?: number;
  /** Folder of the box classifier's model files (default: the committed models/). */
  modelDir?: string;
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
  const ocr = await OcrPool.create({ size: 1, ...(opts.ocrTimeoutMs ? { jobTimeoutMs: opts.ocrTimeoutMs } : {}) });
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

/** The box classifier, its time inside the engine added up under one kind, as timedRecognizer does for OCR. */
export function timedClassifier(inner: BoxClassifier, into: Record<string, number>, kind = 'box-classifier'): BoxClassifier {
  return {
    modelVersion: inner.modelVersion,
    async classify(charset: BoxCharset, cells: Float32Array[]): Promise<BoxAlternative[][]> {
      const t0 = performance.now();
      try {
        return await inner.classify(charset, cells);
      } finally {
        into[kind] = (into[kind] ?? 0) + (performance.now() - t0) / 1000;
      }
    },
    release: () => inner.release(),
  };
}

/**
 * A recognizer that runs one call at a time and times it, by kind, so the time inside the engine is measured apart
 * from the queue in front of it. One page's calls would wait on its single OCR worker anyway.
 */
export function timedRecognizer(inner: Recognizer, kindOf: (p: OcrParams) => string, into: Record<string, number>): Recognizer {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    recognize(image: Buffer, params: OcrParams): Promise<OcrResult> {
      const run = tail.then(async () => {
        const t0 = performance.now();
        try {
          return await inner.recognize(image, params);
        } finally {
          const k = kindOf(params);
          into[k] = (into[k] ?? 0) + (performance.now() - t0) / 1000;
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
