// The page workers: a page that hangs past the page timeout has its worker stopped and is quarantined with the
// reason, the run goes on and the job reconciles; the page task is a plain message a worker can be sent.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanJob } from '../src/job/scan.ts';
import { JobStore } from '../src/job/store.ts';
import { loadTemplate } from '../src/template/load.ts';
import type { PageTask } from '../src/page/task.ts';

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

  it('the page task survives structured cloning unchanged (it can cross a thread or a queue)', () => {
    const task: PageTask = { file: 'a.png', pageIndex: 2, sha256: 'ab'.repeat(32), template: { id: template.id, version: template.version } };
    expect(structuredClone(task)).toEqual(task);
  });
});
