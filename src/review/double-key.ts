// Double keying: for the fields a trust names (NHS number and date of birth by default), two people key the value
// independently; the second sees neither the machine's guess nor the first value. A match decides the field; a
// mismatch goes to a third person, who sees both keyings. Pure functions over the keyings of one field.
import type { KeyingAction, KeyingRow } from '../job/store.ts';

export const DEFAULT_DOUBLE_KEY_PATHS = ['patient.nhsNumber', 'patient.dateOfBirth'] as const;

/**
 * first: nobody has keyed it yet (the guess is shown); second: one person keyed it, another must key it blind;
 * third: two keyings disagree and a person who keyed neither decides; wait: this reviewer may not act on it now.
 */
export type KeyingStage = 'first' | 'second' | 'third' | 'wait';

export function keyingStage(keyings: readonly Pick<KeyingRow, 'reviewer' | 'action' | 'value'>[], reviewer: string): KeyingStage {
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
