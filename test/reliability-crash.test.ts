// Crash safety: the real CLI (scan, export) killed with SIGKILL at seeded random moments, then run again to the end.
// After every recovery: each page of each source in exactly one state, no record or batch twice, no temp or partial
// file left, the counts reconcile and SQLite's integrity check passes. Small corpus, one OCR worker, so runs are short.
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore } from '../src/job/store.ts';
import { loadTemplate } from '../src/template/load.ts';
import { leftovers, runCliChild, seededRandom, type ChildRun } from './helpers/crash.ts';
import { buildJobFixture } from './helpers/job-fixture.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
const template = loadTemplate('standard-prf');
const root = mkdtempSync(join(tmpdir(), 'reliability-crash-'));
// killsMidWork: kills that left a job part-done (some pages saved but not all; some batches committed but not all).
const tally = { scanKills: 0, exportKills: 0, scanRuns: 0, exportRuns: 0, killsMidWork: 0 };

/** The small scan corpus and where each page must end: one form (two pages), a blank sheet, two bad files. */
const SCAN_CORPUS: Record<string, { state: 'read'; serial: string; pageNo: number } | { state: 'quarantined'; reason: string }> = {
  'scan-001-0001.png': { state: 'read', serial: '001000', pageNo: 1 },
  'scan-001-0002.png': { state: 'read', serial: '001000', pageNo: 2 },
  'blank-page.png': { state: 'quarantined', reason: 'blank-page' },
  'truncated.png': { state: 'quarantined', reason: 'truncated-image' },
  'empty.png': { state: 'quarantined', reason: 'empty-file' },
};

function makeScanInputs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const from: Record<string, string> = {
    'scan-001-0001.png': 'scans',
    'scan-001-0002.png': 'scans',
    'blank-page.png': 'pages',
    'truncated.png': 'bad',
    'empty.png': 'bad',
  };
  for (const [name, sub] of Object.entries(from)) copyFileSync(join(FIXTURES, sub, name), join(dir, name));
}

/** Everything a finished, crash-recovered scan job must satisfy. */
function checkScanJob(jobDir: string): void {
  const store = JobStore.open(jobDir);
  try {
    expect(store.integrityCheck()).toEqual({ ok: true, problems: [] });
    const counts = store.statusCounts();
    expect(counts.problems).toEqual([]);
    expect(counts.reconciles).toBe(true);
    const sources = store.pages.sources();
    // Each input file once, none left half-read.
    expect(sources.map((s) => basename(s.path)).sort()).toEqual(Object.keys(SCAN_CORPUS).sort());
    for (const s of sources) expect(s.status, s.path).not.toBe('reading');
    for (const s of sources) {
      const pages = store.pages.pagesOfSource(s.id);
      const want = SCAN_CORPUS[basename(s.path)]!;
      // exactly one page row per page of the file, in exactly one state
      expect(pages.map((p) => p.pageIndex), s.path).toEqual([0]);
      const p = pages[0]!;
      if (want.state === 'read') {
        expect({ state: p.state, serial: p.serial, pageNo: p.pageNo }, s.path).toEqual(want);
        expect(existsSync(join(jobDir, p.imagePath!)), `${s.path} page image`).toBe(true);
      } else {
        expect({ state: p.state, reason: p.reasonCode }, s.path).toEqual(want);
      }
    }
    expect(counts.pages).toMatchObject({ total: 5, read: 2, quarantined: 3 });
    // One record, each field once (its crop is cut from the page image, on disk above, on request).
    const records = store.records.listRecords();
    expect(records.map((r) => r.serial)).toEqual(['001000']);
    expect(records[0]!.pagesRead).toBe(2);
    const fields = store.records.recordFields('001000');
    expect(fields.length).toBe(template.fields.length);
    expect(new Set(fields.map((f) => f.fieldId)).size).toBe(fields.length);
    // one 'read' audit entry per field: a page was never saved twice
    const reads = store.review.auditOf('001000').filter((a) => a.action === 'read');
    expect(reads.length).toBe(fields.length);
  } finally {
    store.close();
  }
  expect(leftovers(jobDir)).toEqual([]);
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Everything a finished, crash-recovered export must satisfy. */
function checkExport(jobDir: string, out: string, ready: string[]): void {
  const store = JobStore.open(jobDir);
  try {
    expect(store.integrityCheck()).toEqual({ ok: true, problems: [] });
    const counts = store.statusCounts();
    expect(counts.problems).toEqual([]);
    expect(counts.records.exported).toBe(ready.length);
    expect(counts.records.ready).toBe(0);
    const batches = store.batches.all();
    const members = batches.flatMap((b) => store.batches.batchRecords(b.id));
    // every ready record in exactly one batch; batch numbers 1..n with no gap or repeat
    expect([...members].sort()).toEqual([...ready].sort());
    expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => i + 1));
    // the folder holds exactly the committed batches: no .partial, no temp file, no uncommitted batch
    expect(readdirSync(out).sort()).toEqual(batches.map((b) => b.id).sort());
    expect(leftovers(out)).toEqual([]);
    const serialsOnDisk: string[] = [];
    for (const b of batches) {
      const dir = join(out, b.id);
      expect(sha(join(dir, 'manifest.json'))).toBe(b.manifestSha256);
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      for (const f of manifest.files) expect(sha(join(dir, f.path)), `${b.id}/${f.path}`).toBe(f.sha256);
      serialsOnDisk.push(...manifest.records.map((r: { formSerial: string }) => r.formSerial));
    }
    // no record in two batch folders either
    expect(serialsOnDisk.sort()).toEqual([...ready].sort());
    expect(store.getMeta('export_lock')).toBeUndefined();
  } finally {
    store.close();
  }
}

/** A run that ended on its own must have ended well; a killed one must have been killed by us. */
function expectCleanOrKilled(r: ChildRun, okCodes: number[]): void {
  if (r.killed) expect(r.signal).toBe('SIGKILL');
  else expect(okCodes, `exit ${r.code}, stderr: ${r.stderr}`).toContain(r.code);
}

afterAll(() => {
  // The figures for the issue note.
  console.log(`[reliability-crash] ${JSON.stringify(tally)}`);
});

/**
 * Kill runs of one command at seeded random moments until `kills` kills have landed. The moments fall inside the
 * time one whole run takes, measured first on a fresh job of its own (start-up is fast or slow depending on whether
 * the compiled CLI or the sources run, and on the machine's load). A run that finishes before its kill moment is
 * checked and the next run starts on a fresh job, so every kill meets a job with work left to do. The job in hand at
 * the end is run to completion and checked.
 */
async function killLoop(o: {
  kills: number;
  seed: number;
  fresh: (n: number) => string;
  args: (dir: string) => string[];
  okCodes: number[];
  afterKill: (dir: string) => void;
  check: (dir: string) => void;
}): Promise<{ kills: number; runs: number; jobs: number }> {
  const rand = seededRandom(o.seed);
  let jobs = 1;
  let dir = o.fresh(jobs);
  const t0 = Date.now();
  const whole = await runCliChild(o.args(dir));
  const wholeMs = Date.now() - t0;
  expectCleanOrKilled(whole, o.okCodes);
  o.check(dir);
  dir = o.fresh(++jobs);
  const delayMs = [Math.round(wholeMs * 0.05), Math.round(wholeMs * 0.95)] as const;
  let kills = 0;
  let runs = 0;
  while (kills < o.kills) {
    expect(runs, 'too many runs finished before their kill moment').toBeLessThan(o.kills * 3);
    const delay = delayMs[0] + Math.floor(rand() * (delayMs[1] - delayMs[0]));
    const r = await runCliChild(o.args(dir), { killAfterMs: delay });
    runs++;
    expectCleanOrKilled(r, o.okCodes);
    if (r.killed) {
      kills++;
      o.afterKill(dir);
    } else {
      o.check(dir);
      dir = o.fresh(++jobs);
    }
  }
  const last = await runCliChild(o.args(dir));
  runs++;
  expect(last.killed).toBe(false);
  expect(o.okCodes, `exit ${last.code}: ${last.stderr}`).toContain(last.code);
  o.check(dir);
  return { kills, runs, jobs };
}

/** A kill never leaves the job unreadable or unreconciled (once the store exists at all). Returns pages and batches saved. */
function storeStillSound(job: string): { pages: number; batches: number } {
  if (!existsSync(join(job, 'job.sqlite'))) return { pages: 0, batches: 0 };
  const s = JobStore.open(job);
  try {
    expect(s.integrityCheck()).toEqual({ ok: true, problems: [] });
    const counts = s.statusCounts();
    expect(counts.problems).toEqual([]);
    return { pages: counts.pages.total, batches: s.batches.all().length };
  } finally {
    s.close();
  }
}

describe('crash safety: scan killed with SIGKILL at random moments', () => {
  it('11 kills from start-up through decode, OCR and saving; each job then run to the end loses nothing', async () => {
    const scanArgs = (dir: string) => ['scan', join(dir, 'in'), '--job', join(dir, 'job'), '--workers', '1', '--json'];
    const res = await killLoop({
      kills: 11,
      seed: 8101,
      fresh: (n) => {
        const dir = join(root, `scan-${n}`);
        makeScanInputs(join(dir, 'in'));
        return dir;
      },
      args: scanArgs,
      okCodes: [0, 3],
      afterKill: (dir) => {
        const { pages } = storeStillSound(join(dir, 'job'));
        if (pages > 0 && pages < 5) tally.killsMidWork++;
      },
      check: (dir) => checkScanJob(join(dir, 'job')),
    });
    tally.scanKills += res.kills;
    tally.scanRuns += res.runs;
    // A further run of a finished job finds nothing to do: every file is already in it.
    const again = await runCliChild(scanArgs(join(root, `scan-${res.jobs}`)));
    expect(JSON.parse(again.stdout)).toMatchObject({ sourcesSkipped: 5, pagesRead: 0, pagesQuarantined: 0 });
  }, 300_000);
});

describe('crash safety: export killed with SIGKILL at random moments', () => {
  let baseJob: string;
  let ready: string[];

  beforeAll(() => {
    const f = buildJobFixture({ dir: join(root, 'export-base', 'job'), records: 10, notReady: 0 });
    baseJob = f.dir;
    ready = f.ready;
    f.store.close();
  });

  it('10 kills while batches are written and committed; every ready record ends in exactly one batch', async () => {
    const exportArgs = (dir: string) => ['export', '--job', join(dir, 'job'), '--out', join(dir, 'out'), '--batch-size', '1', '--json'];
    const res = await killLoop({
      kills: 10,
      seed: 9201,
      fresh: (n) => {
        const dir = join(root, `export-${n}`);
        cpSync(baseJob, join(dir, 'job'), { recursive: true });
        return dir;
      },
      args: exportArgs,
      okCodes: [0],
      afterKill: (dir) => {
        const { batches } = storeStillSound(join(dir, 'job'));
        if (batches > 0 && batches < ready.length) tally.killsMidWork++;
      },
      check: (dir) => checkExport(join(dir, 'job'), join(dir, 'out'), ready),
    });
    tally.exportKills += res.kills;
    tally.exportRuns += res.runs;
    const last = join(root, `export-${res.jobs}`);
    const again = await runCliChild(exportArgs(last));
    expect(JSON.parse(again.stdout)).toMatchObject({ exportedRecords: 0, batches: [] });
    checkExport(join(last, 'job'), join(last, 'out'), ready);
  }, 240_000);

  it('survived 20 or more kills in all', () => {
    expect(tally.scanKills + tally.exportKills).toBeGreaterThanOrEqual(20);
  });
});

describe('crash safety: temp files of a killed writer', () => {
  it('the next scan removes temp files whose writer is dead, and leaves a live writer\'s alone', async () => {
    const dir = join(root, 'stale-temps');
    mkdirSync(join(dir, 'in'), { recursive: true });
    copyFileSync(join(FIXTURES, 'bad', 'empty.png'), join(dir, 'in', 'empty.png'));
    const job = join(dir, 'job');
    // What a SIGKILL between "open temp" and "rename" leaves: page images and crops under temp names.
    const first = await runCliChild(['scan', join(dir, 'in'), '--job', job, '--workers', '1']);
    expect(first.code).toBe(3);
    mkdirSync(join(job, 'crops', '001000'), { recursive: true });
    const dead = 2147483646; // no such process
    const stale = [`pages/.tmp-001000-p1.png.${dead}.0badc0de`, `crops/001000/.tmp-patient.surname.png.${dead}.deadbeef`, `thumbs/.tmp-1-0.jpg.${dead}.00c0ffee`];
    const live = `pages/.tmp-001000-p2.png.${process.ppid}.cafebabe`;
    for (const p of [...stale, live]) writeFileSync(join(job, p), 'half a file', { mode: 0o600 });
    const again = await runCliChild(['scan', join(dir, 'in'), '--job', job, '--workers', '1']);
    expect(again.code, again.stderr).toBe(0); // nothing new: the file is already in the job
    expect(leftovers(job)).toEqual([live]);
  }, 60_000);
});
