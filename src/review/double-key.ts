// Double keying: for the fields a trust names (NHS number and date of birth by default), two keyings of the value
// are made independently. A machine reading that passes its own checks (an NHS number's check digit, a real date)
// is the first keying, so one person keys it blind; where the machine had no such reading, two people do. The
// second keyer sees neither the machine's guess nor the first value. A match decides the field; a mismatch goes to
// a person who keyed neither, who sees both. Pure functions over the keyings of one field.
import type { KeyingAction, KeyingRow } from './review-store.ts';
import type { FieldRow } from '../job/record-store.ts';
import { normaliseField, type ReaderOutput } from '../record/normalise.ts';
import type { Field } from '../template/schema.ts';

/** The reviewer id a machine keying carries (the OCR stage's own actor name). */
export const MACHINE_KEYER = 'ocr';

export type Keying = Pick<KeyingRow, 'reviewer' | 'action' | 'value'>;

/** The machine's reading as a first keying, when it normalises to a value with no problem of its own; else null. */
export function machineKeying(field: Field, row: Pick<FieldRow, 'read' | 'verifiedBy'>): Keying | null {
  if (row.verifiedBy !== null || row.read === null || row.read === undefined) return null;
  const r = normaliseField(field, row.read as ReaderOutput);
  if (r.status !== 'value' || r.findings.some((f) => f.severity !== 'note')) return null;
  return { reviewer: MACHINE_KEYER, action: 'key', value: r.value };
}

/** Every keying of a field: the machine's first (when it counts), then the people's in order. */
export function allKeyings(machine: Keying | null, people: readonly Keying[]): Keying[] {
  return machine ? [machine, ...people] : [...people];
}

export const DEFAULT_DOUBLE_KEY_PATHS = ['patient.nhsNumber', 'patient.dateOfBirth'] as const;

/**
 * first: nobody has keyed it yet (the guess is shown); second: one person keyed it, another must key it blind;
 * third: two keyings disagree and a person who keyed neither decides; wait: this reviewer may not act on it now.
 */
export type KeyingStage = 'first' | 'second' | 'third' | 'wait';

export function keyingStage(keyings: readonly Keying[], reviewer: string): KeyingStage {
  const keyers = new Set(keyings.map((k) => k.reviewer));
  if (keyings.length === 0) return 'first';
  if (keyers.has(reviewer)) return 'wait';
  if (keyers.size === 1) return 'second';
  return 'third';
}

export interface Keyed {
  action: KeyingAction;
  value: unknown;
}

/** Two keyings agree when they say the same thing: the same value, or both blank, or both illegible. */
export function keyingsMatch(a: Keyed, b: Keyed): boolean {
  if (a.action !== b.action) return false;
  return a.action !== 'key' || JSON.stringify(a.value) === JSON.stringify(b.value);
}

/** Parse a --double-key option: comma-separated record paths; "none" turns double keying off. */
export function parseDoubleKeyOption(text: string | undefined): string[] {
  if (text === undefined) return [...DEFAULT_DOUBLE_KEY_PATHS];
  if (text.trim().toLowerCase() === 'none') return [];
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}
