// Write the bad-input fixtures in fixtures/bad/: small files, each a way a scan file can be wrong, plus a
// README saying what each must end in. The output is byte-for-byte the same on every run, so it can be
// committed and re-made. Run: npx tsx scripts/make-bad-fixtures.ts
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bad');

interface BadFixture {
  file: string;
  /** Reason code the file (or its page) must be refused with, or 'ok' for a file that must decode. */
  outcome: string;
  what: string;
  make: () => Promise<Uint8Array> | Uint8Array;
}

// ---- small binary helpers ---------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG whose header claims width x height greyscale pixels, with almost no pixel data behind it. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const magic = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const idat = deflateSync(Buffer.alloc(1024));
  return Buffer.concat([magic, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A one-file ZIP archive (stored, not compressed). */
function zipOneFile(name: string, content: string): Buffer {
  const data = Buffer.from(content, 'utf8');
  const fileName = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4); // version needed
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const localPart = Buffer.concat([local, fileName, data]);
  const centralPart = Buffer.concat([central, fileName]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12);
  end.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, end]);
}

/** A PDF from numbered object bodies (object i+1 is bodies[i]), with a correct xref table. */
function buildPdf(bodies: Buffer[], trailerExtra = ''): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0].length;
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    offsets.push(length);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(obj);
    length += obj.length;
  });
  const xref = [
    'xref',
    `0 ${bodies.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${bodies.length + 1} /Root 1 0 R ${trailerExtra}>>`,
    'startxref',
    String(length),
    '%%EOF',
    '',
  ].join('\n');
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');

function stream(dict: string, data: Buffer): Buffer {
  return Buffer.concat([latin1(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, latin1('\nendstream')]);
}

function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 0xff;
    [s[i], s[j]] = [s[j], s[i]];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]) & 0xff;
    [s[i], s[j]] = [s[j], s[i]];
    out[n] = data[n] ^ s[(s[i] + s[j]) & 0xff];
  }
  return out;
}

const md5 = (...parts: Uint8Array[]) => createHash('md5').update(Buffer.concat(parts)).digest();

/**
 * A real password-protected PDF (standard security handler, revision 2, 40-bit RC4; user password "secret"),
 * computed by hand so the bytes are the same every run (mupdf's own encryption uses a random file ID).
 */
function encryptedPdf(userPassword: string, ownerPassword: string): Buffer {
  const PAD = Buffer.from('28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A', 'hex');
  const pad = (pw: string) => Buffer.concat([Buffer.from(pw, 'latin1'), PAD]).subarray(0, 32);
  const fileId = md5(latin1('prf-backload bad fixture: encrypted.pdf'));
  const permissions = -44; // print only
  const o = rc4(md5(pad(ownerPassword)).subarray(0, 5), pad(userPassword));
  const p = Buffer.alloc(4);
  p.writeInt32LE(permissions, 0);
  const fileKey = md5(pad(userPassword), o, p, fileId).subarray(0, 5);
  const u = rc4(fileKey, PAD);
  const objectKey = (num: number) => md5(fileKey, Buffer.from([num & 0xff, (num >> 8) & 0xff, (num >> 16) & 0xff, 0, 0])).subarray(0, 10);
  const content = rc4(objectKey(4), latin1('4 w 72 72 m 523 770 l S'));
  const hex = (b: Buffer) => `<${b.toString('hex').toUpperCase()}>`;
  return buildPdf(
    [
      latin1('<< /Type /Catalog /Pages 2 0 R >>'),
      latin1('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
      latin1('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>'),
      stream('', content),
    ],
    `/ID [${hex(fileId)} ${hex(fileId)}] /Encrypt << /Filter /Standard /V 1 /R 2 /O ${hex(o)} /U ${hex(u)} /P ${permissions} >> `,
  );
}

/** A grey test card: gradient with a grid, something for the codecs to chew on. */
async function testCard(width: number, height: number): Promise<Sharp> {
  const raw = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw[y * width + x] = x % 40 < 2 || y % 40 < 2 ? 0 : 128 + ((x + y) % 96);
  }
  return sharp(raw, { raw: { width, height, channels: 1 } });
}

function cut(buf: Buffer, fraction: number): Buffer {
  return Buffer.from(buf.subarray(0, Math.floor(buf.length * fraction)));
}

// ---- the fixtures ------------------------------------------------------------------------------------------

export const BAD_FIXTURES: BadFixture[] = [
  { file: 'empty.png', outcome: 'empty-file', what: 'zero bytes', make: () => new Uint8Array(0) },
  {
    file: 'truncated.png',
    outcome: 'truncated-image',
    what: 'a 600 x 600 PNG cut off at 60% of its bytes (no IEND chunk)',
    make: async () => cut(await (await testCard(600, 600)).png().toBuffer(), 0.6),
  },
  {
    file: 'truncated.jpg',
    outcome: 'truncated-image',
    what: 'a 600 x 600 JPEG cut off at 60% of its bytes (no end-of-image marker)',
    make: async () => cut(await (await testCard(600, 600)).jpeg({ quality: 60 }).toBuffer(), 0.6),
  },
  {
    file: 'truncated.tif',
    outcome: 'truncated-image',
    what: 'a 3-page 600 x 600 TIFF cut off at 70% of its bytes: the decoder alone would just see fewer pages',
    make: async () => {
      const page = await (await testCard(600, 600)).png().toBuffer();
      return cut(await sharp([page, page, page], { join: { animated: true } }).toColourspace('b-w').tiff({ compression: 'deflate' }).toBuffer(), 0.7);
    },
  },
  {
    file: 'corrupt.png',
    outcome: 'corrupt-image',
    what: 'a complete 600 x 600 PNG with bytes inside its image data overwritten (checksums no longer match)',
    make: async () => {
      const png = Buffer.from(await (await testCard(600, 600)).png().toBuffer());
      const idat = png.indexOf('IDAT', 0, 'latin1');
      for (let i = idat + 40; i < idat + 80; i++) png[i] ^= 0x5a;
      return png;
    },
  },
  {
    file: 'png-named.jpg',
    outcome: 'ok',
    what: 'a valid 400 x 500 PNG with a .jpg name: the format comes from the bytes, so it decodes',
    make: async () => (await testCard(400, 500)).png().toBuffer(),
  },
  {
    file: 'text-named.png',
    outcome: 'unsupported-format',
    what: 'a text file with a .png name (message says it looks like text)',
    make: () => latin1('This is not a scan. It is a note someone saved into the scans folder.\n'),
  },
  {
    file: 'text-named.pdf',
    outcome: 'unsupported-format',
    what: 'a text file with a .pdf name (message says it looks like text)',
    make: () => latin1('Box 12 scanned on the ward, forms 1-40.\n'),
  },
  {
    file: 'zip-named.tif',
    outcome: 'unsupported-format',
    what: 'a ZIP archive with a .tif name (message says it looks like a ZIP archive)',
    make: () => zipOneFile('scan.txt', 'not an image\n'),
  },
  {
    file: 'one-pixel.png',
    outcome: 'image-too-small',
    what: 'a valid 1 x 1 PNG',
    make: () => sharp({ create: { width: 1, height: 1, channels: 3, background: '#ffffff' } }).png().toBuffer(),
  },
  {
    file: 'png-bomb-50000.png',
    outcome: 'image-too-large',
    what: 'a PNG of about 100 bytes whose header claims 50,000 x 50,000 pixels (2.5 gigapixels); refused from the header',
    make: () => pngHeaderOnly(50_000, 50_000),
  },
  {
    file: 'no-pages.pdf',
    outcome: 'pdf-no-pages',
    what: 'a well-formed PDF whose page tree is empty',
    make: () => buildPdf([latin1('<< /Type /Catalog /Pages 2 0 R >>'), latin1('<< /Type /Pages /Kids [] /Count 0 >>')]),
  },
  {
    file: 'encrypted.pdf',
    outcome: 'pdf-encrypted',
    what: 'a one-page PDF protected by a user password ("secret"; 40-bit RC4 standard security handler)',
    make: () => encryptedPdf('secret', 'owner'),
  },
  {
    file: 'pdf-bomb-mediabox.pdf',
    outcome: 'pdf-page-too-large',
    what: 'a one-page PDF whose page is 200,000 x 200,000 pt (about 70 m square); refused before rendering',
    make: () =>
      buildPdf([
        latin1('<< /Type /Catalog /Pages 2 0 R >>'),
        latin1('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
        latin1('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200000 200000] >>'),
      ]),
  },
  {
    file: 'garbage.pdf',
    outcome: 'pdf-corrupt',
    what: 'a PDF header followed by bytes that are not PDF objects',
    make: () => latin1('%PDF-1.4\n' + 'x7q!'.repeat(64) + '\n'),
  },
];

function readme(): string {
  const rows = BAD_FIXTURES.map((f) => `| \`${f.file}\` | \`${f.outcome}\` | ${f.what} |`);
  return [
    '# Bad input fixtures',
    '',
    'Made by `npx tsx scripts/make-bad-fixtures.ts` (do not edit by hand; re-run the script). Each file is a way',
    'a scan file can be wrong. `test/decode.test.ts` checks that each ends in the state below: the reason code',
    'from `openSource` or `decodePages` (src/imaging/decode.ts), with a message naming the file; `ok` means it',
    'must decode.',
    '',
    '| File | Must end in | What it is |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  // Remove what an older version of this script made, so the folder holds exactly the list above.
  for (const name of readdirSync(OUT_DIR)) rmSync(join(OUT_DIR, name), { force: true });
  for (const fixture of BAD_FIXTURES) {
    const bytes = await fixture.make();
    if (bytes.length > 200 * 1024) throw new Error(`${fixture.file} is ${bytes.length} bytes; fixtures must stay under 200 KB`);
    writeFileSync(join(OUT_DIR, fixture.file), bytes);
  }
  writeFileSync(join(OUT_DIR, 'README.md'), readme());
  console.log(`wrote ${BAD_FIXTURES.length} fixtures and README.md to ${OUT_DIR}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
