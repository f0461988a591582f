// One lock for every writing command on a job (issue 14, defect 4), and a job folder that refuses linked
// subfolders and tightens loose modes (defect 5). The holder is a real live process; the commands are the real CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireJobLock, JobLockedError, withStoreLock } from '../src/job/job-lock.ts';
import Database from 'better-sqlite3';
import { storageFaultMessage } from '../src/job/fs-safe.ts';
import { JOB_DB_FILE, JobStore } from '../src/job/store.ts';
import { runCli } from './helpers/cli.ts';
import { buildJobFixture } from './helpers/job-fixture.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'prf-lock-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** A live process that is not this one, standing in for a command mid-run. */
function liveProcess(): ChildProcess {
  const c = spawn('sleep', ['120'], { stdio: 'ignore' });
  children.push(c);
  return c;
}
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('one lock for every writing command on a job', () => {
  it('a second writer is refused with the holder named and advice; readers are not; a dead holder is taken over', () => {
    const f = buildJobFixture({ dir: join(root, 'locked', 'job'), records: 2, notReady: 1 });
    const holder = liveProcess();
    f.store.setMeta('job_lock', JSON.stringify({ pid: holder.pid, host: hostname(), command: 'review apply', since: '2026-12-01T10:00:00Z' }));
    f.store.close();
    const out = join(root, 'locked', 'out');
    const csv = join(root, 'locked', 'c.csv');
    writeFileSync(csv, 'x\n');
    mkdirSync(join(root, 'locked', 'scans'));
    copyFileSync(join(FIXTURES, 'pages', 'blank-page.png'), join(root, 'locked', 'scans', 'blank.png'));
    const writers: [string, string[]][] = [
      ['scan', ['scan', join(root, 'locked', 'scans'), '--job', f.dir, '--workers', '1']],
      ['validate', ['validate', '--job', f.dir]],
      ['export', ['export', '--job', f.dir, '--out', out]],
      ['review apply', ['review', 'apply', csv, '--job', f.dir, '--reviewer', 'dm.jones']],
    ];
    for (const [name, args] of writers) {
      const r = runCli(args);
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toContain(`another prf-backload command is writing to the job ${f.dir}: review apply (process ${holder.pid}, since 2026-12-01T10:00:00Z)`);
      expect(r.stderr, name).toContain(`Nothing was changed by this ${name}`);
      expect(r.stderr, name).toContain(`kill ${holder.pid}`);
      expect(r.stderr, name).not.toMatch(/SQLITE|UNIQUE constraint|database is locked/);
    }
    const s = JobStore.open(f.dir);
    expect(s.pages.sources().length).toBe(2); // the scan added nothing
    expect(s.batches.all()).toEqual([]);
    s.close();
    expect(runCli(['status', '--job', f.dir]).code).not.toBe(1); // a reader needs no lock
    holder.kill('SIGKILL');
    return new Promise<void>((done) =>
      holder.on('exit', () => {
        const r = runCli(['export', '--job', f.dir, '--out', out]);
        expect(r.stderr).toBe('');
        expect(readdirSync(out)).toEqual(['batch-0001']);
        const s2 = JobStore.open(f.dir);
        expect(s2.getMeta('job_lock')).toBeUndefined(); // released at the end
        s2.close();
        done();
      }),
    );
  });

  it('a lock whose process id was reused by another process is taken over (start time differs)', () => {
    const f = buildJobFixture({ dir: join(root, 'reused', 'job'), records: 1 });
    const other = liveProcess();
    f.store.setMeta('job_lock', JSON.stringify({ pid: other.pid, start: '1', host: hostname(), command: 'scan', since: '2026-12-01T10:00:00Z' }));
    const release = acquireJobLock(f.store, 'validate');
    expect(JSON.parse(f.store.getMeta('job_lock')!)).toMatchObject({ pid: process.pid, command: 'validate' });
    release();
    f.store.close();
  });

  it('withStoreLock (one review-page decision) refuses while another command holds the job, and nests in its own', () => {
    const f = buildJobFixture({ dir: join(root, 'decision', 'job'), records: 1 });
    const outer = acquireJobLock(f.store, 'export');
    expect(withStoreLock(f.store, 'review', () => 42)).toBe(42); // same process: shares the lock
    expect(f.store.getMeta('job_lock')).toContain('"export"');
    outer();
    const holder = liveProcess();
    f.store.setMeta('job_lock', JSON.stringify({ pid: holder.pid, host: hostname(), command: 'export', since: '2026-12-01T10:00:00Z' }));
    expect(() => withStoreLock(f.store, 'review', () => 1)).toThrow(JobLockedError);
    f.store.close();
  });

  it('opening a job already on this schema writes nothing, so a reader opens while another process holds the write lock', () => {
    const f = buildJobFixture({ dir: join(root, 'busy', 'job'), records: 1 });
    f.store.close();
    // Another connection (standing in for a scan mid-commit) holds the write lock.
    const writer = new Database(join(f.dir, JOB_DB_FILE));
    writer.pragma('busy_timeout = 0');
    writer.exec('BEGIN IMMEDIATE');
    const t0 = Date.now();
    const reader = JobStore.open(f.dir);
    expect(Date.now() - t0).toBeLessThan(4000); // not the 5 s busy timeout: it never asked for the lock
    expect(reader.getMeta('job_id')).toBeDefined();
    reader.close();
    writer.exec('ROLLBACK');
    writer.close();
  });

  it('a store transaction that reads and then writes holds the write lock from its start, so a commit by another process cannot break it', () => {
    const f = buildJobFixture({ dir: join(root, 'snapshot', 'job'), records: 1 });
    // Another process (a second command opening the job) commits between this transaction's read and its write.
    const other = new Database(join(f.dir, JOB_DB_FILE));
    other.pragma('busy_timeout = 0');
    let otherCommit: unknown;
    f.store.inTransaction(() => {
      f.store.getMeta('job_id');
      try {
        other.prepare(`INSERT INTO meta(key, value) VALUES ('other', '1')`).run();
      } catch (e) {
        otherCommit = e;
      }
      f.store.setMeta('mine', '1'); // a deferred transaction would fail here with SQLITE_BUSY_SNAPSHOT
    });
    expect((otherCommit as { code?: string })?.code).toMatch(/^SQLITE_BUSY/); // it waited for the lock instead
    expect(f.store.getMeta('mine')).toBe('1');
    other.close();
    f.store.close();
  });

  it('a job database kept busy past the timeout is named as busy, with the job folder, not as SQLite\'s "database is locked"', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY_SNAPSHOT' });
    const msg = storageFaultMessage(busy, '/jobs/outage-1');
    expect(msg).toMatch(/job database in \/jobs\/outage-1 was kept busy by another process/);
    expect(msg).not.toMatch(/SQLITE|database is locked/);
  });

  it('two scans of one job started together: one runs, the other is refused by name, none dies on a UNIQUE constraint', async () => {
    const scans = join(root, 'twin', 'scans');
    mkdirSync(scans, { recursive: true });
    copyFileSync(join(FIXTURES, 'scans', 'scan-001-0001.png'), join(scans, 'a.png'));
    copyFileSync(join(FIXTURES, 'pages', 'blank-page.png'), join(scans, 'b.png'));
    const job = join(root, 'twin', 'job');
    const run = () =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const c = spawn(process.execPath, [new URL('../bin/prf-backload', import.meta.url).pathname, 'scan', scans, '--job', job, '--workers', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        c.stderr.on('data', (d) => (stderr += d));
        c.on('close', (code) => done({ code, stderr }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    const all = a.stderr + b.stderr;
    expect(all).not.toMatch(/UNIQUE constraint|SQLITE|database is locked/);
    const codes = [a.code, b.code].sort();
    // One finished (3: the blank page is quarantined); the other either was refused or, if it started after the
    // first finished, found both files already in the job (exit 3 again).
    expect(codes[1]).toBe(3);
    if (codes[0] === 1) expect(all).toMatch(/another prf-backload command is writing to the job .*: scan \(process \d+/);
    const s = JobStore.open(job);
    expect(s.statusCounts().pages).toMatchObject({ total: 2 });
    s.close();
  }, 120_000);
});

describe('the job folder keeps its data inside and owner-only', () => {
  it('refuses a linked pages/ folder and leaves the link target alone', () => {
    const f = buildJobFixture({ dir: join(root, 'linked', 'job'), records: 1 });
    f.store.close();
    const elsewhere = join(root, 'linked', 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o755 });
    chmodSync(elsewhere, 0o755);
    rmSync(join(f.dir, 'pages'), { recursive: true });
    symlinkSync(elsewhere, join(f.dir, 'pages'));
    expect(() => JobStore.open(f.dir)).toThrow(/pages\/ in the job .* is a link \(to .*elsewhere\)/);
    const scans = join(root, 'linked', 'scans');
    mkdirSync(scans);
    copyFileSync(join(FIXTURES, 'scans', 'scan-001-0001.png'), join(scans, 'a.png'));
    const r = runCli(['scan', scans, '--job', f.dir, '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is a link');
    expect(readdirSync(elsewhere)).toEqual([]); // no page image written outside the job
    expect(mode(elsewhere)).toBe('755'); // and not chmodded
  });

  it('tightens a 0777 job folder, a 0666 job.sqlite and 0644 page files', () => {
    const f = buildJobFixture({ dir: join(root, 'loose', 'job'), records: 2, notReady: 1 });
    f.store.close();
    const page = join(f.dir, 'pages', 'p1.png');
    writeFileSync(page, 'x', { mode: 0o644 });
    chmodSync(page, 0o644);
    chmodSync(f.dir, 0o777);
    chmodSync(join(f.dir, 'job.sqlite'), 0o666);
    const r = runCli(['export', '--job', f.dir, '--out', join(root, 'loose', 'out')]);
    expect(r.code).toBe(3); // one form still needs review
    expect(r.stderr).toContain('1 page file(s) in the job could be read by other users; they are now owner-only');
    expect([mode(f.dir), mode(join(f.dir, 'job.sqlite')), mode(page)]).toEqual(['700', '600', '600']);
    expect(existsSync(join(f.dir, 'job.sqlite'))).toBe(true);
  });
});
