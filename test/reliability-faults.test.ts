// Disk and permission faults: a job folder on a read-only file system, and one on a full file system (small tmpfs
// mounts; chmod cannot stop root). Each gives a clear error naming the problem and a non-zero exit, and leaves the
// job store usable: SQLite's integrity check passes, and a later run with the fault gone completes.
// Needs mount(2) (root, or a container with CAP_SYS_ADMIN); skipped with a message otherwise.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore } from '../src/job/store.ts';
import { leftovers, runCliChild } from './helpers/crash.ts';
import { buildJobFixture } from './helpers/job-fixture.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'reliability-faults-'));
const mounted: string[] = [];

function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    mounted.push(dir);
    return true;
  } catch {
    return false;
  }
}

function remount(dir: string, mode: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' });
}

const canMount = (() => {
  const probe = join(root, 'probe');
  if (!mountTmpfs(probe, '64k')) return false;
  execFileSync('umount', [probe]);
  mounted.pop();
  return true;
})();
if (!canMount) console.warn('[reliability-faults] SKIPPED: mount -t tmpfs is not permitted here (needs root / CAP_SYS_ADMIN)');

afterAll(() => {
  for (const dir of mounted.reverse()) {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    }
  }
  rmSync(root, { recursive: true, force: true });
});

function storeUsable(job: string): void {
  const s = JobStore.open(job);
  try {
    expect(s.integrityCheck()).toEqual({ ok: true, problems: [] });
    expect(s.statusCounts().problems).toEqual([]);
  } finally {
    s.close();
  }
}

/** SQLite's integrity check on a store that cannot be written (immutable: WAL mode would need a -shm file). */
function integrityWithoutWriting(job: string): string {
  // The job's disk is full, so the check runs on a copy elsewhere: the database file with its WAL, as SQLite reads
  // it (a check of the main file alone, ignoring the WAL, would judge a snapshot SQLite itself never reads).
  const copy = mkdtempSync(join(tmpdir(), 'integrity-'));
  try {
    for (const f of ['job.sqlite', 'job.sqlite-wal']) if (existsSync(join(job, f))) copyFileSync(join(job, f), join(copy, f));
    const db = new Database(join(copy, 'job.sqlite'), { readonly: true });
    try {
      return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('\n');
    } finally {
      db.close();
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** No stack trace, no library internals: one line a person can act on. */
function expectClearError(stderr: string, names: RegExp): void {
  expect(stderr).toMatch(/^prf-backload: /);
  expect(stderr).toMatch(names);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe.skipIf(!canMount)('a read-only job folder', () => {
  const mnt = join(root, 'ro');
  let ready: string[];

  beforeAll(() => {
    mountTmpfs(mnt, '8m');
    const f = buildJobFixture({ dir: join(mnt, 'job'), records: 3, notReady: 0 });
    ready = f.ready;
    f.store.close();
    mkdirSync(join(root, 'in'), { recursive: true });
    copyFileSync(join(FIXTURES, 'pages', 'blank-page.png'), join(root, 'in', 'blank-page.png'));
    remount(mnt, 'ro');
  });

  it('scan, validate and export each stop with a clear error and a non-zero exit', async () => {
    const job = join(mnt, 'job');
    const runs = [
      await runCliChild(['scan', join(root, 'in'), '--job', job, '--workers', '1']),
      await runCliChild(['validate', '--job', job]),
      await runCliChild(['export', '--job', job, '--out', join(root, 'out-ro')]),
    ];
    for (const r of runs) {
      console.log(`[reliability-faults] read-only: ${r.stderr.trim()}`);
      expect(r.code, r.stderr).toBe(1);
      expectClearError(r.stderr, /read-only/i);
      expect(r.stderr).toContain(job);
    }
  }, 120_000);

  it('leaves the job store usable: sound while read-only, and an export completes once it is writable again', async () => {
    const job = join(mnt, 'job');
    // Read-only, the store can still be opened read-only and checked.
    expect(integrityWithoutWriting(job)).toBe('ok');
    remount(mnt, 'rw');
    storeUsable(job);
    const r = await runCliChild(['export', '--job', job, '--out', join(root, 'out-ro')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Exported ${ready.length} form`));
    storeUsable(job);
  }, 120_000);
});

describe.skipIf(!canMount)('a full job folder', () => {
  const mnt = join(root, 'full');
  const job = join(mnt, 'job');
  const filler = join(mnt, 'filler');

  beforeAll(() => {
    mountTmpfs(mnt, '3m');
    mkdirSync(join(root, 'in-full'), { recursive: true });
    for (const f of ['scan-001-0001.png', 'scan-001-0002.png']) copyFileSync(join(FIXTURES, 'scans', f), join(root, 'in-full', f));
  });

  it('scan stops with a clear "disk full" error and a non-zero exit, and the store stays sound', async () => {
    // A job, then the disk filled to within a few kilobytes.
    const first = await runCliChild(['scan', join(FIXTURES, 'pages', 'blank-page.png'), '--job', job, '--workers', '1']);
    expect(first.code, first.stderr).toBe(3);
    // Leave room for the store to open and about one page image, so the scan fails part-way through writing.
    const fs = statfsSync(mnt);
    writeFileSync(filler, Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - 700 * 1024)));
    const r = await runCliChild(['scan', join(root, 'in-full'), '--job', job, '--workers', '1']);
    expect(r.code, r.stderr).toBe(1);
    expectClearError(r.stderr, /no space left|disk is full|full/i);
    expect(r.stderr).toContain(job);
    console.log(`[reliability-faults] disk full: ${r.stderr.trim()}`);
    // Still full, the store reads back sound (the rerun below opens it normally once there is space).
    expect(integrityWithoutWriting(job)).toBe('ok');
  }, 180_000);

  it('with space again, a rerun completes: every page in one state, nothing left over', async () => {
    rmSync(filler, { force: true });
    const r = await runCliChild(['scan', join(root, 'in-full'), '--job', job, '--workers', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    storeUsable(job);
    const s = JobStore.open(job);
    try {
      const counts = s.statusCounts();
      expect(counts.reconciles).toBe(true);
      expect(counts.sources.reading).toBe(0);
      expect(counts.pages).toMatchObject({ read: 2, quarantined: 1, total: 3 });
      expect(s.records.listRecords().map((x) => [x.serial, x.pagesRead])).toEqual([['001000', 2]]);
    } finally {
      s.close();
    }
    expect(leftovers(job)).toEqual([]);
  }, 180_000);
});
