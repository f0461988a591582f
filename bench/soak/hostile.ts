// Generated hostile inputs for the soak: scan files and folders (the issue's, the fixtures', and mutants of good
// scans) and corrections CSVs for review apply. Each is a named kind; the same seed makes the same bytes.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pdfWithMediaBox } from './pdf.ts';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

export interface HostileScan {
  kind: string;
  /** Run on its own, never grouped with other kinds in one scan (slow, or it would hide the others). */
  alone?: boolean;
  /** Build the input under dir; return the paths to pass to scan. */
  make: (dir: string, rand: () => number) => string[];
}

export interface HostileCsv {
  kind: string;
  /** The CSV bytes, given the header and one valid row exported from the job. */
  make: (header: string, row: string[], rand: () => number) => Buffer | string;
}

const file = (name: string, data: Buffer | string) => (dir: string) => {
  writeFileSync(join(dir, name), data);
  return [join(dir, name)];
};
const good = (name: string) => readFileSync(join(FIXTURES, 'scans', name));

function mutate(buf: Buffer, rand: () => number, how: 'flip' | 'zero' | 'dup' | 'cut'): Buffer {
  const b = Buffer.from(buf);
  const at = 64 + Math.floor(rand() * (b.length - 128));
  if (how === 'flip') for (let i = 0; i < 40; i++) b[64 + Math.floor(rand() * (b.length - 64))]! ^= 0xff;
  if (how === 'zero') b.fill(0, at, Math.min(b.length, at + 4096));
  if (how === 'dup') return Buffer.concat([b.subarray(0, at), b.subarray(at - 64, b.length)]);
  if (how === 'cut') return b.subarray(0, at);
  return b;
}

export function hostileScans(): HostileScan[] {
  const kinds: HostileScan[] = [];
  for (const sub of ['bad', 'pages']) {
    for (const name of readdirSync(join(FIXTURES, sub)).filter((n) => !n.endsWith('.md'))) {
      kinds.push({ kind: `fixture ${sub}/${name}`, make: (dir) => (copyFileSync(join(FIXTURES, sub, name), join(dir, name)), [join(dir, name)]) });
    }
  }
  for (const [name, box] of [
    ['+-1e9', '-1e9 -1e9 1e9 1e9'],
    ['0 0 0 0', '0 0 0 0'],
    ['missing', ''],
    ['three numbers', '0 0 595'],
    ['negative', '0 0 -595 -842'],
    ['200000 pt', '0 0 200000 200000'],
    ['names', '/a /b /c /d'],
  ]) {
    kinds.push({ kind: `pdf MediaBox ${name}`, make: file('box.pdf', pdfWithMediaBox(box!)) });
  }
  kinds.push({ kind: 'pdf page with a huge /Rotate', make: file('rot.pdf', pdfWithMediaBox('0 0 595 842', ' /Rotate 123456789')) });
  kinds.push({ kind: 'pdf page with a UserUnit of 1e6', make: file('uu.pdf', pdfWithMediaBox('0 0 595 842', ' /UserUnit 1000000')) });
  for (const src of ['scan-001-0001.png', 'scan-003-0001.jpg', 'scan-002.pdf']) {
    for (const how of ['flip', 'zero', 'dup', 'cut'] as const) {
      kinds.push({ kind: `${how} ${src}`, make: (dir, rand) => file(src, mutate(good(src), rand, how))(dir) });
    }
  }
  kinds.push({ kind: 'random bytes named .tif', make: (dir, rand) => file('r.tif', Buffer.from(Array.from({ length: 20000 }, () => Math.floor(rand() * 256))))(dir) });
  kinds.push({ kind: 'text named .jpg', make: file('t.jpg', 'not an image\n'.repeat(100)) });
  kinds.push({ kind: 'html named .pdf', make: file('h.pdf', '<html><body>%PDF-1.4</body></html>') });
  kinds.push({ kind: 'PDF header only', make: file('p.pdf', '%PDF-1.7\n') });
  kinds.push({ kind: 'PNG signature only', make: file('s.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) });
  kinds.push({ kind: 'a folder named like a scan', make: (dir) => (mkdirSync(join(dir, 'x.png')), [dir]) });
  kinds.push({
    kind: 'symlink loop',
    make: (dir) => {
      mkdirSync(join(dir, 'a'));
      symlinkSync(dir, join(dir, 'a', 'up'));
      copyFileSync(join(FIXTURES, 'pages', 'blank-page.png'), join(dir, 'a', 'blank.png'));
      return [dir];
    },
  });
  kinds.push({ kind: 'dangling link', make: (dir) => (symlinkSync(join(dir, 'gone.png'), join(dir, 'l.png')), [dir]) });
  kinds.push({ kind: 'fifo', make: (dir) => (execFileSync('mkfifo', [join(dir, 'f.png')]), [dir]) });
  kinds.push({
    kind: '3,000-deep folder with one good page',
    alone: true,
    make: (dir) => {
      copyFileSync(join(FIXTURES, 'pages', 'blank-page.png'), join(dir, 'top.png'));
      execFileSync(process.execPath, ['-e', "const fs=require('fs');process.chdir(process.argv[1]);for(let i=0;i<3000;i++){fs.mkdirSync('d');process.chdir('d');fs.writeFileSync('f'+i+'.png','x')}", dir]);
      return [dir];
    },
  });
  kinds.push({
    kind: 'odd file names',
    make: (dir) => {
      for (const n of ['-rf.png', 'new\nline.png', 'späce é.png', `${'x'.repeat(240)}.png`]) writeFileSync(join(dir, n), 'x');
      return [dir];
    },
  });
  for (const ext of ['jpg', 'pdf', 'tif']) kinds.push({ kind: `zero-byte .${ext}`, make: file(`z.${ext}`, Buffer.alloc(0)) });
  kinds.push({ kind: 'PDF named .png', make: (dir) => file('pdf.png', good('scan-002.pdf'))(dir) });
  kinds.push({ kind: 'JPEG named .tif', make: (dir) => file('jpg.tif', good('scan-003-0001.jpg'))(dir) });
  kinds.push({ kind: 'good page with an upper-case .PNG name', make: (dir) => file('PAGE.PNG', good('scan-001-0001.png'))(dir) });
  kinds.push({ kind: 'good page with no extension', make: (dir) => file('page', good('scan-001-0001.png'))(dir) });
  kinds.push({ kind: 'gzip named .png', make: (dir) => file('gz.png', gzipSync(good('scan-001-0001.png')))(dir) });
  kinds.push({ kind: 'JPEG header claiming 65,000 x 65,000', make: file('big.jpg', jpegHeaderOnly(65000, 65000)) });
  kinds.push({ kind: 'TIFF header claiming 100,000 x 100,000', make: file('big.tif', tiffHeaderOnly(100000, 100000)) });
  kinds.push({ kind: 'TIFF whose first IFD points past the end', make: file('ifd.tif', Buffer.from([0x49, 0x49, 0x2a, 0x00, 0xff, 0xff, 0xff, 0x7f])) });
  kinds.push({
    // Run as root (as in CI containers) the mode does not stop a read; then it is a readable file with mode 000.
    kind: 'file with mode 000',
    make: (dir) => {
      const p = join(dir, 'locked.png');
      copyFileSync(join(FIXTURES, 'pages', 'blank-page.png'), p);
      chmodSync(p, 0o000);
      return [p];
    },
  });
  kinds.push({
    kind: 'folder with mode 000',
    make: (dir) => {
      const sub = join(dir, 'locked');
      mkdirSync(sub);
      copyFileSync(join(FIXTURES, 'pages', 'blank-page.png'), join(sub, 'b.png'));
      chmodSync(sub, 0o000);
      return [dir];
    },
  });
  kinds.push({
    kind: '1,000 junk files in one folder',
    alone: true,
    make: (dir) => {
      for (let i = 0; i < 1000; i++) writeFileSync(join(dir, `j${i}.png`), `junk ${i}`);
      return [dir];
    },
  });
  kinds.push({ kind: 'the same file named twice', make: (dir) => (copyFileSync(join(FIXTURES, 'pages', 'blank-page.png'), join(dir, 'b.png')), [join(dir, 'b.png'), join(dir, 'b.png')]) });
  return kinds;
}

/** A JPEG of a start-of-image and a baseline frame header claiming w x h, then end-of-image: no pixels at all. */
function jpegHeaderOnly(w: number, h: number): Buffer {
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Buffer.from([0xff, 0xd8, ...sof, 0xff, 0xd9]);
}

/** A little-endian TIFF whose one IFD claims w x h 8-bit grey pixels in a strip of 16 bytes. */
function tiffHeaderOnly(w: number, h: number): Buffer {
  const tags: [number, number, number][] = [
    [256, 4, w], // ImageWidth, LONG
    [257, 4, h], // ImageLength
    [258, 3, 8], // BitsPerSample, SHORT
    [259, 3, 1], // Compression: none
    [262, 3, 1], // Photometric: black is zero
    [273, 4, 8 + 2 + 7 * 12 + 4], // StripOffsets: just after the IFD
    [279, 4, 16], // StripByteCounts
  ];
  const b = Buffer.alloc(8 + 2 + tags.length * 12 + 4 + 16);
  b.write('II*\0', 0, 'latin1');
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(tags.length, 8);
  tags.forEach(([tag, type, value], i) => {
    const o = 10 + i * 12;
    b.writeUInt16LE(tag, o);
    b.writeUInt16LE(type, o + 2);
    b.writeUInt32LE(1, o + 4);
    if (type === 3) b.writeUInt16LE(value, o + 8);
    else b.writeUInt32LE(value, o + 8);
  });
  return b;
}

const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const line = (cells: string[]) => cells.map(cell).join(',');

export function hostileCsvs(): HostileCsv[] {
  const withDecision = (row: string[], decision: string, value: string) => {
    const r = [...row];
    r[r.length - 2] = decision;
    r[r.length - 1] = value;
    return r;
  };
  const one = (kind: string, decision: string, value: string): HostileCsv => ({
    kind,
    make: (h, row) => `${h}\n${line(withDecision(row, decision, value))}\n`,
  });
  return [
    { kind: 'empty file', make: () => '' },
    { kind: 'header only', make: (h) => `${h}\n` },
    { kind: 'wrong header', make: (_h, row) => `a,b,c\n${line(row)}\n` },
    { kind: 'binary junk', make: (_h, _r, rand) => Buffer.from(Array.from({ length: 5000 }, () => Math.floor(rand() * 256))) },
    { kind: 'UTF-8 BOM and CRLF', make: (h, row) => `\ufeff${h}\r\n${line(withDecision(row, 'blank', ''))}\r\n` },
    { kind: 'unbalanced quote', make: (h, row) => `${h}\n"${line(row)}\n` },
    { kind: 'too few cells', make: (h) => `${h}\n1,2\n` },
    { kind: 'too many cells', make: (h, row) => `${h}\n${line([...row, 'x', 'y'])}\n` },
    { kind: '2,000 rows repeating one item id', make: (h, row) => `${h}\n${Array.from({ length: 2000 }, () => line(withDecision(row, 'blank', ''))).join('\n')}\n` },
    one('unknown decision', 'maybe', ''),
    one('correct without a value', 'correct', ''),
    one('formula value', 'correct', '=1+1'),
    one('formula with a leading space', 'correct', ' =1+1'),
    one("formula behind an apostrophe", 'correct', "'=already"),
    one('NUL ESC BEL in a value', 'correct', 'a\u0000b\u001bc\u0007'),
    one('1 MB value', 'correct', 'x'.repeat(1_000_000)),
    one('date typed as 31021996', 'correct', '31021996'),
    one('digits in a letters-only name', 'correct', 'WHITE9'),
    { kind: 'item id not a number', make: (h, row) => `${h}\n${line(['abc', ...row.slice(1)])}\n` },
    { kind: 'item id of no field', make: (h, row) => `${h}\n${line(withDecision(['999999999', ...row.slice(1)], 'blank', ''))}\n` },
    { kind: '20,000 rows repeating one item id', make: (h, row) => `${h}\n${Array.from({ length: 20_000 }, () => line(withDecision(row, 'blank', ''))).join('\n')}\n` },
    { kind: 'semicolon-separated', make: (h, row) => `${h.replaceAll(',', ';')}\n${withDecision(row, 'blank', '').join(';')}\n` },
    { kind: 'tab-separated', make: (h, row) => `${h.replaceAll(',', '\t')}\n${withDecision(row, 'blank', '').join('\t')}\n` },
    { kind: 'invalid UTF-8 in a value', make: (h, row) => Buffer.concat([Buffer.from(`${h}\n${line(withDecision(row, 'correct', ''))}`), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a])]) },
    { kind: 'UTF-16 LE with a BOM', make: (h, row) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${h.replace(/^\ufeff/, '')}\r\n${line(withDecision(row, 'blank', ''))}\r\n`, 'utf16le')]) },
    { kind: 'CR-only line ends', make: (h, row) => `${h}\r${line(withDecision(row, 'blank', ''))}\r` },
    { kind: 'NUL bytes between cells', make: (h, row) => `${h}\n${withDecision(row, 'blank', '').map(cell).join('\u0000,')}\n` },
    { kind: 'a header column twice', make: (h, row) => `${h},decision\n${line([...withDecision(row, 'blank', ''), 'verify'])}\n` },
    { kind: 'header in upper case', make: (h, row) => `${h.toUpperCase()}\n${line(withDecision(row, 'blank', ''))}\n` },
    { kind: '10,000 cells in a row', make: (h, row) => `${h}\n${line([...withDecision(row, 'blank', ''), ...Array.from({ length: 10_000 }, (_, i) => String(i))])}\n` },
    { kind: 'blank lines and a comment line between rows', make: (h, row) => `${h}\n\n# note\n,,,\n${line(withDecision(row, 'blank', ''))}\n\n` },
    { kind: 'unknown form serial', make: (h, row) => { const r = withDecision(row, 'blank', ''); r[1] = '999999'; return `${h}\n${line(r)}\n`; } },
    one('10 MB value', 'correct', 'y'.repeat(10_000_000)),
    one('huge number', 'correct', '99999999999999999999999999'),
    one('1e308 as a value', 'correct', '1e308'),
    one('formula prefixes + - @ and tab', 'correct', '\t@SUM(A1)+-1'),
    one('decision in odd case and padding', ' BLANK ', ''),
    { kind: 'stale field version', make: (h, row) => { const r = withDecision(row, 'blank', ''); r[7] = '999'; return `${h}\n${line(r)}\n`; } },
  ];
}
