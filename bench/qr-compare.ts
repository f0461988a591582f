// jsQR (today's QR reader) against zxing-wasm (ZXing-C++ in WebAssembly, its .wasm read from node_modules, never
// fetched) on the same decoded pages: read rate and CPU a page, and, where both read a page, what each one's corner
// points do downstream: registration (residual, where the template lands) and what is read (every field's raw text
// and confidence, read by the real engines from the page warped with each registration).
// `npm run bench:qr -- [--reads-only] SCANS_DIR [...]` (default: the speed bench's mixed corpus). Table to stdout and JSON.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { downscaleGray, type GrayImage } from '../src/imaging/gray.ts';
import { applyHomography } from '../src/imaging/homography.ts';
import { findQr, qrSearchFactor, type QrFound } from '../src/imaging/qr.ts';
import { registerWithQr } from '../src/imaging/register.ts';
import { warpToTemplate } from '../src/imaging/warp.ts';
import { loadTruthDir } from '../src/job/score.ts';
import { createInlineReaders } from '../src/page/engines.ts';
import { readPage } from '../src/recognition/read-page.ts';
import { decodePageIdentity } from '../src/template/qr-payload.ts';
import { loadTemplate } from '../src/template/load.ts';
import { scannedPages } from './scanned-pages.ts';

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

const ours = (p: string) => decodePageIdentity(p) !== null;

/** zxing over the whole page, downscaled as jsQR's first pass is (modules 3-5 px), every orientation, as a QrFound. */
async function zxingFind(img: GrayImage, pxPerMm: number): Promise<QrFound | null> {
  const f = qrSearchFactor(pxPerMm);
  const small = downscaleGray(img, f);
  const found = await readBarcodes(rgba(small), { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 4 });
  for (const r of found) {
    if (!r.isValid || r.isMirrored || !ours(r.text)) continue;
    const map = (p: { x: number; y: number }) => ({ x: p.x * f, y: p.y * f });
    return { payload: r.text, topLeft: map(r.position.topLeft), topRight: map(r.position.topRight), bottomLeft: map(r.position.bottomLeft), version: Number(r.version) };
  }
  return null;
}

// --reads-only: read rate and CPU alone (no registering and reading with each one's points), for a large corpus.
const readsOnly = process.argv.includes('--reads-only');
const given = process.argv.slice(2).filter((a) => a !== '--reads-only');
const dirs = given.length ? given : ['bench/results/work-speed/corpus/scans'];
const template = loadTemplate('standard-prf');
const engines = readsOnly ? null : await createInlineReaders();
const profileOf = new Map<string, string>();
for (const d of dirs) {
  const truth = join(resolve(d), '..', 'truth');
  if (existsSync(truth)) for (const t of loadTruthDir(truth)) profileOf.set(t.serial, t.profile);
}

interface Row {
  file: string;
  page: number;
  profile: string;
  jsqrCpu: number;
  zxingCpu: number;
  jsRead: boolean;
  zxRead: boolean;
  samePayload: boolean;
  /** Both registered: residual (mm) of each, and how far apart the two put the template (px of the scan, worst zone corner). */
  residualJs?: number;
  residualZx?: number;
  landingApartPx?: number;
  registered?: { js: boolean; zx: boolean };
  fields?: number;
  fieldsDiffering?: number;
  rawDiffering?: number;
}

async function readWith(img: GrayImage, qr: QrFound) {
  const reg = registerWithQr(img, template, qr);
  if ('failed' in reg) return null;
  const id = decodePageIdentity(qr.payload)!;
  const canon = warpToTemplate(reg.upright, reg.h, template.pageSize.widthMm, template.pageSize.heightMm);
  const readings = await readPage(canon, template, id.page, { ocr: engines!.ocr, boxes: engines!.boxes });
  return { reg, readings };
}

const rows: Row[] = [];
for await (const { file, page, img, ppm } of scannedPages(dirs, template)) {
  let t = cpu();
  const js = findQr(img, ppm, ours);
  const jsqrCpu = cpu() - t;
  t = cpu();
  const zx = await zxingFind(img, ppm);
  const zxingCpu = cpu() - t;
  const serial = decodePageIdentity((js ?? zx)?.payload ?? '')?.serial;
  const row: Row = {
    file: file,
    page,
    profile: (serial && profileOf.get(serial)) || (js || zx ? 'unknown' : 'no code read'),
    jsqrCpu,
    zxingCpu,
    jsRead: !!js,
    zxRead: !!zx,
    samePayload: !!js && !!zx && js.payload === zx.payload,
  };
  if (!readsOnly && js && zx && row.samePayload) {
    const a = await readWith(img, js);
    const b = await readWith(img, zx);
    row.registered = { js: !!a, zx: !!b };
    if (a && b) {
      row.residualJs = a.reg.residualMm;
      row.residualZx = b.reg.residualMm;
      // Where each registration puts every field zone's corners, in the upright scan's pixels.
      let apart = 0;
      for (const f of template.fields) {
        for (const p of [{ x: f.zone.x, y: f.zone.y }, { x: f.zone.x + f.zone.w, y: f.zone.y + f.zone.h }]) {
          const pa = applyHomography(a.reg.h, p);
          const pb = applyHomography(b.reg.h, p);
          apart = Math.max(apart, Math.hypot(pa.x - pb.x, pa.y - pb.y));
        }
      }
      row.landingApartPx = apart;
      const byId = new Map(b.readings.map((r) => [r.fieldId, r]));
      row.fields = a.readings.length;
      row.fieldsDiffering = a.readings.filter((r) => {
        const o = byId.get(r.fieldId);
        return !o || o.rawText !== r.rawText || (r.confidence ?? -1).toFixed(6) !== (o.confidence ?? -1).toFixed(6);
      }).length;
      row.rawDiffering = a.readings.filter((r) => byId.get(r.fieldId)?.rawText !== r.rawText).length;
    }
  }
  rows.push(row);
}
await engines?.close();

const sum = (rs: Row[], f: (r: Row) => number) => rs.reduce((n, r) => n + f(r), 0);
const profiles = [...new Set(rows.map((r) => r.profile))].sort();
const both = rows.filter((r) => r.fields !== undefined);
const lines = [
  `QR readers on ${rows.length} pages (${dirs.join(', ')})`,
  '',
  '| reader | CPU s a page (mean) | CPU s worst page | pages read | read by this one only |',
  '|---|---|---|---|---|',
  `| jsQR (findQr: corners, 3 cleanups, whole page) | ${(sum(rows, (r) => r.jsqrCpu) / rows.length).toFixed(3)} | ${Math.max(...rows.map((r) => r.jsqrCpu)).toFixed(3)} | ${sum(rows, (r) => +r.jsRead)} | ${sum(rows, (r) => +(r.jsRead && !r.zxRead))} |`,
  `| zxing-wasm (whole page, tryHarder, every turn) | ${(sum(rows, (r) => r.zxingCpu) / rows.length).toFixed(3)} | ${Math.max(...rows.map((r) => r.zxingCpu)).toFixed(3)} | ${sum(rows, (r) => +r.zxRead)} | ${sum(rows, (r) => +(!r.jsRead && r.zxRead))} |`,
  '',
  '| profile | pages | jsQR read | zxing read | both, same payload | both registered | registered by one only (jsQR / zxing) |',
  '|---|---|---|---|---|---|---|',
  ...profiles.map((p) => {
    const rs = rows.filter((r) => r.profile === p);
    return `| ${p} | ${rs.length} | ${sum(rs, (r) => +r.jsRead)} | ${sum(rs, (r) => +r.zxRead)} | ${sum(rs, (r) => +r.samePayload)} | ${sum(rs, (r) => +(r.fields !== undefined))} | ${sum(rs, (r) => +(!!r.registered?.js && !r.registered.zx))} / ${sum(rs, (r) => +(!r.registered?.js && !!r.registered?.zx))} |`;
  }),
  '',
  `Pages both read and registered: ${both.length}. With each reader's corner points, the same page registered and read:`,
  '',
  '| measure | jsQR points | zxing points |',
  '|---|---|---|',
  `| registration residual, mean / worst (mm) | ${(sum(both, (r) => r.residualJs!) / Math.max(1, both.length)).toFixed(3)} / ${Math.max(0, ...both.map((r) => r.residualJs!)).toFixed(3)} | ${(sum(both, (r) => r.residualZx!) / Math.max(1, both.length)).toFixed(3)} / ${Math.max(0, ...both.map((r) => r.residualZx!)).toFixed(3)} |`,
  '',
  `Where the two registrations put the template apart (worst field-zone corner of a page), px of the scan: mean ${(sum(both, (r) => r.landingApartPx!) / Math.max(1, both.length)).toFixed(2)}, worst ${Math.max(0, ...both.map((r) => r.landingApartPx!)).toFixed(2)}.`,
  `Fields read differently (raw text or confidence): ${sum(both, (r) => r.fieldsDiffering!)} of ${sum(both, (r) => r.fields!)} on ${both.filter((r) => r.fieldsDiffering! > 0).length} of ${both.length} pages; raw text alone: ${sum(both, (r) => r.rawDiffering!)}.`,
];
process.stdout.write(lines.join('\n') + '\n');
const out = resolve('bench/results');
mkdirSync(out, { recursive: true, mode: 0o700 });
const name = readsOnly ? 'bench-qr-reads' : 'bench-qr';
writeFileSync(join(out, `${name}.json`), JSON.stringify({ dirs, rows }, null, 2));
writeFileSync(join(out, `${name}.md`), lines.join('\n') + '\n');
