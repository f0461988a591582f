// More bad inputs, the kinds fixtures/bad/ lacks: pages of our form that arrive wrongly (upside down, the same page
// scanned twice into one file, the same page in two files, a byte-identical copy) and text files with scan-like
// names. They are made from the committed synthetic scans, deterministically, into a folder given on the command
// line; the reliability tests make them at test time (fixtures/bad/ must hold exactly the files its README lists,
// and these would add a few hundred kilobytes of scans already committed).
// Run: npx tsx scripts/make-more-bad-fixtures.ts <out-dir>
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { encodeTiff } from '../src/synth/containers.ts';
import type { ScannedPage } from '../src/synth/degrade.ts';

const SCANS = fileURLToPath(new URL('../fixtures/scans/', import.meta.url));

export interface MoreBadFixture {
  file: string;
  /** Per page index: 'read', or the reason code it must be quarantined with; 'skipped' for a file already in the job. */
  outcome: Record<number, string> | 'skipped';
  what: string;
}

/** What each file must end in when scanned in one job in name order (order matters for the duplicates). */
export const MORE_BAD_FIXTURES: MoreBadFixture[] = [
  { file: 'notes.txt', outcome: { 0: 'unsupported-format' }, what: 'a plain text file left among the scans' },
  { file: 'batch-list.json', outcome: { 0: 'unsupported-format' }, what: 'a JSON text file' },
  {
    file: 'page-twice.tif',
    outcome: { 0: 'read', 1: 'duplicate-page' },
    what: 'a two-page TIFF holding two scans of one page (fed through twice): the second is a duplicate',
  },
  { file: 'same-page-1.png', outcome: { 0: 'read' }, what: 'a form page' },
  { file: 'same-page-2.jpg', outcome: { 0: 'duplicate-page' }, what: 'the same form page scanned again into another file' },
  { file: 'same-page-3-identical-copy.png', outcome: 'skipped', what: 'a byte-identical copy of same-page-1.png: skipped, already in the job' },
  { file: 'upside-down.png', outcome: { 0: 'read' }, what: 'a form page scanned upside down: read, rotation 180' },
];

async function gray(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`${file}: expected one channel, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

function page(img: { data: Buffer; width: number; height: number }): ScannedPage {
  return { ...img, channels: 1, dpi: 300, bitonal: false, transform: undefined as unknown as ScannedPage['transform'] };
}

/** The same sheet through the scanner again: turned a little and shifted, same size. */
async function rescan(file: string, degrees: number, shiftPx: number): Promise<{ data: Buffer; width: number; height: number }> {
  const src = await gray(file);
  const turned = await sharp(src.data, { raw: { width: src.width, height: src.height, channels: 1 } })
    .rotate(degrees, { background: '#ffffff' })
    .extract({ left: shiftPx, top: shiftPx, width: src.width, height: src.height })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: turned.data, width: turned.info.width, height: turned.info.height };
}

export async function makeMoreBadFixtures(outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const out = (f: string) => join(outDir, f);
  writeFileSync(out('notes.txt'), 'Box 3 of 7, scanned Tuesday. Forms with coffee stains set aside for rescanning.\n');
  writeFileSync(out('batch-list.json'), JSON.stringify({ box: 3, files: ['scan-001.png', 'scan-002.png'] }, null, 2) + '\n');
  // Form 001001 page 2, then the same page again, slightly turned.
  const p2 = join(SCANS, 'scan-001-0004.png');
  writeFileSync(out('page-twice.tif'), await encodeTiff([page(await gray(p2)), page(await rescan(p2, 0.6, 6))]));
  // Form 001000 page 1 in two files: re-encoded PNG (other bytes, same pixels) and a JPEG of a rescan.
  const p1 = join(SCANS, 'scan-001-0001.png');
  await sharp(p1).png({ compressionLevel: 9, adaptiveFiltering: true }).toFile(out('same-page-1.png'));
  const again = await rescan(p1, -0.4, 4);
  await sharp(again.data, { raw: { width: again.width, height: again.height, channels: 1 } })
    .withDensity(300)
    .jpeg({ quality: 85 })
    .toFile(out('same-page-2.jpg'));
  copyFileSync(out('same-page-1.png'), out('same-page-3-identical-copy.png'));
  // Form 001001 page 1, upside down.
  await sharp(join(SCANS, 'scan-001-0003.png')).rotate(180).png().toFile(out('upside-down.png'));
  return MORE_BAD_FIXTURES.map((f) => out(f.file));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npx tsx scripts/make-more-bad-fixtures.ts <out-dir>');
    process.exit(2);
  }
  const files = await makeMoreBadFixtures(dir);
  console.log(`wrote ${files.length} files to ${dir}`);
}
