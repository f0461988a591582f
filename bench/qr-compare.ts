// jsQR (today's QR reader) against zxing-wasm (ZXing-C++ in WebAssembly, its .wasm read from node_modules, never
// fetched) on the same decoded pages: CPU time a page and read rate, for pages with a code and blank backs alike.
// `node --import tsx bench/qr-compare.ts SCANS_DIR`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodePages } from '../src/imaging/decode.ts';
import { downscaleGray, type GrayImage } from '../src/imaging/gray.ts';
import { findQr } from '../src/imaging/qr.ts';
import { estimatePxPerMm } from '../src/imaging/register.ts';
import { walkInputs } from '../src/imaging/walk.ts';
import { decodePageIdentity } from '../src/template/qr-payload.ts';
import { loadTemplate } from '../src/template/load.ts';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);
prepareZXingModule({ overrides: { wasmBinary: readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')).buffer as ArrayBuffer }, fireImmediately: true });

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function rgba(img: GrayImage) {
  const data = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0, j = 0; i < img.data.length; i++, j += 4) {
    data[j] = data[j + 1] = data[j + 2] = img.data[i]!;
    data[j + 3] = 255;
  }
  return { data, width: img.width, height: img.height, colorSpace: 'srgb' as const };
}

const template = loadTemplate('standard-prf');
const rows: { jsqr: number; zx: number; jsRead: boolean; zxRead: boolean; same: boolean }[] = [];
for await (const item of walkInputs([process.argv[2]!])) {
  if ('error' in item) continue;
  for await (const page of decodePages(item.path)) {
    if (!page.image) continue;
    const img: GrayImage = { data: page.image.data, width: page.image.width, height: page.image.height };
    const ppm = estimatePxPerMm(img, page.dpi, template);
    let t = cpu();
    const js = findQr(img, ppm, (p) => !!decodePageIdentity(p));
    const jsqr = cpu() - t;
    t = cpu();
    // The same downscale jsQR's first pass uses (modules 3-5 px), whole page, every orientation.
    const small = downscaleGray(img, Math.max(1, Math.floor(ppm / 5)));
    const found = await readBarcodes(rgba(small), { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 4 });
    const zxHit = found.find((r) => r.isValid && decodePageIdentity(r.text));
    const zx = cpu() - t;
    rows.push({ jsqr, zx, jsRead: !!js, zxRead: !!zxHit, same: !!js && !!zxHit && js.payload === zxHit.text });
  }
}
const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + f(r), 0);
const lines = [
  `QR readers on ${rows.length} pages (${process.argv[2]})`,
  '',
  '| reader | CPU s a page (mean) | CPU s worst page | pages read | same payload as the other |',
  '|---|---|---|---|---|',
  `| jsQR (findQr: corners, 3 cleanups, whole page) | ${(sum((r) => r.jsqr) / rows.length).toFixed(3)} | ${Math.max(...rows.map((r) => r.jsqr)).toFixed(3)} | ${sum((r) => +r.jsRead)} | ${sum((r) => +r.same)} |`,
  `| zxing-wasm (whole page, tryHarder) | ${(sum((r) => r.zx) / rows.length).toFixed(3)} | ${Math.max(...rows.map((r) => r.zx)).toFixed(3)} | ${sum((r) => +r.zxRead)} | ${sum((r) => +r.same)} |`,
  '',
  `Pages read by one only: jsQR ${sum((r) => +(r.jsRead && !r.zxRead))}, zxing ${sum((r) => +(!r.jsRead && r.zxRead))}.`,
];
process.stdout.write(lines.join('\n') + '\n');
