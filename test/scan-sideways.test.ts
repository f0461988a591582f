// Pages turned 90 and 270 degrees (a sheet fed landscape, or turned by the scanner's software) through the real scan
// pipeline: synthesised, written as real files, decoded, identified by their QR code, registered and read like
// upright pages. Registration is checked against the synthesiser's own page-to-image transform.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePages } from '../src/imaging/decode.ts';
import { grayFromEncoded, type GrayImage } from '../src/imaging/gray.ts';
import { warpToTemplate } from '../src/imaging/warp.ts';
import { scanJob, type ScanSummary } from '../src/job/scan.ts';
import { loadTruthDir, scoreJob } from '../src/job/score.ts';
import { JobStore } from '../src/job/store.ts';
import { synthesise, type SynthTruth } from '../src/synth/synth.ts';
import { loadTemplate } from '../src/template/load.ts';

const template = loadTemplate('standard-prf');
const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

/** The page as the synthesiser placed it (its truth transform), warped to template space like the scan's own. */
async function truthCanon(truthDir: string, page: SynthTruth['pages'][number]): Promise<GrayImage> {
  const file = resolve(truthDir, page.file);
  for await (const p of decodePages(file)) {
    if (p.pageIndex !== page.pageIndex) continue;
    const img = { data: p.image!.data, width: p.image!.width, height: p.image!.height };
    return warpToTemplate(img, page.scan.homography, template.pageSize.widthMm, template.pageSize.heightMm);
  }
  throw new Error(`page ${page.pageIndex} not in ${file}`);
}

/** Mean absolute grey difference of two same-size images. */
function meanDiff(a: GrayImage, b: GrayImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i]! - b.data[i]!);
  return s / a.data.length;
}

describe('scan: pages turned 90 and 270 degrees', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-sideways-'));
  const jobDir = join(dir, 'job');
  let summary: ScanSummary;
  let truths: SynthTruth[];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    // Every sheet sideways: an office JPEG session and a fax-like 1-bit TIFF (heavy skew, dark lid, speckle).
    await synthesise({
      count: 2,
      seed: 'side-office',
      outDir: dir,
      template,
      profile: 'mixed',
      sessionPlan: [
        { profile: 'office', forms: 1, container: 'jpeg', sidewaysRate: 1, duplex: false, outOfOrder: false },
        { profile: 'rough', forms: 1, container: 'tiff-1bit', sidewaysRate: 1, duplex: false, outOfOrder: false },
      ],
    });
    truths = loadTruthDir(join(dir, 'truth')).map((t) => JSON.parse(readFileSync(join(dir, 'truth', `${t.serial}.truth.json`), 'utf8')) as SynthTruth);
    summary = await scanJob({ inputs: [join(dir, 'scans')], jobDir, template, workers: 1 });
  }, 600_000);

  it('the corpus really holds both turns', () => {
    const turns = truths.flatMap((t) => t.pages.map((p) => p.rotation));
    expect(turns).toHaveLength(4);
    expect(new Set(turns)).toEqual(new Set([90, 270]));
  });

  it('identifies every page, records how far it was turned, and reads it', () => {
    expect(summary.pagesRead).toBe(4);
    expect(summary.pagesQuarantined).toBe(0);
    expect(scoreJob(jobDir, join(dir, 'truth')).pages).toMatchObject({ expected: 4, identified: 4 });
    const store = JobStore.open(jobDir);
    try {
      for (const t of truths) {
        const pages = store.pages.pagesOfRecord(t.serial);
        expect(pages.map((p) => [p.state, p.pageNo]).sort()).toEqual([
          ['read', 1],
          ['read', 2],
        ]);
        for (const tp of t.pages) {
          const read = pages.find((p) => p.pageNo === tp.page)!;
          expect(read.rotation, `${t.serial} page ${tp.page}`).toBe(tp.rotation);
          expect(read.residualPx! / (read.dpi! / 25.4), `${t.serial} page ${tp.page}`).toBeLessThan(0.8);
          expect(Math.abs(read.dpi! - tp.scan.dpi * tp.scan.scale), `${t.serial} page ${tp.page}`).toBeLessThan(tp.scan.dpi * 0.05);
        }
        expect(store.records.recordFields(t.serial).length).toBe(template.fields.length);
      }
    } finally {
      store.close();
    }
  });

  it('registers each page where the synthesiser put it: its upright page image matches the truth transform', async () => {
    const store = JobStore.open(jobDir);
    try {
      for (const t of truths) {
        for (const tp of t.pages) {
          const read = store.pages.pagesOfRecord(t.serial).find((p) => p.pageNo === tp.page)!;
          const scanned = await grayFromEncoded(readFileSync(join(jobDir, read.imagePath!)));
          const expected = await truthCanon(join(dir, 'truth'), tp);
          // The same pixels through two transforms: near-identical when registration is right. A page placed even
          // 1 mm off differs by far more (every box line and letter lands on paper).
          const diff = meanDiff(scanned, expected);
          const shifted = { ...expected, data: expected.data.map((_, i) => expected.data[Math.min(expected.data.length - 1, i + 8)]!) };
          // Measured: 1.1-2.2 grey levels registered, 13-24 with the truth shifted by 1 mm.
          expect(diff, `${t.serial} page ${tp.page}`).toBeLessThan(4);
          expect(diff, `${t.serial} page ${tp.page}`).toBeLessThan(meanDiff(scanned, shifted) / 3);
        }
      }
    } finally {
      store.close();
    }
  });
});

describe('scan: a sideways page whose QR code is torn off', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-sideways-torn-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is identified from its printed layout and serial either way round, with the turn recorded', async () => {
    for (const turn of [90, 270]) {
      const inputs = join(dir, `in-${turn}`);
      mkdirSync(inputs);
      // sharp turns clockwise, as the truth counts.
      await sharp(join(FIXTURES, 'pages', 'qr-torn.png')).rotate(turn).png().toFile(join(inputs, 'torn.png'));
      const jobDir = join(dir, `job-${turn}`);
      const s = await scanJob({ inputs: [inputs], jobDir, template, workers: 1 });
      expect(s.pagesRead, `turned ${turn}`).toBe(1);
      const store = JobStore.open(jobDir);
      try {
        const [page] = store.pages.pagesOfRecord('005001');
        expect([page?.state, page?.pageNo, page?.rotation], `turned ${turn}`).toEqual(['read', 1, turn]);
      } finally {
        store.close();
      }
    }
  }, 300_000);
});
