// The OCR worker pool around real tesseract.js workers: a hung job is cut by the timeout, retried once on a fresh
// worker, then reported; the abandoned work never surfaces as an unhandled rejection (which would end a scan).
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { OcrPool, OcrTimeoutError, PSM } from '../src/recognition/pool.ts';

async function digitsImage(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="80"><rect width="100%" height="100%" fill="#fff"/><text x="20" y="58" font-size="48" font-family="sans-serif">12345</text></svg>`;
  return sharp(Buffer.from(svg)).greyscale().png().toBuffer();
}

describe('OCR pool', () => {
  it('reads printed digits with a whitelist', async () => {
    const pool = await OcrPool.create({ size: 1 });
    try {
      const r = await pool.recognize(await digitsImage(), { psm: PSM.SINGLE_LINE, whitelist: '0123456789' });
      expect(r.lines.map((l) => l.text).join('')).toBe('12345');
      expect(r.lines[0]!.symbols).toHaveLength(5);
    } finally {
      await pool.close();
    }
  });

  it('cuts a job that takes too long, retries it once on a fresh worker, then reports it, with nothing left unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const pool = await OcrPool.create({ size: 1, jobTimeoutMs: 1 });
    try {
      await expect(pool.recognize(await digitsImage(), { psm: PSM.SINGLE_LINE, whitelist: '0123456789' })).rejects.toBeInstanceOf(OcrTimeoutError);
      expect(pool.stats.timeouts).toBe(2);
      expect(pool.stats.retries).toBe(1);
      // Give the abandoned work time to fail under its terminated worker.
      await new Promise((r) => setTimeout(r, 1500));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await pool.close();
    }
  });
});
