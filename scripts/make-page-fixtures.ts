// Makes the page-level bad inputs in fixtures/pages/: files that decode fine but are not (readable) pages of the
// form. Run: npx tsx scripts/make-page-fixtures.ts  (deterministic; do not edit the outputs by hand).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import QRCode from 'qrcode';
import sharp, { type Sharp } from 'sharp';
import { createRng } from '../src/synth/rng.ts';
import { generateRecord } from '../src/synth/records.ts';
import { fieldValuesAsWritten } from '../src/synth/truth.ts';
import { fillFormPage } from '../src/synth/fill-form.ts';
import { drawFormPage } from '../src/template/draw-form.ts';
import { loadTemplate } from '../src/template/load.ts';
import { rasterise } from '../src/template/render-raster.ts';

const OUT = join(import.meta.dirname, '..', 'fixtures', 'pages');
const DPI = 150;
const template = loadTemplate('standard-prf');
mkdirSync(OUT, { recursive: true });
const px = (mm: number) => Math.round((mm / 25.4) * DPI);
const W = px(210);
const H = px(297);

async function save(name: string, img: Sharp) {
  const buf = name.endsWith('.jpg') ? await img.greyscale().jpeg({ quality: 80 }).toBuffer() : await img.greyscale().png({ compressionLevel: 9 }).toBuffer();
  writeFileSync(join(OUT, name), buf);
  console.log(`${name}: ${buf.length} bytes`);
}

// A sheet with nothing on it but paper texture: a blank back scanned on its own.
{
  const rng = createRng('blank-page');
  const noise = Buffer.alloc(W * H, 250);
  // Paper with a scattering of specks and dust, as a scanner sees an empty sheet.
  for (let i = 0; i < 4000; i++) noise[Math.floor(rng.next() * noise.length)] = 60 + Math.floor(rng.next() * 120);
  await save('blank-page.png', sharp(noise, { raw: { width: W, height: H, channels: 1 } }));
}

// A page of a different form template (same layout engine, another id): it must not be read as ours.
{
  const other = { ...template, id: 'other-prf', title: 'ANOTHER TRUST PATIENT FORM' };
  await save('other-template.png', rasterise(drawFormPage(other, '005000', 1), DPI));
}

// One of our forms, filled in, with the QR code torn off (painted white).
{
  const rng = createRng('qr-torn');
  const { record } = generateRecord(rng, '005001');
  const values = Object.fromEntries(Object.entries(fieldValuesAsWritten(template, record)).map(([k, v]) => [k, v.written]));
  const drawing = fillFormPage(template, '005001', 1, values, rng.fork('fill'));
  const page = await rasterise(drawing, DPI).png().toBuffer();
  const hole = { left: px(template.qr.x - 2), top: px(template.qr.y - 2), width: px(template.qr.w + 4), height: px(template.qr.h + 4) };
  const white = await sharp({ create: { width: hole.width, height: hole.height, channels: 3, background: '#ffffff' } }).png().toBuffer();
  await save('qr-torn.png', sharp(page).composite([{ input: white, left: hole.left, top: hole.top }]));
  // Torn and smudged: the serial printed in the header and footer is gone too, so only a person can assign it.
  const strip = (x: number, y: number, w: number, h: number) => ({ left: px(x), top: px(y), width: px(w), height: px(h) });
  const blots = [strip(11, 14, 50, 5.5), strip(template.pageSize.widthMm / 2 - 22, template.pageSize.heightMm - 11, 44, 5)];
  const smudges = await Promise.all(blots.map(async (b) => ({ input: await sharp({ create: { width: b.width, height: b.height, channels: 3, background: '#9a9a9a' } }).png().toBuffer(), left: b.left, top: b.top })));
  await save('qr-torn-serial-smudged.png', sharp(page).composite([{ input: white, left: hole.left, top: hole.top }, ...smudges]));
  // Torn, and only the footer's serial smudged: the header alone could be misread (a 3 as an 8 puts the page in
  // another form), so one printed place is not enough and a person assigns it.
  await save('qr-torn-footer-smudged.png', sharp(page).composite([{ input: white, left: hole.left, top: hole.top }, smudges[1]!]));
}

// A letter that is not a form at all, with somebody else's QR code on it.
{
  const qr = QRCode.create('https://example.org/appointments/12345', { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = 6;
  const rects: string[] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) rects.push(`<rect x="${900 + c * cell}" y="${80 + r * cell}" width="${cell}" height="${cell}"/>`);
  const lines = Array.from({ length: 28 }, (_, i) => `<rect x="120" y="${420 + i * 48}" width="${700 + ((i * 137) % 300)}" height="14" fill="#555"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fff"/><g fill="#000">${rects.join('')}</g><rect x="120" y="120" width="500" height="40" fill="#222"/>${lines.join('')}</svg>`;
  await save('foreign-qr-letter.png', sharp(Buffer.from(svg)));
}

// A photo that is not a form: soft shapes and shading, no marks, no QR code.
{
  const shapes = Array.from({ length: 24 }, (_, i) => `<circle cx="${(i * 197) % 1200}" cy="${(i * 131) % 900}" r="${40 + ((i * 53) % 120)}" fill="rgb(${(i * 40) % 255},${(i * 90) % 255},${(i * 20) % 255})" opacity="0.6"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="900"><defs><linearGradient id="g"><stop offset="0" stop-color="#8ab"/><stop offset="1" stop-color="#443"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/>${shapes.join('')}</svg>`;
  await save('photo-not-a-form.jpg', sharp(Buffer.from(svg)));
}
