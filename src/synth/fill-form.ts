// A filled-in form page: the blank form's drawing plus the writer's marks, as extra vector shapes, so the PDF and
// the raster renderers both draw it. What is written is exactly the truth's "written" value of every field; a
// crossing-out (a tick box filled over and another option ticked) changes nothing a reader should return, and nor
// does a corrected comb box (a character written over another, or scribbled out and rewritten beside its box): the
// value meant is the truth, and the truth marks the box so a score can see whether the reader sent it to a person.
import { combBoxes, footprint } from '../template/geometry.ts';
import { drawFormPage } from '../template/draw-form.ts';
import type { Drawing, Shape } from '../template/drawing.ts';
import type { Field, FieldOf, Template, Zone } from '../template/schema.ts';
import { createWriter, crossOutBox, scribbleOut, signature, tickMark, writeCharInBox, writeTextLine, type TickStyle, type Writer } from './handwriting.ts';
import type { Rng } from './rng.ts';
import type { CombCorrection, WrittenValue } from './truth.ts';

/** A tick box that was filled in to cancel it, with the option ticked instead (the field's final value). */
export interface CrossOut {
  fieldId: string;
  /** The cancelled option's value. */
  cancelled: string | number | boolean;
}

export interface FilledPage extends Drawing {
  crossOuts: CrossOut[];
  /** Comb boxes corrected by the writer, per field id (at most one box a field). */
  combCorrections: Record<string, CombCorrection>;
}

export interface FillOptions {
  /** Chance that a ticked choice or multi field shows a cancelled option as well (default 0.03 per field). */
  crossOutRate?: number;
  /**
   * Chance that a written comb field has one box corrected (default 0.0008 a field: with some 52 written comb
   * fields a form, about 4% of forms carry one).
   */
  combCorrectionRate?: number;
}

/** The default chance a written comb field has a corrected box. */
export const COMB_CORRECTION_RATE = 0.0008;

/**
 * One page of the form, filled in by `writer` with `values` (per field id, what a perfect reader returns; see
 * WrittenValue in truth.ts). Fields not in `values`, or blank there, stay blank.
 */
export function fillFormPage(
  template: Template,
  serial: string,
  pageNo: number,
  values: Readonly<Record<string, WrittenValue | undefined>>,
  rng: Rng,
  writer: Writer = createWriter(rng.fork('writer')),
  opts: FillOptions = {},
): FilledPage {
  const blank = drawFormPage(template, serial, pageNo);
  const shapes: Shape[] = [...blank.shapes];
  const crossOuts: CrossOut[] = [];
  const combCorrections: Record<string, CombCorrection> = {};
  const page: PageInk = {
    shapes,
    crossOuts,
    combCorrections,
    crossOutRate: opts.crossOutRate ?? 0.03,
    combCorrectionRate: opts.combCorrectionRate ?? COMB_CORRECTION_RATE,
    // Where a rewritten character may go without landing on another field.
    occupied: template.fields.filter((f) => f.page === pageNo).map((f) => ({ id: f.id, zone: footprint(f) })),
  };
  for (const field of template.fields) {
    if (field.page !== pageNo) continue;
    const value = values[field.id];
    if (value === undefined || value === null) continue;
    // Each field has its own stream, so a change in one field does not move the writing of the others.
    const r = rng.fork(`field-${field.id}`);
    writeField(field, value, writer, r, page);
  }
  return { widthMm: blank.widthMm, heightMm: blank.heightMm, shapes, crossOuts, combCorrections };
}

/** What the writing of one page accumulates. */
interface PageInk {
  shapes: Shape[];
  crossOuts: CrossOut[];
  combCorrections: Record<string, CombCorrection>;
  crossOutRate: number;
  combCorrectionRate: number;
  occupied: { id: string; zone: Zone }[];
}

function writeField(field: Field, value: WrittenValue, w: Writer, rng: Rng, page: PageInk): void {
  const { shapes, crossOuts, crossOutRate } = page;
  switch (field.type) {
    case 'digits':
    case 'capitals':
    case 'date':
    case 'time':
    case 'decimal':
      if (typeof value === 'string' || typeof value === 'number') writeComb(field, String(value), w, rng, page);
      return;
    case 'tick':
      if (value === true) shapes.push(tickMark(w, field.zone, tickStyleFor(w, rng), rng));
      return;
    case 'signature':
      if (value === true) shapes.push(signature(w, field.zone, rng));
      return;
    case 'choice':
    case 'multi': {
      const chosen = field.type === 'multi' ? (Array.isArray(value) ? value : []) : [value];
      writeOptions(field, chosen, w, rng, shapes, crossOuts, crossOutRate);
      return;
    }
    case 'text':
      if (typeof value === 'string') writeText(field, value, w, rng, shapes);
      return;
  }
}

/**
 * One character a box; a space (or a character past the last box) leaves the box empty. Now and then the writer
 * corrects one box (see correctBox).
 */
function writeComb(field: Field, chars: string, w: Writer, rng: Rng, page: PageInk): void {
  const boxes = combBoxes(field);
  const list = [...chars];
  const written = boxes.flatMap((_, i) => (list[i] && list[i] !== ' ' ? [i] : []));
  // Drawn from its own stream, so forms without a correction are written exactly as before.
  const c = rng.fork('correction');
  const corrected = written.length && c.chance(page.combCorrectionRate) ? c.pick(written) : -1;
  boxes.forEach((box, i) => {
    const ch = list[i];
    if (!ch || ch === ' ') return;
    // Drawn even for the corrected box (then dropped), so the other boxes are written the same either way.
    const s = writeCharInBox(w, ch, box, rng);
    if (i === corrected) correctBox(field, i, ch, w, c, page);
    else if (s) page.shapes.push(s);
  });
}

const DIGITS = '0123456789';
const CAPITALS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * A box the writer got wrong first and corrected: either the right character written over the wrong one in the same
 * box (overwrite), or the wrong one scribbled out and the right one written just outside the box, above it or to
 * the side of the comb, wherever no other field is printed (scribbled-out). Recorded in page.combCorrections.
 */
function correctBox(field: Field, index: number, ch: string, w: Writer, rng: Rng, page: PageInk): void {
  const box = combBoxes(field)[index]!;
  const pool = /[0-9]/.test(ch) ? DIGITS : /[A-Z]/.test(ch) ? CAPITALS : DIGITS;
  const struck = rng.pick([...pool].filter((c) => c !== ch));
  // A correction is written deliberately: no stroke across the box line.
  const careful: Writer = { ...w, touchRate: 0 };
  const first = writeCharInBox(careful, struck, box, rng);
  if (first) page.shapes.push(first);
  const beside = rng.chance(0.5) ? besideBox(field, index, page.occupied, rng) : null;
  if (!beside) {
    // Written over, pressing harder the second time.
    const over = writeCharInBox({ ...careful, pressure: careful.pressure * 1.3 }, ch, box, rng);
    if (over) page.shapes.push(over);
    page.combCorrections[field.id] = { box: index, kind: 'overwrite', struck };
    return;
  }
  page.shapes.push(...scribbleOut(w, box, rng));
  const again = writeCharInBox(careful, ch, beside.zone, rng);
  if (again) page.shapes.push(again);
  page.combCorrections[field.id] = { box: index, kind: 'scribbled-out', struck, rewritten: beside.where };
}

/**
 * A place just outside a comb box for the character rewritten: above the box (over the field's own label, where a
 * person squeezes it in), or past the comb's last box; only where no other field is printed. Null when neither is
 * free.
 */
function besideBox(field: Field, index: number, occupied: PageInk['occupied'], rng: Rng): { where: 'above' | 'side'; zone: Zone } | null {
  const boxes = combBoxes(field);
  const box = boxes[index]!;
  const h = box.h * 0.65;
  const last = boxes[boxes.length - 1]!;
  const places = [
    { where: 'above' as const, zone: { x: box.x + rng.normal(0, 0.08) * box.w, y: box.y - h - 0.2, w: box.w, h } },
    { where: 'side' as const, zone: { x: last.x + last.w + 0.6, y: box.y + (box.h - h) / 2, w: box.w, h } },
  ];
  const free = places.filter((p) => occupied.every((o) => o.id === field.id || !overlaps(o.zone, p.zone)));
  return free.length ? rng.pick(free) : null;
}

function overlaps(a: Zone, b: Zone): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function writeOptions(
  field: FieldOf<'choice'> | FieldOf<'multi'>,
  chosen: readonly unknown[],
  w: Writer,
  rng: Rng,
  shapes: Shape[],
  crossOuts: CrossOut[],
  crossOutRate: number,
): void {
  const ticked = field.options.filter((o) => chosen.includes(o.value));
  if (!ticked.length) return;
  const others = field.options.filter((o) => !chosen.includes(o.value));
  if (others.length && rng.chance(crossOutRate)) {
    // The writer ticked the wrong box first, filled it in to cancel it, and ticked the right one.
    const wrong = rng.pick(others);
    shapes.push(...crossOutBox(w, wrong.box, rng));
    crossOuts.push({ fieldId: field.id, cancelled: wrong.value });
  }
  for (const o of ticked) shapes.push(tickMark(w, o.box, tickStyleFor(w, rng), rng));
}

function tickStyleFor(w: Writer, rng: Rng): TickStyle {
  if (!rng.chance(w.tickStyleMix)) return w.tickStyle;
  return rng.pick((['tick', 'cross', 'blob'] as const).filter((s) => s !== w.tickStyle));
}

/** Free text along the writing area's ruled lines, each line wandering a little. */
function writeText(field: FieldOf<'text'>, text: string, w: Writer, rng: Rng, shapes: Shape[]): void {
  const z = field.zone;
  const lineH = z.h / field.lines;
  const lines = text.split('\n').slice(0, field.lines);
  const capMm = Math.min(lineH * 0.5, 3.4) * Math.exp(rng.normal(0, 0.05));
  lines.forEach((line, i) => {
    // Baseline a little above the ruled line below (the area's bottom for the last line).
    const baseline = z.y + (i + 1) * lineH - lineH * rng.float(0.16, 0.26);
    const x = z.x + rng.float(1, 2.5);
    const s = writeTextLine(w, line, x, baseline, z.w - (x - z.x) - 1.5, capMm, rng);
    if (s) shapes.push(s);
  });
}
