// The scan's identify step with the QR locator (ZXing finds the code, jsQR reads a crop around it) against the same
// step without it, page by page on kept corpora: the same code, blank and foreign-code verdicts and corner points
// (to float rounding) on every page, and the CPU each takes. `npm run bench:qr-locate -- SCANS_DIR [...]`
// (default: the main bench's kept corpus). Table to stdout and JSON under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findQr, findQrLocated, type QrFound } from '../src/imaging/qr.ts';
import { locateQrCodes } from '../src/imaging/qr-locate.ts';
import { cornersMayHoldQr } from '../src/imaging/corner-ink.ts';
import type { GrayImage } from '../src/imaging/gray.ts';
import { isBlankPage } from '../src/job/page-checks.ts';
import { decodePageIdentity } from '../src/template/qr-payload.ts';
import { loadTemplate } from '../src/template/load.ts';
import { scannedPages } from './scanned-pages.ts';
import { threadCpuSeconds } from '../src/page/thread-cpu.ts';

const template = loadTemplate('standard-prf');
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ['bench/results/work-main/corpus/scans'];

/** process-page's identify order: quick look where a corner may hold a code, blank check, then the full search. */
async function identify(img: GrayImage, ppm: number, located: boolean) {
  let foreign: string | undefined;
  const ours = (p: string) => {
    if (decodePageIdentity(p)) return true;
    foreign = p;
    return false;
  };
  const t = threadCpuSeconds();
  const may = cornersMayHoldQr(img, ppm);
  let qr: QrFound | null = null;
  if (may) qr = located ? await findQrLocated(img, ppm, ours, locateQrCodes, { quick: true }) : findQr(img, ppm, ours, { quick: true });
  const blank = !qr && isBlankPage(img, ppm);
  if (!qr && !blank) qr = findQr(img, ppm, ours, located ? { afterQuick: may } : {});
  return { qr, blank, foreign, cpu: threadCpuSeconds() - t };
}

const rows: { file: string; page: number; same: boolean; bitExact: boolean; cornerDelta: number; cpuBefore: number; cpuAfter: number; read: boolean }[] = [];
for await (const { file, page, img, ppm } of scannedPages(dirs, template)) {
  const a = await identify(img, ppm, false);
  const b = await identify(img, ppm, true);
  let d = 0;
  if (a.qr && b.qr) for (const k of ['topLeft', 'topRight', 'bottomLeft'] as const) d = Math.max(d, Math.abs(a.qr[k].x - b.qr[k].x), Math.abs(a.qr[k].y - b.qr[k].y));
  const same = a.blank === b.blank && a.foreign === b.foreign && (a.qr === null) === (b.qr === null) && (!a.qr || (a.qr.payload === b.qr!.payload && a.qr.version === b.qr!.version && d < 1e-6));
  rows.push({ file, page, same, bitExact: JSON.stringify(a.qr) === JSON.stringify(b.qr), cornerDelta: d, cpuBefore: a.cpu, cpuAfter: b.cpu, read: !!a.qr });
}
const n = rows.length;
const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / Math.max(1, n);
const lines = [
  `QR identify with and without the locator on ${n} pages (${dirs.join(', ')}); ${rows.filter((r) => r.read).length} pages with a code read`,
  '',
  '| identify step | CPU s a page (mean) | CPU s worst page |',
  '|---|---|---|',
  `| jsQR alone (corners, blank check, full search) | ${mean((r) => r.cpuBefore).toFixed(4)} | ${Math.max(...rows.map((r) => r.cpuBefore)).toFixed(3)} |`,
  `| ZXing locates, jsQR reads a crop (same order) | ${mean((r) => r.cpuAfter).toFixed(4)} | ${Math.max(...rows.map((r) => r.cpuAfter)).toFixed(3)} |`,
  '',
  `Same verdict, payload and corners on ${rows.filter((r) => r.same).length} of ${n} pages (bit for bit on ${rows.filter((r) => r.bitExact).length}; largest corner difference ${Math.max(0, ...rows.map((r) => r.cornerDelta)).toExponential(1)} px).`,
  ...rows.filter((r) => !r.same).map((r) => `DIFFERS: ${r.file} page ${r.page + 1}`),
];
process.stdout.write(lines.join('\n') + '\n');
const out = resolve('bench/results');
mkdirSync(out, { recursive: true, mode: 0o700 });
writeFileSync(join(out, 'bench-qr-locate.json'), JSON.stringify({ dirs, rows }, null, 2));
writeFileSync(join(out, 'bench-qr-locate.md'), lines.join('\n') + '\n');
if (rows.some((r) => !r.same)) process.exitCode = 1;
