// Where a QR code is, cheaply: ZXing-C++ (zxing-wasm, its .wasm read from node_modules, never fetched) finds codes
// several times faster than jsQR. Only the place is used, and whether ZXing read the symbol mirrored (jsQR reads a
// mirrored symbol as if it were not, and cannot say so): jsQR still reads the code, on a small crop around that
// place (see qr.ts), so the corner points registration gets are jsQR's, as before.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { grayToRgba, type GrayImage } from './gray.ts';

type ZxingReader = typeof import('zxing-wasm/reader');
let reader: Promise<ZxingReader> | undefined;

function loadReader(): Promise<ZxingReader> {
  reader ??= import('zxing-wasm/reader').then(async (z) => {
    const wasm = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'));
    await z.prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer }, fireImmediately: true });
    return z;
  });
  return reader;
}

/** A box around a code, in the image's pixels. */
export interface QrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** ZXing read the symbol mirrored: a code seen through the sheet from its other side (show-through). */
  mirrored: boolean;
}

/** Boxes around the QR codes ZXing sees in the image (plain look: no harder tries, no inverting or rotating). */
export async function locateQrCodes(img: GrayImage): Promise<QrBox[]> {
  const z = await loadReader();
  const found = await z.readBarcodes({ data: grayToRgba(img), width: img.width, height: img.height, colorSpace: 'srgb' } as ImageData, {
    formats: ['QRCode'],
    tryHarder: false,
    tryRotate: false,
    tryInvert: false,
    tryDownscale: false,
    maxNumberOfSymbols: 2,
  });
  return found
    .filter((r) => r.isValid)
    .map((r) => {
      const p = r.position;
      const xs = [p.topLeft.x, p.topRight.x, p.bottomLeft.x, p.bottomRight.x];
      const ys = [p.topLeft.y, p.topRight.y, p.bottomLeft.y, p.bottomRight.y];
      return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys), mirrored: r.isMirrored };
    });
}
