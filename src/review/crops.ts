// A field's crop for a person, cut on request from its aligned page image (canonical template space, so the
// template's zones place it) and kept in a small in-memory cache; nothing more is written to disk. Jobs scanned
// before this still have crop files written at scan time: those are served when the page image is missing.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, resolve, sep } from 'node:path';
import sharp from '../imaging/sharp.ts';
import type { FieldRow } from '../job/record-store.ts';
import { combBoxes, contextZone, cropZone, inset } from '../template/geometry.ts';
import type { Zone } from '../template/schema.ts';
import type { ReviewContext } from './context.ts';

export const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

/** field: the field's own boxes with a margin; context: its whole printed row, labels and neighbours included;
 * a number: that one comb box with a little margin (the character view). */
export type CropKind = 'field' | 'context' | number;

/** A file the job store names, resolved inside the job folder (symlinks followed), or null. */
export function jobFile(jobDir: string, stored: string | null): string | null {
  if (!stored || isAbsolute(stored)) return null;
  if (!IMAGE_TYPES[extname(stored).toLowerCase()]) return null;
  try {
    const root = realpathSync(jobDir);
    const full = realpathSync(resolve(root, stored));
    if (!full.startsWith(root + sep) || !statSync(full).isFile()) return null;
    return full;
  } catch {
    return null;
  }
}

/** A rectangle in page pixels from a zone in mm, clipped to the page; null when nothing of it is on the page. */
export function pixelRect(z: Zone, pxPerMm: number, width: number, height: number) {
  const left = Math.max(0, Math.floor(z.x * pxPerMm));
  const top = Math.max(0, Math.floor(z.y * pxPerMm));
  const right = Math.min(width, Math.ceil((z.x + z.w) * pxPerMm));
  const bottom = Math.min(height, Math.ceil((z.y + z.h) * pxPerMm));
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : null;
}

interface DecodedPage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

// The last few pages decoded: the CSV export and a form's cards cut many crops from one page in a row.
const decoded = new Map<string, Promise<DecodedPage>>();
const DECODED_MAX = 3;

function decodePage(pageFile: string): Promise<DecodedPage> {
  const hit = decoded.get(pageFile);
  if (hit) return hit;
  const p = sharp(pageFile)
    .raw()
    .toBuffer({ resolveWithObject: true })
    .then(({ data, info }) => ({ data, width: info.width, height: info.height, channels: info.channels as DecodedPage['channels'] }));
  decoded.set(pageFile, p);
  p.catch(() => decoded.delete(pageFile));
  while (decoded.size > DECODED_MAX) decoded.delete(decoded.keys().next().value!);
  return p;
}

/** Cut one zone out of a page image in template space; the scale comes from the image's own width. */
export async function cutZone(pageFile: string, zone: Zone, pageWidthMm: number): Promise<Buffer | null> {
  const page = await decodePage(pageFile);
  const rect = pixelRect(zone, page.width / pageWidthMm, page.width, page.height);
  if (!rect) return null;
  return sharp(page.data, { raw: { width: page.width, height: page.height, channels: page.channels } })
    .extract(rect)
    .png({ compressionLevel: 3 })
    .toBuffer();
}

/** Least recently used crops, bounded by count: a screen of tiles and the next one stay warm. */
export class CropCache {
  private readonly map = new Map<string, Buffer>();
  constructor(private readonly max = 600) {}
  get(key: string): Buffer | undefined {
    const v = this.map.get(key);
    if (v) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: Buffer): void {
    this.map.delete(key);
    this.map.set(key, v);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

/** The crop of one field as PNG bytes, or null when neither its page image nor an old crop file is there. */
export async function fieldCrop(ctx: ReviewContext, row: FieldRow, kind: CropKind, cache?: CropCache): Promise<Buffer | null> {
  const key = `${row.id}/${kind}`;
  const hit = cache?.get(key);
  if (hit) return hit;
  const field = ctx.fields.get(row.fieldId);
  const page = field ? ctx.store.pages.pageOfRecord(row.serial, field.page) : undefined;
  const pageFile = jobFile(ctx.store.dir, page?.imagePath ?? null);
  let png: Buffer | null = null;
  if (field && pageFile) {
    const box = typeof kind === 'number' ? combBoxes(field)[kind] : undefined;
    if (typeof kind === 'number' && !box) return null;
    const zone = box ? inset(box, -1.2) : kind === 'context' ? contextZone(field, ctx.template.fields) : cropZone(field);
    png = await cutZone(pageFile, zone, ctx.template.pageSize.widthMm);
  } else if (typeof kind === 'number') {
    png = null;
  } else {
    const old = jobFile(ctx.store.dir, row.cropPath);
    png = old ? readFileSync(old) : null;
  }
  if (png && cache) cache.set(key, png);
  return png;
}
