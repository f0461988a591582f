// Synthetic filled and scanned forms: determinism, what the truth says about every image, the QR code staying
// readable, upside-down pages, handwriting staying in its boxes, the synth command.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import sharp, { type Sharp } from 'sharp';
import { PDFDocument } from 'pdf-lib';
import jsQRModule from 'jsqr';
import { loadTemplate } from '../src/template/load.ts';
import { decodePageIdentity } from '../src/template/qr-payload.ts';
import { combBoxes } from '../src/template/geometry.ts';
import { synthesise, type SynthTruth, type SynthSummary } from '../src/synth/synth.ts';
import { createWriter, writeCharInBox } from '../src/synth/handwriting.ts';
import { createRng } from '../src/synth/rng.ts';
import { readTruthFile } from '../src/synth/truth.ts';
import { registerSynthCommand } from '../src/cli/synth.ts';

const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof import('jsqr').default;
const FIXTURES = resolve(__dirname, '..', 'fixtures');
const template = loadTemplate('standard-prf');

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? listFiles(p, base) : [p.slice(base.length + 1)];
  });
}

function fixtureTruths(): SynthTruth[] {
  const dir = join(FIXTURES, 'truth');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SynthTruth);
}

async function qrText(png: Sharp): Promise<string | null> {
  const { data, info } = await png.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data ?? null;
}

describe('synthesise: determinism', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('gives byte-identical scans, truth, CAD log and summary for the same seed', async () => {
    const plan = [
      { profile: 'phone' as const, container: 'pdf' as const, forms: 1 },
      { profile: 'rough' as const, container: 'tiff-1bit' as const, forms: 1, duplex: true, upsideDownRate: 0.5 },
    ];
    const run = async () => {
      const dir = mkdtempSync(join(tmpdir(), 'synth-det-'));
      dirs.push(dir);
      await synthesise({ count: 2, seed: 'det-1', outDir: dir, template, profile: 'mixed', sessionPlan: plan, firstSerial: 500 });
      return dir;
    };
    const a = await run();
    const b = await run();
    const files = listFiles(a).sort();
    expect(files).toEqual(listFiles(b).sort());
    expect(files.filter((f) => f.startsWith('truth/'))).toHaveLength(2);
    expect(files.some((f) => f.endsWith('.pdf'))).toBe(true);
    expect(files.some((f) => f.endsWith('.tif'))).toBe(true);
    for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    // Patient data is private: files 0600, folders 0700.
    for (const f of files) expect(statSync(join(a, f)).mode & 0o777, f).toBe(0o600);
    for (const d of [a, join(a, 'scans'), join(a, 'truth')]) expect(statSync(d).mode & 0o777).toBe(0o700);
  });
});

describe('fixture corpus', () => {
  let truths: SynthTruth[];
  let summary: SynthSummary;
  beforeAll(() => {
    truths = fixtureTruths();
    summary = JSON.parse(readFileSync(join(FIXTURES, 'synth-summary.json'), 'utf8'));
  });

  it('covers every profile and container, with upside-down pages, blank backs and out-of-order pages', () => {
    expect(truths.length).toBeGreaterThanOrEqual(10);
    expect(new Set(truths.map((t) => t.profile))).toEqual(new Set(['clean', 'office', 'rough', 'phone']));
    expect(new Set(truths.flatMap((t) => t.pages.map((p) => p.scan.container)))).toEqual(new Set(['png', 'jpeg', 'tiff', 'tiff-1bit', 'pdf']));
    expect(summary.upsideDown).toBeGreaterThan(0);
    expect(summary.blankBacks).toBeGreaterThan(0);
    const outOfOrder = summary.manifest.some((m) => {
      const seq = m.pages.filter((p) => !p.blankBack).map((p) => `${p.serial}/${p.page}`);
      return seq.join() !== [...seq].sort().join();
    });
    expect(outOfOrder).toBe(true);
  });

  it('every truth file passes the truth schema and accounts for both pages of its form', () => {
    for (const f of readdirSync(join(FIXTURES, 'truth'))) {
      const t = readTruthFile(join(FIXTURES, 'truth', f));
      expect(t.pages.map((p) => p.page).sort()).toEqual(template.pages.map((p) => p.number));
    }
  });

  it('NHS numbers are all in the 999 test range', () => {
    for (const t of truths) {
      for (const r of [t.record, t.intendedRecord]) {
        const nhs = r.patient.nhsNumber;
        if (nhs !== undefined) expect(nhs).toMatch(/^999\d{7}$/);
      }
    }
  });

  it('every image has the dpi, size and page count the truth says', async () => {
    // Pages per file, counting blank backs, from the truth files alone.
    const expected = new Map<string, Set<number>>();
    const add = (file: string, index: number) => {
      const key = resolve(join(FIXTURES, 'truth'), file);
      if (!expected.has(key)) expected.set(key, new Set());
      expected.get(key)!.add(index);
    };
    for (const t of truths) {
      for (const p of t.pages) {
        add(p.file, p.pageIndex);
        if (p.scan.blankBackAt) add(p.scan.blankBackAt.file, p.scan.blankBackAt.pageIndex);
      }
    }
    const scanFiles = readdirSync(join(FIXTURES, 'scans')).map((f) => join(FIXTURES, 'scans', f));
    expect(new Set(expected.keys())).toEqual(new Set(scanFiles));
    const pdfSizes = new Map<string, { w: number; h: number }[]>();
    for (const file of scanFiles) {
      const count = expected.get(file)!.size;
      if (file.endsWith('.pdf')) {
        const doc = await PDFDocument.load(readFileSync(file));
        expect(doc.getPageCount(), file).toBe(count);
        pdfSizes.set(file, doc.getPages().map((p) => ({ w: p.getWidth(), h: p.getHeight() })));
      } else {
        expect((await sharp(file).metadata()).pages ?? 1, file).toBe(count);
      }
    }
    for (const t of truths) {
      for (const p of t.pages) {
        const file = resolve(join(FIXTURES, 'truth'), p.file);
        if (file.endsWith('.pdf')) {
          const size = pdfSizes.get(file)![p.pageIndex]!;
          expect(size.w).toBeCloseTo((p.scan.widthPx * 72) / p.scan.dpi, 1);
          expect(size.h).toBeCloseTo((p.scan.heightPx * 72) / p.scan.dpi, 1);
          continue;
        }
        const meta = await sharp(file, { page: p.pageIndex }).metadata();
        expect([meta.width, meta.height, Math.round(meta.density ?? 0)], `${p.file}#${p.pageIndex}`).toEqual([p.scan.widthPx, p.scan.heightPx, p.scan.dpi]);
        if (p.scan.bitonal) expect(meta.bitsPerSample).toBe(1);
      }
    }
  });

  it('the QR code of a clean page still decodes to its serial and page (the writing does not cover it)', async () => {
    const cleanPages = truths.filter((t) => t.profile === 'clean').flatMap((t) => t.pages.filter((p) => p.scan.container === 'png').map((p) => ({ t, p })));
    expect(cleanPages.length).toBeGreaterThan(0);
    for (const { t, p } of cleanPages) {
      const ppm = p.scan.dpi / 25.4;
      const pad = 3;
      const crop = sharp(resolve(join(FIXTURES, 'truth'), p.file)).extract({
        left: Math.round((template.qr.x - pad) * ppm),
        top: Math.round((template.qr.y - pad) * ppm),
        width: Math.round((template.qr.w + 2 * pad) * ppm),
        height: Math.round((template.qr.h + 2 * pad) * ppm),
      });
      const id = decodePageIdentity((await qrText(crop)) ?? '');
      expect(id).toEqual({ templateId: template.id, templateVersion: template.version, serial: t.serial, page: p.page });
    }
  });

  it('upside-down pages are recorded as rotation 180, and the image really is turned', async () => {
    const turned = truths.flatMap((t) => t.pages.filter((p) => p.rotation === 180).map((p) => ({ t, p })));
    expect(turned.length).toBeGreaterThan(0);
    for (const { t, p } of turned) {
      expect(p.scan.rotation).toBe(180);
      // The form's top-left corner lies in the bottom-right half of the image.
      const [x, y] = p.scan.cornersPx[0]!;
      expect(x).toBeGreaterThan(p.scan.widthPx / 2);
      expect(y).toBeGreaterThan(p.scan.heightPx / 2);
      // Turned back, its QR code reads as this form's page.
      const file = resolve(join(FIXTURES, 'truth'), p.file);
      const upright = await sharp(file, { page: p.pageIndex }).rotate(180).png().toBuffer();
      const half = await sharp(upright).extract({ left: Math.round(p.scan.widthPx / 2), top: 0, width: Math.floor(p.scan.widthPx / 2), height: Math.round(p.scan.heightPx / 4) });
      const id = decodePageIdentity((await qrText(half)) ?? '');
      expect(id?.serial).toBe(t.serial);
      expect(id?.page).toBe(p.page);
    }
  });

  it('blank backs are nearly blank: almost no dark pixels', async () => {
    const backs = truths.flatMap((t) => t.pages.flatMap((p) => (p.scan.blankBackAt && p.scan.container === 'jpeg' ? [p.scan.blankBackAt] : [])));
    expect(backs.length).toBeGreaterThan(0);
    const at = backs[0]!;
    const { data, info } = await sharp(resolve(join(FIXTURES, 'truth'), at.file)).greyscale().raw().toBuffer({ resolveWithObject: true });
    let dark = 0;
    for (let i = 0; i < data.length; i++) if (data[i]! < 100) dark++;
    expect(dark / (info.width * info.height)).toBeLessThan(0.002);
  });
});

describe('handwriting', () => {
  it('writes characters inside their comb boxes, with only the odd stroke across a line', () => {
    const nhs = template.fields.find((f) => f.id === 'patient.nhs')!;
    const boxes = combBoxes(nhs);
    let inside = 0;
    let total = 0;
    for (let w = 0; w < 24; w++) {
      const rng = createRng(`hw-${w}`);
      const writer = createWriter(rng.fork('writer'));
      for (const [i, box] of boxes.entries()) {
        const ch = '0123456789ABCDEFHKMNRWX'[(w * 7 + i) % 23]!;
        const shape = writeCharInBox(writer, ch, box, rng);
        expect(shape?.op).toBe('path');
        if (shape?.op !== 'path') continue;
        // Outline points (curve control points bound the curve).
        const nums = shape.d.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)!.map(Number);
        const xs = nums.filter((_, k) => k % 2 === 0);
        const ys = nums.filter((_, k) => k % 2 === 1);
        total++;
        const tol = 0.15;
        if (Math.min(...xs) >= box.x - tol && Math.max(...xs) <= box.x + box.w + tol && Math.min(...ys) >= box.y - tol && Math.max(...ys) <= box.y + box.h + tol) inside++;
      }
    }
    expect(inside / total).toBeGreaterThan(0.9);
    expect(inside).toBeLessThan(total); // some strokes do touch the lines, as real writing does
  });
});

describe('synth command', () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the corpus and prints counts and speed, never patient identifiers', async () => {
    dir = mkdtempSync(join(tmpdir(), 'synth-cli-'));
    const out = join(dir, 'run');
    const program = new Command().exitOverride();
    registerSynthCommand(program);
    let printed = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      printed += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'x', 'synth', '--count', '1', '--seed', 'cli-1', '--profile', 'rough', '--out', out, '--json']);
    } finally {
      process.stdout.write = write;
    }
    const json = JSON.parse(printed);
    expect(json.forms).toBe(1);
    expect(json.formPages).toBe(2);
    expect(json.formsPerSecond).toBeGreaterThan(0);
    expect(json.formsPerSecondByProfile.rough).toBeGreaterThan(0);
    const truth = JSON.parse(readFileSync(join(out, 'truth', '001000.truth.json'), 'utf8')) as SynthTruth;
    for (const secret of [truth.record.patient.nhsNumber, truth.record.patient.surname, truth.record.patient.dateOfBirth]) {
      if (secret) expect(printed).not.toContain(secret);
    }
    expect(readFileSync(join(out, 'cad-incidents.csv'), 'utf8')).toMatch(/^IncidentNumber,/);
    expect(statSync(join(out, 'cad-incidents.csv')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'scans')).mode & 0o777).toBe(0o700);
  });

  it('shows an example in --help and refuses a bad profile', async () => {
    const program = new Command().exitOverride();
    registerSynthCommand(program);
    const help = program.commands.find((c) => c.name() === 'synth')!.helpInformation() + '';
    let helpText = '';
    program.commands[0]!.configureOutput({ writeOut: (s) => (helpText += s), writeErr: (s) => (helpText += s) });
    await expect(program.parseAsync(['node', 'x', 'synth', '--help'])).rejects.toThrow();
    expect(help).toContain('--profile');
    expect(helpText).toContain('Example');
    await expect(program.parseAsync(['node', 'x', 'synth', '--count', '1', '--seed', '1', '--out', join(tmpdir(), 'never'), '--profile', 'blurry'])).rejects.toThrow(
      /--profile blurry/,
    );
  });
});
