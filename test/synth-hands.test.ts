// The synthesiser's wider hands: every face sized alike in a comb box, pen pressure that really changes stroke
// width, comb-box corrections marked in the truth exactly where they are drawn, sideways pages, and all of it
// deterministic for a seed.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadTemplate } from '../src/template/load.ts';
import { combBoxes } from '../src/template/geometry.ts';
import type { Drawing, Shape } from '../src/template/drawing.ts';
import { rasterise } from '../src/template/render-raster.ts';
import { HANDWRITING_FONTS, fontById } from '../src/synth/font-pools.ts';
import { createWriter, strokeWidth, writeCharInBox, type Writer } from '../src/synth/handwriting.ts';
import { fillFormPage } from '../src/synth/fill-form.ts';
import { generateRecord } from '../src/synth/records.ts';
import { createRng } from '../src/synth/rng.ts';
import { buildTruth, readTruthFile } from '../src/synth/truth.ts';
import { synthesise, type SynthTruth } from '../src/synth/synth.ts';
import { encodeTiff } from '../src/synth/containers.ts';
import type { ScannedPage } from '../src/synth/degrade.ts';

const template = loadTemplate('standard-prf');
const BOX = { x: 2, y: 2, w: 5.2, h: 6.8 };

/** Outline numbers of a path shape split into x and y (curve control points bound the curve). */
function bbox(s: Shape): { minX: number; maxX: number; minY: number; maxY: number } {
  if (s.op !== 'path') throw new Error('not a path');
  const nums = s.d.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)!.map(Number);
  const xs = nums.filter((_, k) => k % 2 === 0);
  const ys = nums.filter((_, k) => k % 2 === 1);
  return { minX: Math.min(...xs), maxX: Math.max(...xs), minY: Math.min(...ys), maxY: Math.max(...ys) };
}

/** A steady hand in one face: no jitter, no strokes across the line, at a given pressure. */
function steadyWriter(fontId: string, pressure: number): Writer {
  const face = fontById(fontId)!;
  const w = createWriter(createRng(`steady-${fontId}`), face.pool, face);
  return { ...w, capShare: 0.6, slant: 0, sizeJitter: 0, slantJitter: 0, rotateJitter: 0, positionJitter: 0, baselineJitter: 0, touchRate: 0, pressure, pressureJitter: 0 };
}

/** Dark pixels of one character drawn in a box at 300 dpi. */
async function inkOf(w: Writer, ch: string): Promise<number> {
  const shape = writeCharInBox(w, ch, BOX, createRng('ink'))!;
  const drawing: Drawing = { widthMm: 9.2, heightMm: 10.8, shapes: [shape] };
  const px = await rasterise(drawing, 300).greyscale().raw().toBuffer();
  let dark = 0;
  for (const v of px) if (v < 160) dark++;
  return dark;
}

describe('faces in comb boxes', () => {
  it('every face writes its digits and capitals at the same height in a box, inside it', () => {
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    for (const face of HANDWRITING_FONTS) {
      const w = steadyWriter(face.id, 1);
      const heights = (chars: string) =>
        [...chars].map((ch) => {
          const b = bbox(writeCharInBox(w, ch, BOX, createRng('h'))!);
          expect(b.minX, `${face.id} ${ch}`).toBeGreaterThanOrEqual(BOX.x - 0.01);
          expect(b.maxX, `${face.id} ${ch}`).toBeLessThanOrEqual(BOX.x + BOX.w + 0.01);
          expect(b.minY, `${face.id} ${ch}`).toBeGreaterThanOrEqual(BOX.y - 0.01);
          expect(b.maxY, `${face.id} ${ch}`).toBeLessThanOrEqual(BOX.y + BOX.h + 0.01);
          return (b.maxY - b.minY) / BOX.h;
        });
      // Sized by H alone these ran from 0.47 to 0.76 of the box across the faces.
      expect(median(heights('0123456789')), face.id).toBeCloseTo(0.6 * face.scale, 1);
      expect(median(heights('ABCDEHKLMNRSTUXZ')), face.id).toBeCloseTo(0.6 * face.scale, 1);
    }
  });
});

describe('pen pressure', () => {
  it('a heavy hand puts measurably more ink in a box than a light one, the same character in the same face', async () => {
    for (const face of ['patrick-hand', 'kalam', 'reenie-beanie', 'architects-daughter']) {
      const light = await inkOf(steadyWriter(face, 0.55), '8');
      const usual = await inkOf(steadyWriter(face, 1), '8');
      const heavy = await inkOf(steadyWriter(face, 2), '8');
      expect(light, face).toBeLessThan(usual * 0.9);
      expect(heavy, face).toBeGreaterThan(usual * 1.3);
    }
  });

  it('varies from one character to the next for one writer, and sets the width of ticks and signatures', () => {
    const w = createWriter(createRng('pressure-var'));
    expect(w.pressure).toBeGreaterThanOrEqual(0.55);
    expect(w.pressure).toBeLessThanOrEqual(2);
    const rng = createRng('strokes');
    const widths = Array.from({ length: 50 }, () => strokeWidth({ ...w, pressureJitter: 0.12 }, rng));
    expect(new Set(widths.map((v) => v.toFixed(4))).size).toBeGreaterThan(40);
    const heavy = strokeWidth({ ...w, pressure: 2, pressureJitter: 0 }, rng);
    const light = strokeWidth({ ...w, pressure: 0.55, pressureJitter: 0 }, rng);
    expect(heavy / light).toBeGreaterThan(1.8);
    // Writers differ: a spread of hands from light to heavy.
    const hands = Array.from({ length: 200 }, (_, i) => createWriter(createRng(`hand-${i}`)).pressure);
    expect(Math.min(...hands)).toBeLessThan(0.75);
    expect(Math.max(...hands)).toBeGreaterThan(1.4);
  });
});

describe('corrections inside comb boxes', () => {
  const generated = generateRecord(createRng('corr').fork('records'), '002001');
  const fields = buildTruth({ template, seed: 'corr', profile: 'clean', ...generated }).fields;
  const values = Object.fromEntries(Object.entries(fields).map(([id, f]) => [id, f.written]));

  it('are marked exactly on the fields and boxes where they are drawn, and nowhere else', () => {
    for (const pageNo of [1, 2]) {
      const plain = fillFormPage(template, '002001', pageNo, values, createRng('corr-page').fork(`p${pageNo}`), undefined, { combCorrectionRate: 0 });
      const corrected = fillFormPage(template, '002001', pageNo, values, createRng('corr-page').fork(`p${pageNo}`), undefined, { combCorrectionRate: 0.5 });
      expect(plain.combCorrections).toEqual({});
      const marks = Object.entries(corrected.combCorrections);
      expect(marks.length).toBeGreaterThan(2);
      // Shapes only in the corrected page: the writing of every other box is unchanged.
      const before = new Set(plain.shapes.map((s) => JSON.stringify(s)));
      const added = corrected.shapes.filter((s) => !before.has(JSON.stringify(s)));
      const owner = (s: Shape) => {
        const b = bbox(s);
        const cx = (b.minX + b.maxX) / 2;
        const cy = (b.minY + b.maxY) / 2;
        return marks.find(([id, c]) => {
          const field = template.fields.find((f) => f.id === id)!;
          const boxes = combBoxes(field);
          const box = boxes[c.box]!;
          const last = boxes[boxes.length - 1]!;
          const inBox = cx > box.x && cx < box.x + box.w && cy > box.y && cy < box.y + box.h;
          const above = c.rewritten === 'above' && cx > box.x - 1 && cx < box.x + box.w + 1 && cy < box.y && cy > box.y - box.h;
          const side = c.rewritten === 'side' && cx > last.x + last.w && cx < last.x + 2.5 * last.w && cy > box.y && cy < box.y + box.h;
          return inBox || above || side;
        });
      };
      for (const s of added) expect(owner(s), JSON.stringify(bbox(s))).toBeDefined();
      for (const [id, c] of marks) {
        const mine = added.filter((s) => owner(s)?.[0] === id);
        // overwrite: the wrong character and the right one over it; scribbled-out: wrong one, scribble, right one.
        expect(mine.length, id).toBe(c.kind === 'overwrite' ? 2 : 3);
        expect(c.struck).not.toBe([...(values[id] as string)][c.box]);
        expect(c.kind === 'scribbled-out').toBe(c.rewritten !== undefined);
      }
    }
  });

  it('reach the truth file with the value meant kept as the truth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-corr-'));
    try {
      await synthesise({ count: 1, seed: 'corr-truth', outDir: dir, template, profile: 'clean', combCorrectionRate: 0.3, firstSerial: 3000 });
      const truth = readTruthFile(join(dir, 'truth', '003000.truth.json'));
      const marked = Object.entries(truth.fields).filter(([, f]) => f.correction);
      expect(marked.length).toBeGreaterThan(3);
      for (const [id, f] of marked) {
        expect(['digits', 'capitals', 'date', 'time', 'decimal'], id).toContain(f.type);
        const meant = [...(f.written as string)][f.correction!.box];
        expect(meant, id).toMatch(/\S/);
        expect(f.correction!.struck, id).not.toBe(meant);
      }
      const summary = JSON.parse(readFileSync(join(dir, 'synth-summary.json'), 'utf8'));
      expect(summary.combCorrections).toBe(marked.length);
      expect(summary.formsWithCombCorrections).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('sideways pages and determinism with the new effects', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const run = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-side-'));
    dirs.push(dir);
    await synthesise({
      count: 1,
      seed: 'side-office',
      outDir: dir,
      template,
      profile: 'office',
      combCorrectionRate: 0.2,
      sessionPlan: [{ profile: 'office', forms: 1, container: 'png', sidewaysRate: 1, duplex: false, outOfOrder: false }],
    });
    return dir;
  };

  it('records rotation 90 or 270 and writes a landscape image with the form really turned', async () => {
    const dir = await run();
    const truth = JSON.parse(readFileSync(join(dir, 'truth', '001000.truth.json'), 'utf8')) as SynthTruth;
    expect(new Set(truth.pages.map((p) => p.rotation))).toEqual(new Set([90, 270]));
    for (const p of truth.pages) {
      expect(p.scan.rotation).toBe(p.rotation);
      const meta = await sharp(join(dir, 'truth', p.file)).metadata();
      expect([meta.width, meta.height]).toEqual([p.scan.widthPx, p.scan.heightPx]);
      expect(meta.width!).toBeGreaterThan(meta.height!);
      // Turned clockwise by 90 the form's top-left corner is at the image's top right; by 270 at its bottom left.
      const [x, y] = p.scan.cornersPx[0]!;
      if (p.rotation === 90) expect([x > meta.width! / 2, y < meta.height! / 2]).toEqual([true, true]);
      else expect([x < meta.width! / 2, y > meta.height! / 2]).toEqual([true, true]);
    }
    const summary = JSON.parse(readFileSync(join(dir, 'synth-summary.json'), 'utf8'));
    expect(summary.sideways).toBe(2);
  }, 60_000);

  it('gives byte-identical scans and truth for the same seed', async () => {
    const a = dirs[0] ?? (await run());
    const b = await run();
    const list = (d: string) => ['scans', 'truth'].flatMap((sub) => readdirSync(join(d, sub)).map((f) => join(sub, f))).sort();
    expect(list(a)).toEqual(list(b));
    const truth = readFileSync(join(a, 'truth', '001000.truth.json'), 'utf8');
    expect(truth).toContain('"correction"');
    for (const f of list(a)) {
      expect(statSync(join(a, f)).size, f).toBeGreaterThan(0);
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    }
  }, 60_000);
});

describe('a multi-page TIFF with a sideways page', () => {
  it('holds pages of two sizes, each read back whole with its resolution, in every compression', async () => {
    const page = (w: number, h: number, bitonal: boolean): ScannedPage => ({
      data: Buffer.from(Array.from({ length: w * h }, (_, i) => (i % w < w / 2 ? 0 : 255))),
      width: w,
      height: h,
      channels: 1,
      dpi: 200,
      bitonal,
      transform: {} as ScannedPage['transform'],
    });
    for (const [quality, bitonal] of [[undefined, true], [80, false], [undefined, false]] as const) {
      const buf = await encodeTiff([page(300, 400, bitonal), page(400, 300, bitonal), page(300, 400, bitonal)], quality);
      expect((await sharp(buf).metadata()).pages).toBe(3);
      for (const [i, [w, h]] of [[300, 400], [400, 300], [300, 400]].entries()) {
        const meta = await sharp(buf, { page: i }).metadata();
        expect([meta.width, meta.height, Math.round(meta.density ?? 0)]).toEqual([w, h, 200]);
        const px = await sharp(buf, { page: i }).greyscale().raw().toBuffer();
        expect([px[0], px[px.length - 1]]).toEqual([0, 255]);
      }
    }
  });
});
