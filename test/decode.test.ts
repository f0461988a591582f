// Decoding real files with real sharp and real mupdf: the bad-input fixtures each end in their own reason
// code, and good TIFF / PDF / JPEG / PNG inputs come out as upright 8-bit grey pages of the right size.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import * as mupdf from 'mupdf';
import { PDFDocument, PageSizes, rgb } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkPageSize,
  decodePages,
  tiffTruncation,
  DEFAULT_DECODE_LIMITS,
  describeContent,
  detectFormat,
  jpegIsTruncated,
  openSource,
  pdfRenderDpi,
  pngIsTruncated,
  type DecodedPage,
  type DecodeOptions,
} from '../src/imaging/decode.ts';
import { SCAN_INPUT_ERROR_CODES, ScanInputError } from '../src/imaging/errors.ts';

const BAD = fileURLToPath(new URL('../fixtures/bad/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'prf-decode-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function allPages(path: string, opts?: DecodeOptions): Promise<DecodedPage[]> {
  const pages: DecodedPage[] = [];
  for await (const page of decodePages(path, opts)) pages.push(page);
  return pages;
}

/** A grey card with a black square in the top-left corner, so orientation can be checked. */
function cardWithCorner(width: number, height: number, corner = 100): Buffer {
  const raw = Buffer.alloc(width * height, 200);
  for (let y = 0; y < corner; y++) raw.fill(0, y * width, y * width + corner);
  return raw;
}

const pixel = (page: DecodedPage, x: number, y: number) => page.image!.data[y * page.image!.width + x];

/** Compression and bits-per-sample of every page (IFD) of a little- or big-endian classic TIFF. */
function tiffPageTags(buf: Buffer): { compression: number; bitsPerSample: number }[] {
  const le = buf.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const pages = [];
  for (let ifd = u32(4); ifd !== 0; ifd = u32(ifd + 2 + u16(ifd) * 12)) {
    const tags = new Map<number, number>();
    for (let i = 0; i < u16(ifd); i++) {
      const entry = ifd + 2 + i * 12;
      const type = u16(entry + 2);
      tags.set(u16(entry), type === 3 ? u16(entry + 8) : u32(entry + 8));
    }
    pages.push({ compression: tags.get(259) ?? 1, bitsPerSample: tags.get(258) ?? 1 });
  }
  return pages;
}

describe('bad input fixtures (fixtures/bad)', () => {
  // What each fixture must end in; fixtures/bad/README.md says the same for people.
  const expected: Record<string, string> = {
    'empty.png': 'empty-file',
    'truncated.png': 'truncated-image',
    'truncated.jpg': 'truncated-image',
    'truncated.tif': 'truncated-image',
    'corrupt.png': 'corrupt-image',
    'png-named.jpg': 'ok',
    'text-named.png': 'unsupported-format',
    'text-named.pdf': 'unsupported-format',
    'zip-named.tif': 'unsupported-format',
    'one-pixel.png': 'image-too-small',
    'png-bomb-50000.png': 'image-too-large',
    'no-pages.pdf': 'pdf-no-pages',
    'encrypted.pdf': 'pdf-encrypted',
    'pdf-bomb-mediabox.pdf': 'pdf-page-too-large',
    'garbage.pdf': 'pdf-corrupt',
  };

  it('has a stated outcome for every fixture file, and every file is small', () => {
    const files = readdirSync(BAD).filter((f) => f !== 'README.md');
    expect(files.sort()).toEqual(Object.keys(expected).sort());
    const readme = readFileSync(join(BAD, 'README.md'), 'utf8');
    for (const [file, outcome] of Object.entries(expected)) {
      expect(readme).toContain(`| \`${file}\` | \`${outcome}\` |`);
      expect(readFileSync(join(BAD, file)).length).toBeLessThan(200 * 1024);
    }
  });

  for (const [file, outcome] of Object.entries(expected)) {
    it(`${file} ends in ${outcome}`, async () => {
      const path = join(BAD, file);
      const source = await openSource(path);
      const pages = await allPages(path);
      expect(pages.length).toBeGreaterThanOrEqual(1);
      if (outcome === 'ok') {
        expect(source).not.toBeInstanceOf(ScanInputError);
        expect(pages.every((p) => p.image && !p.error)).toBe(true);
        return;
      }
      // File-level problems are already refused by openSource; page-level ones only by decodePages.
      if (source instanceof ScanInputError) expect(source.code).toBe(outcome);
      const errors = pages.map((p) => p.error).filter((e): e is ScanInputError => e !== undefined);
      expect(errors.map((e) => e.code)).toEqual([outcome]);
      expect(pages.some((p) => p.image)).toBe(false);
      expect(errors[0].file).toBe(path);
      expect(errors[0].message).toContain(path);
    });
  }

  it('says what an unsupported file looks like', async () => {
    const zip = await openSource(join(BAD, 'zip-named.tif'));
    expect(zip).toBeInstanceOf(ScanInputError);
    expect((zip as ScanInputError).message).toMatch(/ZIP archive/);
    const text = await openSource(join(BAD, 'text-named.pdf'));
    expect((text as ScanInputError).message).toMatch(/text file/);
  });

  it('refuses the image bomb from its header, and names its claimed size', async () => {
    const [page] = await allPages(join(BAD, 'png-bomb-50000.png'));
    expect(page.error?.message).toContain('50000 x 50000');
  });

  it('names the page of a PDF page that is too large', async () => {
    const [page] = await allPages(join(BAD, 'pdf-bomb-mediabox.pdf'));
    expect(page.error?.page).toBe(0);
    expect(page.error?.message).toContain('page 1,');
  });

  it('the encrypted fixture is genuinely encrypted: it opens with its password', () => {
    const doc = mupdf.Document.openDocument(readFileSync(join(BAD, 'encrypted.pdf')), 'application/pdf');
    try {
      expect(doc.needsPassword()).toBe(true);
      expect(doc.authenticatePassword('wrong')).toBe(0);
      expect(doc.authenticatePassword('secret')).toBeGreaterThan(0);
      expect(doc.countPages()).toBe(1);
    } finally {
      doc.destroy();
    }
  });
});

describe('format detection and pure checks', () => {
  it('detects formats by magic bytes, not by name', () => {
    expect(detectFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(detectFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(detectFormat(Buffer.from('II*\0', 'latin1'))).toBe('tiff');
    expect(detectFormat(Buffer.from('MM\0*', 'latin1'))).toBe('tiff');
    expect(detectFormat(Buffer.from('%PDF-1.7\n', 'latin1'))).toBe('pdf');
    expect(detectFormat(Buffer.from('GIF89a', 'latin1'))).toBeUndefined();
    expect(detectFormat(Buffer.from('hello', 'latin1'))).toBeUndefined();
    expect(detectFormat(Buffer.alloc(0))).toBeUndefined();
  });

  it('describes common wrong files in plain words', () => {
    expect(describeContent(Buffer.from('GIF89a....', 'latin1'))).toMatch(/GIF/);
    expect(describeContent(Buffer.from('<!DOCTYPE html><html>', 'latin1'))).toMatch(/web page/);
    expect(describeContent(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04]))).toMatch(/starts with bytes 00 01 02 03/);
  });

  it('never claims random bytes are a supported format unless the magic matches', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
        const format = detectFormat(bytes);
        const description = describeContent(bytes);
        expect(typeof description).toBe('string');
        if (format === 'png') expect(bytes[0]).toBe(0x89);
        if (format === 'jpeg') expect(bytes[0]).toBe(0xff);
        if (format === undefined) expect(description.length).toBeGreaterThan(0);
      }),
    );
  });

  it('every strict prefix of a complete PNG counts as truncated; the whole file does not', async () => {
    const png = await sharp(cardWithCorner(320, 320), { raw: { width: 320, height: 320, channels: 1 } }).png().toBuffer();
    expect(pngIsTruncated(png)).toBe(false);
    fc.assert(fc.property(fc.integer({ min: 0, max: png.length - 1 }), (n) => pngIsTruncated(png.subarray(0, n))));
  });

  it('a JPEG without its end marker counts as truncated; zero padding after it does not', async () => {
    const jpg = await sharp(cardWithCorner(320, 320), { raw: { width: 320, height: 320, channels: 1 } }).jpeg().toBuffer();
    expect(jpegIsTruncated(jpg)).toBe(false);
    expect(jpegIsTruncated(Buffer.concat([jpg, Buffer.alloc(16)]))).toBe(false);
    expect(jpegIsTruncated(jpg.subarray(0, jpg.length - 1))).toBe(true);
  });

  it('page size rules: too large, too small, or fine', () => {
    const limits = DEFAULT_DECODE_LIMITS;
    expect(checkPageSize(2480, 3508, limits, 'f')).toBeUndefined();
    expect(checkPageSize(1, 1, limits, 'f')?.code).toBe('image-too-small');
    expect(checkPageSize(299, 4000, limits, 'f')?.code).toBe('image-too-small');
    expect(checkPageSize(13_000, 13_000, limits, 'f')?.code).toBe('image-too-large');
    expect(checkPageSize(25_000, 400, limits, 'f')?.code).toBe('image-too-large');
  });

  it('a PDF page is rendered at 300 dpi when it fits, else at the highest dpi >= 150 that fits', () => {
    expect(pdfRenderDpi(595.28, 841.89, DEFAULT_DECODE_LIMITS)).toBe(300);
    fc.assert(
      fc.property(fc.double({ min: 1, max: 300_000, noNaN: true }), fc.double({ min: 1, max: 300_000, noNaN: true }), (w, h) => {
        const dpi = pdfRenderDpi(w, h, DEFAULT_DECODE_LIMITS);
        const px = (d: number) => [Math.ceil((w * d) / 72), Math.ceil((h * d) / 72)];
        if (dpi === undefined) {
          const [pw, ph] = px(150);
          expect(pw * ph > DEFAULT_DECODE_LIMITS.maxPixels || Math.max(pw, ph) > DEFAULT_DECODE_LIMITS.maxSide).toBe(true);
        } else {
          expect(dpi).toBeGreaterThanOrEqual(150);
          expect(dpi).toBeLessThanOrEqual(300);
          const [pw, ph] = px(dpi);
          expect(pw * ph).toBeLessThanOrEqual(DEFAULT_DECODE_LIMITS.maxPixels);
          expect(Math.max(pw, ph)).toBeLessThanOrEqual(DEFAULT_DECODE_LIMITS.maxSide);
        }
      }),
    );
  });

  it('every reason code has a message naming the file, and the page when given', () => {
    for (const code of SCAN_INPUT_ERROR_CODES) {
      const whole = new ScanInputError(code, 'box1/scan 7.tif');
      expect(whole.message).toMatch(/^File box1\/scan 7\.tif /);
      const paged = new ScanInputError(code, 'box1/scan 7.tif', { page: 2 });
      expect(paged.message).toContain('page 3,');
      expect(paged.toJSON()).toMatchObject({ code, file: 'box1/scan 7.tif', page: 2 });
    }
  });
});

describe('decoding good scans', () => {
  it('a multi-page 8-bit TIFF decodes page by page', async () => {
    const levels = [30, 140, 230];
    const pages = await Promise.all(
      levels.map((v) => sharp({ create: { width: 640, height: 900, channels: 3, background: { r: v, g: v, b: v } } }).png().toBuffer()),
    );
    const tiff = await sharp(pages, { join: { animated: true } }).toColourspace('b-w').tiff({ compression: 'lzw' }).toBuffer();
    expect(tiffPageTags(tiff).map((t) => t.bitsPerSample)).toEqual([8, 8, 8]);
    const path = join(tmp, 'three-pages.tif');
    writeFileSync(path, tiff);

    const source = await openSource(path);
    expect(source).toMatchObject({ format: 'tiff', pageCount: 3, bytes: tiff.length });
    const decoded = await allPages(path);
    expect(decoded.map((p) => p.pageIndex)).toEqual([0, 1, 2]);
    decoded.forEach((page, i) => {
      expect(page.error).toBeUndefined();
      expect(page.image).toMatchObject({ width: 640, height: 900, channels: 1 });
      expect(page.image!.data.length).toBe(640 * 900);
      expect(pixel(page, 320, 450)).toBeCloseTo(levels[i], -1);
    });
  });

  it('a damaged TIFF page yields its error and the other pages still decode', async () => {
    const pages = await Promise.all(
      [30, 140, 230].map((v) => sharp({ create: { width: 640, height: 900, channels: 3, background: { r: v, g: v, b: v } } }).png().toBuffer()),
    );
    const tiff = Buffer.from(await sharp(pages, { join: { animated: true } }).toColourspace('b-w').tiff({ compression: 'deflate' }).toBuffer());
    // Scramble the start of the second page's first strip (StripOffsets, tag 273, in the second IFD).
    const firstIfd = tiff.readUInt32LE(4);
    const secondIfd = tiff.readUInt32LE(firstIfd + 2 + tiff.readUInt16LE(firstIfd) * 12);
    let stripOffsets = 0;
    let stripCount = 0;
    for (let i = 0; i < tiff.readUInt16LE(secondIfd); i++) {
      const entry = secondIfd + 2 + i * 12;
      if (tiff.readUInt16LE(entry) === 273) [stripCount, stripOffsets] = [tiff.readUInt32LE(entry + 4), tiff.readUInt32LE(entry + 8)];
    }
    const firstStrip = stripCount === 1 ? stripOffsets : tiff.readUInt32LE(stripOffsets);
    for (let i = firstStrip; i < firstStrip + 40; i++) tiff[i] ^= 0xa5;
    const path = join(tmp, 'damaged-page.tif');
    writeFileSync(path, tiff);
    const decoded = await allPages(path);
    expect(decoded.map((p) => p.error?.code ?? 'ok')).toEqual(['ok', 'corrupt-image', 'ok']);
    expect(decoded[1].error?.message).toContain('page 2,');
  });

  it('a TIFF cut short is refused as a whole, because the decoder alone would just see fewer pages', async () => {
    const raw = Buffer.alloc(400 * 400);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919) % 251;
    const page = await sharp(raw, { raw: { width: 400, height: 400, channels: 1 } }).png().toBuffer();
    const tiff = await sharp([page, page, page], { join: { animated: true } }).toColourspace('b-w').tiff({ compression: 'none' }).toBuffer();
    expect(tiffTruncation(tiff)).toBeUndefined();
    for (const fraction of [0.3, 0.5, 0.8, 0.95]) {
      const cutShort = tiff.subarray(0, Math.floor(tiff.length * fraction));
      expect(tiffTruncation(cutShort)).toMatch(/needs byte \d+ but ends at byte \d+/);
      const path = join(tmp, `cut-${fraction}.tif`);
      writeFileSync(path, cutShort);
      expect(((await openSource(path)) as ScanInputError).code).toBe('truncated-image');
      expect((await allPages(path)).map((p) => p.error?.code)).toEqual(['truncated-image']);
    }
  });

  it('a 1-bit CCITT Group 4 TIFF (fax-like) decodes to black and white pages with its dpi', async () => {
    const ink = (square: number) => {
      const raw = Buffer.alloc(850 * 1100, 255);
      for (let y = square; y < square + 100; y++) raw.fill(0, y * 850 + square, y * 850 + square + 100);
      return sharp(raw, { raw: { width: 850, height: 1100, channels: 1 } }).png().toBuffer();
    };
    const g4 = await sharp([await ink(100), await ink(500)], { join: { animated: true } })
      .toColourspace('b-w')
      .tiff({ compression: 'ccittfax4', bitdepth: 1, xres: 300 / 25.4, yres: 300 / 25.4 })
      .toBuffer();
    expect(tiffPageTags(g4)).toEqual([
      { compression: 4, bitsPerSample: 1 },
      { compression: 4, bitsPerSample: 1 },
    ]);
    const path = join(tmp, 'fax-g4.tif');
    writeFileSync(path, g4);

    expect(await openSource(path)).toMatchObject({ format: 'tiff', pageCount: 2 });
    const decoded = await allPages(path);
    expect(decoded).toHaveLength(2);
    for (const page of decoded) {
      expect(page.image).toMatchObject({ width: 850, height: 1100, channels: 1 });
      expect(new Set(page.image!.data)).toEqual(new Set([0, 255]));
      expect(page.dpi).toBeCloseTo(300, 0);
    }
    expect(pixel(decoded[0], 150, 150)).toBe(0);
    expect(pixel(decoded[0], 550, 550)).toBe(255);
    expect(pixel(decoded[1], 550, 550)).toBe(0);
  });

  it('a 2-page A4 PDF renders at 300 dpi to about 2480 x 3508, one page at a time', async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage(PageSizes.A4);
    const second = pdf.addPage(PageSizes.A4);
    // A black 1-inch square 1 inch from the top-left corner of page 2.
    second.drawRectangle({ x: 72, y: 841.89 - 144, width: 72, height: 72, color: rgb(0, 0, 0) });
    const path = join(tmp, 'two-a4.pdf');
    writeFileSync(path, await pdf.save());

    expect(await openSource(path)).toMatchObject({ format: 'pdf', pageCount: 2 });
    const decoded = await allPages(path);
    expect(decoded).toHaveLength(2);
    for (const page of decoded) {
      expect(page.dpi).toBe(300);
      expect(Math.abs(page.image!.width - 2480)).toBeLessThanOrEqual(2);
      expect(Math.abs(page.image!.height - 3508)).toBeLessThanOrEqual(2);
      expect(page.image!.data.length).toBe(page.image!.width * page.image!.height);
    }
    expect(pixel(decoded[0], 450, 450)).toBe(255);
    expect(pixel(decoded[1], 450, 450)).toBe(0); // 1.5 inches in = 450 px at 300 dpi
    expect(pixel(decoded[1], 1200, 1200)).toBe(255);
  });

  it('a bad PDF page yields its error and the following pages still decode', async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage(PageSizes.A5);
    pdf.addPage([200_000, 200_000]);
    pdf.addPage([20, 20]);
    pdf.addPage(PageSizes.A5);
    const path = join(tmp, 'mixed.pdf');
    writeFileSync(path, await pdf.save());
    const decoded = await allPages(path);
    expect(decoded.map((p) => p.error?.code ?? 'ok')).toEqual(['ok', 'pdf-page-too-large', 'image-too-small', 'ok']);
    expect(decoded[2].error?.message).toContain('page 3,');
    expect(decoded[3].image?.width).toBeGreaterThan(1700);
  });

  it('a PDF page too big for 300 dpi is rendered at a lower dpi, and says so', async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage(PageSizes.A4);
    const path = join(tmp, 'a4-low-limit.pdf');
    writeFileSync(path, await pdf.save());
    const [page] = await allPages(path, { maxPixels: 4_000_000 });
    expect(page.dpi).toBeGreaterThanOrEqual(150);
    expect(page.dpi).toBeLessThan(300);
    expect(page.image!.width * page.image!.height).toBeLessThanOrEqual(4_000_000);
    expect(page.note).toMatch(/dpi/);
  });

  it('a PDF with too many pages is refused as a whole', async () => {
    const pdf = await PDFDocument.create();
    for (let i = 0; i < 4; i++) pdf.addPage(PageSizes.A5);
    const path = join(tmp, 'four.pdf');
    writeFileSync(path, await pdf.save());
    const source = await openSource(path, { maxPdfPages: 3 });
    expect(source).toBeInstanceOf(ScanInputError);
    expect((source as ScanInputError).code).toBe('pdf-too-many-pages');
    expect((await allPages(path, { maxPdfPages: 3 })).map((p) => p.error?.code)).toEqual(['pdf-too-many-pages']);
  });

  it('a JPEG with EXIF orientation 6 comes out upright', async () => {
    // Stored 600 wide x 400 high with the square top-left; orientation 6 means "turn 90 degrees clockwise".
    const jpg = await sharp(cardWithCorner(600, 400), { raw: { width: 600, height: 400, channels: 1 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpg).metadata()).orientation).toBe(6);
    const path = join(tmp, 'rotated.jpg');
    writeFileSync(path, jpg);
    const [page] = await allPages(path);
    expect(page.image).toMatchObject({ width: 400, height: 600 });
    expect(pixel(page, 350, 50)).toBeLessThan(40); // the square is now top-right
    expect(pixel(page, 50, 50)).toBeGreaterThan(160);
  });

  it('transparency is flattened onto white, colour becomes grey, and PNG density becomes dpi', async () => {
    const rgba = Buffer.alloc(400 * 400 * 4);
    for (let i = 0; i < 400 * 200; i++) rgba.set([255, 0, 0, 255], i * 4); // top half opaque red, bottom clear
    const png = await sharp(rgba, { raw: { width: 400, height: 400, channels: 4 } }).withDensity(200).png().toBuffer();
    const path = join(tmp, 'alpha.png');
    writeFileSync(path, png);
    const [page] = await allPages(path);
    expect(page.image?.channels).toBe(1);
    expect(page.image!.data.length).toBe(400 * 400);
    expect(pixel(page, 200, 300)).toBe(255);
    expect(pixel(page, 200, 100)).toBeGreaterThan(40);
    expect(pixel(page, 200, 100)).toBeLessThan(180); // red is a mid grey, not white paper
    expect(page.dpi).toBeCloseTo(200, 0);
  });

  it('a 16-bit greyscale PNG and a CMYK JPEG come out as 8-bit grey', async () => {
    const grey16 = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    expect((await sharp(grey16).metadata()).depth).toBe('ushort');
    const cmyk = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    for (const [name, buf] of [['grey16.png', grey16], ['cmyk.jpg', cmyk]] as const) {
      const path = join(tmp, name);
      writeFileSync(path, buf);
      const [page] = await allPages(path);
      expect(page.image!.data.length).toBe(400 * 400);
      expect(Math.abs(pixel(page, 200, 200) - 128)).toBeLessThan(30);
    }
  });

  it('openSource gives the sha256 of the bytes; a file changed since is refused', async () => {
    const path = join(BAD, 'png-named.jpg');
    const bytes = readFileSync(path);
    const source = await openSource(path);
    expect(source).toMatchObject({ format: 'png', pageCount: 1, bytes: bytes.length });
    expect((source as { sha256: string }).sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const ok = await allPages(path, { expectSha256: (source as { sha256: string }).sha256 });
    expect(ok[0].image).toBeDefined();
    const changed = await allPages(path, { expectSha256: '0'.repeat(64) });
    expect(changed.map((p) => p.error?.code)).toEqual(['file-changed']);
  });

  it('a folder or a missing path is reported, not thrown', async () => {
    expect(((await openSource(tmp)) as ScanInputError).code).toBe('unreadable-file');
    const missing = await allPages(join(tmp, 'no-such-file.png'));
    expect(missing.map((p) => p.error?.code)).toEqual(['unreadable-file']);
  });

  it('stopping early releases the PDF without error', async () => {
    const pdf = await PDFDocument.create();
    for (let i = 0; i < 3; i++) pdf.addPage(PageSizes.A6);
    const path = join(tmp, 'three-a6.pdf');
    writeFileSync(path, await pdf.save());
    let seen = 0;
    for await (const page of decodePages(path)) {
      expect(page.image).toBeDefined();
      seen++;
      break;
    }
    expect(seen).toBe(1);
  });
});
