// Fuzzing: seeded random byte mutations of valid scans (PNG, JPEG, multi-page TIFF, PDF). Every mutant goes through
// openSource/decodePages, which must never throw or hang and must give each page an image or a named reason; a subset
// goes through a whole scan in one job with a short OCR timeout, which must finish with every page read or
// quarantined. OCR jobs cut by the worker timeout are counted; a page whose OCR cannot finish is quarantined, never
// the end of the run.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePages, openSource } from '../src/imaging/decode.ts';
import { SCAN_INPUT_ERROR_CODES, ScanInputError } from '../src/imaging/errors.ts';
import { scanJob } from '../src/job/scan.ts';
import { JobStore } from '../src/job/store.ts';
import { loadTemplate } from '../src/template/load.ts';
import { seededRandom, expectConsistentJob } from './helpers/crash.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
const template = loadTemplate('standard-prf');
const dir = mkdtempSync(join(tmpdir(), 'reliability-fuzz-'));
const MUTANTS_PER_SEED = 75;
const DECODE_DEADLINE_MS = 20_000;
const figures = { mutants: 0, decodedPages: 0, refusedFiles: 0, refusedPages: 0, decodeHangs: 0, scanned: 0, ocrTimeouts: 0 };

type Mutation = (buf: Buffer, rand: () => number) => Buffer;
const at = (buf: Buffer, rand: () => number) => Math.floor(rand() * buf.length);
const MUTATIONS: Record<string, Mutation> = {
  flip: (buf, rand) => {
    const out = Buffer.from(buf);
    const n = 1 + Math.floor(rand() * 16);
    for (let i = 0; i < n; i++) out[at(out, rand)] ^= 1 << Math.floor(rand() * 8);
    return out;
  },
  truncate: (buf, rand) => buf.subarray(0, at(buf, rand)),
  junk: (buf, rand) => {
    const i = at(buf, rand);
    const junk = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 512) }, () => Math.floor(rand() * 256)));
    return Buffer.concat([buf.subarray(0, i), junk, buf.subarray(i)]);
  },
  duplicate: (buf, rand) => {
    const i = at(buf, rand);
    const len = Math.min(buf.length - i, 1 + Math.floor(rand() * 4096));
    const j = at(buf, rand);
    return Buffer.concat([buf.subarray(0, j), buf.subarray(i, i + len), buf.subarray(j)]);
  },
  zero: (buf, rand) => {
    const out = Buffer.from(buf);
    const i = at(out, rand);
    out.fill(0, i, Math.min(out.length, i + 1 + Math.floor(rand() * 2048)));
    return out;
  },
  // Damage in the header, where the parsers decide what the rest of the file means.
  header: (buf, rand) => {
    const out = Buffer.from(buf);
    for (let k = 0; k < 4; k++) out[Math.floor(rand() * Math.min(out.length, 256))] = Math.floor(rand() * 256);
    return out;
  },
};
const KINDS = Object.keys(MUTATIONS);

/** Small valid scans, made from the committed fixtures: quick to decode, so hundreds of mutants stay fast. */
async function makeSeeds(): Promise<Record<string, Buffer>> {
  const page1 = join(FIXTURES, 'scans', 'scan-001-0001.png');
  const page2 = join(FIXTURES, 'scans', 'scan-001-0002.png');
  const small = (f: string) => sharp(f).resize({ width: 1240 }).withDensity(150).toColourspace('b-w');
  const png = await small(page1).png({ compressionLevel: 9 }).toBuffer();
  const jpg = await small(page2).jpeg({ quality: 70 }).toBuffer();
  const a = await small(page1).raw().toBuffer({ resolveWithObject: true });
  const b = await small(page2).raw().toBuffer({ resolveWithObject: true });
  const tif = await sharp(Buffer.concat([a.data, b.data]), { raw: { width: a.info.width, height: a.info.height * 2, channels: 1, pageHeight: a.info.height } })
    .toColourspace('b-w')
    .tiff({ compression: 'deflate', xres: 150 / 25.4, yres: 150 / 25.4 })
    .toBuffer();
  const pdf = await PDFDocument.create();
  const img = await pdf.embedJpg(jpg);
  pdf.addPage([595.28, 841.89]).drawImage(img, { x: 0, y: 0, width: 595.28, height: 841.89 });
  return { png, jpg, tif, pdf: Buffer.from(await pdf.save()) };
}

interface Mutant {
  file: string;
  kind: string;
  seed: string;
}

const mutants: Mutant[] = [];

beforeAll(async () => {
  const seeds = await makeSeeds();
  const rand = seededRandom(20261126);
  mkdirSync(join(dir, 'mutants'));
  for (const [name, buf] of Object.entries(seeds)) {
    writeFileSync(join(dir, `seed.${name}`), buf);
    for (let i = 0; i < MUTANTS_PER_SEED; i++) {
      const kind = KINDS[i % KINDS.length]!;
      let m = MUTATIONS[kind]!(buf, rand);
      if (i % 10 === 9) m = MUTATIONS[KINDS[Math.floor(rand() * KINDS.length)]!]!(m, rand); // now and then, two at once
      const file = join(dir, 'mutants', `m${String(mutants.length).padStart(3, '0')}-${kind}.${name}`);
      writeFileSync(file, m);
      mutants.push({ file, kind, seed: name });
    }
  }
}, 120_000);

async function decodeAll(file: string): Promise<{ info: Awaited<ReturnType<typeof openSource>>; pages: Awaited<ReturnType<typeof collect>> }> {
  const info = await openSource(file, { pdfDpi: 72, pdfMinDpi: 50 });
  return { info, pages: await collect(file) };
}

async function collect(file: string) {
  const pages: { pageIndex: number; ok: boolean; code?: string }[] = [];
  for await (const p of decodePages(file, { pdfDpi: 72, pdfMinDpi: 50 })) {
    pages.push({ pageIndex: p.pageIndex, ok: !!p.image && !p.error, ...(p.error ? { code: p.error.code } : {}) });
    // an image or a reason, never both, never neither
    expect(!!p.image !== !!p.error, `${file} page ${p.pageIndex}`).toBe(true);
    if (p.image) expect(p.image.data.length).toBe(p.image.width * p.image.height);
  }
  return pages;
}

describe('fuzzing: mutated scans', () => {
  it('the seeds themselves decode', async () => {
    for (const name of ['png', 'jpg', 'tif', 'pdf']) {
      const { info, pages } = await decodeAll(join(dir, `seed.${name}`));
      expect(info).not.toBeInstanceOf(ScanInputError);
      expect(pages.every((p) => p.ok), name).toBe(true);
    }
  });

  it(`openSource/decodePages never throw or hang on ${4 * MUTANTS_PER_SEED} mutants; each page gets an image or a named reason`, async () => {
    const byOutcome: Record<string, number> = {};
    for (const m of mutants) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), DECODE_DEADLINE_MS)));
      const res = await Promise.race([decodeAll(m.file), deadline]);
      clearTimeout(timer);
      figures.mutants++;
      if (res === 'hang') {
        figures.decodeHangs++;
        continue;
      }
      if (res.info instanceof ScanInputError) {
        figures.refusedFiles++;
        expect(SCAN_INPUT_ERROR_CODES).toContain(res.info.code);
        // a file refused whole is one page with its reason
        expect(res.pages.map((p) => p.pageIndex)).toEqual([0]);
        expect(res.pages[0]!.ok).toBe(false);
      } else {
        expect(res.pages.length, m.file).toBeGreaterThanOrEqual(1);
      }
      for (const p of res.pages) {
        if (p.ok) figures.decodedPages++;
        else {
          figures.refusedPages++;
          expect(SCAN_INPUT_ERROR_CODES, m.file).toContain(p.code);
        }
        const key = p.ok ? 'decoded' : p.code!;
        byOutcome[key] = (byOutcome[key] ?? 0) + 1;
      }
    }
    console.log(`[reliability-fuzz] decode outcomes ${JSON.stringify(byOutcome)}`);
    expect(figures.mutants).toBe(4 * MUTANTS_PER_SEED);
    expect(figures.decodeHangs).toBe(0);
    // The mutations do damage: most are refused, and some still decode (the parsers are not simply rejecting all).
    expect(figures.refusedPages).toBeGreaterThan(figures.mutants / 3);
    expect(figures.decodedPages).toBeGreaterThan(0);
  }, 300_000);

  it('a scan of 30 mutants in one job finishes with every page read or quarantined, hangs cut and counted', async () => {
    // Every tenth mutant: all kinds of damage, all four formats.
    const subset = mutants.filter((_, i) => i % 10 === 3);
    expect(subset.length).toBe(30);
    const jobDir = join(dir, 'job');
    const summary = await scanJob({ inputs: subset.map((m) => m.file), jobDir, template, workers: 1, ocrTimeoutMs: 2_500 });
    figures.scanned = subset.length;
    figures.ocrTimeouts = summary.ocr.timeouts;
    const store = JobStore.open(jobDir);
    try {
      const counts = expectConsistentJob(store);
      const sources = store.pages.sources();
      // every mutant is in the job (distinct bytes), each with at least one page, each page in one state
      expect(sources.length).toBe(subset.length);
      for (const s of sources) {
        const pages = store.pages.pagesOfSource(s.id);
        expect(pages.length, s.path).toBeGreaterThanOrEqual(1);
        for (const p of pages) expect(p.state === 'read' || (p.state === 'quarantined' && !!p.reasonCode && !!p.reason)).toBe(true);
      }
      expect(summary.pagesRead + summary.pagesQuarantined).toBe(counts.pages.total);
      console.log(`[reliability-fuzz] scan of ${subset.length} mutants: ${JSON.stringify(counts.pages)} ${JSON.stringify(counts.quarantined)}; ocr ${JSON.stringify(summary.ocr)}`);
    } finally {
      store.close();
    }
  }, 300_000);

  it('an OCR job that never finishes in time is cut by the worker timeout, counted, and its page quarantined', async () => {
    // A valid page with a 1 ms OCR timeout: every recognise call "hangs" as far as the pool can tell.
    const jobDir = join(dir, 'job-timeout');
    const page = join(dir, 'seed.png');
    const summary = await scanJob({ inputs: [page], jobDir, template, workers: 1, ocrTimeoutMs: 1 });
    expect(summary.ocr.timeouts).toBeGreaterThanOrEqual(1);
    figures.ocrTimeouts += summary.ocr.timeouts;
    const store = JobStore.open(jobDir);
    try {
      const pages = store.pages.pagesOfSource(store.pages.sources()[0]!.id);
      expect(pages.map((p) => [p.state, p.reasonCode])).toEqual([['quarantined', 'ocr-timeout']]);
      expect(pages[0]!.reason).toMatch(/seed\.png, page 1/);
      expect(store.statusCounts().reconciles).toBe(true);
    } finally {
      store.close();
    }
    console.log(`[reliability-fuzz] figures ${JSON.stringify(figures)}`);
  }, 180_000);
});
