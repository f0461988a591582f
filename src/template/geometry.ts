// Where a field's boxes lie, computed once from the template and used by the renderer, the synthesiser and the reader.
import type { Field, Zone } from './schema.ts';

/** Height of the label printed above every field's zone. */
export const LABEL_HEIGHT_MM = 3.6;
/** Gap between comb groups (dd | mm | yyyy), as a share of a box width. */
const GROUP_GAP = 0.7;

/** How a comb field's boxes are grouped: a date is dd mm yyyy, a time HH MM, a decimal int . frac. */
export function combGroups(field: Field): number[] | null {
  switch (field.type) {
    case 'digits':
      return field.groups ?? [field.boxes];
    case 'capitals':
      return [field.boxes];
    case 'date':
      return [2, 2, 4];
    case 'time':
      return [2, 2];
    case 'decimal':
      return [field.intDigits, field.fracDigits];
    default:
      return null;
  }
}

/** The field types written one character a box. */
export const COMB_FIELD_TYPES: ReadonlySet<string> = new Set(['digits', 'capitals', 'date', 'time', 'decimal']);

export function isComb(field: Field): boolean {
  return combGroups(field) !== null;
}

/** The comb's character boxes, left to right, across the field's zone. */
export function combBoxes(field: Field): Zone[] {
  const groups = combGroups(field);
  if (!groups) return [];
  const n = groups.reduce((a, b) => a + b, 0);
  const bw = field.zone.w / (n + GROUP_GAP * (groups.length - 1));
  const out: Zone[] = [];
  let x = field.zone.x;
  for (const g of groups) {
    for (let i = 0; i < g; i++) {
      out.push({ x, y: field.zone.y, w: bw, h: field.zone.h });
      x += bw;
    }
    x += bw * GROUP_GAP;
  }
  return out;
}

/** Tick boxes of a field: one for a tick, one per option for a choice or multi group. */
export function tickBoxes(field: Field): Zone[] {
  if (field.type === 'tick') return [field.zone];
  if (field.type === 'choice' || field.type === 'multi') return field.options.map((o) => o.box);
  return [];
}

/** Size of label text in mm (cap height is about 0.7 of it). */
export const LABEL_SIZE_MM = 2.9;
/** Rough width of printed text, for layout checks; the renderer shrinks a label that would run past it. */
export function textWidthEstimate(text: string, sizeMm: number): number {
  return text.length * sizeMm * 0.56;
}

/** Where a tick field's label goes: to the right of its box. Other fields print their label above the zone. */
export function labelZone(field: Field): Zone {
  if (field.type === 'tick') {
    return { x: field.zone.x + field.zone.w + 1, y: field.zone.y, w: textWidthEstimate(field.label, LABEL_SIZE_MM), h: field.zone.h };
  }
  return { x: field.zone.x, y: field.zone.y - LABEL_HEIGHT_MM, w: field.zone.w, h: LABEL_HEIGHT_MM };
}

/** Everything the field prints: its zone (with any option boxes and their labels) and its own label. */
export function footprint(field: Field): Zone {
  return union(field.zone, labelZone(field));
}

export function union(a: Zone, b: Zone): Zone {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

export function overlaps(a: Zone, b: Zone, tolerance = 0.05): boolean {
  return (
    a.x + a.w - tolerance > b.x && b.x + b.w - tolerance > a.x && a.y + a.h - tolerance > b.y && b.y + b.h - tolerance > a.y
  );
}

export function inside(inner: Zone, outer: Zone): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

/** Shrink a zone on every side (a negative amount grows it). */
export function inset(z: Zone, by: number): Zone {
  return { x: z.x + by, y: z.y + by, w: Math.max(0, z.w - 2 * by), h: Math.max(0, z.h - 2 * by) };
}

/** The text a perfect writer puts in each comb box for a value (blank boxes are ''). */
export function combCharacters(field: Field, value: string): string[] {
  const n = combBoxes(field).length;
  const chars = [...value.replace(/[\s.:/-]/g, '')];
  if (field.type === 'capitals') {
    // Capitals are written from the left; a space between words stays an empty box.
    const spaced = [...value.toUpperCase()].map((c) => (c === ' ' ? '' : c));
    return Array.from({ length: n }, (_, i) => spaced[i] ?? '');
  }
  if (field.type === 'decimal') {
    const [intPart = '', frac = ''] = value.split('.');
    const ip = intPart.padStart(field.intDigits, ' ').slice(-field.intDigits);
    const fp = frac.padEnd(field.fracDigits, '0').slice(0, field.fracDigits);
    return [...ip, ...fp].map((c) => (c === ' ' ? '' : c));
  }
  // digits, date, time: right-aligned numbers are not how crews write; they fill from the left.
  return Array.from({ length: n }, (_, i) => chars[i] ?? '');
}

/** The area of the page shown to a person for one field: its zone with a margin (a tick box with its label). */
export function cropZone(field: Field): Zone {
  const z = field.type === 'tick' ? { x: field.zone.x, y: field.zone.y, w: field.zone.w + 30, h: field.zone.h } : field.zone;
  return inset(z, -2.5);
}

/**
 * The wider area that puts a field in context: every field printed on its row (their labels included, so the
 * row's own label, "Set 2 time", is in it) and a little of the rows above and below.
 */
export function contextZone(field: Field, fields: readonly Field[]): Zone {
  const top = field.zone.y;
  const bottom = field.zone.y + field.zone.h;
  const row = fields.filter((f) => f.page === field.page && f.zone.y < bottom && f.zone.y + f.zone.h > top);
  return inset(row.map(footprint).reduce(union, footprint(field)), -4);
}

// Two ways a comb's reading shows writing lost, however sure each box was. Each takes the reading one character a
// box, ' ' an empty box (the reader's raw text); the reader never accepts such a field.

/** Comb types a crew fills from the first box (combCharacters): a decimal's whole part is right-aligned instead. */
const FILLED_FROM_THE_LEFT: ReadonlySet<Field['type']> = new Set(['digits', 'date', 'time']);

/** Whether a crew writes the field from its first box with no gaps: those types, and a dose (2.5MG, 500MCG). */
const filledFromTheLeft = (field: Field): boolean => FILLED_FROM_THE_LEFT.has(field.type) || (field.type === 'capitals' && field.charset === 'dose');

/**
 * An empty box before a written one, in a field written from the left: most often a character lost, not a gap the
 * crew left (a 1 written on the printed line between two boxes is erased with the line, and the field reads as
 * its other digits with every box sure; a dose's point too small for the ink test, 2.5MG read "2 5MG"). The field is
 * a person's to look at.
 */
export function gapBeforeWriting(field: Field, boxChars: string): boolean {
  if (!filledFromTheLeft(field)) return false;
  const empty = [...boxChars].map((c) => c === ' ');
  const lastWritten = empty.lastIndexOf(false);
  return lastWritten > 0 && empty.slice(0, lastWritten).includes(true);
}

/**
 * A decimal's reading (one character a box, ' ' an empty box) with writing in it but its units box or a box of its
 * fraction empty. A crew fills the units and every tenth (0.6 is written 0.6, 36 as 36.0), so such a box most often
 * held a digit lost with a line it was written on (a 7 against the comb's end read "  6" for 7.6, "36 " for 36.7,
 * every box sure): the reader never accepts it, and the review page never offers it as a reading.
 */
export function decimalPartMissing(field: Field, boxChars: string): boolean {
  if (field.type !== 'decimal') return false;
  const chars = [...boxChars];
  if (chars.every((c) => c === ' ')) return false;
  return chars.slice(field.intDigits - 1).some((c) => c === ' ');
}
