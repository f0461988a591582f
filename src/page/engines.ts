// The recognition engines of one page worker, made in one place: each worker thread holds its own sessions.
import { OcrPool, type OcrParams, type OcrResult, type Recognizer } from '../recognition/pool.ts';
import type { EngineCounts } from './task.ts';

export interface PageEngineOptions {
  /** OCR job timeout (tests shorten it). */
  ocrTimeoutMs?: number;
}

export interface PageEngines {
  /** Comb and free-text fields, and the printed serial of a page without its QR code. */
  ocr: Recognizer;
  /** Counters since the engines were made. */
  counts(): EngineCounts;
  close(): Promise<void>;
}

export async function createPageEngines(opts: PageEngineOptions = {}): Promise<PageEngines> {
  // One OCR worker per page worker: pages, not fields, are what runs in parallel.
  const ocr = await OcrPool.create({ size: 1, ...(opts.ocrTimeoutMs ? { jobTimeoutMs: opts.ocrTimeoutMs } : {}) });
  return { ocr, counts: () => ({ ...ocr.stats }), close: () => ocr.close() };
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
