// What a reviewer types, turned into a value for the field's record path, by the same normalisers the machine's
// reading goes through (so a typed value passes exactly the checks a read one would). Pure functions.
import { normaliseField, type OptionState } from '../record/normalise.ts';
import { formatNhsNumber } from '../record/nhs-number.ts';
import { resolveRecordPath } from '../record/paths.ts';
import type { Field } from '../template/schema.ts';

export type TypedResult =
  | { ok: true; kind: 'value'; value: unknown }
  /** The reviewer typed "no" for a tick box or signature: nothing is on the form. */
  | { ok: true; kind: 'blank' }
  | { ok: false; message: string };

const YES = new Set(['y', 'yes', 'true', '1', 'x', 'ticked', 'signed']);
const NO = new Set(['n', 'no', 'false', '0', 'empty', 'unsigned']);

const fail = (message: string): TypedResult => ({ ok: false, message });

/**
 * Where the person is typing: the page names its keys, the corrections CSV names its decision column. The CSV's
 * problems are printed on a console, so its wording never quotes what was typed.
 */
export type Wording = 'page' | 'csv';

const WORDS: Record<Wording, { blank: string; illegible: string }> = {
  page: { blank: 'use "Blank on form" (Alt+B)', illegible: 'use "Illegible" (Alt+I)' },
  csv: { blank: 'use the decision blank', illegible: 'use the decision illegible' },
};

/** A typed date (12/03/1951, 12.03.1951, 12 03 1951, 12031951, or 1951-03-12) as the comb's DDMMYYYY. */
/** Findings about how a machine read characters, which a person's typing settles. */
const PERSON_SETTLES = new Set(['postcode-ambiguous']);

export function typedDateBoxes(text: string): string | null {
  const t = text.trim();
  let m = /^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$/.exec(t);
  if (m) return m[1]!.padStart(2, '0') + m[2]!.padStart(2, '0') + m[3];
  if (/^\d{8}$/.test(t)) return t;
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) return m[3]! + m[2]! + m[1]!;
  return null;
}

/** A typed time (0930, 09:30, 9:30, 09.30, 930) as the comb's HHMM. */
export function typedTimeBoxes(text: string): string | null {
  const m = /^(\d{1,2})[:.]?(\d{2})$/.exec(text.trim());
  return m ? m[1]!.padStart(2, '0') + m[2]! : null;
}

function optionIndex(options: readonly { value: unknown; label: string }[], word: string): number {
  const w = word.trim().toLowerCase();
  if (/^\d+$/.test(w) && !options.some((o) => String(o.value).toLowerCase() === w)) {
    const i = Number(w) - 1;
    return i >= 0 && i < options.length ? i : -1;
  }
  return options.findIndex((o) => String(o.value).toLowerCase() === w || o.label.toLowerCase() === w);
}

function optionList(options: readonly { value: unknown; label: string }[]): string {
  return options.map((o, i) => `${i + 1} ${String(o.value)}`).join(', ');
}

// The normalisers' problems in words that never quote the value (their own messages do, for the page).
const CSV_PROBLEM: Record<string, string> = {
  'field-invalid': 'the value is not one this field can hold',
  'field-out-of-range': 'the value is outside the range this field allows',
  'date-not-real': 'the value is not a real calendar date (dd/mm/yyyy)',
  'time-not-real': 'the value is not a real 24-hour time (00:00 to 23:59)',
  'postcode-invalid': 'the value is not a valid UK postcode',
  'postcode-fixed': 'the value is not a valid UK postcode as typed',
  'nhs-check-digit': "the NHS number's check digit is wrong",
  'nhs-number-length': 'an NHS number has ten digits',
  'temperature-fahrenheit': 'the temperature looks like Fahrenheit: type it in degrees Celsius',
};

/** Normalise what a reviewer typed for a field; a clear message when it cannot be a value of that field. */
export function parseTyped(field: Field, text: string, wording: Wording = 'page'): TypedResult {
  const w = WORDS[wording];
  const nothing = `Nothing was typed. If the form is blank here, ${w.blank}.`;
  const cannotRead = `If you cannot read it, ${w.illegible}.`;
  const t = text.trim();
  if (t === '') return fail(nothing);
  let raw: string | OptionState[];
  switch (field.type) {
    case 'date': {
      const boxes = typedDateBoxes(t);
      if (!boxes) return fail('Type a date as dd/mm/yyyy, for example 12/03/1951.');
      raw = boxes;
      break;
    }
    case 'time': {
      const boxes = typedTimeBoxes(t);
      if (!boxes) return fail('Type a 24-hour time as hh:mm or hhmm, for example 09:30.');
      raw = boxes;
      break;
    }
    case 'decimal': {
      const m = /^(\d+)(?:\.(\d*))?$/.exec(t);
      if (!m) return fail('Type a number, for example 36.8.');
      // "53" for a glucose of 5.3 is the commonest slip. Where the value with the point before its last digit(s)
      // is also one the field allows, ask rather than guess (a temperature of 37 is not in doubt: 3.7 is impossible).
      const whole = m[1]!.replace(/^0+(?=\d)/, '');
      if (m[2] === undefined && field.fracDigits > 0 && whole.length >= 2) {
        const asFrac = `${whole.slice(0, -field.fracDigits) || '0'}.${whole.slice(-field.fracDigits)}`;
        if (resolveRecordPath(field.path)?.schema.safeParse(Number(asFrac)).success) {
          return fail(`Type the decimal point: is it ${asFrac} or ${whole}.${'0'.repeat(field.fracDigits)}?`);
        }
      }
      const [int, frac = ''] = [m[1]!.replace(/^0+(?=\d)/, ''), m[2] ?? ''];
      const fracTrim = frac.replace(/0+$/, '');
      if (int.length > field.intDigits || fracTrim.length > field.fracDigits) {
        return fail(`This field holds at most ${field.intDigits} digit(s) before the point and ${field.fracDigits} after it.`);
      }
      raw = int.padStart(field.intDigits, ' ') + fracTrim.padEnd(field.fracDigits, ' ');
      break;
    }
    case 'digits': {
      const d = t.replace(/[\s-]+/g, '');
      if (d.includes('?')) return fail(cannotRead);
      if (!/^\d+$/.test(d)) return fail('Type digits only.');
      if (d.length > field.boxes) return fail(`This field has ${field.boxes} boxes; ${d.length} digits were typed.`);
      raw = d;
      break;
    }
    case 'capitals':
      if (t.includes('?')) return fail(cannotRead);
      raw = t.toUpperCase();
      break;
    case 'text':
      raw = t;
      break;
    case 'tick':
    case 'signature': {
      const w = t.toLowerCase();
      if (YES.has(w)) raw = ['ticked'];
      else if (NO.has(w)) return { ok: true, kind: 'blank' };
      else return fail('Type y (ticked / signed) or n (not ticked / not signed).');
      break;
    }
    case 'choice': {
      const i = optionIndex(field.options, t);
      if (i < 0) return fail(`Choose one of: ${optionList(field.options)}.`);
      raw = field.options.map((_, j) => (j === i ? 'ticked' : 'empty'));
      break;
    }
    case 'multi': {
      const words = t.split(/[,;]+/).map((w) => w.trim()).filter(Boolean);
      const idx = words.map((w) => optionIndex(field.options, w));
      const bad = words.filter((_, k) => idx[k]! < 0);
      if (bad.length) {
        const which = wording === 'csv' ? `${bad.length} of the words typed` : bad.join(', ');
        return fail(`Not an option: ${which}. Choose from: ${optionList(field.options)} (separate with commas).`);
      }
      raw = field.options.map((_, j) => (idx.includes(j) ? 'ticked' : 'empty'));
      break;
    }
  }
  const r = normaliseField(field, raw);
  // A letter/digit confusion the machine's reading may hold (S or 5 where both are allowed) is no doubt about what a
  // person typed: they read the paper, so their postcode is taken as typed.
  const problem = r.findings.find((f) => f.severity !== 'note' && !PERSON_SETTLES.has(f.code));
  if (r.status === 'value' && !problem) return { ok: true, kind: 'value', value: r.value };
  if (r.status === 'blank') return fail(nothing);
  if (r.status === 'illegible') return fail(cannotRead);
  // A finding's message may quote the value (a postcode, a date of birth): the CSV report names the check instead.
  if (wording === 'csv') return fail(CSV_PROBLEM[problem?.code ?? ''] ?? `the value does not pass the ${field.type} check${problem ? ` (${problem.code})` : ''}`);
  return fail(problem?.message ?? `This is not a valid ${field.type}.`);
}

/** A stored value as a reviewer would type it: dates dd/mm/yyyy, NHS numbers 3-3-4, lists with commas. */
export function displayValue(field: Pick<Field, 'type' | 'path'>, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (field.type === 'date' && typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
  }
  if ((field.type === 'tick' || field.type === 'signature') && typeof value === 'boolean') return value ? 'y' : 'n';
  if (field.path.endsWith('nhsNumber') && typeof value === 'string') return formatNhsNumber(value);
  return String(value);
}

/** How an empty box of a number comb shows in a reading the machine could not make a value of. */
export const EMPTY_BOX = '_';

/**
 * A number comb's raw reading (one character a box, a space for an empty box) laid out as its value would be shown:
 * a time hh:mm, a date dd/mm/yyyy, grouped digits (an NHS number) 3 3 4, with every box in its place, an empty one
 * before a written one as EMPTY_BOX. So what the tile shows lines up box for box with the form (a time read 7059 is
 * 70:59, one character from 10:59, and 827 read with its first box empty is _8:27, not a time of 08:27), and
 * overtype (F2) puts the typed character in the box it means. Digits are written from the left: empty boxes after
 * the last written one are not shown. Null when the reading is not one character a box of a number comb.
 */
export function combReadingText(field: Field, rawText: string): string | null {
  const groups = field.type === 'digits' ? (field.groups ?? [field.boxes]) : field.type === 'time' ? [2, 2] : field.type === 'date' ? [2, 2, 4] : null;
  if (!groups) return null;
  const n = groups.reduce((a, b) => a + b, 0);
  const chars = [...rawText];
  if (chars.length !== n || chars.every((c) => c === ' ')) return null;
  let last = n;
  if (field.type === 'digits') while (chars[last - 1] === ' ') last--;
  const sep = field.type === 'time' ? ':' : field.type === 'date' ? '/' : ' ';
  let out = '';
  let at = 0;
  for (const g of groups) {
    if (at >= last) break;
    if (at > 0) out += sep;
    out += chars.slice(at, Math.min(at + g, last)).map((c) => (c === ' ' ? EMPTY_BOX : c)).join('');
    at += g;
  }
  return out;
}

/**
 * What the input box starts with: the machine's value, else its raw reading of a number comb laid out box for box
 * (combReadingText), of capitals or text (never option states).
 */
export function guessText(field: Field, value: unknown, rawText: string): string {
  if (value !== null && value !== undefined) return displayValue(field, value);
  if (['tick', 'choice', 'multi', 'signature'].includes(field.type)) return '';
  return combReadingText(field, rawText) ?? rawText.trim().replace(/\s+/g, ' ');
}
