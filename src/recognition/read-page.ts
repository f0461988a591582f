// Reads every field of one registered page: tick boxes by dark-pixel share, comb fields by tesseract (boxes
// lines left out, a whitelist per charset, one composite image per charset), free text as a block, signatures as
// ink or none. Every field comes back with its raw text, what was read, a confidence and its crop rectangle.
import { combBoxes, inset, isComb, tickBoxes } from '../template/geometry.ts';
import type { Field, Template, Zone } from '../template/schema.ts';
import { cropGray, downscaleGray, grayToPng, otsuThreshold, type GrayImage } from '../imaging/gray.ts';
import { CANON_PX_PER_MM } from '../imaging/warp.ts';
import { DEFAULT_TICK_BANDS, inkInside, refineBoxes, tickState, type PxRect, type TickBands, type TickState } from '../imaging/boxes.ts';
import { assignSymbols, buildComposite, type CompositeCell } from './composite.ts';
import { PSM, type Recognizer } from './pool.ts';

export interface FieldReading {
  fieldId: string;
  type: Field['type'];
  path: string;
  /** What the reader saw, as text (comb: one character a box, ' ' empty, '?' unreadable). */
  rawText: string;
  /** Comb: the raw string; tick/choice/multi/signature: option states; text: the text. */
  read: string | TickState[];
  /** 0-1; null where the machine makes no claim (free text is never trusted without a person). */
  confidence: number | null;
  /** Canonical-pixel rectangle to crop for a person: the field's zone with a margin. */
  crop: PxRect;
}

const PPM = CANON_PX_PER_MM;
/** Share of a comb box's interior that must be ink before the box counts as written in. */
export const COMB_INK_MIN = 0.012;

const WHITELISTS: Record<string, string> = {
  digits: '0123456789',
  letters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ-\'',
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  dose: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./',
};

function charsetOf(f: Field): keyof typeof WHITELISTS {
  if (f.type === 'capitals') return f.charset;
  return 'digits';
}

function toPx(z: Zone): PxRect {
  return { x: z.x * PPM, y: z.y * PPM, w: z.w * PPM, h: z.h * PPM };
}

function shift(r: PxRect, d: { dx: number; dy: number }): PxRect {
  return { x: r.x + d.dx, y: r.y + d.dy, w: r.w, h: r.h };
}

/** The area shown to a person: the zone, its label, and a little context. */
function cropRect(f: Field): PxRect {
  const z = f.type === 'tick' ? { x: f.zone.x, y: f.zone.y, w: f.zone.w + 30, h: f.zone.h } : f.zone;
  return toPx(inset(z, -2.5));
}

/** Threshold between ink and paper on this page, kept in a sane band for nearly blank pages. */
export function inkThreshold(canon: GrayImage): number {
  return Math.min(175, Math.max(90, otsuThreshold(downscaleGray(canon, 2))));
}

export interface ReadOptions {
  tickBands?: TickBands;
}

export async function readPage(canon: GrayImage, template: Template, pageNo: number, pool: Recognizer, opts: ReadOptions = {}): Promise<FieldReading[]> {
  const threshold = inkThreshold(canon);
  const fields = template.fields.filter((f) => f.page === pageNo);
  const readings = new Map<string, FieldReading>();
  const radius = Math.round(1.2 * PPM);
  const bands = opts.tickBands ?? DEFAULT_TICK_BANDS;

  // Comb cells waiting for OCR, grouped by charset: [field, box index, ink cell image].
  const combLines = new Map<string, { field: Field; boxes: PxRect[]; raw: string[]; conf: number[] }[]>();

  for (const f of fields) {
    if (f.type === 'tick' || f.type === 'choice' || f.type === 'multi') {
      const boxes = tickBoxes(f).map(toPx);
      const d = refineBoxes(canon, boxes, radius);
      const states = boxes.map((b) => tickState(inkInside(canon, shift(b, d), 0.55 * PPM, threshold), bands));
      readings.set(f.id, {
        fieldId: f.id,
        type: f.type,
        path: f.path,
        rawText: states.map((s) => s.state).join(','),
        read: states.map((s) => s.state),
        confidence: Math.min(...states.map((s) => s.confidence)),
        crop: cropRect(f),
      });
    } else if (f.type === 'signature') {
      const z = toPx(f.zone);
      const share = inkInside(canon, z, 0.6 * PPM, threshold);
      const present = share > 0.004;
      readings.set(f.id, {
        fieldId: f.id,
        type: f.type,
        path: f.path,
        rawText: present ? 'signed' : '',
        read: [present ? 'ticked' : 'empty'],
        confidence: Math.min(1, 0.5 + Math.abs(share - 0.004) * 60),
        crop: cropRect(f),
      });
    } else if (isComb(f)) {
      const boxes0 = combBoxes(f).map(toPx);
      const d = refineBoxes(canon, boxes0, radius);
      const boxes = boxes0.map((b) => shift(b, d));
      const raw = boxes.map((b) => (inkInside(canon, b, 0.45 * PPM, threshold) >= COMB_INK_MIN ? '?' : ' '));
      const line = { field: f, boxes, raw, conf: raw.map(() => 1) };
      const cs = charsetOf(f);
      if (!combLines.has(cs)) combLines.set(cs, []);
      combLines.get(cs)!.push(line);
    }
  }

  // One OCR call per charset: every inked cell of every comb field of that charset on the page.
  const calls: Promise<void>[] = [];
  for (const [cs, lines] of combLines) {
    const cellW = Math.round(Math.max(...lines.flatMap((l) => l.boxes.map((b) => b.w))));
    const cellH = Math.round(Math.max(...lines.flatMap((l) => l.boxes.map((b) => b.h))));
    const cells: CompositeCell[] = [];
    lines.forEach((l, li) =>
      l.boxes.forEach((b, bi) => {
        if (l.raw[bi] === ' ') return;
        cells.push({ line: li, cell: bi, image: cleanCell(canon, b, threshold) });
      }),
    );
    if (cells.length === 0) continue;
    calls.push(
      (async () => {
        const layout = buildComposite(cells, cellW, cellH);
        const result = await pool.recognize(await grayToPng(layout.image), { psm: PSM.SINGLE_BLOCK, whitelist: WHITELISTS[cs]! });
        const byCell = assignSymbols(layout, result);
        lines.forEach((l, li) => {
          l.raw.forEach((ch, bi) => {
            if (ch === ' ') return;
            const r = byCell.get(`${li}:${bi}`);
            l.raw[bi] = r?.text ?? '?';
            l.conf[bi] = r?.confidence ?? 0;
          });
        });
      })(),
    );
  }

  // Free text: each area read as a block on its own (a handful per page).
  for (const f of fields) {
    if (f.type !== 'text') continue;
    const z = toPx(inset(f.zone, 0.5));
    const share = inkInside(canon, z, 0, threshold);
    if (share < 0.002) {
      readings.set(f.id, { fieldId: f.id, type: f.type, path: f.path, rawText: '', read: '', confidence: null, crop: cropRect(f) });
      continue;
    }
    calls.push(
      (async () => {
        const img = cropGray(canon, z.x, z.y, z.w, z.h);
        const res = await pool.recognize(await grayToPng(img), { psm: PSM.SINGLE_BLOCK, whitelist: '' });
        const text = res.lines.map((l) => l.text).filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
        readings.set(f.id, { fieldId: f.id, type: f.type, path: f.path, rawText: text, read: text || '?', confidence: null, crop: cropRect(f) });
      })(),
    );
  }
  await Promise.all(calls);

  for (const lines of combLines.values()) {
    for (const l of lines) {
      const inked = l.conf.filter((_, i) => l.raw[i] !== ' ');
      const raw = l.raw.join('');
      readings.set(l.field.id, {
        fieldId: l.field.id,
        type: l.field.type,
        path: l.field.path,
        rawText: raw,
        read: raw,
        // A field is as sure as its least sure character; an all-blank field is as sure as its emptiness.
        confidence: inked.length ? Math.min(...inked) : 1,
        crop: cropRect(l.field),
      });
    }
  }
  return fields.map((f) => readings.get(f.id)!).filter(Boolean);
}

/** A comb box's interior, with the printed box lines (and what lies outside them) left white. */
export function cleanCell(canon: GrayImage, b: PxRect, threshold: number): GrayImage {
  const edge = Math.round(0.38 * PPM);
  const cell = cropGray(canon, b.x, b.y, b.w, b.h);
  for (let y = 0; y < cell.height; y++) {
    for (let x = 0; x < cell.width; x++) {
      const i = y * cell.width + x;
      if (x < edge || y < edge || x >= cell.width - edge || y >= cell.height - edge) cell.data[i] = 255;
      // Flatten paper texture and light noise so tesseract sees clean strokes.
      else if (cell.data[i]! > threshold + 30) cell.data[i] = 255;
    }
  }
  return cell;
}
