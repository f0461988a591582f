// The pool of page workers: piscina threads sized to the cores, each with its own box classifier, and the one OCR
// engine they share, which runs on this side (each worker's call reaches it through an OCR link, one a task). A page
// that takes too long is cut (its worker is stopped and replaced); the whole set of workers is replaced every so
// many pages, so memory that grows inside an engine is given back. The old set is stopped before the new one
// starts: two sets of engines at once was the memory run's peak.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Template } from '../template/schema.ts';
import type { OcrPool } from '../recognition/pool.ts';
import { serveOcr } from '../recognition/ocr-link.ts';
import { createOcrEngine, type OcrEngineOptions, type PageEngineOptions } from './engines.ts';
import type { PageWorkerData, PageWorkerTask } from './page-worker.ts';
import type { EngineCounts, PageResult, PageTask } from './task.ts';

export interface PagePoolOptions {
  size: number;
  templates: Template[];
  engines?: PageEngineOptions;
  /** The shared OCR engine. */
  ocr?: OcrEngineOptions;
  /**
   * A page that takes longer is abandoned and its worker replaced. Counted from hand-out: the scan's window keeps
   * at most two pages a worker waiting, so the limit is set well above a few pages' time (default 5 minutes).
   */
  pageTimeoutMs?: number;
  /** Replace the workers after this many pages each. */
  recycleAfterPages?: number;
}

export class PageTimeoutError extends Error {
  override name = 'PageTimeoutError';
}

/**
 * The worker's code. Compiled, it is the JavaScript beside this file. From the sources (tsx, vitest, the benches) it
 * is the compiled worker in dist/ when dist/ is fresh (built after every file under src/ last changed, the rule
 * bin/prf-backload uses), else the TypeScript through tsx in the worker thread too. A worker without tsx holds less
 * memory and starts faster: no transpiling of every module it loads, no source maps.
 */
function workerScript(): { filename: string; execArgv: string[] } {
  if (!import.meta.url.endsWith('.ts')) return { filename: new URL('./page-worker.js', import.meta.url).href, execArgv: process.execArgv };
  const withoutTsx: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const a = process.execArgv[i]!;
    if (a === '--import=tsx') continue;
    if (a === '--import' && process.execArgv[i + 1] === 'tsx') {
      i++;
      continue;
    }
    withoutTsx.push(a);
  }
  const root = new URL('../../', import.meta.url);
  const compiled = new URL('dist/page/page-worker.js', root);
  if (existsSync(compiled) && distIsFresh(root)) return { filename: compiled.href, execArgv: withoutTsx };
  return { filename: new URL('./page-worker.ts', import.meta.url).href, execArgv: [...withoutTsx, '--import', 'tsx'] };
}

/** Newest modification time under a folder, in ms (folders count too: a deleted file changes its folder). */
function newest(dir: URL): number {
  let t = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function distIsFresh(root: URL): boolean {
  try {
    return statSync(new URL('dist/.build-stamp', root)).mtimeMs >= newest(new URL('src/', root));
  } catch {
    return false;
  }
}

export class PagePool {
  private current!: Piscina;
  /** The OCR engine starts before the workers' threads do, so its thread is told apart from theirs by name. */
  private readonly ready: Promise<void>;
  private pagesOnCurrent = 0;
  /** Tasks running on the current set of workers. */
  private inFlight = 0;
  /** Resolved when the current set has no task running (while a replacement waits for it). */
  private idle: (() => void) | null = null;
  /** The replacement of the set of workers under way: new tasks wait for it. */
  private recycling: Promise<void> | null = null;
  readonly stats = { pages: 0, timeouts: 0, crashes: 0, recycled: 0 };
  /** The shared OCR engine's counters, filled in when the pool closes (the scan reads them at its end). */
  readonly ocrStats: EngineCounts = { jobs: 0, timeouts: 0, crashes: 0, recycled: 0, retries: 0 };
  private readonly opts: Required<PagePoolOptions>;
  /** Started when a page first needs OCR; a start that failed is tried again by the next call. */
  private ocrEngine: Promise<OcrPool> | null = null;

  constructor(options: PagePoolOptions) {
    this.opts = { engines: {}, ocr: {}, pageTimeoutMs: 300_000, recycleAfterPages: 250, ...options, size: Math.max(1, options.size) };
    // A failed start is tried again by the first page that needs OCR, and fails that page with its reason.
    this.ready = this.ocr()
      .catch(() => undefined)
      .then(() => {
        this.current = this.start();
      });
  }

  private ocr(): Promise<OcrPool> {
    this.ocrEngine ??= createOcrEngine(this.opts.ocr).catch((e: unknown) => {
      this.ocrEngine = null;
      throw e;
    });
    return this.ocrEngine;
  }

  get size(): number {
    return this.opts.size;
  }

  private start(): Piscina {
    const workerData: PageWorkerData = { templates: this.opts.templates, engines: this.opts.engines };
    return new Piscina({
      ...workerScript(),
      minThreads: this.opts.size,
      maxThreads: this.opts.size,
      idleTimeout: 60_000,
      workerData,
    });
  }

  /** Run one page task (a plain message: the worker reads the page from its file), with an OCR link beside it. */
  async run(task: PageTask): Promise<PageResult> {
    await this.ready;
    // Checked again after every wait: tasks that waited for a replacement count against the new set too.
    for (;;) {
      if (this.recycling) await this.recycling;
      else if (this.pagesOnCurrent >= this.opts.recycleAfterPages * this.opts.size) this.recycling = this.recycle();
      else break;
    }
    this.pagesOnCurrent++;
    this.inFlight++;
    const pool = this.current;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.opts.pageTimeoutMs);
    const link = new MessageChannel();
    serveOcr(() => this.ocr(), link.port1);
    try {
      const message: PageWorkerTask = { task, ocr: link.port2 };
      const result = (await pool.run(message, { signal: abort.signal, transferList: [link.port2] })) as PageResult;
      this.stats.pages++;
      return result;
    } catch (e) {
      if (abort.signal.aborted) {
        this.stats.timeouts++;
        throw new PageTimeoutError(`the page took longer than ${Math.round(this.opts.pageTimeoutMs / 1000)} s`);
      }
      this.stats.crashes++;
      throw e;
    } finally {
      clearTimeout(timer);
      link.port1.close();
      if (--this.inFlight === 0) this.idle?.();
    }
  }

  /**
   * A fresh set of workers: the old set finishes the pages it holds and stops (its engines' memory given back), then
   * the new one starts. Tasks handed in meanwhile wait; the pause is one page and the new workers' start.
   */
  private async recycle(): Promise<void> {
    try {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
      this.idle = null;
      await this.current.destroy().catch(() => undefined);
      this.current = this.start();
      this.pagesOnCurrent = 0;
      this.stats.recycled++;
    } finally {
      this.recycling = null;
    }
  }

  /** Stops every worker; call when no task is running any more. */
  async close(): Promise<void> {
    await this.ready;
    while (this.recycling) await this.recycling;
    await this.current.destroy();
    const ocr = await this.ocrEngine?.catch(() => null);
    if (ocr) {
      Object.assign(this.ocrStats, ocr.stats);
      await ocr.close();
    }
    this.ocrEngine = null;
  }
}
