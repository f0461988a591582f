// The scan's CPU split by thread (Linux /proc): the OCR pool names the thread its tesseract worker runs on, so its
// CPU is the engine's and not the helpers'; the sampler places every thread's CPU in one bucket, and the buckets
// add up to the process's CPU. On other systems everything reads 0 and naming does nothing.
import { readdirSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { OcrPool, PSM } from '../src/recognition/pool.ts';
import { THREAD_NAMES, ThreadCpuSampler } from '../src/page/thread-cpu.ts';

const linux = process.platform === 'linux';

function threadNames(): string[] {
  return readdirSync('/proc/self/task').map((t) => {
    try {
      return readFileSync(`/proc/self/task/${t}/comm`, 'latin1').trim();
    } catch {
      return '';
    }
  });
}

describe.runIf(linux)('CPU by thread', () => {
  it("names the OCR worker's thread and counts the engine's CPU in it, apart from the caller's", async () => {
    const sampler = new ThreadCpuSampler(50);
    const pool = await OcrPool.create({ size: 1 });
    try {
      expect(threadNames().filter((n) => n === THREAD_NAMES.ocr)).toHaveLength(1);
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="120"><rect width="100%" height="100%" fill="#fff"/><text x="20" y="80" font-size="56" font-family="sans-serif">Chest pain since noon</text></svg>`;
      const png = await sharp(Buffer.from(svg)).greyscale().png().toBuffer();
      const before = pool.cpuSeconds();
      await pool.recognize(png, { psm: PSM.SINGLE_BLOCK, whitelist: '' });
      expect(pool.cpuSeconds()).toBeGreaterThan(before);
      // Some work on this thread too, so the main thread's bucket has something in it.
      const until = performance.now() + 150;
      while (performance.now() < until) Math.sqrt(Math.random());
      const split = sampler.stop();
      expect(split.ocr).toBeGreaterThan(0);
      expect(split.mainThread).toBeGreaterThan(0.1);
      const parts = split.mainThread + split.pageWorkers + split.boxClassifier + split.ocr + split.libvips + split.helpers + split.unsampled;
      // Every second once: the parts make the process's total (sampling a moment apart from the total: 50 ms slack).
      expect(Math.abs(parts - split.total)).toBeLessThan(0.05 + split.total * 0.02);
    } finally {
      await pool.close();
    }
  }, 60_000);
});
