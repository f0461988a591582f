// A pool of tesseract.js workers: offline language data, a timeout and error handler around every job,
// workers recycled to bound memory, and a crashed or hung worker replaced so it costs one retry, not the run.
import { createRequire } from 'node:module';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { cpuSecondsOf, startNamedThreads, THREAD_NAMES } from '../page/thread-cpu.ts';

const require = createRequire(import.meta.url);
/** Language data shipped in the @tesseract.js-data/eng npm package: nothing is downloaded, nothing cached on disk. */
const ENG: { langPath: string; gzip: boolean } = require('@tesseract.js-data/eng');

export interface OcrParams {
  psm: PSM;
  /** Characters tesseract may answer with; empty for any. */
  whitelist: string;
  /** What the call is for ("text:required", "printed-serial"...): for the timing by kind only, never sent to tesseract. */
  kind?: string;
}

export interface OcrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrSymbol {
  text: string;
  confidence: number;
  bbox: OcrBox;
}

export interface OcrLine {
  text: string;
  confidence: number;
  bbox: OcrBox;
  symbols: OcrSymbol[];
}

export interface OcrResult {
  text: string;
  lines: OcrLine[];
  /** CPU seconds the engine's thread spent on this job (Linux; 0 elsewhere), so a caller on another thread can
   *  count the engine's CPU for its own page. */
  cpuSeconds?: number;
}

export interface OcrPoolOptions {
  size: number;
  /** A job that takes longer is abandoned and its worker replaced. */
  jobTimeoutMs?: number;
  /** Replace a worker after this many jobs, against memory growth inside the WASM heap. */
  recycleAfterJobs?: number;
}

interface Slot {
  worker: Worker | null;
  jobs: number;
  params: string;
  /** The thread(s) its tesseract.js worker runs on. */
  threads: string[];
}

interface Pending {
  image: Buffer;
  params: OcrParams;
  resolve: (r: OcrResult) => void;
  reject: (e: Error) => void;
  attempts: number;
}

/** What reads an image: the pool, or anything standing in for it (the benchmark records what the pool is sent). */
export interface Recognizer {
  recognize(image: Buffer, params: OcrParams): Promise<OcrResult>;
  /** CPU seconds the engine's own threads have used so far (Linux), so a caller can time a call in CPU too. */
  cpuSeconds?(): number;
}

export class OcrTimeoutError extends Error {
  override name = 'OcrTimeoutError';
}

export class OcrPool implements Recognizer {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly busy = new Set<Slot>();
  private closed = false;
  /** Counters for the run summary and the benchmark. */
  readonly stats = { jobs: 0, timeouts: 0, crashes: 0, recycled: 0, retries: 0 };

  /** Workers start one at a time, so each names only its own new thread (see thread-cpu.ts). */
  private starting: Promise<unknown> = Promise.resolve();

  private constructor(private readonly opts: Required<OcrPoolOptions>) {}

  static async create(options: OcrPoolOptions): Promise<OcrPool> {
    const pool = new OcrPool({ jobTimeoutMs: 60_000, recycleAfterJobs: 400, ...options });
    for (let i = 0; i < Math.max(1, options.size); i++) pool.slots.push({ worker: null, jobs: 0, params: '', threads: [] });
    // Start the workers up front so the first pages do not wait on language loading one by one.
    await Promise.all(pool.slots.map((s) => pool.ensureWorker(s)));
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  cpuSeconds(): number {
    return this.slots.reduce((n, s) => n + cpuSecondsOf(s.threads), 0);
  }

  recognize(image: Buffer, params: OcrParams): Promise<OcrResult> {
    if (this.closed) return Promise.reject(new Error('OCR pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ image, params, resolve, reject, attempts: 0 });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('OCR pool closed'));
    await Promise.all(this.slots.map((s) => this.dispose(s)));
  }

  private async ensureWorker(slot: Slot): Promise<Worker> {
    if (slot.worker) return slot.worker;
    // The tesseract.js worker runs on a thread of its own, started by createWorker: named, so its CPU is counted as
    // the OCR engine's (see thread-cpu.ts).
    const started = this.starting.then(() =>
      startNamedThreads(THREAD_NAMES.ocr, () =>
        createWorker('eng', OEM.LSTM_ONLY, {
          langPath: ENG.langPath,
          gzip: ENG.gzip,
          cacheMethod: 'none',
          // Errors inside the worker are turned into a rejected job by the timeout/catch below, never a crash.
          errorHandler: () => undefined,
        }),
      ),
    );
    this.starting = started.catch(() => undefined);
    const { value: worker, threads } = await started;
    slot.threads = threads;
    slot.worker = worker;
    slot.jobs = 0;
    slot.params = '';
    return worker;
  }

  private async dispose(slot: Slot): Promise<void> {
    const w = slot.worker;
    slot.worker = null;
    slot.params = '';
    if (w) await w.terminate().catch(() => undefined);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.busy.has(slot) || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      this.busy.add(slot);
      void this.run(slot, job).finally(() => {
        this.busy.delete(slot);
        this.pump();
      });
    }
  }

  private async run(slot: Slot, job: Pending): Promise<void> {
    job.attempts++;
    let timer: NodeJS.Timeout | undefined;
    let abandoned = false;
    try {
      if (slot.jobs >= this.opts.recycleAfterJobs) {
        this.stats.recycled++;
        await this.dispose(slot);
      }
      const worker = await this.ensureWorker(slot);
      const cpu0 = cpuSecondsOf(slot.threads);
      const work = (async () => {
        const key = `${job.params.psm}|${job.params.whitelist}`;
        if (slot.params !== key) {
          await worker.setParameters({
            tessedit_pageseg_mode: job.params.psm,
            tessedit_char_whitelist: job.params.whitelist,
            // Canonical pages are about 200 dpi; saying so stops tesseract guessing from the PNG.
            user_defined_dpi: '200',
          });
          // Once the timeout has won, this worker is being terminated: its parameters say nothing of the slot's next
          // worker, and a job started on it would fail inside tesseract.js, where its send() rejects unobserved.
          if (!abandoned) slot.params = key;
        }
        if (abandoned) throw new OcrTimeoutError('abandoned after the timeout');
        return worker.recognize(job.image, {}, { blocks: true, text: true });
      })();
      // When the timeout wins, the abandoned job may still fail later (its worker is terminated under it): that
      // failure is expected and must not surface as an unhandled rejection, which would end the process.
      work.catch(() => undefined);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          abandoned = true;
          reject(new OcrTimeoutError(`OCR took longer than ${this.opts.jobTimeoutMs} ms`));
        }, this.opts.jobTimeoutMs);
      });
      const res = await Promise.race([work, timeout]);
      slot.jobs++;
      this.stats.jobs++;
      job.resolve({ ...toResult(res.data), cpuSeconds: Math.max(0, cpuSecondsOf(slot.threads) - cpu0) });
    } catch (e) {
      // A hung or crashed worker is replaced; the job is tried once more on a fresh worker.
      if (e instanceof OcrTimeoutError) this.stats.timeouts++;
      else this.stats.crashes++;
      await this.dispose(slot);
      if (job.attempts < 2 && !this.closed) {
        this.stats.retries++;
        this.queue.unshift(job);
      } else {
        job.reject(e instanceof Error ? e : new Error(String(e)));
      }
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}

function toResult(data: any): OcrResult {
  const lines: OcrLine[] = [];
  for (const block of data.blocks ?? []) {
    for (const para of block.paragraphs ?? []) {
      for (const line of para.lines ?? []) {
        const symbols: OcrSymbol[] = [];
        for (const word of line.words ?? []) {
          for (const s of word.symbols ?? []) symbols.push({ text: s.text, confidence: s.confidence, bbox: s.bbox });
        }
        lines.push({ text: line.text.trim(), confidence: line.confidence, bbox: line.bbox, symbols });
      }
    }
  }
  return { text: data.text ?? '', lines };
}

export { PSM };
