// Crops are cut on request from the aligned page image (template space), not read from files the scan wrote.
import { describe, it, expect } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { CANON_PX_PER_MM } from '../src/imaging/warp.ts';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { CropCache, fieldCrop, pixelRect } from '../src/review/crops.ts';
import { contextZone, cropZone } from '../src/template/geometry.ts';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';

const PPM = CANON_PX_PER_MM;

/** A white A4 page at 8 px/mm with a black bar inside one field's zone. */
async function pageWithMark(zone: { x: number; y: number; w: number; h: number }): Promise<Buffer> {
  const w = 210 * PPM;
  const h = 297 * PPM;
  const mark = await sharp({ create: { width: Math.round(zone.w * PPM * 0.5), height: Math.round(zone.h * PPM * 0.5), channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  return sharp({ create: { width: w, height: h, channels: 3, background: '#fff' } })
    .composite([{ input: mark, left: Math.round((zone.x + zone.w * 0.25) * PPM), top: Math.round((zone.y + zone.h * 0.25) * PPM) }])
    .grayscale()
    .png()
    .toBuffer();
}

describe('crops on request', () => {
  it('cuts the field and its row from the aligned page image, caches them, and falls back to an old crop file', async () => {
    const job = await buildReviewJob({ forms: 1, doubtful: ['obs2.pulse'] });
    const store = JobStore.open(job.dir);
    const ctx = reviewContext(store, { today: REVIEW_TODAY });
    const serial = job.serials[0]!;
    const field = ctx.fields.get('obs2.pulse')!;
    const page = store.pages.pageOfRecord(serial, field.page)!;
    writeFileSync(join(job.dir, page.imagePath!), await pageWithMark(field.zone));
    const row = store.records.field(serial, 'obs2.pulse')!;

    const cache = new CropCache();
    const png = (await fieldCrop(ctx, row, 'field', cache))!;
    const img = sharp(png);
    const meta = await img.metadata();
    const z = cropZone(field);
    expect(meta.width).toBe(pixelRect(z, PPM, 210 * PPM, 297 * PPM)!.width);
    expect(meta.height).toBe(pixelRect(z, PPM, 210 * PPM, 297 * PPM)!.height);
    const stats = await img.stats();
    expect(stats.channels[0]!.min).toBe(0); // the mark inside the zone is in the crop
    expect(stats.channels[0]!.max).toBe(255);
    expect(await fieldCrop(ctx, row, 'field', cache)).toBe(png); // served from the cache

    // The context: the whole row of observation set 2 (its "Set 2 time" label on the left), wider than the field.
    const ctxPng = (await fieldCrop(ctx, row, 'context'))!;
    const cm = await sharp(ctxPng).metadata();
    const cz = contextZone(field, ctx.template.fields);
    expect(cz.x).toBeLessThan(ctx.fields.get('obs2.time')!.zone.x);
    expect(cm.width).toBeGreaterThan(meta.width! * 5);

    // An old job without a page image still has the crop file its scan wrote.
    rmSync(join(job.dir, page.imagePath!));
    const old = await fieldCrop(ctx, row, 'field');
    expect(old).not.toBeNull();
    expect((await sharp(old!).metadata()).width).toBe(60);
    store.close();
  });

  it('a zone off the page gives no crop rather than an error', () => {
    expect(pixelRect({ x: 300, y: 10, w: 5, h: 5 }, PPM, 1680, 2376)).toBeNull();
    expect(pixelRect({ x: -3, y: -3, w: 5, h: 5 }, PPM, 1680, 2376)).toEqual({ left: 0, top: 0, width: 16, height: 16 });
  });
});
