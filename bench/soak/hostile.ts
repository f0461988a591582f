// Generated hostile inputs for the soak: scan files and folders (the issue's, the fixtures', and mutants of good
// scans) and corrections CSVs for review apply. Each is a named kind; the same seed makes the same bytes.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pdfWithMediaBox } from './pdf.ts';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

export interface HostileScan {
  kind: string;
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
  kinds.push({ kind: 'the same file named twice', make: (dir) => (copyFileSync(join(FIXTURES, 'pages', 'blank-page.png'), join(dir, 'b.png')), [join(dir, 'b.png'), join(dir, 'b.png')]) });
  return kinds;
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
    { kind: 'stale field version', make: (h, row) => { const r = withDecision(row, 'blank', ''); r[7] = '999'; return `${h}\n${line(r)}\n`; } },
  ];
}
