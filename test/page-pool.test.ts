// The page workers: a page that hangs past the page timeout has its worker stopped and is quarantined with the
// reason, the run goes on and the job reconciles; the page task is a plain message a worker can be sent.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanJob } from '../src/job/scan.ts';
import { JobStore } from '../src/job/store.ts';
import { loadTemplate } from '../src/template/load.ts';
import { PagePool } from '../src/page/pool.ts';
import type { PageTask } from '../src/page/task.ts';
import { THREAD_NAMES } from '../src/page/thread-cpu.ts';

const template = loadTemplate('standard-prf');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

describe('page workers', () => {
  it('a page that takes longer than the page timeout is quarantined as page-timeout, and the job reconciles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prf-page-pool-'));
    copyFileSync(join(FIXTURES, 'scans', 'scan-001-0001.png'), join(dir, 'a.png'));
    const jobDir = join(dir, 'job');
    // 1 ms: every page is cut before its worker can answer.
    const summary = await scanJob({ inputs: [join(dir, 'a.png')], jobDir, template, workers: 1, pageTimeoutMs: 1 });
    expect(summary.pageWorkers.timeouts).toBe(1);
    const store = JobStore.open(jobDir);
    try {
      const pages = store.pages.pagesOfSource(store.pages.sources()[0]!.id);
      expect(pages.map((p) => [p.state, p.reasonCode])).toEqual([['quarantined', 'page-timeout']]);
      expect(pages[0]!.reason).toMatch(/a\.png, page 1: reading it took too long/);
      expect(store.statusCounts().reconciles).toBe(true);
    } finally {
      store.close();
    }
    // The page is in the job: a rerun skips the file.
    const again = await scanJob({ inputs: [join(dir, 'a.png')], jobDir, template, workers: 1 });
    expect(again.sourcesSkipped).toBe(1);
  }, 120_000);

  it('replacing the set of workers stops the old set before the new one starts (never two sets of engines at once)', async () => {
    const file = join(FIXTURES, 'scans', 'scan-001-0001.png');
    const task: PageTask = { file, pageIndex: 0, sha256: createHash('sha256').update(readFileSync(file)).digest('hex'), template: { id: template.id, version: template.version } };
    /** Threads of this process with the name now (Linux; elsewhere none are seen and the count stays 0). */
    const threadsNamed = (name: string) => {
      let n = 0;
      try {
        for (const tid of readdirSync('/proc/self/task')) {
          try {
            if (readFileSync(`/proc/self/task/${tid}/comm`, 'latin1').trim() === name) n++;
          } catch {
            // the thread ended
          }
        }
      } catch {
        // not Linux
      }
      return n;
    };
    /** Most OCR engines alive at once: one a page worker, so more than one means two sets of workers at once. */
    let most = 0;
    // Each page worker's tesseract runs on a thread of its own, named once it started (its page worker's thread is
    // not counted: a thread a page worker starts carries that worker's name until it is named).
    const watch = setInterval(() => (most = Math.max(most, threadsNamed(THREAD_NAMES.ocr))), 10);
    const pool = new PagePool({ size: 1, templates: [template], recycleAfterPages: 1 });
    try {
      const results = await Promise.all([pool.run(task), pool.run(task), pool.run(task)]);
      expect(results.map((r) => [r.state, r.identity?.serial, r.identity?.page])).toEqual(Array(3).fill(['read', results[0]!.identity?.serial, 1]));
      expect(pool.stats).toMatchObject({ pages: 3, recycled: 2, crashes: 0, timeouts: 0 });
    } finally {
      clearInterval(watch);
      await pool.close();
    }
    if (process.platform === 'linux') expect(most).toBe(1);
    else expect(most).toBe(0);
  }, 180_000);

  it('the page task survives structured cloning unchanged (it can cross a thread or a queue)', () => {
    const task: PageTask = { file: 'a.png', pageIndex: 2, sha256: 'ab'.repeat(32), template: { id: template.id, version: template.version } };
    expect(structuredClone(task)).toEqual(task);
  });
});
