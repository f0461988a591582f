// The OCR link: a page worker's calls reach the scan's one tesseract engine across a MessagePort. Real tesseract.js
// behind a real MessageChannel: a reading comes back whole with the engine's CPU for it, a timeout stays an
// OcrTimeoutError on the worker's side (the page is quarantined as ocr-timeout, not read-failed), and a link closed
// under a waiting call fails that call instead of leaving it hanging.
import { MessageChannel } from 'node:worker_threads';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { LinkedRecognizer, serveOcr } from '../src/recognition/ocr-link.ts';
import { OcrPool, OcrTimeoutError, PSM } from '../src/recognition/pool.ts';

async function digitsImage(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="80"><rect width="100%" height="100%" fill="#fff"/><text x="20" y="58" font-size="48" font-family="sans-serif">40213</text></svg>`;
  return sharp(Buffer.from(svg)).greyscale().png().toBuffer();
}

function linkTo(pool: OcrPool): { ocr: LinkedRecognizer; close(): void } {
  const channel = new MessageChannel();
  serveOcr(async () => pool, channel.port1);
  const ocr = new LinkedRecognizer(channel.port2);
  return { ocr, close: () => (ocr.close(), channel.port1.close()) };
}

describe('OCR link', () => {
  it('carries a call to the engine and its reading back, with the CPU the engine spent on it', async () => {
    const pool = await OcrPool.create({ size: 1 });
    const a = linkTo(pool);
    const b = linkTo(pool);
    try {
      const image = await digitsImage();
      // Two links at once, as two page workers would: each gets its own answer.
      const [ra, rb] = await Promise.all([
        a.ocr.recognize(image, { psm: PSM.SINGLE_LINE, whitelist: '0123456789' }),
        b.ocr.recognize(image.subarray(0), { psm: PSM.SINGLE_LINE, whitelist: '0123456789' }),
      ]);
      expect(ra.lines.map((l) => l.text).join('')).toBe('40213');
      expect(rb.lines.map((l) => l.text).join('')).toBe('40213');
      expect(ra.lines[0]!.symbols).toHaveLength(5);
      expect(pool.stats.jobs).toBe(2);
      if (process.platform === 'linux') expect(a.ocr.cpuSeconds()).toBeGreaterThan(0);
    } finally {
      a.close();
      b.close();
      await pool.close();
    }
  });

  it('reports the engine timeout as an OcrTimeoutError on the worker side', async () => {
    const pool = await OcrPool.create({ size: 1, jobTimeoutMs: 1 });
    const link = linkTo(pool);
    try {
      const call = link.ocr.recognize(await digitsImage(), { psm: PSM.SINGLE_LINE, whitelist: '' });
      await expect(call).rejects.toBeInstanceOf(OcrTimeoutError);
    } finally {
      link.close();
      await pool.close();
    }
  });

  it('fails a call still waiting when the link closes', async () => {
    const channel = new MessageChannel();
    // An engine that never answers: the worker's side must not wait for ever once its link is gone.
    serveOcr(() => new Promise(() => undefined), channel.port1);
    const ocr = new LinkedRecognizer(channel.port2);
    const call = ocr.recognize(await digitsImage(), { psm: PSM.SINGLE_LINE, whitelist: '' });
    ocr.close();
    channel.port1.close();
    await expect(call).rejects.toThrow('OCR link closed');
  });
});
