// 8-bit greyscale images as plain typed arrays: the shape every imaging function takes and returns.
import sharp, { type Sharp } from './sharp.ts';

export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export function createGray(width: number, height: number, fill = 255): GrayImage {
  const data = new Uint8Array(width * height);
  if (fill) data.fill(fill);
  return { data, width, height };
}

/** Decode any image sharp reads into greyscale. */
export async function grayFromEncoded(buf: Buffer): Promise<GrayImage> {
  const { data, info } = await sharp(buf).flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

export function graySharp(img: GrayImage): Sharp {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 1 },
  });
}

/** PNG of the image (level 6 unless told: a file to keep). */
export async function grayToPng(img: GrayImage, compressionLevel = 6): Promise<Buffer> {
  return graySharp(img).png({ compressionLevel }).toBuffer();
}

/**
 * PNG compression for an image handed straight to an engine (tesseract) and never kept: the fastest level, the same
 * pixels (level 6 took several times the CPU to write, and the engine's time to inflate it, for nothing).
 */
export const HANDOFF_PNG_LEVEL = 1;

/** The image as RGBA pixels (grey in each colour, opaque), the form QR decoders take. */
export function grayToRgba(img: GrayImage): Uint8ClampedArray {
  const out = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0, j = 0; i < img.data.length; i++, j += 4) {
    const v = img.data[i]!;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
    out[j + 3] = 255;
  }
  return out;
}

/** Copy of a rectangle (clipped to the image; outside is white). */
export function cropGray(img: GrayImage, x: number, y: number, w: number, h: number): GrayImage {
  const out = createGray(Math.max(1, Math.round(w)), Math.max(1, Math.round(h)));
  const x0 = Math.round(x);
  const y0 = Math.round(y);
  // The columns inside the image, copied a row at a time.
  const c0 = Math.max(0, -x0);
  const c1 = Math.min(out.width, img.width - x0);
  if (c1 <= c0) return out;
  for (let r = 0; r < out.height; r++) {
    const sy = y0 + r;
    if (sy < 0 || sy >= img.height) continue;
    const from = sy * img.width + x0;
    out.data.set(img.data.subarray(from + c0, from + c1), r * out.width + c0);
  }
  return out;
}

/** Rotate by a multiple of 90 degrees clockwise. */
export function rotateGray90s(img: GrayImage, quarterTurns: number): GrayImage {
  const q = ((quarterTurns % 4) + 4) % 4;
  if (q === 0) return img;
  const { width: w, height: h, data } = img;
  if (q === 2) {
    const out = new Uint8Array(w * h);
    for (let i = 0, n = w * h; i < n; i++) out[i] = data[n - 1 - i]!;
    return { data: out, width: w, height: h };
  }
  const out = new Uint8Array(w * h);
  // q=1: new (x', y') = (h-1-y, x); q=3: (y, w-1-x)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x]!;
      if (q === 1) out[x * h + (h - 1 - y)] = v;
      else out[(w - 1 - x) * h + y] = v;
    }
  }
  return { data: out, width: h, height: w };
}

/** Downscale by an integer factor (box filter), for fast searches. Each output pixel is its box's mean, rounded. */
export function downscaleGray(img: GrayImage, factor: number): GrayImage {
  if (factor <= 1) return img;
  const w = Math.floor(img.width / factor);
  const h = Math.floor(img.height / factor);
  const out = new Uint8Array(w * h);
  const src = img.data;
  const W = img.width;
  // Factors 2 and 4 (the common ones) unrolled; for a sum s of n = 4 or 16 pixels, (s + n/2) >> log2(n) is
  // Math.round(s / n) exactly.
  if (factor === 2) {
    for (let y = 0; y < h; y++) {
      let i = 2 * y * W;
      const row = y * w;
      for (let x = 0; x < w; x++, i += 2) out[row + x] = (src[i]! + src[i + 1]! + src[i + W]! + src[i + W + 1]! + 2) >> 2;
    }
    return { data: out, width: w, height: h };
  }
  if (factor === 4) {
    const W2 = 2 * W;
    const W3 = 3 * W;
    for (let y = 0; y < h; y++) {
      let i = 4 * y * W;
      const row = y * w;
      for (let x = 0; x < w; x++, i += 4) {
        const s =
          src[i]! + src[i + 1]! + src[i + 2]! + src[i + 3]! +
          src[i + W]! + src[i + W + 1]! + src[i + W + 2]! + src[i + W + 3]! +
          src[i + W2]! + src[i + W2 + 1]! + src[i + W2 + 2]! + src[i + W2 + 3]! +
          src[i + W3]! + src[i + W3 + 1]! + src[i + W3 + 2]! + src[i + W3 + 3]!;
        out[row + x] = (s + 8) >> 4;
      }
    }
    return { data: out, width: w, height: h };
  }
  const area = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * W + x * factor;
        for (let dx = 0; dx < factor; dx++) s += src[row + dx]!;
      }
      out[y * w + x] = Math.round(s / area);
    }
  }
  return { data: out, width: w, height: h };
}

/** Grey level that separates ink from paper on this page (Otsu's method over the histogram). */
export function otsuThreshold(img: GrayImage): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < img.data.length; i++) hist[img.data[i]!]++;
  const total = img.data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

/** Share of pixels darker than the threshold inside a rectangle. */
export function darkShare(img: GrayImage, x: number, y: number, w: number, h: number, threshold: number): number {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w));
  const y1 = Math.min(img.height, Math.round(y + h));
  if (x1 <= x0 || y1 <= y0) return 0;
  let dark = 0;
  for (let r = y0; r < y1; r++) {
    const row = r * img.width;
    for (let c = x0; c < x1; c++) if (img.data[row + c]! < threshold) dark++;
  }
  return dark / ((x1 - x0) * (y1 - y0));
}

/** How many pixels of each grey a rectangle holds (clipped to the image), sampling every `step`th row and column. */
export function greyHistogram(img: GrayImage, x: number, y: number, w: number, h: number, step = 1): { hist: Uint32Array; n: number } {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w));
  const y1 = Math.min(img.height, Math.round(y + h));
  const hist = new Uint32Array(256);
  let n = 0;
  for (let r = y0; r < y1; r += step) {
    const row = r * img.width;
    for (let c = x0; c < x1; c += step) {
      hist[img.data[row + c]!]!++;
      n++;
    }
  }
  return { hist, n };
}

/**
 * The grey at which `share` of a histogram's pixels is reached, counted from the lightest grey down ('light': 0.1
 * gives the paper of a page with writing on it) or from the darkest up ('dark': 0.5 gives the median); 255 when the
 * histogram is empty.
 */
export function greyAtShare({ hist, n }: { hist: Uint32Array; n: number }, share: number, from: 'light' | 'dark'): number {
  if (n === 0) return 255;
  let seen = 0;
  for (let k = 0; k < 256; k++) {
    const v = from === 'light' ? 255 - k : k;
    if ((seen += hist[v]!) >= n * share) return v;
  }
  return 255;
}

/** The median grey of a rectangle (clipped to the image; 255 when nothing is left): the paper, where most of it is. */
export function medianGrey(img: GrayImage, x: number, y: number, w: number, h: number): number {
  return greyAtShare(greyHistogram(img, x, y, w, h), 0.5, 'dark');
}

/** 3x3 median filter: removes speckle and salt-and-pepper noise while keeping edges (a sorting network per pixel). */
export function median3(img: GrayImage): GrayImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(data);
  const v = new Uint8Array(9);
  const swap = (a: number, b: number) => {
    if (v[a]! > v[b]!) {
      const t = v[a]!;
      v[a] = v[b]!;
      v[b] = t;
    }
  };
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      let k = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const row = (y + dy) * w + x;
        v[k++] = data[row - 1]!;
        v[k++] = data[row]!;
        v[k++] = data[row + 1]!;
      }
      // Paeth's 19-exchange median-of-9 network.
      swap(1, 2); swap(4, 5); swap(7, 8); swap(0, 1); swap(3, 4); swap(6, 7); swap(1, 2); swap(4, 5); swap(7, 8);
      swap(0, 3); swap(5, 8); swap(4, 7); swap(3, 6); swap(1, 4); swap(2, 5); swap(4, 7); swap(4, 2); swap(6, 4); swap(4, 2);
      out[y * w + x] = v[4]!;
    }
  }
  return { data: out, width: w, height: h };
}

/** Black and white at the region's own Otsu threshold. */
export function binarise(img: GrayImage): GrayImage {
  const t = otsuThreshold(img);
  return { data: img.data.map((v) => (v < t ? 0 : 255)), width: img.width, height: img.height };
}
