// What the group view needs to lay out one field's tiles before it claims them: the crop's size in mm (its aspect
// decides the tile's width) and the longest value a person would see, in characters. The page fits as many tiles
// as a screen holds and claims exactly those, so "confirm the screen" never confirms a tile no one saw.
import { cropZone, isComb } from '../template/geometry.ts';
import type { FieldRow } from '../job/record-store.ts';
import type { Field } from '../template/schema.ts';
import { guessText } from './input.ts';

export interface GroupShape {
  type: Field['type'];
  cropMm: { w: number; h: number };
  /** The widest value shown, in characters, as displayValue writes it. */
  valueChars: number;
  /** Comb fields: tiles may print the machine's next readings beside the value (room is kept for them). */
  readings: boolean;
}

function valueChars(field: Field): number {
  if (field.path.endsWith('nhsNumber')) return 12; // 999 123 4567
  switch (field.type) {
    case 'digits':
    case 'capitals':
      return field.boxes;
    case 'date':
      return 10;
    case 'time':
      return 5;
    case 'decimal':
      return field.intDigits + 1 + field.fracDigits;
    case 'choice':
    case 'multi':
      return Math.max(...field.options.map((o) => String(o.value).length));
    case 'tick':
    case 'signature':
      return 1;
    case 'text':
      return 40;
  }
}

export function groupShape(field: Field): GroupShape {
  const z = cropZone(field);
  return { type: field.type, cropMm: { w: Math.round(z.w * 10) / 10, h: Math.round(z.h * 10) / 10 }, valueChars: valueChars(field), readings: isComb(field) };
}

const readable = (v: unknown) => v !== null && v !== undefined;

/**
 * The order of a group's tiles, so the odd one stands out: by the machine's value, as numbers where the values are
 * numbers (7, 10, 67), dates by date; the ones with no value (an unreadable "10?", nothing read) together after all
 * the others, in the order of what was read; then by row id, so the order is stable.
 */
export function groupOrder(field: Field): (a: Pick<FieldRow, 'id' | 'value' | 'rawText'>, b: Pick<FieldRow, 'id' | 'value' | 'rawText'>) => number {
  // Stored strings sort as stored (an ISO date sorts by date, not by its dd/mm/yyyy day); the rest as shown.
  const text = (r: Pick<FieldRow, 'value' | 'rawText'>) => (typeof r.value === 'string' ? r.value : guessText(field, r.value, r.rawText));
  return (a, b) => {
    const ra = readable(a.value);
    const rb = readable(b.value);
    if (ra !== rb) return ra ? -1 : 1;
    const byValue = typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : text(a).localeCompare(text(b), 'en', { numeric: true });
    return byValue || a.id - b.id;
  };
}
