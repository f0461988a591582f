// Reads every field of one registered page: tick boxes by dark-pixel share, comb fields by the box classifier (one
// batched call per charset per page, every box's alternatives kept), free text by tesseract as a block, signatures
// as ink or none. Every field comes back with its raw text, what was read, a confidence and its crop rectangle.
import { combBoxes, cropZone, decimalPartMissing, gapBeforeWriting, inset, isComb, tickBoxes } from '../template/geometry.ts';
import type { Field, Template, Zone } from '../template/schema.ts';
import { cropGray, downscaleGray, grayToPng, HANDOFF_PNG_LEVEL, medianGrey, otsuThreshold, type GrayImage } from '../imaging/gray.ts';
import { CANON_PX_PER_MM } from '../imaging/warp.ts';
import { DEFAULT_TICK_BANDS, INK_MARGIN_MM, inkInside, refineBoxes, sideLineWidened, tickState, type PxRect, type TickBands, type TickState } from '../imaging/boxes.ts';
import { jointConfidence, topReading } from '../record/evidence.ts';
import type { BoxAlternative, BoxCharset, BoxClassifier } from './box-classifier.ts';
import { cellTensor, cutCell, type CutReport } from './cell-image.ts';
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
  /** Comb fields: each box's alternatives, best first ([{ char: ' ', p: 1 }] for an empty box). */
  alternatives?: BoxAlternative[][];
  /** Canonical-pixel rectangle to crop for a person: the field's zone with a margin. */
  crop: PxRect;
}

const PPM = CANON_PX_PER_MM;
/** Share of a comb box's interior that must be ink before the box counts as written in. */
const COMB_INK_MIN = 0.012;

/** A box whose ink shows only against a lenient threshold (faint pen, a fax) is read when the classifier is this sure. */
const FAINT_MIN_P = 0.5;

/** The charset a comb field's boxes are read with. */
export function charsetOf(f: Field): BoxCharset {
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
  return toPx(cropZone(f));
}

/** Threshold between ink and paper on this page, kept in a sane band for nearly blank pages. */
export function inkThreshold(canon: GrayImage): number {
  return Math.min(175, Math.max(90, otsuThreshold(downscaleGray(canon, 2))));
}

/** A lighter cut-off between threshold and the paper, to notice strokes too faint for the page's threshold. */
export function faintThreshold(canon: GrayImage, threshold: number, paper = paperGrey(canon)): number {
  return Math.max(threshold, Math.round((threshold + paper) / 2));
}

/** The page's paper: its median grey (most of a form is paper). */
export function paperGrey(canon: GrayImage): number {
  const small = downscaleGray(canon, 4);
  return medianGrey(small, 0, 0, small.width, small.height);
}

/** Paper this far round a tick box tells how light the paper is there. */
const TICK_PAPER_MARGIN_MM = 2;

/**
 * The ink cut-off for one tick box: the page's, lowered by as much as the paper round the box is darker than the
 * page's (a phone photo's shadow at the sheet's edge is darker than the page's cut-off, and an empty box in it
 * read as ticked, sure). Never raised: paper lighter than the page's keeps the page's cut-off.
 */
export function tickThreshold(canon: GrayImage, box: { x: number; y: number; w: number; h: number }, threshold: number, paper: number): number {
  const m = TICK_PAPER_MARGIN_MM * PPM;
  const local = medianGrey(canon, box.x - m, box.y - m, box.w + 2 * m, box.h + 2 * m);
  return Math.min(threshold, threshold - (paper - local));
}

export interface ReadOptions {
  tickBands?: TickBands;
}

/** What reads a page: tesseract for free text (and nothing else here), the box classifier for every comb box. */
export interface PageReaders {
  ocr: Recognizer;
  boxes: BoxClassifier;
}

export interface CombLine {
  field: Field;
  boxes: PxRect[];
  /** Per box: 'blank', 'ink' (written at the page's threshold) or 'faint' (only at the lenient one). */
  ink: ('blank' | 'ink' | 'faint')[];
  /** Per box of a field the ink test finds empty: writing on or against a side line (sideLineWidened); else false. */
  sideInk: boolean[];
  /** Per box cut: its writing ran out of the cell over the top or bottom line (SPILL_MAX pixels or more left
   *  outside, or running on out of the region looked at: CutReport). */
  cutOff: boolean[];
  alternatives: BoxAlternative[][];
}

/**
 * Writing a box's cell cut off, this many pixels or more (8 a mm), is more than a stroke touching the line: a loop
 * or a stem left out, and what is left may read as another character with the classifier sure (a 9 written high
 * read as 7). On the validation hands 0.8% of the fields accepted on their boxes have such a box.
 */
const SPILL_MAX = 8;

const EMPTY_BOX: BoxAlternative[] = [{ char: ' ', p: 1 }];
const UNREADABLE_BOX: BoxAlternative[] = [{ char: '', p: 1 }];

/** Every comb field of the page: its boxes where they landed, and the ink test of each box; grouped by charset. */
export function locateCombs(canon: GrayImage, fields: readonly Field[], threshold: number, faint: number): Map<BoxCharset, CombLine[]> {
  const radius = Math.round(1.2 * PPM);
  const out = new Map<BoxCharset, CombLine[]>();
  for (const f of fields) {
    if (!isComb(f)) continue;
    const boxes0 = combBoxes(f).map(toPx);
    const d = refineBoxes(canon, boxes0, radius);
    const boxes = boxes0.map((b) => shift(b, d));
    // The ink test tells an empty box from a written one; a box with ink only at the lenient cut-off is "faint".
    const ink = boxes.map((b) =>
      inkInside(canon, b, INK_MARGIN_MM * PPM, threshold) >= COMB_INK_MIN ? 'ink' : faint > threshold && inkInside(canon, b, INK_MARGIN_MM * PPM, faint) >= COMB_INK_MIN ? 'faint' : 'blank',
    );
    // Where other boxes are written, a stroke on a line is most often theirs touching it: only an empty field is looked at.
    const empty = ink.every((k) => k === 'blank');
    const sideInk = boxes.map((b) => empty && sideLineWidened(canon, b, threshold));
    const cs = charsetOf(f);
    if (!out.has(cs)) out.set(cs, []);
    out.get(cs)!.push({ field: f, boxes, ink, sideInk, cutOff: boxes.map(() => false), alternatives: boxes.map(() => EMPTY_BOX) });
  }
  return out;
}

/** The classifier's input for every box with ink, in order, and which line and box each came from. */
export function combCells(canon: GrayImage, lines: readonly CombLine[], threshold: number, faint: number): { cells: Float32Array[]; where: [CombLine, number][] } {
  const cells: Float32Array[] = [];
  const where: [CombLine, number][] = [];
  for (const l of lines) {
    l.boxes.forEach((b, bi) => {
      if (l.ink[bi] === 'blank') return;
      const report: CutReport = { spill: 0, runsOut: false };
      cells.push(cellTensor(cutCell(canon, b, l.ink[bi] === 'faint' ? faint : threshold, report)));
      l.cutOff[bi] = report.spill >= SPILL_MAX || report.runsOut;
      where.push([l, bi]);
    });
  }
  return { cells, where };
}

export async function readPage(canon: GrayImage, template: Template, pageNo: number, readers: PageReaders, opts: ReadOptions = {}): Promise<FieldReading[]> {
  const threshold = inkThreshold(canon);
  const paper = paperGrey(canon);
  const faint = faintThreshold(canon, threshold, paper);
  const fields = template.fields.filter((f) => f.page === pageNo);
  const readings = new Map<string, FieldReading>();
  const radius = Math.round(1.2 * PPM);
  const bands = opts.tickBands ?? DEFAULT_TICK_BANDS;
  const pool = readers.ocr;

  for (const f of fields) {
    if (f.type === 'tick' || f.type === 'choice' || f.type === 'multi') {
      const boxes = tickBoxes(f).map(toPx);
      const d = refineBoxes(canon, boxes, radius);
      const states = boxes.map((b) => {
        const at = shift(b, d);
        return tickState(inkInside(canon, at, 0.55 * PPM, tickThreshold(canon, at, threshold, paper)), bands);
      });
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
    }
  }
  const combLines = locateCombs(canon, fields, threshold, faint);

  // One classifier call per charset: every inked cell of every comb field of that charset on the page.
  const calls: Promise<void>[] = [];
  for (const [cs, lines] of combLines) {
    const { cells, where } = combCells(canon, lines, threshold, faint);
    if (cells.length === 0) continue;
    calls.push(
      readers.boxes.classify(cs, cells).then((alts) => {
        alts.forEach((a, i) => {
          const [l, bi] = where[i]!;
          l.alternatives[bi] = a;
        });
      }),
    );
  }
  // Free text: each area read as a block on its own (a handful per page).
  for (const f of fields) {
    if (f.type !== 'text') continue;
    // Free text the template never transcribes is not read: validation never takes a reading of it into the record
    // (the scanned page is its record), and it was over half of tesseract's time a page.
    if (f.transcribe === 'never') {
      readings.set(f.id, { fieldId: f.id, type: f.type, path: f.path, rawText: '', read: '', confidence: null, crop: cropRect(f) });
      continue;
    }
    const z = toPx(inset(f.zone, 0.5));
    const share = inkInside(canon, z, 0, threshold);
    if (share < 0.002) {
      readings.set(f.id, { fieldId: f.id, type: f.type, path: f.path, rawText: '', read: '', confidence: null, crop: cropRect(f) });
      continue;
    }
    calls.push(
      (async () => {
        const img = cropGray(canon, z.x, z.y, z.w, z.h);
        const res = await pool.recognize(await grayToPng(img, HANDOFF_PNG_LEVEL), { psm: PSM.SINGLE_BLOCK, whitelist: '', kind: `text:${f.transcribe}` });
        const text = res.lines.map((l) => l.text).filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
        readings.set(f.id, { fieldId: f.id, type: f.type, path: f.path, rawText: text, read: text || '?', confidence: null, crop: cropRect(f) });
      })(),
    );
  }
  await Promise.all(calls);

  for (const lines of combLines.values()) for (const l of lines) readings.set(l.field.id, combReading(l));
  return fields.map((f) => readings.get(f.id)!).filter(Boolean);
}

/**
 * A box with faint ink that the classifier could not read as one sure character, beside a written box: most often
 * writing on the printed line between the two, erased with the line ("21" with its 1 on the line read as "2 ", every
 * box sure). Taken as blank it would pass unseen. `read` is each box's reading with such boxes already blank.
 */
export function faintBesideWriting(ink: readonly CombLine['ink'][number][], read: readonly BoxAlternative[][]): boolean {
  const written = (j: number) => j >= 0 && j < read.length && read[j]![0]?.char !== ' ';
  return ink.some((k, i) => k === 'faint' && read[i]![0]?.char === ' ' && (written(i - 1) || written(i + 1)));
}

/**
 * A comb field's reading from its boxes' alternatives. A faint box counts as written only when the classifier is
 * sure it is one character; a field with a faint box, a box whose writing ran out of its cell (SPILL_MAX), an
 * empty box before a written one, a decimal missing its units or a tenth, or a faint box left unread beside
 * writing, is never the machine's to accept (confidence 0, no alternatives kept for evidence): a person looks at it.
 */
function combReading(l: CombLine): FieldReading {
  let faintSeen = false;
  const alternatives = l.alternatives.map((a, i) => {
    if (l.ink[i] !== 'faint') return a;
    const best = a[0];
    if (!best || best.char === '' || best.p < FAINT_MIN_P) return EMPTY_BOX;
    faintSeen = true;
    return a;
  });
  // A field that looks empty but for writing on a box's side line is not known to be empty: that box is "not one clean
  // character", and a person reads the field (taken as blank, nobody would).
  const read = l.sideInk.some(Boolean) ? alternatives.map((a, i) => (l.sideInk[i] ? UNREADABLE_BOX : a)) : alternatives;
  const raw = topReading(read).text;
  const base = { fieldId: l.field.id, type: l.field.type, path: l.field.path, rawText: raw, read: raw, crop: cropRect(l.field) };
  if (read !== alternatives) return { ...base, confidence: 0 };
  const cutShort = l.cutOff.some((cut, i) => cut && alternatives[i]![0]?.char !== ' ');
  const lostWriting = gapBeforeWriting(l.field, raw) || decimalPartMissing(l.field, raw) || faintBesideWriting(l.ink, alternatives);
  if (faintSeen || cutShort || lostWriting) return { ...base, confidence: 0 };
  // An all-blank field is as sure as its emptiness (the ink test); a written one as the product of its boxes.
  return { ...base, confidence: jointConfidence(alternatives), alternatives };
}
