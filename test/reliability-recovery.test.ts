// Defects an adversarial run found (issue 14): a committed batch lost by an interrupted reissue, a very deep folder
// that overflowed the walk, PDF pages with impossible sizes passed off as blank, and command-line paths that
// produced raw ENOENT/EEXIST or a job for a path that does not exist.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportJob } from '../src/export/export.ts';
import { decodePages } from '../src/imaging/decode.ts';
import { walkInputs, MAX_FOLDER_DEPTH, type WalkItem } from '../src/imaging/walk.ts';
import { JobStore } from '../src/job/store.ts';
import { pdfWithMediaBox } from '../bench/soak/pdf.ts';
import { runCli } from './helpers/cli.ts';
import { buildJobFixture } from './helpers/job-fixture.ts';
import { makeReadJob, sample } from './helpers/read-job.ts';

const root = mkdtempSync(join(tmpdir(), 'prf-recovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

async function exportedFixture(name: string) {
  const f = buildJobFixture({ dir: join(root, name, 'job'), records: 3, notReady: 0 });
  f.store.close();
  const out = join(root, name, 'out');
  await exportJob({ jobDir: f.dir, outDir: out });
  return { job: f.dir, out };
}

describe('export crash recovery never deletes the only copy of a committed batch', () => {
  it('puts back batch-0001.old left by a reissue killed between its two renames', async () => {
    const { job, out } = await exportedFixture('old-only');
    const store = JobStore.open(job);
    const committed = store.batches.get('batch-0001')!;
    store.close();
    // The state a SIGKILL leaves just after the reissue moved the committed folder aside.
    renameSync(join(out, 'batch-0001'), join(out, 'batch-0001.old'));
    const res = await exportJob({ jobDir: job, outDir: out });
    expect(res.restored).toEqual(['batch-0001']);
    expect(res.cleaned).toEqual([]);
    expect(existsSync(join(out, 'batch-0001.old'))).toBe(false);
    expect(sha(join(out, 'batch-0001', 'manifest.json'))).toBe(committed.manifestSha256);
  });

  it('drops the .old copy only when the complete new copy stands beside it', async () => {
    const { job, out } = await exportedFixture('old-and-new');
    execFileSync('cp', ['-a', join(out, 'batch-0001'), join(out, 'batch-0001.old')]);
    const res = await exportJob({ jobDir: job, outDir: out });
    expect(res.restored).toEqual([]);
    expect(res.cleaned).toEqual(['batch-0001.old']);
    expect(existsSync(join(out, 'batch-0001', 'manifest.json'))).toBe(true);
  });

  it('a reissue killed after writing its new copy but before the swap leaves the committed folder as it was', async () => {
    const { job, out } = await exportedFixture('partial');
    const before = sha(join(out, 'batch-0001', 'manifest.json'));
    mkdirSync(join(out, 'batch-0001.partial'));
    writeFileSync(join(out, 'batch-0001.partial', 'manifest.json'), '{}');
    const res = await exportJob({ jobDir: job, outDir: out, reissue: 'batch-0001' });
    expect(res.reissueIdentical).toBe(true);
    expect(sha(join(out, 'batch-0001', 'manifest.json'))).toBe(before);
  });
});

/** Make or remove top/d/d/.../d (3,000 levels, an f.png in each) from a child process that moves with chdir. */
function deepTree(top: string, what: 'build' | 'remove'): void {
  const build = "for (let i = 0; i < 3000; i++) { fs.mkdirSync('d'); process.chdir('d'); fs.writeFileSync('f.png', ''); }";
  const remove =
    "let n = 0; while (fs.existsSync('d')) { process.chdir('d'); n++; } " +
    "for (; n > 0; n--) { fs.rmSync('f.png', { force: true }); process.chdir('..'); fs.rmdirSync('d'); }";
  execFileSync(process.execPath, ['-e', `const fs = require('fs'); process.chdir(process.argv[1]); ${what === 'build' ? build : remove}`, top]);
}

describe('a 3,000-deep folder', () => {
  it('is walked without recursion: the shallow page is found and the deep part reported as folder-too-deep', async () => {
    const top = join(root, 'deep');
    mkdirSync(top);
    writeFileSync(join(top, 'good.png'), 'x');
    // Built (and later removed) with relative steps: the full path is longer than the system allows for one path.
    deepTree(top, 'build');
    const items: WalkItem[] = [];
    try {
      for await (const item of walkInputs([top])) items.push(item);
    } finally {
      deepTree(top, 'remove'); // rmSync's own recursion would overflow on it
    }
    const errors = items.filter((i) => 'error' in i).map((i) => ('error' in i ? i.error.code : ''));
    expect(errors).toEqual(['folder-too-deep']);
    // good.png plus the f.png of each of the MAX_FOLDER_DEPTH - 1 folders walked below top
    expect(items.length - errors.length).toBe(MAX_FOLDER_DEPTH);
  });
});

describe('PDF pages whose size is impossible are not passed off as blank', () => {
  for (const [name, box] of [
    ['+-1e9', '-1e9 -1e9 1e9 1e9'],
    ['0 0 0 0', '0 0 0 0'],
    ['missing', ''],
    ['three numbers', '0 0 595'],
  ] as const) {
    it(`MediaBox ${name} -> pdf-page-size-invalid`, async () => {
      const file = join(root, `box-${name.replace(/\W/g, '_')}.pdf`);
      writeFileSync(file, pdfWithMediaBox(box));
      const pages = [];
      for await (const p of decodePages(file)) pages.push(p);
      expect(pages.map((p) => p.error?.code)).toEqual(['pdf-page-size-invalid']);
      expect(pages[0]!.error!.message).toContain(file);
    });
  }
});

describe('paths on the command line get plain messages, never raw ENOENT/EEXIST', () => {
  const noRaw = (s: string) => expect(s).not.toMatch(/ENOENT|EEXIST|errno|\n\s+at /);

  it('scan of a path that does not exist is a usage error and creates no job', () => {
    const job = join(root, 'cli-missing', 'job');
    const r = runCli(['scan', join(root, 'no-such-scans'), '--job', job, '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-scans: there is no such file or folder');
    noRaw(r.stderr);
    expect(existsSync(job)).toBe(false);
  });

  it('scan of a folder with no scans exits 1 and says so', () => {
    const empty = join(root, 'empty-scans');
    mkdirSync(empty);
    writeFileSync(join(empty, '.DS_Store'), 'x');
    const job = join(root, 'cli-empty', 'job');
    const r = runCli(['scan', empty, '--job', job, '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no scan files found in');
    expect(existsSync(job)).toBe(false);
  });

  it('reconcile --cad with a missing file', () => {
    const { dir } = buildJobFixture({ dir: join(root, 'cli-rec', 'job'), records: 1 });
    const r = runCli(['reconcile', '--job', dir, '--cad', join(root, 'nofile.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--cad');
    expect(r.stderr).toContain('there is no such file');
    noRaw(r.stderr);
  });

  it('validate --cad with a missing file, and with a file that lacks its columns', () => {
    const { dir } = buildJobFixture({ dir: join(root, 'cli-val-cad', 'job'), records: 1 });
    const missing = runCli(['validate', '--job', dir, '--cad', join(root, 'nofile.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--cad');
    expect(missing.stderr).toContain('there is no such file');
    noRaw(missing.stderr);
    const bad = join(root, 'cad-no-columns.csv');
    writeFileSync(bad, 'Ref;When\n1;2023-07-19\n');
    const r = runCli(['validate', '--job', dir, '--cad', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the CAD file is missing columns: incident number');
    noRaw(r.stderr);
  });

  it('validate --roster: a missing file, a list without a staff-number column, and a good list named by counts only', () => {
    const dir = makeReadJob(sample, 0.95);
    const missing = runCli(['validate', '--job', dir, '--roster', join(root, 'nostaff.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--roster');
    expect(missing.stderr).toContain('there is no such file');
    noRaw(missing.stderr);
    const bad = join(root, 'staff-no-number.csv');
    writeFileSync(bad, 'Name;Role\nJane Smith;paramedic\n');
    const r = runCli(['validate', '--job', dir, '--roster', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the staff list ${bad} is missing a column: staff number`);
    noRaw(r.stderr);
    const badMap = runCli(['validate', '--job', dir, '--roster', bad, '--roster-columns', 'name=Name']);
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toContain('--roster-columns "name=Name": use staffNumber=HEADER');
    const good = join(root, 'staff.csv');
    writeFileSync(good, 'Pay No,Name,HCPC\n104233,Zelda Quixote,PA123456\nabc,Bad Row,\n');
    const ok = runCli(['validate', '--job', dir, '--roster', good, '--roster-columns', 'staffNumber=Pay No']);
    expect(ok.stdout).toContain('Staff list: 1 member(s) of staff imported from 2 row(s), 1 row(s) with no staff number of digits.');
    // Staff names and numbers stay off the console.
    expect(ok.stdout + ok.stderr).not.toMatch(/Zelda|Quixote|104233|PA123456/i);
  });

  it('form render --out into a folder that does not exist', () => {
    const r = runCli(['form', 'render', '--serials', '1000', '--out', join(root, 'no-folder', 'forms.pdf')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not exist');
    noRaw(r.stderr);
  });

  it('form render --format png --out an existing file', () => {
    const file = join(root, 'forms.pdf');
    writeFileSync(file, 'x');
    const r = runCli(['form', 'render', '--serials', '1000', '--format', 'png', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('that is a file, not a folder');
    noRaw(r.stderr);
  });
});
