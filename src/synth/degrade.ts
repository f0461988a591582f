// Turns a filled page drawing into the pixels a scanner (or a phone) would give: rasterise with sharp, show the
// reverse side through, blur, then one pass over raw pixels that places the sheet on the glass (a homography:
// skew, scale, offset, perspective, upside down or sideways), tones paper and ink, lights it unevenly and adds
// sensor noise; then dust specks and, for fax-like output, a 1-bit threshold. Deterministic for the rng passed in.
import { fitTransform, invertHomography } from '../imaging/homography.ts';
import sharp, { type Sharp } from '../imaging/sharp.ts';
import type { Drawing } from '../template/drawing.ts';
import { rasterise } from '../template/render-raster.ts';
import type { Rng } from './rng.ts';
import type { PageDegradation, SessionSettings } from './scan-profiles.ts';

const MM_PER_INCH = 25.4;

/** How far a sheet is turned clockwise in its scan: upside down (180), or sideways (90, 270: fed landscape, or
 * turned by the scanner's software). */
export type Rotation = 0 | 90 | 180 | 270;

/** Where the page went in the image: enough for a benchmark to check registration. */
export interface PageTransform {
  dpi: number;
  widthPx: number;
  heightPx: number;
  skewDeg: number;
  scale: number;
  offsetMm: { x: number; y: number };
  /**
   * How far the sheet is turned clockwise in the image: 180 when it went through upside down, 90 or 270 when it
   * went through sideways (the image is then landscape: widthPx and heightPx are the image's own).
   */
  rotation: Rotation;
  /** Image pixel positions of the page's corners: top-left, top-right, bottom-right, bottom-left of the form. */
  cornersPx: [number, number][];
  /** Row-major 3x3 homography from page millimetres to image pixels (pixel centres at +0.5). */
  homography: number[];
}

export interface ScannedPage {
  /** Raw pixels, row-major, `channels` bytes a pixel. */
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
  dpi: number;
  /** Only 0 and 255 (1-bit output). */
  bitonal: boolean;
  transform: PageTransform;
}

export interface ScanPageInput {
  /** The sheet's drawing; null for the blank reverse side of a sheet. */
  front: Drawing | null;
  /** What shows through from the other side (mirrored); for a blank back, the sheet's front. */
  showThrough?: Drawing | null;
  /** Page size in mm (from the template) when front is null. */
  pageMm: { widthMm: number; heightMm: number };
  session: SessionSettings;
  degradation: PageDegradation;
  rotation: Rotation;
}

/** Scan one sheet. */
export async function scanPage(input: ScanPageInput, rng: Rng): Promise<ScannedPage> {
  const { session, degradation: deg } = input;
  const dpi = session.dpi;
  const channels: 1 | 3 = session.colour ? 3 : 1;
  const { widthMm, heightMm } = input.front ?? input.pageMm;
  // The rendered sheet, and the (larger, when the session has a margin) scan area.
  const SW = Math.round((widthMm / MM_PER_INCH) * dpi);
  const SH = Math.round((heightMm / MM_PER_INCH) * dpi);
  // A sheet through sideways makes a landscape image.
  const sideways = input.rotation === 90 || input.rotation === 270;
  const AW = Math.round(((widthMm + 2 * session.marginMm) / MM_PER_INCH) * dpi);
  const AH = Math.round(((heightMm + 2 * session.marginMm) / MM_PER_INCH) * dpi);
  const [W, H] = sideways ? [AH, AW] : [AW, AH];

  // 1. The sheet itself at the scan's resolution (white for a blank back), optically blurred.
  let source: Buffer | null = null;
  if (input.front) {
    let pipe = rasterise(input.front, dpi);
    if (channels === 1) pipe = pipe.greyscale();
    if (deg.blurSigmaPx >= 0.3) pipe = pipe.blur(deg.blurSigmaPx);
    source = await pipe.raw().toBuffer();
    if (source.length !== SW * SH * channels) throw new Error(`rasterised page is ${source.length} bytes, expected ${SW}x${SH}x${channels}`);
  }
  // 2. The other side showing through: mirrored, soft, faint.
  const showStrength = input.front ? deg.bleedThrough : Math.max(deg.bleedThrough, rng.float(0.02, 0.06));
  if (input.showThrough && showStrength > 0) {
    // Rendered at a quarter of the resolution and scaled up: it is a soft blur anyway, and this is 16x cheaper.
    const back = await rasterise(input.showThrough, dpi / 4)
      .greyscale()
      .flop()
      .blur(1.5)
      .resize(SW, SH, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
    if (!source) source = Buffer.alloc(SW * SH * channels, 255);
    showThrough(source, back, channels, showStrength);
  }

  // 3. Where the sheet lies in the image.
  const transform = placeSheet(widthMm, heightMm, AW, AH, dpi, deg, input.rotation);
  const data = Buffer.allocUnsafe(W * H * channels);
  warpAndTone(source, SW, SH, W, H, channels, dpi, transform.homography, deg, session.colour, rng, data);

  // 4. Dust and toner specks; then fax-like 1-bit output.
  if (deg.speckles > 0) speckle(data, W, H, channels, deg.speckles, rng);
  const bitonal = deg.threshold !== undefined && channels === 1;
  if (bitonal) {
    const t = deg.threshold!;
    for (let i = 0; i < data.length; i++) data[i] = data[i]! < t ? 0 : 255;
  }
  return { data, width: W, height: H, channels, dpi, bitonal, transform };
}

// ---------- geometry ----------

/**
 * The sheet's corners in image pixels and the homography page-mm -> image px, for a W x H scan area (the area as
 * for an upright sheet). The sheet is skewed and scaled about its centre, centred in the area, then shifted by the
 * offset, which is cut back where the sheet would leave the area (a sheet never lies outside the glass); then the
 * whole image is turned clockwise by `rotation` (for 90 and 270 the image is H x W).
 */
export function placeSheet(widthMm: number, heightMm: number, W: number, H: number, dpi: number, deg: PageDegradation, rotation: Rotation): PageTransform {
  const ppm = dpi / MM_PER_INCH;
  const a = (deg.skewDeg * Math.PI) / 180;
  const cos = Math.cos(a) * deg.scale;
  const sin = Math.sin(a) * deg.scale;
  const pageCorners: [number, number][] = [
    [0, 0],
    [widthMm, 0],
    [widthMm, heightMm],
    [0, heightMm],
  ];
  // Corners about the area's centre, before the offset.
  const rel = pageCorners.map(([xm, ym], i): [number, number] => {
    const px = (xm - widthMm / 2) * ppm;
    const py = (ym - heightMm / 2) * ppm;
    const p = deg.perspectiveMm?.[i] ?? [0, 0];
    return [cos * px - sin * py + p[0] * ppm, sin * px + cos * py + p[1] * ppm];
  });
  const room = (lo: number, hi: number, size: number) => [-size / 2 - lo, size / 2 - hi] as const;
  const [minDx, maxDx] = room(Math.min(...rel.map((c) => c[0])), Math.max(...rel.map((c) => c[0])), W);
  const [minDy, maxDy] = room(Math.min(...rel.map((c) => c[1])), Math.max(...rel.map((c) => c[1])), H);
  const dx = clampRange(deg.offsetMm.x * ppm, minDx, maxDx);
  const dy = clampRange(deg.offsetMm.y * ppm, minDy, maxDy);
  // The page's centre, placed so that an unskewed, unscaled page starts on a whole pixel.
  const pcx = Math.round(W / 2 - (widthMm * ppm) / 2) + (widthMm * ppm) / 2;
  const pcy = Math.round(H / 2 - (heightMm * ppm) / 2) + (heightMm * ppm) / 2;
  const corners = rel.map(([x, y]): [number, number] => {
    return turnClockwise([pcx + x + dx, pcy + y + dy], rotation, W, H);
  });
  const sideways = rotation === 90 || rotation === 270;
  return {
    dpi,
    widthPx: sideways ? H : W,
    heightPx: sideways ? W : H,
    skewDeg: round(deg.skewDeg, 3),
    scale: round(deg.scale, 4),
    offsetMm: { x: round(dx / ppm, 2), y: round(dy / ppm, 2) },
    rotation,
    cornersPx: corners.map(([x, y]) => [round(x, 2), round(y, 2)]),
    // Rounded (and float dust cleared) so the truth reads cleanly; the warp uses these same numbers.
    homography: homographyFrom(pageCorners, corners).map((v) => (Math.abs(v) < 1e-12 ? 0 : Number(v.toPrecision(12)))),
  };
}

/** Where a point of a W x H image lands when the image is turned clockwise (continuous coordinates). */
function turnClockwise([x, y]: [number, number], rotation: Rotation, W: number, H: number): [number, number] {
  switch (rotation) {
    case 90:
      return [H - y, x];
    case 180:
      return [W - x, H - y];
    case 270:
      return [y, W - x];
    default:
      return [x, y];
  }
}

/** v within [lo, hi]; the middle when the range is empty (the sheet is larger than the area). */
function clampRange(v: number, lo: number, hi: number): number {
  if (hi < lo) return (lo + hi) / 2;
  return Math.min(hi, Math.max(lo, v));
}

/** The homography taking four source points to four destination points (row-major, h[8] = 1). */
export function homographyFrom(src: [number, number][], dst: [number, number][]): number[] {
  const h = fitTransform(src.map(([x, y]) => ({ x, y })), dst.map(([x, y]) => ({ x, y })));
  if (!h) throw new Error('degenerate page placement');
  return h;
}

export function invert3(m: readonly number[]): number[] {
  const inv = invertHomography([...m]);
  if (!inv) throw new Error('singular transform');
  return inv;
}

// ---------- pixels ----------

function showThrough(source: Buffer, back: Buffer, channels: number, strength: number): void {
  const n = back.length;
  for (let i = 0; i < n; i++) {
    const k = 1 - strength * (1 - back[i]! / 255);
    if (k >= 1) continue;
    for (let c = 0; c < channels; c++) {
      const j = i * channels + c;
      source[j] = source[j]! * k;
    }
  }
}

/** A table of standard normal values, indexed by a cheap per-pixel generator: noise at a few ns a pixel. */
function gaussianTable(rng: Rng): Float32Array {
  const t = new Float32Array(1 << 16);
  for (let i = 0; i < t.length; i++) t[i] = rng.normal(0, 1);
  return t;
}

/**
 * The single pass: for each image pixel, find the page point (inverse homography), sample the sheet bilinearly,
 * map white/black to the scanner's paper and ink levels, multiply by the light, add noise. Outside the sheet is
 * the background (scanner lid or table).
 */
function warpAndTone(
  source: Buffer | null,
  SW: number,
  SH: number,
  W: number,
  H: number,
  channels: number,
  dpi: number,
  homography: number[],
  deg: PageDegradation,
  colour: boolean,
  rng: Rng,
  out: Buffer,
): void {
  const ppm = dpi / MM_PER_INCH;
  // Image px -> page mm -> source px (source pixel centres at +0.5).
  const inv = invert3(homography);
  const m = inv.map((v, i) => (i < 6 ? v * ppm : v)); // rows 0-1 scaled to source px
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m as [number, number, number, number, number, number, number, number, number];
  const noise = gaussianTable(rng.fork('noise'));
  let state = (rng.int(1, 0x7fffffff) | 0) || 1;
  const sd = deg.noiseSd;
  // Paper and ink per channel: paper a touch warm in colour.
  const paper = colour ? [deg.paperWhite, deg.paperWhite - 2, deg.paperWhite - 6] : [deg.paperWhite];
  const ink = colour ? [deg.inkBlack, deg.inkBlack, deg.inkBlack + 4] : [deg.inkBlack];
  const bg = colour && deg.warmBackground ? [deg.background, deg.background * 0.92, deg.background * 0.8] : colour ? [deg.background, deg.background, deg.background] : [deg.background];
  const la = (deg.lightAngleDeg * Math.PI) / 180;
  const diag = Math.hypot(W, H);
  const gx = (Math.cos(la) * deg.lightGradient) / diag;
  const gy = (Math.sin(la) * deg.lightGradient) / diag;
  const g0 = -(gx * W + gy * H) / 2 - deg.lightGradient / 2; // darkest side loses lightGradient, lightest none
  const vig = deg.vignette;
  const sw = source ? SW : 0;
  const sh = source ? SH : 0;
  // A sheet lying exactly on the pixel grid (the clean profile): no resampling, only tone, light and noise.
  const aligned = source && SW === W && SH === H && m6 === 0 && m7 === 0 && m8 === 1 && m1 === 0 && m3 === 0 && m2 === 0 && m5 === 0 && Math.abs(m0 - 1) < 1e-9 && Math.abs(m4 - 1) < 1e-9;
  if (aligned) {
    for (let y = 0, idx = 0; y < H; y++) {
      const yc = y + 0.5;
      const dy = (yc - H / 2) / (H / 2);
      const rowLight = 1 + g0 + gy * yc - (vig * dy * dy) / 2;
      for (let x = 0; x < W; x++) {
        const xc = x + 0.5;
        const dx = (xc - W / 2) / (W / 2);
        const light = rowLight + gx * xc - (vig * dx * dx) / 2;
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        const nz = sd ? noise[state & 0xffff]! * sd : 0;
        for (let c = 0; c < channels; c++, idx++) out[idx] = clampByte((ink[c]! + ((paper[c]! - ink[c]!) * source[idx]!) / 255) * light + nz);
      }
    }
    return;
  }
  for (let y = 0; y < H; y++) {
    const yc = y + 0.5;
    const dy = (yc - H / 2) / (H / 2);
    const rowLight = 1 + g0 + gy * yc - (vig * dy * dy) / 2;
    let idx = y * W * channels;
    for (let x = 0; x < W; x++) {
      const xc = x + 0.5;
      const dx = (xc - W / 2) / (W / 2);
      const light = rowLight + gx * xc - (vig * dx * dx) / 2;
      const den = m6 * xc + m7 * yc + m8;
      const u = (m0 * xc + m1 * yc + m2) / den - 0.5;
      const v = (m3 * xc + m4 * yc + m5) / den - 0.5;
      // xorshift32 picks this pixel's noise sample.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const nz = sd ? noise[state & 0xffff]! * sd : 0;
      const onSheet = u > -1 && v > -1 && u < SW && v < SH;
      if (!onSheet) {
        for (let c = 0; c < channels; c++) out[idx++] = clampByte(bg[c]! * light + nz);
        continue;
      }
      if (!source) {
        for (let c = 0; c < channels; c++) out[idx++] = clampByte(paper[c]! * light + nz);
        continue;
      }
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const fx = u - x0;
      const fy = v - y0;
      const xa = x0 < 0 ? 0 : x0;
      const ya = y0 < 0 ? 0 : y0;
      const xb = x0 + 1 >= sw ? sw - 1 : x0 + 1;
      const yb = y0 + 1 >= sh ? sh - 1 : y0 + 1;
      const r0 = ya * sw;
      const r1 = yb * sw;
      for (let c = 0; c < channels; c++) {
        const p00 = source[(r0 + xa) * channels + c]!;
        const p10 = source[(r0 + xb) * channels + c]!;
        const p01 = source[(r1 + xa) * channels + c]!;
        const p11 = source[(r1 + xb) * channels + c]!;
        const s = (p00 + (p10 - p00) * fx) * (1 - fy) + (p01 + (p11 - p01) * fx) * fy;
        const toned = ink[c]! + ((paper[c]! - ink[c]!) * s) / 255;
        out[idx++] = clampByte(toned * light + nz);
      }
    }
  }
}

function speckle(data: Buffer, W: number, H: number, channels: number, count: number, rng: Rng): void {
  for (let i = 0; i < count; i++) {
    const cx = rng.float(0, W);
    const cy = rng.float(0, H);
    const r = rng.float(0.5, 1.6);
    const level = rng.int(20, 120);
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(W - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(H - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > r * r) continue;
        for (let c = 0; c < channels; c++) {
          const j = (y * W + x) * channels + c;
          if (data[j]! > level) data[j] = level;
        }
      }
    }
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : v + 0.5;
}

function round(v: number, dp: number): number {
  const k = 10 ** dp;
  return Math.round(v * k) / k;
}

/** A sharp pipeline over a scanned page's raw pixels, tagged with its resolution. */
export function pageToSharp(page: ScannedPage): Sharp {
  return sharp(page.data, { raw: { width: page.width, height: page.height, channels: page.channels } })
    .toColourspace(page.channels === 1 ? 'b-w' : 'srgb')
    .withDensity(page.dpi);
}
