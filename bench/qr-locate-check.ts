// The scan's identify step as it is (a quick look where ZXing sees a code, jsQR reading there) against the step
// with jsQR's own quick look of every inked corner (before), page by page on kept corpora: the code, blank and
// foreign-code verdicts and corner points (to float rounding) on every page, and the CPU each takes. Where the two
// differ the page is listed with both verdicts: the one difference meant is a blank back whose front's code shows
// through, which jsQR read (mirrored, as if it were not) and which is now blank. `npm run bench:qr-locate -- SCANS_DIR
// [...]` (default: the main bench's kept corpus). Table to stdout and JSON under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findQr, findQrWhereSeen, type QrFound } from '../src/imaging/qr.ts';
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
async function identify(img: GrayImage, ppm: number, whereSeen: boolean) {
  let foreign: string | undefined;
  const ours = (p: string) => {
    if (decodePageIdentity(p)) return true;
    foreign = p;
    return false;
  };
  const t = threadCpuSeconds();
  const may = cornersMayHoldQr(img, ppm);
  let qr: QrFound | null = null;
  if (may) qr = whereSeen ? await findQrWhereSeen(img, ppm, ours, locateQrCodes) : findQr(img, ppm, ours, { quick: true });
  const blank = !qr && isBlankPage(img, ppm);
  if (!qr && !blank) qr = findQr(img, ppm, ours);
  return { qr, blank, foreign, cpu: threadCpuSeconds() - t };
}

/** A verdict in a few words: the code read (serial and page), blank, or neither. */
const verdict = (v: Awaited<ReturnType<typeof identify>>) => (v.qr ? `code ${v.qr.payload.split('|').slice(-2).join(' p')}` : v.blank ? 'blank' : 'no code');

const rows: { file: string; page: number; same: boolean; bitExact: boolean; cornerDelta: number; cpuBefore: number; cpuAfter: number; read: boolean; before: string; after: string }[] = [];
for await (const { file, page, img, ppm } of scannedPages(dirs, template)) {
  const a = await identify(img, ppm, false);
  const b = await identify(img, ppm, true);
  let d = 0;
  if (a.qr && b.qr) for (const k of ['topLeft', 'topRight', 'bottomLeft'] as const) d = Math.max(d, Math.abs(a.qr[k].x - b.qr[k].x), Math.abs(a.qr[k].y - b.qr[k].y));
  const same = a.blank === b.blank && a.foreign === b.foreign && (a.qr === null) === (b.qr === null) && (!a.qr || (a.qr.payload === b.qr!.payload && a.qr.version === b.qr!.version && d < 1e-6));
  rows.push({ file, page, same, bitExact: JSON.stringify(a.qr) === JSON.stringify(b.qr), cornerDelta: d, cpuBefore: a.cpu, cpuAfter: b.cpu, read: !!a.qr, before: verdict(a), after: verdict(b) });
}
const n = rows.length;
const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / Math.max(1, n);
const lines = [
  `QR identify, before (jsQR's quick look) and now (where ZXing sees a code), on ${n} pages (${dirs.join(', ')}); ${rows.filter((r) => r.read).length} pages with a code read before`,
  '',
  '| identify step | CPU s a page (mean) | CPU s worst page |',
  '|---|---|---|',
  `| before: jsQR reads every inked corner, blank check, full search | ${mean((r) => r.cpuBefore).toFixed(4)} | ${Math.max(...rows.map((r) => r.cpuBefore)).toFixed(3)} |`,
  `| now: jsQR reads where ZXing sees a code, blank check, full search | ${mean((r) => r.cpuAfter).toFixed(4)} | ${Math.max(...rows.map((r) => r.cpuAfter)).toFixed(3)} |`,
  '',
  `Same verdict, payload and corners on ${rows.filter((r) => r.same).length} of ${n} pages (bit for bit on ${rows.filter((r) => r.bitExact).length}; largest corner difference ${Math.max(0, ...rows.map((r) => r.cornerDelta)).toExponential(1)} px).`,
  ...rows.filter((r) => !r.same).map((r) => `DIFFERS: ${r.file} page ${r.page + 1}: before ${r.before}, now ${r.after}${r.cornerDelta ? ` (corners up to ${r.cornerDelta.toFixed(1)} px apart)` : ""}`),
];
process.stdout.write(lines.join('\n') + '\n');
const out = resolve('bench/results');
mkdirSync(out, { recursive: true, mode: 0o700 });
writeFileSync(join(out, 'bench-qr-locate.json'), JSON.stringify({ dirs, rows }, null, 2));
writeFileSync(join(out, 'bench-qr-locate.md'), lines.join('\n') + '\n');
// A fault: a code read before and lost now on a page that is not blank, or another code read. A page read before
// and blank now is the difference meant (a blank back's show-through); the same code with other corners is a code
// jsQR read on the crop at the plain look where on the whole corner it needed a cleaned look (registration refines).
if (rows.some((r) => r.before !== r.after && r.before.startsWith('code') && r.after !== 'blank')) process.exitCode = 1;
