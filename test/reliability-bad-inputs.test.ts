// The bad-input corpus through scan in one job: every kind of wrong file ends in a named state with a specific reason
// (asserted per file), the run goes on past each of them, and every page is accounted for.
// Kinds: fixtures/bad/ (decode level), fixtures/pages/ (page level), scripts/make-more-bad-fixtures.ts (pages of the
// form that arrive wrongly, text files), and file-system oddities made here: a symlink loop, a link to itself, a
// dangling link, and a file that cannot be read. As root, chmod 000 does not stop a read, so the unreadable file
// is a FIFO named like a scan (reading it would block for ever; it must be refused without being opened).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanJob, type ScanSummary } from '../src/job/scan.ts';
import { JobStore } from '../src/job/store.ts';
import type { PageRow, SourceRow } from '../src/job/page-store.ts';
import { loadTemplate } from '../src/template/load.ts';
import { makeMoreBadFixtures, MORE_BAD_FIXTURES } from '../scripts/make-more-bad-fixtures.ts';
import { expectConsistentJob } from './helpers/crash.ts';
import { runCli } from './helpers/cli.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
const template = loadTemplate('standard-prf');

/** Per input (path relative to the input folder): reason code per page, and words its reason must contain. */
const EXPECTED: Record<string, { pages: Record<number, string>; says?: RegExp }> = {
  // fixtures/bad: decode level
  'empty.png': { pages: { 0: 'empty-file' }, says: /empty \(0 bytes\)/ },
  'truncated.png': { pages: { 0: 'truncated-image' }, says: /ends before the image is complete/ },
  'truncated.jpg': { pages: { 0: 'truncated-image' }, says: /ends before the image is complete/ },
  'truncated.tif': { pages: { 0: 'truncated-image' }, says: /Pages may be missing/ },
  'corrupt.png': { pages: { 0: 'corrupt-image' }, says: /damaged/ },
  'text-named.png': { pages: { 0: 'unsupported-format' }, says: /looks like a text file/ },
  'text-named.pdf': { pages: { 0: 'unsupported-format' }, says: /looks like a text file/ },
  'zip-named.tif': { pages: { 0: 'unsupported-format' }, says: /ZIP archive/ },
  'one-pixel.png': { pages: { 0: 'image-too-small' }, says: /1 x 1 pixels/ },
  'png-bomb-50000.png': { pages: { 0: 'image-too-large' }, says: /50000 x 50000 pixels/ },
  'no-pages.pdf': { pages: { 0: 'pdf-no-pages' }, says: /no pages/ },
  'encrypted.pdf': { pages: { 0: 'pdf-encrypted' }, says: /password/ },
  'pdf-bomb-mediabox.pdf': { pages: { 0: 'pdf-page-too-large' }, says: /far larger than any paper form/ },
  'garbage.pdf': { pages: { 0: 'pdf-corrupt' }, says: /damaged PDF/ },
  // A real PNG with a .jpg name decodes (format from the bytes); it is a small grey picture, not a form.
  'png-named.jpg': { pages: { 0: 'not-a-form' }, says: /does not look like a page of the form/ },
  // fixtures/pages: page level
  'blank-page.png': { pages: { 0: 'blank-page' }, says: /blank/ },
  'other-template.png': { pages: { 0: 'other-template' }, says: /template other-prf v1; this job reads standard-prf v1/ },
  // QR torn off: identified from its printed layout and the serial printed on it; smudged too, a person assigns it.
  'qr-torn.png': { pages: { 0: 'read' } },
  'qr-torn-serial-smudged.png': { pages: { 0: 'qr-unreadable' }, says: /QR code/ },
  // Torn, the footer's serial smudged: the header alone is not enough (one misread digit names another form).
  'qr-torn-footer-smudged.png': { pages: { 0: 'qr-unreadable' }, says: /printed serial could not be read for sure/ },
  'foreign-qr-letter.png': { pages: { 0: 'foreign-qr' }, says: /not one of this tool's forms/ },
  'photo-not-a-form.jpg': { pages: { 0: 'not-a-form' }, says: /no QR code and no corner marks/ },
  // made at test time
  'loop/back': { pages: { 0: 'symlink-loop' }, says: /leads back to the folder/ },
  'self-link.png': { pages: { 0: 'symlink-loop' }, says: /goes round in a circle/ },
  'dangling-link.png': { pages: { 0: 'unreadable-file' }, says: /link to a file or folder that does not exist/ },
  'fifo-scan.png': { pages: { 0: 'unreadable-file' }, says: /not a regular file/ },
};
for (const f of MORE_BAD_FIXTURES) {
  if (f.outcome !== 'skipped') EXPECTED[f.file] = { pages: f.outcome };
}

describe('bad-input corpus: each kind ends in a named state with a specific reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reliability-bad-'));
  const inDir = join(dir, 'in');
  const jobDir = join(dir, 'job');
  let summary: ScanSummary;
  let byInput: Map<string, { source: SourceRow; pages: PageRow[] }>;
  let fifoUnblocker: ChildProcess | undefined;

  afterAll(() => {
    if (fifoUnblocker?.pid && fifoUnblocker.exitCode === null) process.kill(fifoUnblocker.pid, 'SIGKILL');
  });

  beforeAll(async () => {
    mkdirSync(inDir);
    for (const sub of ['bad', 'pages']) {
      for (const f of readdirSync(join(FIXTURES, sub))) if (f !== 'README.md') copyFileSync(join(FIXTURES, sub, f), join(inDir, f));
    }
    await makeMoreBadFixtures(inDir);
    mkdirSync(join(inDir, 'loop'));
    symlinkSync('..', join(inDir, 'loop', 'back')); // in/loop/back -> in: a folder that contains the link
    symlinkSync('self-link.png', join(inDir, 'self-link.png'));
    symlinkSync('no-such-scan.png', join(inDir, 'dangling-link.png'));
    execFileSync('mkfifo', [join(inDir, 'fifo-scan.png')]);
    // Should the scanner ever open the FIFO, its read would block this process for good; a writer a minute later
    // ends that read, so such a bug fails the test instead of hanging the suite.
    fifoUnblocker = spawn('/bin/sh', ['-c', 'sleep 60; echo unblock > "$0"', join(inDir, 'fifo-scan.png')], { stdio: 'ignore' });
    summary = await scanJob({ inputs: [inDir], jobDir, template, workers: 1, ocrTimeoutMs: 30_000 });
    const store = JobStore.open(jobDir);
    try {
      byInput = new Map(store.pages.sources().map((s) => [s.path.slice(inDir.length + 1), { source: s, pages: store.pages.pagesOfSource(s.id) }]));
    } finally {
      store.close();
    }
  }, 300_000);

  it(`tries ${Object.keys(EXPECTED).length + 1} bad inputs of ${new Set(Object.values(EXPECTED).map((e) => Object.values(e.pages).join())).size}+ kinds`, () => {
    console.log(`[reliability-bad-inputs] inputs tried: ${Object.keys(EXPECTED).length + 1}, sources in job: ${byInput.size}`);
    expect(Object.keys(EXPECTED).length + 1).toBeGreaterThanOrEqual(25);
  });

  for (const [input, want] of Object.entries(EXPECTED)) {
    it(`${input} -> ${Object.values(want.pages).join(', ')}`, () => {
      const got = byInput.get(input);
      expect(got, `${input} is in the job`).toBeDefined();
      const states = Object.fromEntries(got!.pages.map((p) => [p.pageIndex, p.state === 'read' ? 'read' : p.reasonCode]));
      expect(states).toEqual(Object.fromEntries(Object.entries(want.pages)));
      for (const p of got!.pages) {
        if (p.state === 'read') continue;
        // A reason a person can act on, naming the file.
        expect(p.reason).toContain(basename(input));
        if (want.says) expect(p.reason).toMatch(want.says);
      }
      if (Object.values(want.pages).every((s) => s !== 'read' && s !== 'duplicate-page') && got!.pages.length === 1 && !got!.pages[0]!.serial) {
        // A file that is not a page of the form is either refused whole (failed) or decoded and set aside (done).
        expect(['failed', 'done']).toContain(got!.source.status);
      }
    });
  }

  it('reads the upside-down page upright, and keeps one read copy of a page scanned twice', () => {
    const up = byInput.get('upside-down.png')!.pages[0]!;
    expect({ serial: up.serial, pageNo: up.pageNo, rotation: up.rotation }).toEqual({ serial: '001001', pageNo: 1, rotation: 180 });
    const twice = byInput.get('page-twice.tif')!.pages;
    expect(twice.map((p) => [p.serial, p.pageNo])).toEqual([
      ['001001', 2],
      ['001001', 2],
    ]);
    expect(byInput.get('same-page-1.png')!.pages[0]!.serial).toBe('001000');
    expect(byInput.get('same-page-2.jpg')!.pages[0]!.serial).toBe('001000');
  });

  it('skips a byte-identical copy of a file already in the job, and records no source for it', () => {
    expect(byInput.has('same-page-3-identical-copy.png')).toBe(false);
    expect(summary.sourcesSkipped).toBe(1);
  });

  it('status names every quarantined page a person must act on, by file, page and reason; blank pages only counted', () => {
    const quarantined = [...byInput.values()].flatMap(({ pages }) => pages.filter((p) => p.state === 'quarantined'));
    const plain = runCli(['status', '--job', jobDir]);
    expect(plain.code).toBe(0);
    for (const p of quarantined) {
      const listed = plain.stdout.includes(`[${p.reasonCode}] ${p.reason}`);
      expect(listed, `${p.reasonCode}: ${p.reason}`).toBe(p.reasonCode !== 'blank-page');
    }
    expect(plain.stdout).toMatch(/blank pages left out: 1; --blank lists them/);
    expect(runCli(['status', '--job', jobDir, '--blank']).stdout).toContain('[blank-page] ');
    const json = JSON.parse(runCli(['status', '--job', jobDir, '--json']).stdout) as { quarantinedPages: { file: string; page: number; reasonCode: string; thumbnail?: string }[] };
    expect(json.quarantinedPages).toHaveLength(quarantined.length);
    const torn = json.quarantinedPages.find((q) => q.file.endsWith('qr-torn-serial-smudged.png'))!;
    expect(torn).toMatchObject({ page: 1, reasonCode: 'qr-unreadable' });
  });

  it('accounts for every page: nothing unlisted, nothing lost, nothing twice', () => {
    expect([...byInput.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    const store = JobStore.open(jobDir);
    try {
      const counts = expectConsistentJob(store);
      const pages = Object.values(EXPECTED).reduce((n, e) => n + Object.keys(e.pages).length, 0);
      expect(counts.pages.total).toBe(pages);
      expect(summary.pagesRead + summary.pagesQuarantined).toBe(pages);
      expect(summary.sourcesSeen).toBe(Object.keys(EXPECTED).length + 1);
      expect(store.records.listRecords().map((r) => [r.serial, r.pagesRead])).toEqual([
        ['001000', 1],
        ['001001', 2],
        ['005001', 1], // qr-torn.png
      ]);
    } finally {
      store.close();
    }
  });
});
