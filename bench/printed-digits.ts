// Printed digits read by tesseract (what it stays for): the serial every page prints, read back from the aligned pages.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { grayFromEncoded } from '../src/imaging/gray.ts';
import { OcrPool } from '../src/recognition/pool.ts';
import { readPrintedSerial } from '../src/recognition/printed-serial.ts';
import type { Template } from '../src/template/schema.ts';

/**
 * Printed digits: every read page prints its serial twice (header and footer, six digits each). Read them back
 * from the aligned page images as a page without its QR code would be read, and count the right ones.
 */
export async function printedDigitAccuracy(jobDir: string, template: Template): Promise<{ pages: number; right: number; wrong: number; unread: number }> {
  const files = readdirSync(join(jobDir, 'pages')).filter((f) => f.endsWith('.png')).sort();
  const pool = await OcrPool.create({ size: 2 });
  const out = { pages: 0, right: 0, wrong: 0, unread: 0 };
  try {
    await Promise.all(
      files.map(async (f) => {
        const m = /^(\d+)-p(\d+)\.png$/.exec(f);
        if (!m) return;
        const id = await readPrintedSerial(await grayFromEncoded(readFileSync(join(jobDir, 'pages', f))), template, pool);
        out.pages++;
        if (!id) out.unread++;
        else if (id.serial === m[1] && (id.page === null || id.page === Number(m[2]))) out.right++;
        else out.wrong++;
      }),
    );
  } finally {
    await pool.close();
  }
  return out;
}
