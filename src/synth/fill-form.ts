// A filled-in form page: the blank form's drawing plus the writer's marks, as extra vector shapes, so the PDF and
// the raster renderers both draw it. What is written is exactly the truth's "written" value of every field; a
// crossing-out (a tick box filled over and another option ticked) changes nothing a reader should return.
import { combBoxes } from '../template/geometry.ts';
import { drawFormPage } from '../template/draw-form.ts';
import type { Drawing, Shape } from '../template/drawing.ts';
import type { Field, FieldOf, Template } from '../template/schema.ts';
import { createWriter, crossOutBox, signature, tickMark, writeCharInBox, writeTextLine, type TickStyle, type Writer } from './handwriting.ts';
import type { Rng } from './rng.ts';
import type { WrittenValue } from './truth.ts';

/** A tick box that was filled in to cancel it, with the option ticked instead (the field's final value). */
export interface CrossOut {
  fieldId: string;
  /** The cancelled option's value. */
  cancelled: string | number | boolean;
}

export interface FilledPage extends Drawing {
  crossOuts: CrossOut[];
}

export interface FillOptions {
  /** Chance that a ticked choice or multi field shows a cancelled option as well (default 0.03 per field). */
  crossOutRate?: number;
}

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
  const crossOutRate = opts.crossOutRate ?? 0.03;
  for (const field of template.fields) {
    if (field.page !== pageNo) continue;
    const value = values[field.id];
    if (value === undefined || value === null) continue;
    // Each field has its own stream, so a change in one field does not move the writing of the others.
    const r = rng.fork(`field-${field.id}`);
    writeField(field, value, writer, r, shapes, crossOuts, crossOutRate);
  }
  return { widthMm: blank.widthMm, heightMm: blank.heightMm, shapes, crossOuts };
}

function writeField(field: Field, value: WrittenValue, w: Writer, rng: Rng, shapes: Shape[], crossOuts: CrossOut[], crossOutRate: number): void {
  switch (field.type) {
    case 'digits':
    case 'capitals':
    case 'date':
    case 'time':
    case 'decimal':
      if (typeof value === 'string' || typeof value === 'number') writeComb(field, String(value), w, rng, shapes);
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

/** One character a box; a space (or a character past the last box) leaves the box empty. */
function writeComb(field: Field, chars: string, w: Writer, rng: Rng, shapes: Shape[]): void {
  const boxes = combBoxes(field);
  const list = [...chars];
  boxes.forEach((box, i) => {
    const ch = list[i];
    if (!ch || ch === ' ') return;
    const s = writeCharInBox(w, ch, box, rng);
    if (s) shapes.push(s);
  });
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
