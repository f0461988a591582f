// Patient data hygiene: run the CLI as records staff would (scan, status, validate, export, and some runs that fail)
// and check that no NHS number, surname, postcode or date of birth of the patients in the job appears in anything
// written to stdout or stderr, nor in any log file; and that the job folder and export outputs are owner-only
// (folders 0700, files 0600) even under umask 000.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers/cli.ts';
import { looseModes, walkTree } from './helpers/crash.ts';
import { buildJobFixture } from './helpers/job-fixture.ts';
import type { PrfRecord } from '../src/record/schema.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'reliability-hygiene-'));

interface Captured {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}
const captured: Captured[] = [];

/** Run the CLI under umask 000, so owner-only modes must come from the tool itself, not the caller's umask. */
function cli(args: string[]): Captured {
  const res = spawnSync('/bin/sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, PRF_DEBUG: '' },
  });
  const c = { args, code: res.status, stdout: res.stdout, stderr: res.stderr };
  captured.push(c);
  return c;
}

/** The identifying values of a record in the ways they are commonly written, for searching output. */
function identifiers(r: Pick<PrfRecord, 'patient'>): string[] {
  const p = r.patient ?? {};
  const out: string[] = [];
  if (p.nhsNumber) out.push(p.nhsNumber, `${p.nhsNumber.slice(0, 3)} ${p.nhsNumber.slice(3, 6)} ${p.nhsNumber.slice(6)}`);
  if (p.surname && p.surname.length >= 3) out.push(p.surname);
  if (p.postcode) out.push(p.postcode, p.postcode.replace(/\s+/g, ''));
  if (p.dateOfBirth) {
    const [y, m, d] = p.dateOfBirth.split('-');
    out.push(p.dateOfBirth, `${d}/${m}/${y}`, `${d}${m}${y}`, `${d}-${m}-${y}`);
  }
  return out;
}

function leaks(text: string, ids: string[]): string[] {
  const lower = text.toLowerCase();
  // Surnames as whole words only: 'HALL' must not match inside 'hallway' of a help text.
  return ids.filter((id) => new RegExp(`(^|[^a-z0-9])${id.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z0-9])`).test(lower));
}

/** Log-like files anywhere under a folder (the tool should write none; if it ever does, they are searched too). */
function logFiles(dir: string): string[] {
  return walkTree(dir)
    .filter((e) => !e.isDir && /\.(log|txt|out|err)$/i.test(e.path))
    .map((e) => join(dir, e.path));
}

describe('patient data hygiene: scanned fixtures through scan, status and validate', () => {
  const inDir = join(root, 'scans');
  const job = join(root, 'job');
  const truths = ['001000', '001001'].map((s) => JSON.parse(readFileSync(join(FIXTURES, 'truth', `${s}.truth.json`), 'utf8')).record as PrfRecord);
  const ids = truths.flatMap(identifiers);

  beforeAll(() => {
    mkdirSync(inDir);
    for (const n of [1, 2, 3, 4]) copyFileSync(join(FIXTURES, 'scans', `scan-001-000${n}.png`), join(inDir, `scan-001-000${n}.png`));
    // a page with a name on it that is quarantined (its QR code and printed serial unreadable)
    copyFileSync(join(FIXTURES, 'pages', 'qr-torn-serial-smudged.png'), join(inDir, 'qr-torn-serial-smudged.png'));
    cli(['scan', inDir, '--job', job, '--workers', '1']);
    cli(['scan', inDir, '--job', job, '--workers', '1', '--json']);
    cli(['status', '--job', job]);
    cli(['status', '--job', job, '--json']);
    cli(['validate', '--job', job, '--today', '2024-01-01']);
    cli(['validate', '--job', job, '--today', '2024-01-01', '--json']);
    cli(['export', '--job', job, '--out', join(root, 'out-scanned')]);
    // Failing runs print errors: these must not quote values either.
    cli(['validate', '--job', join(root, 'no-such-job')]);
    cli(['scan', join(root, 'no-such-folder'), '--job', job, '--workers', '1']);
  }, 300_000);

  it('the searched values are really there to find (the test would see a leak)', () => {
    expect(ids.length).toBeGreaterThanOrEqual(12);
    const nhs = truths.map((t) => t.patient.nhsNumber).filter(Boolean);
    expect(nhs.length).toBeGreaterThan(0);
    expect(nhs.every((n) => n!.startsWith('999'))).toBe(true); // synthetic test range only
    expect(leaks(`patient ${truths[0]!.patient.surname} born ${truths[0]!.patient.dateOfBirth}`, ids).length).toBe(2);
  });

  it('the commands ran as expected', () => {
    expect(captured[0]!.code, captured[0]!.stderr).toBe(3); // one page quarantined (QR torn off, serial smudged)
    expect(captured[0]!.stdout).toMatch(/4 read, 1 quarantined/);
    expect(captured[4]!.code).toBe(3); // forms need review
    expect(captured[7]!.code).toBe(1);
    expect(captured[7]!.stderr).toMatch(/not a job folder/);
  });

  it('no NHS number, surname, postcode or date of birth in any stdout or stderr', () => {
    for (const c of captured) {
      expect(leaks(c.stdout, ids), `stdout of ${c.args.join(' ')}`).toEqual([]);
      expect(leaks(c.stderr, ids), `stderr of ${c.args.join(' ')}`).toEqual([]);
    }
  });

  it('no log file is written, and none holds a value', () => {
    const logs = [...logFiles(job), ...logFiles(root)];
    for (const f of logs) expect(leaks(readFileSync(f, 'utf8'), ids), f).toEqual([]);
    expect(logFiles(job)).toEqual([]);
  });

  it('the job folder is 0700 and everything in it owner-only (0700 folders, 0600 files), under umask 000', () => {
    // The database, the folders, 4 page images and a thumbnail (crops are cut from the page images on request).
    expect(walkTree(job).filter((e) => !e.isDir && /\.(png|jpg)$/.test(e.path)).length).toBeGreaterThanOrEqual(5);
    expect(looseModes(job)).toEqual([]);
    const self = walkTree(root).find((e) => e.path === 'job')!;
    expect(self.mode).toBe(0o700);
  });
});

describe('patient data hygiene: export of ready forms', () => {
  const dir = join(root, 'export');
  let ids: string[];

  beforeAll(() => {
    const f = buildJobFixture({ dir: join(dir, 'job'), records: 4, notReady: 1 });
    ids = f.records.flatMap(identifiers);
    f.store.close();
    captured.length = 0;
    cli(['export', '--job', join(dir, 'job'), '--out', join(dir, 'out'), '--batch-size', '2']);
    cli(['export', '--job', join(dir, 'job'), '--out', join(dir, 'out'), '--json']);
    cli(['export', '--job', join(dir, 'job'), '--out', join(dir, 'out'), '--reissue', 'batch-0001']);
    cli(['status', '--job', join(dir, 'job')]);
  }, 120_000);

  it('exports the ready forms (so there is patient data in the batches to leak)', () => {
    expect(captured[0]!.stdout).toMatch(/Exported 3 form\(s\) in 2 new batch/);
    const csv = readFileSync(join(dir, 'out', 'batch-0001', 'records.csv'), 'utf8');
    expect(leaks(csv, ids).length).toBeGreaterThan(0);
  });

  it('no identifying value in stdout or stderr of export, reissue or status', () => {
    for (const c of captured) {
      expect(leaks(c.stdout, ids), `stdout of ${c.args.join(' ')}`).toEqual([]);
      expect(leaks(c.stderr, ids), `stderr of ${c.args.join(' ')}`).toEqual([]);
    }
  });

  it('batch folders are 0700 and every batch file 0600, under umask 000', () => {
    const out = join(dir, 'out');
    expect(readdirSync(out).sort()).toEqual(['batch-0001', 'batch-0002']);
    expect(walkTree(out).filter((e) => !e.isDir).length).toBeGreaterThanOrEqual(10);
    expect(looseModes(out)).toEqual([]);
    expect(looseModes(join(dir, 'job'))).toEqual([]);
    expect(walkTree(dir).find((e) => e.path === 'out')!.mode).toBe(0o700);
  });
});
