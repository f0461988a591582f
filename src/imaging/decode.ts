// Turn one scan file (PNG, JPEG, multi-page TIFF or PDF) into 8-bit greyscale page images, one page at a time.
// Every way a file can be wrong ends in a ScanInputError with a reason code; nothing is decoded half-way and
// passed off as a page. The format comes from the file's bytes, never from its name.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import sharp, { type Sharp } from './sharp.ts';
import { ScanInputError, type ScanInputErrorCode } from './errors.ts';

export type ScanFormat = 'png' | 'jpeg' | 'tiff' | 'pdf';

export interface SourceInfo {
  format: ScanFormat;
  pageCount: number;
  /** sha256 of the file's bytes, lower-case hex. */
  sha256: string;
  /** File size in bytes. */
  bytes: number;
}

export interface PageImage {
  /** Row-major 8-bit greyscale pixels, width * height bytes, 0 = black, 255 = white. */
  data: Buffer;
  width: number;
  height: number;
  channels: 1;
}

export interface DecodedPage {
  /** 0-based position of the page in its file. */
  pageIndex: number;
  image?: PageImage;
  /** Resolution of `image` in dots per inch: from the file's metadata for images, the render resolution for PDF. */
  dpi?: number;
  /** Something a person should know about a page that did decode (e.g. a PDF page rendered below 300 dpi). */
  note?: string;
  /**
   * Why this page has no image. When the whole file is refused (cannot be read, unsupported, encrypted...),
   * decodePages yields exactly one page with pageIndex 0 and an error whose `page` is undefined.
   */
  error?: ScanInputError;
}

export interface DecodeOptions {
  /** Largest page accepted, in pixels (width x height); checked from the header before decoding. */
  maxPixels?: number;
  /** Longest side accepted, in pixels. */
  maxSide?: number;
  /** Shortest side accepted, in pixels: anything smaller cannot be a scanned form. */
  minSide?: number;
  maxPdfPages?: number;
  maxTiffPages?: number;
  /** Resolution PDF pages are rendered at. */
  pdfDpi?: number;
  /** A PDF page too large to render at pdfDpi is rendered at the highest resolution down to this that fits. */
  pdfMinDpi?: number;
  maxFileBytes?: number;
  /**
   * How strict sharp is about damaged pixel data. 'warning' (the default, sharp's advice for untrusted input)
   * refuses JPEGs whose data is corrupt mid-stream; 'error' and 'truncated' would decode them with grey blocks.
   */
  failOn?: 'warning' | 'error' | 'truncated';
  /** If given, the file must still have this sha256 (from openSource); otherwise the file is refused as changed. */
  expectSha256?: string;
}

export const DEFAULT_DECODE_LIMITS = {
  maxPixels: 150_000_000,
  maxSide: 20_000,
  minSide: 300,
  maxPdfPages: 500,
  maxTiffPages: 500,
  pdfDpi: 300,
  pdfMinDpi: 150,
  maxFileBytes: 1024 * 1024 * 1024,
  failOn: 'warning',
} as const satisfies Required<Omit<DecodeOptions, 'expectSha256'>>;

type Limits = Required<Omit<DecodeOptions, 'expectSha256'>>;

function limitsFrom(opts: DecodeOptions = {}): Limits {
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_DECODE_LIMITS, ...defined } as Limits;
}

// ---------------------------------------------------------------------------------------------------------
// Format detection (pure)

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(buf: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (buf.length < at + bytes.length) return false;
  return bytes.every((b, i) => buf[at + i] === b);
}

function ascii(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.subarray(start, Math.min(end, buf.length))).toString('latin1');
}

/** The scan format from the file's magic bytes, or undefined when it is none of PNG, JPEG, TIFF, PDF. */
export function detectFormat(buffer: Uint8Array): ScanFormat | undefined {
  if (startsWith(buffer, PNG_MAGIC)) return 'png';
  if (startsWith(buffer, [0xff, 0xd8, 0xff])) return 'jpeg';
  // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
  if (startsWith(buffer, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buffer, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(buffer, [0x49, 0x49, 0x2b, 0x00]) || startsWith(buffer, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  // Readers accept the PDF header anywhere in the first 1024 bytes; some scanners write a few bytes first.
  if (ascii(buffer, 0, 1024).includes('%PDF-')) return 'pdf';
  return undefined;
}

/** A plain-English guess at what an unsupported file is, for the error message. */
export function describeContent(buffer: Uint8Array): string {
  const head4 = ascii(buffer, 0, 4);
  if (startsWith(buffer, [0x50, 0x4b, 0x03, 0x04]) || startsWith(buffer, [0x50, 0x4b, 0x05, 0x06]))
    return 'It looks like a ZIP archive (a .zip file, or an Office document such as .docx or .xlsx)';
  if (head4 === 'GIF8') return 'It looks like a GIF image';
  if (head4 === 'RIFF' && ascii(buffer, 8, 12) === 'WEBP') return 'It looks like a WebP image';
  if (ascii(buffer, 4, 8) === 'ftyp') {
    const brand = ascii(buffer, 8, 12);
    if (/^(heic|heix|hevc|mif1|msf1|avif)$/.test(brand)) return 'It looks like a HEIC/AVIF photo (as phones save)';
    return 'It looks like a video or QuickTime/MP4 file';
  }
  if (startsWith(buffer, [0x42, 0x4d]) && buffer.length > 14) return 'It looks like a BMP image';
  if (startsWith(buffer, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(buffer, [0xff, 0x4f, 0xff, 0x51]))
    return 'It looks like a JPEG 2000 image';
  if (startsWith(buffer, [0x1f, 0x8b])) return 'It looks like a gzip-compressed file';
  if (startsWith(buffer, [0xd0, 0xcf, 0x11, 0xe0])) return 'It looks like an old Microsoft Office document (.doc, .xls)';
  if (head4 === 'Rar!') return 'It looks like a RAR archive';
  if (startsWith(buffer, [0x37, 0x7a, 0xbc, 0xaf])) return 'It looks like a 7-Zip archive';
  if (head4 === '%!PS') return 'It looks like a PostScript file';
  if (startsWith(buffer, [0x7f, 0x45, 0x4c, 0x46]) || ascii(buffer, 0, 2) === 'MZ') return 'It looks like a program';
  const text = looksLikeText(buffer);
  if (text !== undefined) {
    const lower = text.slice(0, 512).toLowerCase().trimStart();
    if (lower.includes('<svg')) return 'It looks like an SVG drawing (text)';
    if (lower.startsWith('<!doctype html') || lower.includes('<html')) return 'It looks like a web page (HTML text)';
    if (lower.startsWith('<?xml')) return 'It looks like an XML text file';
    if (lower.startsWith('{') || lower.startsWith('[')) return 'It looks like a JSON text file';
    return 'It looks like a text file';
  }
  const hex = Buffer.from(buffer.subarray(0, 4)).toString('hex').replace(/(..)(?=.)/g, '$1 ');
  return `Its contents are not recognised (it starts with bytes ${hex})`;
}

/** The decoded sample if the start of the buffer is UTF-8 text without control characters, else undefined. */
function looksLikeText(buffer: Uint8Array): string | undefined {
  let sample = Buffer.from(buffer.subarray(0, 4096));
  // Do not let a multi-byte character cut at the sample edge count against it.
  if (buffer.length > 4096) sample = sample.subarray(0, sample.length - 3);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample);
  } catch {
    return undefined;
  }
  const controls = text.match(/[\u0000-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  return controls === 0 ? text : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Truncation checks (pure): libpng says "read error" for both cut-short and damaged files; the structure tells.

/** True when a PNG's chunk list runs off the end of the buffer or never reaches IEND. */
export function pngIsTruncated(buf: Uint8Array): boolean {
  let offset = 8;
  while (offset + 8 <= buf.length) {
    const length = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).readUInt32BE(offset);
    const type = ascii(buf, offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > buf.length) return true;
    if (type === 'IEND') return false;
    offset = end;
  }
  return true;
}

/** True when a JPEG has no end-of-image marker (trailing zero padding, as some scanners write, is allowed). */
export function jpegIsTruncated(buf: Uint8Array): boolean {
  let end = buf.length;
  while (end > 0 && buf[end - 1] === 0x00) end--;
  return !(end >= 2 && buf[end - 2] === 0xff && buf[end - 1] === 0xd9);
}

/**
 * Where a classic TIFF points past its own end (a page directory or a page's image data), as
 * "needs byte M", or undefined when everything it points to is present. A cut-short TIFF must be caught
 * here: the decoder just sees fewer pages, and the lost pages would never be missed. BigTIFF is not checked.
 */
export function tiffTruncation(buf: Uint8Array): string | undefined {
  if (buf.length < 8 || !(startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a]))) return undefined;
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = buf[0] === 0x49;
  const u16 = (o: number) => (le ? view.readUInt16LE(o) : view.readUInt16BE(o));
  const u32 = (o: number) => (le ? view.readUInt32LE(o) : view.readUInt32BE(o));
  const past = (end: number) => (end > buf.length ? `it needs byte ${end} but ends at byte ${buf.length}` : undefined);
  const seen = new Set<number>();
  for (let ifd = u32(4); ifd !== 0 && !seen.has(ifd) && seen.size < 100_000; ) {
    seen.add(ifd);
    const head = past(ifd + 2);
    if (head) return head;
    const entries = u16(ifd);
    const whole = past(ifd + 2 + entries * 12 + 4);
    if (whole) return whole;
    // tag -> [type, count, value-or-offset position]
    const tags = new Map<number, { type: number; count: number; at: number }>();
    for (let i = 0; i < entries; i++) {
      const entry = ifd + 2 + i * 12;
      tags.set(u16(entry), { type: u16(entry + 2), count: u32(entry + 4), at: entry + 8 });
    }
    const values = (tag: number): number[] | string => {
      const t = tags.get(tag);
      if (!t || (t.type !== 3 && t.type !== 4)) return [];
      const size = t.type === 3 ? 2 : 4;
      const start = t.count * size <= 4 ? t.at : u32(t.at);
      const missing = past(start + t.count * size);
      if (missing) return missing;
      return Array.from({ length: t.count }, (_, i) => (size === 2 ? u16(start + i * 2) : u32(start + i * 4)));
    };
    for (const [offsetsTag, countsTag] of [[273, 279], [324, 325]]) {
      const offsets = values(offsetsTag);
      const counts = values(countsTag);
      if (typeof offsets === 'string') return offsets;
      if (typeof counts === 'string') return counts;
      for (let i = 0; i < Math.min(offsets.length, counts.length); i++) {
        const missing = past(offsets[i] + counts[i]);
        if (missing) return missing;
      }
    }
    ifd = u32(ifd + 2 + entries * 12);
  }
  return undefined;
}

const TRUNCATION_WORDS = /premature end|truncat|bad seek|unexpected end|end of (file|data|stream)|not enough data|read error on strip|short read/i;

function imageFailure(format: ScanFormat, buf: Uint8Array, file: string, err: unknown, page?: number): ScanInputError {
  const message = err instanceof Error ? err.message : String(err);
  if (/exceeds pixel limit/i.test(message)) {
    return new ScanInputError('image-too-large', file, { page, cause: err, detail: 'It is larger than the pixel limit' });
  }
  const truncated =
    format === 'png' ? pngIsTruncated(buf) : format === 'jpeg' ? jpegIsTruncated(buf) : TRUNCATION_WORDS.test(message);
  const code: ScanInputErrorCode = truncated ? 'truncated-image' : 'corrupt-image';
  return new ScanInputError(code, file, { page, cause: err, detail: `The image decoder said: ${firstLine(message)}` });
}

function firstLine(message: string): string {
  return message.split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 200) ?? 'unknown error';
}

// ---------------------------------------------------------------------------------------------------------
// Size rules (pure)

/** The error for a page of this size, or undefined if the size is acceptable. */
export function checkPageSize(
  width: number,
  height: number,
  limits: Pick<Limits, 'maxPixels' | 'maxSide' | 'minSide'>,
  file: string,
  page?: number,
): ScanInputError | undefined {
  const size = `It is ${width} x ${height} pixels`;
  if (width * height > limits.maxPixels || Math.max(width, height) > limits.maxSide) {
    const mp = Math.round(limits.maxPixels / 1e6);
    return new ScanInputError('image-too-large', file, {
      page,
      detail: `${size}; the limit is ${mp} megapixels and ${limits.maxSide} pixels a side`,
    });
  }
  if (Math.min(width, height) < limits.minSide) {
    return new ScanInputError('image-too-small', file, {
      page,
      detail: `${size}; a scanned form is at least ${limits.minSide} pixels a side`,
    });
  }
  return undefined;
}

/**
 * The resolution to render a PDF page of this size (in points) at: the preferred dpi, or the highest whole dpi
 * down to the minimum that stays within the pixel limits, or undefined if even the minimum is too large.
 */
export function pdfRenderDpi(
  widthPt: number,
  heightPt: number,
  limits: Pick<Limits, 'maxPixels' | 'maxSide' | 'pdfDpi' | 'pdfMinDpi'>,
): number | undefined {
  const fits = (dpi: number) => {
    const w = Math.ceil((widthPt * dpi) / 72);
    const h = Math.ceil((heightPt * dpi) / 72);
    return w * h <= limits.maxPixels && Math.max(w, h) <= limits.maxSide;
  };
  if (fits(limits.pdfDpi)) return limits.pdfDpi;
  const byArea = Math.sqrt((limits.maxPixels * 72 * 72) / Math.max(widthPt * heightPt, 1e-9));
  const bySide = (limits.maxSide * 72) / Math.max(widthPt, heightPt, 1e-9);
  let dpi = Math.floor(Math.min(byArea, bySide, limits.pdfDpi));
  while (dpi >= limits.pdfMinDpi && !fits(dpi)) dpi--; // rounding up of page edges can cost a pixel
  return dpi >= limits.pdfMinDpi ? dpi : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the file (I/O edge)

type Loaded = { buf: Buffer; format: ScanFormat; sha256: string } | ScanInputError;

function errnoDetail(err: unknown): { code: ScanInputErrorCode; detail: string } {
  const errno = (err as NodeJS.ErrnoException)?.code;
  switch (errno) {
    case 'ENOENT':
      return { code: 'unreadable-file', detail: 'It does not exist (or it is a link to a file that does not exist)' };
    case 'EACCES':
    case 'EPERM':
      return { code: 'unreadable-file', detail: 'Permission was denied' };
    case 'EISDIR':
      return { code: 'unreadable-file', detail: 'It is a folder, not a file' };
    case 'ELOOP':
      return { code: 'symlink-loop', detail: 'The link chain goes round in a circle' };
    case 'EIO':
      return { code: 'unreadable-file', detail: 'The disk reported a read error' };
    default:
      return { code: 'unreadable-file', detail: `The system said: ${errno ?? firstLine(String((err as Error)?.message ?? err))}` };
  }
}

async function loadFile(path: string, limits: Limits): Promise<Loaded> {
  let buf: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return new ScanInputError('unreadable-file', path, { detail: 'It is a folder, not a file' });
    // Reading a pipe or device could block forever or never end.
    if (!info.isFile()) return new ScanInputError('unreadable-file', path, { detail: 'It is not a regular file' });
    if (info.size > limits.maxFileBytes) {
      return new ScanInputError('file-too-large', path, {
        detail: `It is ${info.size} bytes; the limit is ${limits.maxFileBytes} bytes`,
      });
    }
    buf = await readFile(path);
  } catch (err) {
    const { code, detail } = errnoDetail(err);
    return new ScanInputError(code, path, { detail, cause: err });
  }
  if (buf.length === 0) return new ScanInputError('empty-file', path);
  const format = detectFormat(buf);
  if (!format) return new ScanInputError('unsupported-format', path, { detail: describeContent(buf) });
  const sha256 = createHash('sha256').update(buf).digest('hex');
  return { buf, format, sha256 };
}

// ---------------------------------------------------------------------------------------------------------
// mupdf (WASM) is loaded only when a PDF turns up: it is large and most batches are TIFF.

type Mupdf = typeof import('mupdf');
let mupdfPromise: Promise<Mupdf> | undefined;

function loadMupdf(): Promise<Mupdf> {
  mupdfPromise ??= import('mupdf').then((m) => {
    // mupdf prints repair warnings to stderr; each failure reaches the user as a ScanInputError instead.
    m.setLog(() => {});
    // A scan's colours go to grey by mupdf's plain weighting, not through ICC colour management (lcms): the pages are
    // read for ink on paper, not shown for colour, and the ICC transform was a third of a PDF page's decoding CPU.
    m.disableICC();
    return m;
  });
  return mupdfPromise;
}

type OpenedPdf = { doc: import('mupdf').Document; pageCount: number } | ScanInputError;

async function openPdf(buf: Buffer, file: string, limits: Limits): Promise<OpenedPdf> {
  const mupdf = await loadMupdf();
  let doc: import('mupdf').Document | undefined;
  try {
    doc = mupdf.Document.openDocument(buf, 'application/pdf');
    if (doc.needsPassword()) {
      doc.destroy();
      return new ScanInputError('pdf-encrypted', file);
    }
    const pageCount = doc.countPages();
    if (pageCount === 0) {
      doc.destroy();
      return new ScanInputError('pdf-no-pages', file);
    }
    if (pageCount > limits.maxPdfPages) {
      doc.destroy();
      return new ScanInputError('pdf-too-many-pages', file, {
        detail: `It has ${pageCount} pages; the limit is ${limits.maxPdfPages}`,
      });
    }
    return { doc, pageCount };
  } catch (err) {
    doc?.destroy();
    return new ScanInputError('pdf-corrupt', file, { cause: err, detail: `The PDF reader said: ${firstLine(String((err as Error)?.message ?? err))}` });
  }
}

async function* decodePdfPages(buf: Buffer, file: string, limits: Limits): AsyncGenerator<DecodedPage> {
  const opened = await openPdf(buf, file, limits);
  if (opened instanceof ScanInputError) {
    yield { pageIndex: 0, error: opened };
    return;
  }
  const mupdf = await loadMupdf();
  const { doc, pageCount } = opened;
  try {
    for (let pageIndex = 0; pageIndex < pageCount; pageIndex++) {
      yield renderPdfPage(mupdf, doc, pageIndex, file, limits);
    }
  } finally {
    doc.destroy(); // also when the caller stops early
  }
}

function renderPdfPage(mupdf: Mupdf, doc: import('mupdf').Document, pageIndex: number, file: string, limits: Limits): DecodedPage {
  let page: import('mupdf').Page | undefined;
  let pixmap: import('mupdf').Pixmap | undefined;
  try {
    page = doc.loadPage(pageIndex);
    // mupdf quietly renders a page with a missing or impossible MediaBox as US Letter, which would then pass for
    // a blank page: refuse it with its own reason instead.
    const badBox = mediaBoxProblem(page);
    if (badBox) return { pageIndex, error: new ScanInputError('pdf-page-size-invalid', file, { page: pageIndex, detail: badBox }) };
    const [x0, y0, x1, y1] = page.getBounds();
    const widthPt = Math.abs(x1 - x0);
    const heightPt = Math.abs(y1 - y0);
    const dpi = pdfRenderDpi(widthPt, heightPt, limits);
    if (dpi === undefined) {
      const inches = `${Math.round(widthPt / 72)} x ${Math.round(heightPt / 72)} inches`;
      const px = (d: number) => `${Math.ceil((widthPt * d) / 72)} x ${Math.ceil((heightPt * d) / 72)} pixels`;
      return {
        pageIndex,
        error: new ScanInputError('pdf-page-too-large', file, {
          page: pageIndex,
          detail: `The page is ${inches}, which is ${px(limits.pdfMinDpi)} even at ${limits.pdfMinDpi} dpi`,
        }),
      };
    }
    pixmap = page.toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceGray, false);
    const width = pixmap.getWidth();
    const height = pixmap.getHeight();
    const sizeError = checkPageSize(width, height, limits, file, pageIndex);
    if (sizeError) return { pageIndex, error: sizeError };
    const data = copyRows(pixmap.getPixels(), width, height, pixmap.getStride(), pixmap.getNumberOfComponents());
    const note = dpi < limits.pdfDpi ? `Rendered at ${dpi} dpi instead of ${limits.pdfDpi} dpi because the page is unusually large.` : undefined;
    return { pageIndex, image: { data, width, height, channels: 1 }, dpi, ...(note ? { note } : {}) };
  } catch (err) {
    return {
      pageIndex,
      error: new ScanInputError('pdf-corrupt', file, {
        page: pageIndex,
        cause: err,
        detail: `The PDF reader said: ${firstLine(String((err as Error)?.message ?? err))}`,
      }),
    };
  } finally {
    pixmap?.destroy();
    page?.destroy();
    // mupdf keeps decoded page images in its store (mupdf.js allows it 100 MB, a soft limit) for a page drawn again;
    // a scanned PDF's pages are each drawn once, and a WASM heap never shrinks: kept, the store and the heap's
    // fragments held ~140 MB in every page worker.
    mupdf.emptyStore();
  }
}

/** Why a PDF page's own MediaBox (inherited from its parents if need be) is unusable, or undefined when it is fine. */
export function mediaBoxProblem(page: import('mupdf').Page): string | undefined {
  if (!('getObject' in page)) return undefined; // not a PDF page
  const box = (page as import('mupdf').PDFPage).getObject().getInheritable('MediaBox');
  if (!box.isArray()) return 'The page has no MediaBox';
  const nums: number[] = [];
  for (let i = 0; i < box.length; i++) {
    const v = box.get(i);
    if (v.isNumber()) nums.push(v.asNumber());
  }
  if (box.length !== 4 || nums.length !== 4 || !nums.every(Number.isFinite)) return 'Its MediaBox is not four numbers';
  const [x0, y0, x1, y1] = nums as [number, number, number, number];
  if (Math.abs(x1 - x0) < 1 || Math.abs(y1 - y0) < 1) return `Its MediaBox is ${nums.join(' ')}, which has no area`;
  return undefined;
}

/** Copy a pixmap's samples out of WASM memory into a tightly packed buffer (first component of each pixel). */
function copyRows(pixels: Uint8ClampedArray, width: number, height: number, stride: number, components: number): Buffer {
  const out = Buffer.allocUnsafe(width * height);
  if (components === 1 && stride === width) {
    out.set(pixels.subarray(0, width * height));
    return out;
  }
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    for (let x = 0; x < width; x++) out[y * width + x] = pixels[row + x * components];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// PNG, JPEG, TIFF through sharp

/** `headerOnly` lifts sharp's pixel limit so metadata() can report a bomb's size for our own, clearer check. */
function sharpInput(buf: Buffer, limits: Limits, page?: number, headerOnly = false): Sharp {
  return sharp(buf, {
    failOn: limits.failOn,
    limitInputPixels: headerOnly ? false : limits.maxPixels, // a second guard behind the header check
    ...(page === undefined ? {} : { page }),
  });
}

async function decodeRaster(buf: Buffer, format: ScanFormat, file: string, limits: Limits, page?: number): Promise<DecodedPage> {
  const pageIndex = page ?? 0;
  // 1. The header alone: refuse image bombs and thumbnails before any pixels are decoded.
  let density: number | undefined;
  try {
    const meta = await sharpInput(buf, limits, page, true).metadata();
    const sizeError = checkPageSize(meta.width, meta.height, limits, file, page);
    if (sizeError) return { pageIndex, error: sizeError };
    density = meta.density;
  } catch (err) {
    return { pageIndex, error: imageFailure(format, buf, file, err, page) };
  }
  // 2. Decode: upright (EXIF orientation), transparency onto white paper, 8-bit grey.
  try {
    const { data, info } = await sharpInput(buf, limits, page)
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('b-w')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 || data.length !== info.width * info.height) {
      throw new Error(`decoder returned ${info.channels} channels and ${data.length} bytes for ${info.width} x ${info.height}`);
    }
    return {
      pageIndex,
      image: { data, width: info.width, height: info.height, channels: 1 },
      ...(density ? { dpi: density } : {}),
    };
  } catch (err) {
    return { pageIndex, error: imageFailure(format, buf, file, err, page) };
  }
}

async function rasterPageCount(buf: Buffer, format: ScanFormat, file: string, limits: Limits): Promise<number | ScanInputError> {
  if (format !== 'tiff') return 1;
  const missing = tiffTruncation(buf);
  if (missing) return new ScanInputError('truncated-image', file, { detail: `Pages may be missing: ${missing}` });
  try {
    const pages = (await sharpInput(buf, limits, undefined, true).metadata()).pages ?? 1;
    if (pages > limits.maxTiffPages) {
      return new ScanInputError('tiff-too-many-pages', file, { detail: `It has ${pages} pages; the limit is ${limits.maxTiffPages}` });
    }
    return pages;
  } catch (err) {
    return imageFailure(format, buf, file, err);
  }
}

async function* decodeRasterPages(buf: Buffer, format: ScanFormat, file: string, limits: Limits): AsyncGenerator<DecodedPage> {
  const pages = await rasterPageCount(buf, format, file, limits);
  if (pages instanceof ScanInputError) {
    yield { pageIndex: 0, error: pages };
    return;
  }
  if (format !== 'tiff') {
    yield await decodeRaster(buf, format, file, limits);
    return;
  }
  // Each TIFF page is decoded on its own, so a damaged page does not cost the others.
  for (let page = 0; page < pages; page++) yield await decodeRaster(buf, format, file, limits, page);
}

// ---------------------------------------------------------------------------------------------------------
// Public API

/**
 * Read a scan file and say what it is: format, page count, sha256 and size. File-level problems (unreadable,
 * empty, unsupported, encrypted PDF, no pages, too many pages, damaged header) come back as a ScanInputError.
 * Problems with single pages (too large, too small, damaged) only show up in decodePages.
 */
export async function openSource(path: string, opts: DecodeOptions = {}): Promise<SourceInfo | ScanInputError> {
  const limits = limitsFrom(opts);
  const loaded = await loadFile(path, limits);
  if (loaded instanceof ScanInputError) return loaded;
  const { buf, format, sha256 } = loaded;
  let pageCount: number;
  if (format === 'pdf') {
    const opened = await openPdf(buf, path, limits);
    if (opened instanceof ScanInputError) return opened;
    pageCount = opened.pageCount;
    opened.doc.destroy();
  } else {
    const counted = await rasterPageCount(buf, format, path, limits);
    if (counted instanceof ScanInputError) return counted;
    pageCount = counted;
  }
  return { format, pageCount, sha256, bytes: buf.length };
}

/**
 * Decode a scan file page by page into 8-bit greyscale images. Only one page's pixels are held at a time.
 * A bad page yields its error and decoding goes on with the next page; a file refused as a whole yields a
 * single page (index 0) carrying the error. Nothing is thrown for bad input.
 */
export async function* decodePages(path: string, opts: DecodeOptions = {}): AsyncGenerator<DecodedPage> {
  const limits = limitsFrom(opts);
  const loaded = await loadFile(path, limits);
  if (loaded instanceof ScanInputError) {
    yield { pageIndex: 0, error: loaded };
    return;
  }
  const { buf, format, sha256 } = loaded;
  if (opts.expectSha256 !== undefined && opts.expectSha256.toLowerCase() !== sha256) {
    yield { pageIndex: 0, error: new ScanInputError('file-changed', path) };
    return;
  }
  if (format === 'pdf') yield* decodePdfPages(buf, path, limits);
  else yield* decodeRasterPages(buf, format, path, limits);
}

/** A file opened for decodePage: its bytes (checked against the sha256 asked for), and the PDF document if it is one. */
type OpenedSource = { format: ScanFormat; buf: Buffer; pages: number; pdf?: import('mupdf').Document } | ScanInputError;

/** The last file decodePage opened (one a thread): the next page of it needs no new read, hash or parse. */
let lastSource: { path: string; sha256: string; opened: Promise<OpenedSource> } | undefined;

async function openWhole(path: string, sha256: string, limits: Limits): Promise<OpenedSource> {
  const loaded = await loadFile(path, limits);
  if (loaded instanceof ScanInputError) return loaded;
  if (loaded.sha256 !== sha256.toLowerCase()) return new ScanInputError('file-changed', path);
  const { buf, format } = loaded;
  if (format === 'pdf') {
    const opened = await openPdf(buf, path, limits);
    if (opened instanceof ScanInputError) return opened;
    return { format, buf, pages: opened.pageCount, pdf: opened.doc };
  }
  const pages = await rasterPageCount(buf, format, path, limits);
  return pages instanceof ScanInputError ? pages : { format, buf, pages };
}

/** Let go of the file decodePage holds (its bytes and PDF document). */
export async function releaseDecodedSource(): Promise<void> {
  const last = lastSource;
  lastSource = undefined;
  const opened = await last?.opened;
  if (opened && !(opened instanceof ScanInputError)) opened.pdf?.destroy();
}

/**
 * Decode one page of a scan file that must still have the given sha256 (from openSource), as decodePages does it:
 * where the page is (file and index) is all a page worker is told. The file stays open for the next page of it.
 * Nothing is thrown for bad input: a page that cannot be decoded, or a file refused as a whole (gone, changed,
 * damaged), comes back as this page's error, naming the file and the page.
 */
export async function decodePage(path: string, pageIndex: number, sha256: string, opts: DecodeOptions = {}): Promise<DecodedPage> {
  const limits = limitsFrom(opts);
  if (lastSource?.path !== path || lastSource.sha256 !== sha256) {
    await releaseDecodedSource();
    lastSource = { path, sha256, opened: openWhole(path, sha256, limits) };
  }
  const src = await lastSource.opened;
  if (src instanceof ScanInputError) {
    const e = src.page === undefined ? new ScanInputError(src.code, path, { page: pageIndex, ...(src.detail ? { detail: src.detail } : {}) }) : src;
    return { pageIndex, error: e };
  }
  // The page count is the file's (its sha256 is the one counted): a page past it is a caller's mistake.
  if (pageIndex < 0 || pageIndex >= src.pages) throw new RangeError(`${path} has ${src.pages} pages; page index ${pageIndex} asked for`);
  try {
    if (src.pdf) return renderPdfPage(await loadMupdf(), src.pdf, pageIndex, path, limits);
    return await decodeRaster(src.buf, src.format, path, limits, src.format === 'tiff' ? pageIndex : undefined);
  } finally {
    // A one-page file has no next page to keep it open for.
    if (src.pages === 1) await releaseDecodedSource();
  }
}

