// Normalisers by template field type: turn what the reader produced for one field into a typed value for its
// record path, or say why not. Blank (no ink) is kept apart from illegible (ink, but a character unreadable).
//
// Reader output contract:
// - comb fields (digits, capitals, date, time, decimal): a string, one character a box, in box order; a space is an
//   empty box and `?` a box with ink the reader could not read;
// - tick, choice, multi: one OptionState per option box (a tick field has one box);
// - signature: one OptionState (ink or none), or a string (any non-space character means ink);
// - text: the text read (a `?` here is kept as written: crews write "?stroke" for a query).
import type { Field } from '../template/schema.ts';
import { finding, type Finding } from './findings.ts';
import { isValidNhsNumber } from './nhs-number.ts';
import { resolveRecordPath, type LeafInfo, type LeafKind } from './paths.ts';
import { normalisePostcode } from './postcode.ts';
import { isRealDate } from './schema.ts';

export type OptionState = 'empty' | 'ticked' | 'crossed-out' | 'ambiguous';
export type ReaderOutput = string | readonly OptionState[];

/** The result of one low-level normaliser. */
export type Normalised<T> =
  | { status: 'value'; value: T }
  | { status: 'blank' }
  | { status: 'illegible' }
  | { status: 'invalid'; problem: string };

export type FieldStatus = 'value' | 'blank' | 'illegible' | 'invalid';

export interface FieldResult {
  status: FieldStatus;
  /** The value for the record path; for 'invalid' the best reading when there is one (never a corrected guess). */
  value?: unknown;
  findings: Finding[];
}

const UNREADABLE = '?';

/** No ink in any box. */
function isBlank(raw: string): boolean {
  return raw.trim() === '';
}

/** Comb boxes with the empty ones at either end dropped; null when boxes are empty between written ones. */
function contiguous(raw: string): string | null {
  const t = raw.trim();
  return t.includes(' ') ? null : t;
}

export function normaliseDigits(raw: string): Normalised<string> {
  if (isBlank(raw)) return { status: 'blank' };
  if (raw.includes(UNREADABLE)) return { status: 'illegible' };
  const t = contiguous(raw);
  if (t === null) return { status: 'invalid', problem: 'a box between the digits is empty' };
  if (!/^\d+$/.test(t)) return { status: 'invalid', problem: 'it holds something other than digits' };
  return { status: 'value', value: t };
}

/** Capitals comb: upper case, ends trimmed, any run of empty boxes between words becomes one space. */
export function normaliseCapitals(raw: string): Normalised<string> {
  if (isBlank(raw)) return { status: 'blank' };
  if (raw.includes(UNREADABLE)) return { status: 'illegible' };
  return { status: 'value', value: raw.trim().replace(/\s+/g, ' ').toUpperCase() };
}

/** Date comb of 8 boxes DDMMYYYY to ISO YYYY-MM-DD; only real calendar dates. */
export function normaliseDate(raw: string): Normalised<string> {
  if (isBlank(raw)) return { status: 'blank' };
  if (raw.includes(UNREADABLE)) return { status: 'illegible' };
  const d = raw.replace(/\s+/g, '');
  if (!/^\d{8}$/.test(d)) return { status: 'invalid', problem: 'a date needs all eight boxes filled with digits (dd mm yyyy)' };
  const day = Number(d.slice(0, 2));
  const month = Number(d.slice(2, 4));
  const year = Number(d.slice(4));
  if (!isRealDate(year, month, day)) return { status: 'invalid', problem: 'it is not a real calendar date' };
  return { status: 'value', value: `${d.slice(4)}-${d.slice(2, 4)}-${d.slice(0, 2)}` };
}

/** Time comb of 4 boxes HHMM to HH:MM, 00:00 to 23:59. */
export function normaliseTime(raw: string): Normalised<string> {
  if (isBlank(raw)) return { status: 'blank' };
  if (raw.includes(UNREADABLE)) return { status: 'illegible' };
  const d = raw.replace(/\s+/g, '');
  if (!/^\d{4}$/.test(d)) return { status: 'invalid', problem: 'a time needs all four boxes filled with digits (hh mm)' };
  const h = Number(d.slice(0, 2));
  const m = Number(d.slice(2));
  if (h > 23 || m > 59) return { status: 'invalid', problem: 'it is not a 24-hour time between 00:00 and 23:59' };
  return { status: 'value', value: `${d.slice(0, 2)}:${d.slice(2)}` };
}

/**
 * Decimal comb: intDigits boxes, the printed decimal point, fracDigits boxes (raw has exactly that many characters).
 * Whole-number boxes may be left- or right-aligned; fraction boxes are read from the point, so an empty box before a
 * written one is refused rather than guessed.
 */
export function normaliseDecimal(raw: string, intDigits: number, fracDigits: number): Normalised<number> {
  if (isBlank(raw)) return { status: 'blank' };
  if (raw.includes(UNREADABLE)) return { status: 'illegible' };
  if (raw.length !== intDigits + fracDigits) {
    return { status: 'invalid', problem: `expected ${intDigits + fracDigits} boxes but the reading has ${raw.length}` };
  }
  const intPart = contiguous(raw.slice(0, intDigits));
  if (intPart === null) return { status: 'invalid', problem: 'a box between the digits is empty' };
  const fracRaw = raw.slice(intDigits);
  const fracPart = fracRaw.trimEnd();
  if (fracPart.includes(' ')) return { status: 'invalid', problem: 'a box after the decimal point is empty before a written digit' };
  if (!/^\d*$/.test(intPart) || !/^\d*$/.test(fracPart)) {
    return { status: 'invalid', problem: 'it holds something other than digits' };
  }
  const value = Number(`${intPart || '0'}.${fracPart || '0'}`);
  return { status: 'value', value };
}

export type ChoiceResult<V> =
  | { status: 'value'; value: V; findings: Finding[] }
  | { status: 'blank'; findings: Finding[] }
  | { status: 'illegible' | 'invalid'; findings: Finding[] };

/**
 * One answer from a row of boxes, as queXF and SDAPS do it: exactly one ticked (crossed-out boxes ignored) gives
 * its value; none ticked is blank; several ticked, or any box unclear, needs a person.
 */
export function resolveChoice<V>(
  states: readonly OptionState[],
  values: readonly V[],
  field: { label: string; path: string } = { label: 'This question', path: '' },
): ChoiceResult<V> {
  const paths = field.path ? [field.path] : [];
  const notes: Finding[] = states.includes('crossed-out') ? [finding('choice-crossed-out', paths, { field: field.label })] : [];
  if (states.includes('ambiguous')) {
    return { status: 'illegible', findings: [...notes, finding('choice-ambiguous', paths, { field: field.label })] };
  }
  const ticked = states.flatMap((s, i) => (s === 'ticked' ? [i] : []));
  // A box filled in with nothing else ticked may be a crossing-out or a tick made by filling the box: a person says.
  if (ticked.length === 0 && states.includes('crossed-out')) {
    return { status: 'illegible', findings: [finding('choice-ambiguous', paths, { field: field.label })] };
  }
  if (ticked.length === 0) return { status: 'blank', findings: notes };
  if (ticked.length > 1) {
    const names = ticked.map((i) => String(values[i])).join(', ');
    return { status: 'invalid', findings: [...notes, finding('choice-several-ticked', paths, { field: field.label, ticked: names })] };
  }
  return { status: 'value', value: values[ticked[0]!] as V, findings: notes };
}

/** Several answers allowed: every ticked box counts; an unclear box needs a person. */
export function resolveMulti<V>(
  states: readonly OptionState[],
  values: readonly V[],
  field: { label: string; path: string } = { label: 'This question', path: '' },
): ChoiceResult<V[]> {
  const paths = field.path ? [field.path] : [];
  const notes: Finding[] = states.includes('crossed-out') ? [finding('choice-crossed-out', paths, { field: field.label })] : [];
  if (states.includes('ambiguous')) {
    return { status: 'illegible', findings: [...notes, finding('choice-ambiguous', paths, { field: field.label })] };
  }
  const chosen = states.flatMap((s, i) => (s === 'ticked' ? [values[i] as V] : []));
  if (chosen.length === 0 && states.includes('crossed-out')) {
    return { status: 'illegible', findings: [finding('choice-ambiguous', paths, { field: field.label })] };
  }
  if (chosen.length === 0) return { status: 'blank', findings: notes };
  return { status: 'value', value: chosen, findings: notes };
}

// C0 controls but tab and line feed, DEL and C1 controls; comb fields allow neither.
const TEXT_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const COMB_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// A letters-only name: letters (any script), with the space, hyphen and apostrophe names carry (O'NEILL, AL-SAYED),
// first and last a letter: "HAL-" is HALL with its last L read as a hyphen.
const LETTERS_ONLY = /^\p{L}([\p{L} '\u2019-]*\p{L})?$/u;

/**
 * Whether a dose as read has the shape of one: an amount (with its point between two digits: 2.5, never .5 or 2.)
 * then its unit (2.5MG, 500MCG, 1G) or a ratio (50/50), with no gap inside the amount and no digit inside the unit.
 * "2 5MG" is 2.5MG with its point lost, "5M6" 5MG with its G read as a 6, a lone "." a speck: none is a dose, so a
 * person reads the paper.
 */
export function looksLikeDose(v: string): boolean {
  return /\d/.test(v) && !/\d \d/.test(v) && !/(^|[^\d])\.|\.($|[^\d])/.test(v) && !/[A-Z]\d/.test(v);
}

/** A temperature this high is almost surely Fahrenheit (DOMAIN.md). */
export function looksFahrenheit(t: number): boolean {
  return t >= 95 && t <= 110;
}

/**
 * Normalise one field's reading into a value for its record path. The leaf kind comes from the record schema
 * (resolveRecordPath) unless given.
 */
export function normaliseField(field: Field, read: ReaderOutput, leafKind?: LeafKind): FieldResult {
  const leaf = resolveRecordPath(field.path);
  const kind = leafKind ?? leaf?.kind ?? 'string';
  const paths = [field.path];
  const label = field.label;

  if (field.type === 'tick' || field.type === 'choice' || field.type === 'multi') {
    if (typeof read === 'string') return invalidShape(field, 'a row of tick-box states');
    if (field.type === 'tick') {
      const r = resolveChoice(read.slice(0, 1), [true], field);
      return fromChoice(r);
    }
    const values = field.options.map((o) => o.value);
    if (read.length !== values.length) return invalidShape(field, `${values.length} tick-box states`);
    const r = field.type === 'choice' ? resolveChoice(read, values, field) : resolveMulti(read, values, field);
    return fromChoice(r);
  }

  if (field.type === 'signature') {
    const inked = typeof read === 'string' ? !isBlank(read) : read.some((s) => s !== 'empty');
    return inked ? { status: 'value', value: true, findings: [] } : { status: 'blank', findings: [] };
  }

  if (typeof read !== 'string') return invalidShape(field, 'a string of characters');
  // Control characters (NUL, BEL, ESC, DEL, C1...) never become part of a value: they would be written raw into
  // the records CSV and the FHIR batch. Free text may keep line breaks and tabs; nothing else may.
  const control = field.type === 'text' ? TEXT_CONTROL : COMB_CONTROL;
  if (control.test(read)) {
    return {
      status: 'invalid',
      findings: [finding('field-invalid', paths, { field: label, read: 'a control character', expected: 'plain text' })],
    };
  }

  if (field.type === 'text') {
    if (isBlank(read)) return { status: 'blank', findings: [] };
    const value = read.trim().replace(/[ \t]+/g, ' ');
    return checkAgainstSchema(value, field, leaf, read);
  }

  let n: Normalised<string | number>;
  switch (field.type) {
    case 'digits':
      n = normaliseDigits(read);
      break;
    case 'capitals':
      n = normaliseCapitals(read);
      break;
    case 'date':
      n = normaliseDate(read);
      break;
    case 'time':
      n = normaliseTime(read);
      break;
    case 'decimal':
      n = normaliseDecimal(read, field.intDigits, field.fracDigits);
      break;
  }

  if (n.status === 'blank') return { status: 'blank', findings: [] };
  if (n.status === 'illegible') {
    return { status: 'illegible', findings: [finding('field-illegible', paths, { field: label })] };
  }
  if (n.status === 'invalid') {
    const code = field.type === 'date' && /^\d{8}$/.test(read.replace(/\s+/g, '')) ? 'date-not-real'
      : field.type === 'time' && /^\d{4}$/.test(read.replace(/\s+/g, '')) ? 'time-not-real'
      : 'field-invalid';
    return {
      status: 'invalid',
      findings: [finding(code, paths, { field: label, read: shown(read), expected: `a valid ${field.type}: ${n.problem}` })],
    };
  }

  if (field.type === 'capitals' && field.charset === 'letters' && typeof n.value === 'string' && !LETTERS_ONLY.test(n.value)) {
    return {
      status: 'invalid',
      findings: [finding('field-invalid', paths, { field: label, read: shown(read), expected: "letters only (with spaces, hyphens and apostrophes)" })],
    };
  }

  if (field.type === 'capitals' && field.charset === 'dose' && typeof n.value === 'string' && !looksLikeDose(n.value)) {
    return {
      status: 'invalid',
      findings: [finding('field-invalid', paths, { field: label, read: shown(read), expected: 'a dose: an amount and its unit (2.5MG, 500MCG, 1G) or a ratio (50/50)' })],
    };
  }

  let value: string | number = n.value;
  const isNhsNumber = field.path.endsWith('nhsNumber');
  const isPostcode = field.path.endsWith('postcode');
  const isTemperature = /(^|\.)temperature$/.test(field.path);

  if (isNhsNumber && typeof value === 'string') {
    if (value.length !== 10) {
      return { status: 'invalid', value, findings: [finding('nhs-number-length', paths, { count: value.length })] };
    }
    if (!isValidNhsNumber(value)) return { status: 'invalid', value, findings: [finding('nhs-check-digit', paths)] };
  }

  if (isPostcode && typeof value === 'string') {
    const p = normalisePostcode(value);
    if (!p.value) {
      return {
        status: 'invalid',
        findings: [finding('postcode-invalid', paths, { field: label, read: value, reason: p.problem ?? 'unknown' })],
      };
    }
    if (p.fixes.length) {
      const reason = p.fixes
        .map((f) => `position ${f.position} must be a ${/\d/.test(f.to) ? 'digit' : 'letter'}, so "${f.from}" was taken as "${f.to}"`)
        .join('; ');
      const r = checkAgainstSchema(p.value, field, leaf, read);
      return { ...r, findings: [finding('postcode-fixed', paths, { field: label, read: value, value: p.value, reason }), ...r.findings] };
    }
    if (p.ambiguous?.length) {
      const reason = p.ambiguous.map((a) => `position ${a.position} may be "${a.read}" or "${a.other}" (${a.otherValue})`).join('; ');
      const r = checkAgainstSchema(p.value, field, leaf, read);
      return { ...r, findings: [finding('postcode-ambiguous', paths, { field: label, read: value, value: p.value, reason }), ...r.findings] };
    }
    value = p.value;
  }

  if (kind === 'number' && typeof value === 'string') value = Number(value);
  if (kind === 'enum' && leaf?.options && typeof value === 'string') {
    const match = leaf.options.find((o) => String(o).toUpperCase() === String(value).toUpperCase());
    if (match === undefined) {
      return {
        status: 'invalid',
        value,
        findings: [finding('field-invalid', paths, { field: label, read: shown(read), expected: `one of ${leaf.options.join(', ')}` })],
      };
    }
    return { status: 'value', value: match, findings: [] };
  }

  if (isTemperature && typeof value === 'number' && looksFahrenheit(value)) {
    // Flag, never convert: the reader may be wrong, and a person decides.
    return { status: 'invalid', value, findings: [finding('temperature-fahrenheit', paths, { field: label, value })] };
  }
  return checkAgainstSchema(value, field, leaf, read);
}

/** The schema's own check (ranges, patterns); out of range numbers keep the reading for the reviewer. */
function checkAgainstSchema(value: string | number, field: Field, leaf: LeafInfo | null, read: string): FieldResult {
  if (!leaf) return { status: 'value', value, findings: [] };
  const parsed = leaf.schema.safeParse(value);
  if (parsed.success) return { status: 'value', value: parsed.data, findings: [] };
  const paths = [field.path];
  if (typeof value === 'number') {
    const s = leaf.schema as unknown as { minValue?: number | null; maxValue?: number | null };
    const outside = (s.minValue != null && value < s.minValue) || (s.maxValue != null && value > s.maxValue);
    if (outside) {
      return {
        status: 'invalid',
        value,
        findings: [finding('field-out-of-range', paths, { field: field.label, value, min: s.minValue ?? '-', max: s.maxValue ?? '-' })],
      };
    }
  }
  const expected = parsed.error.issues[0]?.message ?? 'value';
  return { status: 'invalid', value, findings: [finding('field-invalid', paths, { field: field.label, read: shown(read), expected })] };
}

function fromChoice(r: ChoiceResult<unknown>): FieldResult {
  return r.status === 'value' ? { status: 'value', value: r.value, findings: r.findings } : { status: r.status, findings: r.findings };
}

function invalidShape(field: Field, wanted: string): FieldResult {
  return {
    status: 'invalid',
    findings: [finding('field-invalid', [field.path], { field: field.label, read: 'reader output of the wrong shape', expected: `what was expected (${wanted})` })],
  };
}

/** The reading as a person would see the boxes: empty boxes as underscores. */
function shown(read: string): string {
  return read.replace(/ /g, '_');
}

