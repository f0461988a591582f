// The scan stage on real files: the bundled synthetic scans (every profile and container), bad files and pages
// that are not pages of the form. Real sharp, mupdf, jsQR and tesseract.js workers; no mocks.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanJob, type ScanSummary } from '../src/job/scan.ts';
import { loadTruthDir, scoreJob } from '../src/job/score.ts';
import { JobStore } from '../src/job/store.ts';
import { loadTemplate } from '../src/template/load.ts';

const template = loadTemplate('standard-prf');
const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

describe('scan: the bundled synthetic scans', () => {
  const jobDir = join(mkdtempSync(join(tmpdir(), 'scan-fixtures-')), 'job');
  let summary: ScanSummary;
  const truths = loadTruthDir(join(FIXTURES, 'truth'));

  beforeAll(async () => {
    summary = await scanJob({ inputs: [join(FIXTURES, 'scans')], jobDir, template, workers: 2 });
  }, 600_000);

  it('reads every form page and quarantines every blank back, with nothing left over', () => {
    const formPages = truths.reduce((n, t) => n + t.pages.length, 0);
    expect(summary.pagesRead).toBe(formPages);
    expect(summary.quarantinedByReason).toEqual({ 'blank-page': summary.pagesQuarantined });
    const store = JobStore.open(jobDir);
    const counts = store.statusCounts();
    store.close();
    expect(counts.reconciles).toBe(true);
    expect(counts.pages.total).toBe(counts.pages.read + counts.pages.quarantined);
  });

  it('identifies and registers every page of every profile, upside-down ones included', () => {
    const report = scoreJob(jobDir, join(FIXTURES, 'truth'));
    expect(report.pages.identified).toBe(report.pages.expected);
    const store = JobStore.open(jobDir);
    try {
      for (const t of truths) {
        const pages = store.pages.pagesOfRecord(t.serial).filter((p) => p.state === 'read');
        expect(pages.map((p) => p.pageNo).sort(), t.serial).toEqual([1, 2]);
        for (const tp of t.pages) {
          const read = pages.find((p) => p.pageNo === tp.page)!;
          expect(read.rotation, `${t.serial} page ${tp.page}`).toBe(tp.rotation);
          // Corner marks and QR code agree to well under a millimetre.
          expect(read.residualPx! / (read.dpi! / 25.4)).toBeLessThan(0.8);
        }
      }
    } finally {
      store.close();
    }
  });

  it('reads tick boxes right on every profile', () => {
    const report = scoreJob(jobDir, join(FIXTURES, 'truth'));
    for (const [profile, types] of Object.entries(report.byProfileType)) {
      for (const t of ['tick', 'choice', 'multi'] as const) {
        const s = types[t];
        if (s) expect(s.readRight / s.fields, `${profile} ${t}`).toBeGreaterThanOrEqual(0.99);
      }
    }
  });

  it('keeps every field with its raw text, reading and confidence, and its page image owner-only on disk (crops are cut from it on request)', () => {
    const store = JobStore.open(jobDir);
    try {
      const fields = store.records.recordFields(truths[0]!.serial);
      expect(fields.length).toBe(template.fields.length);
      for (const f of fields) {
        expect(f.cropPath).toBeTruthy();
        if (f.type !== 'text') expect(f.confidence).not.toBeNull();
      }
      const pages = store.db.prepare('SELECT image_path FROM pages WHERE serial = ? AND state = ?').all(truths[0]!.serial, 'read') as { image_path: string }[];
      expect(pages.length).toBeGreaterThan(0);
      for (const p of pages) expect(statSync(join(jobDir, p.image_path)).mode & 0o777).toBe(0o600);
      // No crop files: the scan writes the aligned page only.
      expect(existsSync(join(jobDir, 'crops', truths[0]!.serial))).toBe(false);
      expect(statSync(jobDir).mode & 0o777).toBe(0o700);
    } finally {
      store.close();
    }
  });

  it('reads the free text a person transcribes, and leaves unread the free text the template never transcribes', () => {
    const never = new Set(template.fields.filter((f) => f.type === 'text' && f.transcribe === 'never').map((f) => f.id));
    expect(never.size).toBeGreaterThan(0);
    const store = JobStore.open(jobDir);
    try {
      let neverWritten = 0;
      let transcribedRead = 0;
      for (const t of truths) {
        for (const f of store.records.recordFields(t.serial)) {
          if (f.type !== 'text') continue;
          const written = typeof t.fields[f.fieldId]?.written === 'string' && t.fields[f.fieldId]!.written !== '';
          if (never.has(f.fieldId)) {
            // Written on, yet not read: the scanned page is its record, and tesseract's time goes where it counts.
            if (written) neverWritten++;
            expect(f.rawText, f.fieldId).toBe('');
          } else if (written && f.rawText !== '') transcribedRead++;
        }
      }
      expect(neverWritten).toBeGreaterThan(0);
      expect(transcribedRead).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });

  it('skips files already in the job on a rerun, so a rerun is safe', async () => {
    const again = await scanJob({ inputs: [join(FIXTURES, 'scans')], jobDir, template, workers: 1 });
    expect(again.sourcesSkipped).toBe(again.sourcesSeen);
    expect(again.pagesRead + again.pagesQuarantined).toBe(0);
  });

  it('quarantines a second scan of a page already read as a duplicate, never a second record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dup-'));
    // The same page scanned again: different bytes, same form and page.
    const first = readdirSync(join(FIXTURES, 'scans')).find((f) => f.endsWith('.png'))!;
    const rescanned = join(dir, 'rescan.png');
    await sharp(join(FIXTURES, 'scans', first)).rotate(0.7, { background: '#ffffff' }).png().toFile(rescanned);
    const s = await scanJob({ inputs: [rescanned], jobDir, template, workers: 1 });
    expect(s.quarantinedByReason).toEqual({ 'duplicate-page': 1 });
    const store = JobStore.open(jobDir);
    expect(store.statusCounts().reconciles).toBe(true);
    store.close();
  });
});

describe('scan: bad files and pages that are not the form', () => {
  it('gives each bad input its own reason, goes on with the rest, and accounts for every page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-inputs-'));
    for (const f of readdirSync(join(FIXTURES, 'bad'))) if (f !== 'README.md') copyFileSync(join(FIXTURES, 'bad', f), join(dir, f));
    for (const f of readdirSync(join(FIXTURES, 'pages'))) copyFileSync(join(FIXTURES, 'pages', f), join(dir, f));
    // An upside-down scan of a page of the form: it is read, not quarantined.
    const good = join(FIXTURES, 'scans', readdirSync(join(FIXTURES, 'scans')).find((f) => f.endsWith('.png'))!);
    await sharp(good).rotate(180).png().toFile(join(dir, 'upside-down.png'));
    // A blank back with that front showing through strongly (mirrored, half as dark): ink enough in its middle to
    // pass for written on, and a QR code jsQR reads as the front's own.
    const { data, info } = await sharp(good).greyscale().raw().toBuffer({ resolveWithObject: true });
    const back = Buffer.alloc(data.length);
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) back[y * info.width + x] = 255 - (255 - data[y * info.width + info.width - 1 - x]!) * 0.5;
    }
    await sharp(back, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toFile(join(dir, 'show-through-back.png'));
    const jobDir = join(dir, 'job');
    const s = await scanJob({ inputs: [dir], jobDir, template, workers: 1 });

    const store = JobStore.open(jobDir);
    try {
      const reasonOf = new Map<string, string | null>();
      for (const src of store.pages.sources()) {
        for (const p of store.pages.pagesOfSource(src.id)) reasonOf.set(`${src.path.split('/').pop()}#${p.pageIndex}`, p.state === 'read' ? 'read' : p.reasonCode);
      }
      expect(Object.fromEntries(reasonOf)).toMatchObject({
        'empty.png#0': 'empty-file',
        'truncated.png#0': 'truncated-image',
        'truncated.jpg#0': 'truncated-image',
        'corrupt.png#0': 'corrupt-image',
        'text-named.png#0': 'unsupported-format',
        'zip-named.tif#0': 'unsupported-format',
        'one-pixel.png#0': 'image-too-small',
        'png-bomb-50000.png#0': 'image-too-large',
        'no-pages.pdf#0': 'pdf-no-pages',
        'encrypted.pdf#0': 'pdf-encrypted',
        'pdf-bomb-mediabox.pdf#0': 'pdf-page-too-large',
        'blank-page.png#0': 'blank-page',
        'other-template.png#0': 'other-template',
        // QR torn off: identified from its printed layout and the serial printed in header and footer.
        'qr-torn.png#0': 'read',
        'qr-torn-serial-smudged.png#0': 'qr-unreadable',
        'foreign-qr-letter.png#0': 'foreign-qr',
        'photo-not-a-form.jpg#0': 'not-a-form',
        'upside-down.png#0': 'read',
        'show-through-back.png#0': 'blank-page',
      });
      // Every quarantined page has a reason a person can read, naming the file.
      for (const src of store.pages.sources()) {
        for (const p of store.pages.pagesOfSource(src.id)) {
          if (p.state === 'quarantined') expect(p.reason, src.path).toContain(src.path.split('/').pop()!);
        }
      }
      const back = store.pages.sources().find((src) => src.path.endsWith('show-through-back.png'))!;
      expect(store.pages.pagesOfSource(back.id)[0]!.reason).toContain('showing through');
      const counts = store.statusCounts();
      expect(counts.reconciles).toBe(true);
      expect(s.pagesRead + s.pagesQuarantined).toBe(counts.pages.total);
      expect(s.pagesRead).toBe(2);
      const torn = store.pages.pagesOfRecord('005001');
      expect(torn.map((p) => [p.state, p.pageNo])).toEqual([['read', 1]]);
    } finally {
      store.close();
    }
  }, 300_000);

  it('never writes a name, NHS number or date of birth to the console summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hygiene-'));
    const truth = loadTruthDir(join(FIXTURES, 'truth'))[0]!;
    const page = truth.pages[0]!;
    copyFileSync(join(FIXTURES, 'truth', page.file), join(dir, 'p.png'));
    const s = await scanJob({ inputs: [dir], jobDir: join(dir, 'job'), template, workers: 1 });
    const text = JSON.stringify(s);
    for (const secret of [truth.record.patient.surname, truth.record.patient.nhsNumber, truth.record.patient.dateOfBirth]) {
      if (secret) expect(text).not.toContain(secret);
    }
  }, 120_000);
});
