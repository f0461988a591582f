// What the group view needs to lay out one field's tiles before it claims them: the crop's size in mm (its aspect
// decides the tile's width) and the longest value a person would see, in characters. The page fits as many tiles
// as a screen holds and claims exactly those, so "confirm the screen" never confirms a tile no one saw.
import { cropZone } from '../template/geometry.ts';
import type { Field } from '../template/schema.ts';

export interface GroupShape {
  type: Field['type'];
  cropMm: { w: number; h: number };
  /** The widest value shown, in characters, as displayValue writes it. */
  valueChars: number;
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
  return { type: field.type, cropMm: { w: Math.round(z.w * 10) / 10, h: Math.round(z.h * 10) / 10 }, valueChars: valueChars(field) };
}
