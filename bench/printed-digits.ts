// How close the pipeline runs to the OCR engine: the images a few pages send to OCR, timed in tesseract.js (one
// worker) and in the native tesseract command (Debian package tesseract-ocr) when it is installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grayFromEncoded } from '../src/imaging/gray.ts';
import { OcrPool, type OcrParams, type OcrResult, type Recognizer } from '../src/recognition/pool.ts';
import { readPage } from '../src/recognition/read-page.ts';
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
        else if (id.serial === m[1] && id.page === Number(m[2])) out.right++;
        else out.wrong++;
      }),
    );
  } finally {
    await pool.close();
  }
  return out;
}

export interface NativeTiming {
  images: number;
  jsSeconds: number;
  nativeSeconds: number | null;
  nativeVersion: string | null;
}

export async function timeNativeTesseract(jobDir: string, template: Template, pages: number): Promise<NativeTiming> {
  const files = readdirSync(join(jobDir, 'pages')).filter((f) => f.endsWith('.png')).sort().slice(0, pages);
  const pool = await OcrPool.create({ size: 1 });
  const sent: { image: Buffer; params: OcrParams }[] = [];
  const recorder: Recognizer = {
    recognize: (image: Buffer, params: OcrParams): Promise<OcrResult> => {
      sent.push({ image, params });
      return pool.recognize(image, params);
    },
  };
  for (const f of files) {
    const pageNo = Number(/-p(\d+)\.png$/.exec(f)![1]);
    await readPage(await grayFromEncoded(readFileSync(join(jobDir, 'pages', f))), template, pageNo, recorder);
  }
  const t0 = performance.now();
  for (const s of sent) await pool.recognize(s.image, s.params);
  const jsSeconds = (performance.now() - t0) / 1000;
  await pool.close();

  const version = spawnSync('tesseract', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return { images: sent.length, jsSeconds, nativeSeconds: null, nativeVersion: null };
  const dir = mkdtempSync(join(tmpdir(), 'prf-native-'));
  try {
    const t1 = performance.now();
    sent.forEach((s, i) => {
      const img = join(dir, `${i}.png`);
      writeFileSync(img, s.image);
      const args = [img, 'stdout', '--psm', String(s.params.psm), '-l', 'eng', '--dpi', '200'];
      if (s.params.whitelist) args.push('-c', `tessedit_char_whitelist=${s.params.whitelist}`);
      spawnSync('tesseract', args, { encoding: 'utf8', env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
    });
    return { images: sent.length, jsSeconds, nativeSeconds: (performance.now() - t1) / 1000, nativeVersion: version.stdout.split('\n')[0] ?? null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
