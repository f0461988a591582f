// The machine's next readings of a comb field, offered to the reviewer one key away. The box classifier keeps each
// box's alternatives; where its best reading is wrong, its second or third whole reading is often right (in the
// bench corpus about half the wrong digits, times and names); a postcode's letter and digit classes give more.
// Only readings that are values of the field (they normalise and pass the field's schema, as a typed value must)
// are offered, and never one as the machine's value.
// Pure: the field and its stored row in, the readings out.
import type { FieldRow } from '../job/record-store.ts';
import { nBest, type BoxAlternatives } from '../record/evidence.ts';
import { normaliseField } from '../record/normalise.ts';
import { combCharacters, decimalPartMissing, isComb } from '../template/geometry.ts';
import type { Field } from '../template/schema.ts';
import { normalisePostcode } from '../record/postcode.ts';
import { displayValue, guessText, parseTyped } from './input.ts';

/** At most this many readings are offered (one key each: Alt+A, Alt+S). */
export const OFFERED_MAX = 2;
/** A reading is offered only when the classifier gives it at least this fraction of its best reading's probability:
 * fainter ones are combinations it never meant (in the bench corpus, 95% of the right ones are above 1/100). */
export const OFFERED_MIN_RATIO = 0.001;

export interface OfferedReading {
  /** As the page shows it and a person would type it (dd/mm/yyyy, 3-3-4, hh:mm). */
  text: string;
  /** The value it puts in the record. */
  value: unknown;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A postcode's readings by its letter and digit classes, as the postcode check found them: the reading with every
 * confusable character put in its class where the district list does not confirm the district (P030 8YG is PO30
 * 8YG), and each valid postcode one confusable character away from the value (P08 5DE or PO8 5DE). Only those a
 * person could type as they stand.
 */
function postcodeReadings(field: Field, row: Pick<FieldRow, 'value' | 'rawText'>): OfferedReading[] {
  if (!field.path.endsWith('postcode')) return [];
  const fixed = normalisePostcode(row.rawText).unconfirmedFix;
  const value = typeof row.value === 'string' ? row.value : null;
  const near = value ? (normalisePostcode(value).ambiguous ?? []).map((a) => a.otherValue) : [];
  const out: OfferedReading[] = [];
  for (const text of fixed ? [fixed, ...near] : near) {
    const t = parseTyped(field, text);
    if (t.ok && t.kind === 'value') out.push({ text: displayValue(field, t.value), value: t.value });
  }
  return out;
}

/**
 * The machine's next valid readings of a comb field, best first: a postcode's readings by its letter and digit
 * classes, then the box classifier's next whole readings; empty for fields with neither.
 */
export function nextReadings(field: Field, row: Pick<FieldRow, 'alternatives' | 'value' | 'rawText'>): OfferedReading[] {
  // Nothing that looks the same as what the tile already shows (a value the machine held back as invalid).
  const shown = guessText(field, row.value, row.rawText);
  const out: OfferedReading[] = [];
  for (const r of postcodeReadings(field, row)) {
    if (out.length >= OFFERED_MAX || same(r.value, row.value) || r.text === shown || out.some((o) => same(o.value, r.value))) continue;
    out.push(r);
  }
  if (!Array.isArray(row.alternatives) || row.alternatives.length === 0) return out;
  const cands = nBest(row.alternatives as BoxAlternatives[]);
  const top = cands[0]?.p ?? 0;
  for (const c of cands) {
    if (out.length >= OFFERED_MAX || top <= 0 || c.p < OFFERED_MIN_RATIO * top) break;
    // A decimal reading with its units or a tenth empty is a digit lost, not a value to offer (36 for 36.9).
    if (decimalPartMissing(field, c.text)) continue;
    const r = normaliseField(field, c.text);
    if (r.status !== 'value' || r.findings.some((f) => f.severity !== 'note')) continue;
    const text = displayValue(field, r.value);
    if (same(r.value, row.value) || text === shown || out.some((o) => same(o.value, r.value))) continue;
    out.push({ text, value: r.value });
  }
  return out;
}

/**
 * Where, in the value a comb field's tile shows, the character the box classifier was least sure of sits: where
 * editing the machine's reading puts its overtype cursor first (a person still sees, and may move to, every box).
 * Null without box alternatives, or when the shown value's characters do not line up one to one with its boxes.
 */
export function leastSureAt(field: Field, row: Pick<FieldRow, 'alternatives' | 'value' | 'rawText'>): number | null {
  if (!isComb(field) || !Array.isArray(row.alternatives) || row.alternatives.length === 0) return null;
  const shown = guessText(field, row.value, row.rawText);
  const boxes = combCharacters(field, shown);
  const filled = boxes.flatMap((c, i) => (c === '' ? [] : [i]));
  // The shown characters that sit in boxes: for capitals all but spaces; for numbers not their separators.
  const sep = field.type === 'capitals' ? /\s/ : /[\s.:/-]/;
  const at = [...shown].flatMap((c, j) => (sep.test(c) ? [] : [j]));
  if (!filled.length || filled.length !== at.length) return null;
  const alts = row.alternatives as BoxAlternatives[];
  let worst = 0;
  for (let k = 1; k < filled.length; k++) if ((alts[filled[k]!]?.[0]?.p ?? 0) < (alts[filled[worst]!]?.[0]?.p ?? 0)) worst = k;
  return at[worst]!;
}
