// Ground truth for a synthetic form: what was written on it, what should have been, the writer errors between the
// two, what a perfect reader returns for every template field, and where the form's pages ended up as images.
// One JSON file per form serial; the benchmark and the end-to-end tests read against it. docs/truth-format.md
// describes the format for people.
import { mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { getAtPath } from '../record/paths.ts';
import { PrfRecord } from '../record/schema.ts';
import { combCharacters } from '../template/geometry.ts';
import { FIELD_TYPES, type Field, type Template } from '../template/schema.ts';
import { WriterErrorSchema, type WriterError } from './writer-errors.ts';

export const TRUTH_SCHEMA_VERSION = 1;

/**
 * What a perfect reader returns for one field:
 * - comb fields (digits, capitals, date, time, decimal): the characters in the boxes, left to right, as one string
 *   with a space for an empty box (a date DDMMYYYY, a time HHMM, a decimal its integer then fraction boxes);
 *   null when every box is empty;
 * - choice: the value of the option ticked (string, number or boolean as the template gives it), or null;
 * - multi: the values of the options ticked, in the template's option order ([] when none);
 * - tick and signature: whether the box is ticked / the signature is there;
 * - text: the text as written (lines separated by "\n"), or null when blank.
 */
export const WrittenValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number(), z.boolean()])),
  z.null(),
]);
export type WrittenValue = z.infer<typeof WrittenValue>;

export const COMB_CORRECTION_KINDS = ['overwrite', 'scribbled-out'] as const;

/**
 * A comb box the writer corrected. `written` stays the character meant; this says the box shows more than that, so
 * a reader must send the field to a person rather than accept a confident reading of it.
 */
export const CombCorrection = z.object({
  /** Index of the corrected box in the comb, 0-based, left to right (the position in `written`). */
  box: z.number().int().min(0),
  /** overwrite: the right character written over the wrong one in the same box; scribbled-out: the wrong one
   * scribbled out in the box and the right one written just outside it. */
  kind: z.enum(COMB_CORRECTION_KINDS),
  /** The wrong character written first. */
  struck: z.string().length(1),
  /** Where the right character went, for scribbled-out: above the box, or to the side of the comb. */
  rewritten: z.enum(['above', 'side']).optional(),
});
export type CombCorrection = z.infer<typeof CombCorrection>;

export const FieldTruth = z.object({
  /** The record path the field fills (from the template). */
  path: z.string().min(1),
  type: z.enum(FIELD_TYPES),
  written: WrittenValue,
  /** Set when one of the field's comb boxes was corrected on the paper (see CombCorrection). */
  correction: CombCorrection.optional(),
});
export type FieldTruth = z.infer<typeof FieldTruth>;

/** One page of the form as an image file; filled in by the image writer. */
export const PageTruth = z.object({
  /** The template page number printed on this sheet (1-based). */
  page: z.number().int().min(1),
  /** Image file, relative to the truth file's folder. */
  file: z.string().min(1),
  /** Index of the page within that file (0-based; multi-page TIFF and PDF hold several). */
  pageIndex: z.number().int().min(0),
  /** How far the page was turned clockwise when scanned. */
  rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]),
  /** A blank reverse side scanned as its own image right after this page. */
  blankBack: z.boolean().optional(),
});
export type PageTruth = z.infer<typeof PageTruth>;

/** The record as written: the record schema's shape, though a planted writer error may break one of its rules. */
const RecordAsWritten = z.custom<PrfRecord>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'a record object');

export const GroundTruth = z
  .object({
    schemaVersion: z.literal(TRUTH_SCHEMA_VERSION),
    serial: z.string().regex(/^\d{1,9}$/),
    templateId: z.string().min(1),
    templateVersion: z.number().int().min(1),
    /** The seed the batch was generated from (with the serial, enough to generate this form again). */
    seed: z.union([z.number(), z.string()]),
    /** Name of the scan degradation profile the pages were rendered with. */
    profile: z.string().min(1),
    /** The record as the crew wrote it, planted writer errors included. */
    record: RecordAsWritten,
    /** The record as it should have been written: a valid ePR record. */
    intendedRecord: PrfRecord,
    writerErrors: z.array(WriterErrorSchema),
    /** Per template field id: what a perfect reader returns from the paper. */
    fields: z.record(z.string(), FieldTruth),
    pages: z.array(PageTruth),
  })
  .superRefine((t, ctx) => {
    for (const [id, f] of Object.entries(t.fields)) {
      if (!f.correction) continue;
      const meant = typeof f.written === 'string' ? [...f.written][f.correction.box] : undefined;
      if (!meant || meant === ' ') ctx.addIssue({ code: 'custom', path: ['fields', id, 'correction', 'box'], message: 'a corrected box must hold a written character' });
      else if (meant === f.correction.struck) ctx.addIssue({ code: 'custom', path: ['fields', id, 'correction', 'struck'], message: 'the struck character is the one meant' });
    }
    if (t.record.formSerial !== t.serial || t.intendedRecord.formSerial !== t.serial) {
      ctx.addIssue({ code: 'custom', path: ['serial'], message: 'serial differs from the records\' formSerial' });
    }
    const errorPaths = new Set(t.writerErrors.map((e) => e.path));
    // The written record may break the record schema only where a writer error was planted.
    const parsed = PrfRecord.safeParse(t.record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const at = recordPathOf(issue.path as PropertyKey[]);
        if (!errorPaths.has(at)) ctx.addIssue({ code: 'custom', path: ['record', ...(issue.path as (string | number)[])], message: issue.message });
      }
    }
    // Record and intended record differ exactly where a writer error says so.
    for (const at of differingLeaves(t.record, t.intendedRecord)) {
      if (!errorPaths.has(at)) ctx.addIssue({ code: 'custom', path: ['record'], message: `record differs from intendedRecord at ${at}, which no writer error explains` });
    }
    t.writerErrors.forEach((e, i) => {
      if (!isDeepStrictEqual(getAtPath(t.record, e.path), e.written)) {
        ctx.addIssue({ code: 'custom', path: ['writerErrors', i, 'written'], message: `record has a different value at ${e.path}` });
      }
      if (!isDeepStrictEqual(getAtPath(t.intendedRecord, e.path), e.correct)) {
        ctx.addIssue({ code: 'custom', path: ['writerErrors', i, 'correct'], message: `intendedRecord has a different value at ${e.path}` });
      }
    });
  });
export type GroundTruth = z.infer<typeof GroundTruth>;

/** Record paths of the leaves (values, and lists of values) where two records differ. */
function differingLeaves(a: unknown, b: unknown, at = ''): string[] {
  const isObj = (x: unknown) => typeof x === 'object' && x !== null;
  const listOfValues = (x: unknown) => Array.isArray(x) && !x.some(isObj);
  if (isObj(a) && isObj(b) && !listOfValues(a) && !listOfValues(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    return [...keys].flatMap((k) => {
      const next = Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k;
      return differingLeaves((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], next);
    });
  }
  return isDeepStrictEqual(a, b) ? [] : [at];
}

/** `['observations', 1, 'temperature']` -> `observations[1].temperature`. */
function recordPathOf(segs: readonly PropertyKey[]): string {
  return segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join('');
}

// ---------- field values ----------

/** For every field of the template, what a perfect reader returns from a form filled with `record`. */
export function fieldValuesAsWritten(template: Template, record: PrfRecord): Record<string, FieldTruth> {
  const out: Record<string, FieldTruth> = {};
  for (const f of template.fields) out[f.id] = { path: f.path, type: f.type, written: writtenValue(f, getAtPath(record, f.path)) };
  return out;
}

/** What a perfect reader returns for one field holding `value` (see WrittenValue). */
export function writtenValue(field: Field, value: unknown): WrittenValue {
  switch (field.type) {
    case 'tick':
    case 'signature':
      return value === true;
    case 'choice':
      return field.options.some((o) => o.value === value) ? (value as string | number | boolean) : null;
    case 'multi': {
      const ticked = Array.isArray(value) ? value : [];
      return field.options.filter((o) => ticked.includes(o.value)).map((o) => o.value);
    }
    case 'text':
      return typeof value === 'string' && value.trim() !== '' ? value : null;
    case 'digits':
    case 'capitals':
    case 'date':
    case 'time':
    case 'decimal': {
      const s = combSource(field, value);
      if (s === null) return null;
      const boxes = combCharacters(field, s);
      return boxes.every((c) => c === '') ? null : boxes.map((c) => (c === '' ? ' ' : c)).join('');
    }
  }
}

/** The string a writer puts in a comb for a record value: a date as DDMMYYYY, everything else as it reads. */
function combSource(field: Field, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (field.type === 'date' && typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (m) return `${m[3]}${m[2]}${m[1]}`;
  }
  return String(value);
}

export interface FieldMisfit {
  fieldId: string;
  path: string;
  reason: string;
}

/**
 * Fields whose value a writer could not put on this template as it is (too long for the boxes, an option the form
 * does not print, more lines than the writing area): the truth for them would not be the record's value.
 * Synthetic records should give none on the default template.
 */
export function fieldsThatDoNotFit(template: Template, record: PrfRecord, maxLineChars = 60): FieldMisfit[] {
  const out: FieldMisfit[] = [];
  for (const f of template.fields) {
    const value = getAtPath(record, f.path);
    if (value === undefined || value === null) continue;
    const reason = misfit(f, value, maxLineChars);
    if (reason) out.push({ fieldId: f.id, path: f.path, reason });
  }
  return out;
}

function misfit(f: Field, value: unknown, maxLineChars: number): string | null {
  switch (f.type) {
    case 'choice':
      return f.options.some((o) => o.value === value) ? null : `no option for ${JSON.stringify(value)}`;
    case 'multi': {
      if (!Array.isArray(value)) return 'not a list';
      const missing = value.filter((v) => !f.options.some((o) => o.value === v));
      return missing.length ? `no option for ${missing.map((v) => JSON.stringify(v)).join(', ')}` : null;
    }
    case 'tick':
    case 'signature':
      return typeof value === 'boolean' ? null : 'not yes/no';
    case 'text': {
      if (typeof value !== 'string') return 'not text';
      const lines = value.split('\n');
      if (lines.length > f.lines) return `${lines.length} lines, the field has ${f.lines}`;
      return lines.some((l) => l.length > maxLineChars) ? `a line longer than ${maxLineChars} characters` : null;
    }
    case 'decimal': {
      const [ip = '', fp = ''] = String(value).split('.');
      if (ip.length > f.intDigits) return `integer part longer than ${f.intDigits} boxes`;
      return fp.length > f.fracDigits ? `fraction longer than ${f.fracDigits} boxes` : null;
    }
    case 'digits':
    case 'capitals':
    case 'date':
    case 'time': {
      const s = combSource(f, value) ?? '';
      const boxes = combCharacters(f, s);
      const wanted = f.type === 'capitals' ? s.toUpperCase().replace(/ /g, '') : s.replace(/[\s.:/-]/g, '');
      return boxes.join('') === wanted ? null : `"${s}" does not fit ${boxes.length} boxes`;
    }
  }
}

// ---------- building, writing and reading ----------

export interface TruthInput {
  template: Template;
  seed: number | string;
  profile: string;
  record: PrfRecord;
  intendedRecord: PrfRecord;
  writerErrors: WriterError[];
  pages?: PageTruth[];
  /** Comb boxes the writer corrected, per field id (from the filled pages). */
  combCorrections?: Readonly<Record<string, CombCorrection>>;
}

/** Assemble a ground-truth object (fields from the record as written); checked against the schema. */
export function buildTruth(input: TruthInput): GroundTruth {
  const truth = {
    schemaVersion: TRUTH_SCHEMA_VERSION,
    serial: input.record.formSerial,
    templateId: input.template.id,
    templateVersion: input.template.version,
    seed: input.seed,
    profile: input.profile,
    record: input.record,
    intendedRecord: input.intendedRecord,
    writerErrors: input.writerErrors,
    fields: withCorrections(fieldValuesAsWritten(input.template, input.record), input.combCorrections ?? {}),
    pages: input.pages ?? [],
  };
  return checkTruth(truth, `truth for form ${truth.serial}`);
}

function withCorrections(fields: Record<string, FieldTruth>, corrections: Readonly<Record<string, CombCorrection>>): Record<string, FieldTruth> {
  for (const [id, c] of Object.entries(corrections)) {
    const f = fields[id];
    if (!f) throw new Error(`a correction names field ${id}, which the template does not have`);
    fields[id] = { ...f, correction: c };
  }
  return fields;
}

export class TruthFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not valid ground truth:\n` + problems.map((p) => `  ${p}`).join('\n'));
    this.name = 'TruthFileError';
  }
}

function checkTruth(json: unknown, source: string): GroundTruth {
  const parsed = GroundTruth.safeParse(json);
  if (!parsed.success) {
    throw new TruthFileError(source, parsed.error.issues.map((i) => `${recordPathOf(i.path as PropertyKey[]) || '$'}: ${i.message}`));
  }
  return parsed.data;
}

/** Write a truth file (mode 0600, its folder 0700 when created), replacing any old one in a single rename. */
export function writeTruthFile(file: string, truth: GroundTruth): void {
  const checked = checkTruth(truth, file);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(checked, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Read and validate a truth file; throws TruthFileError listing every problem. */
export function readTruthFile(file: string): GroundTruth {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TruthFileError(file, [`cannot read it as JSON: ${(e as Error).message}`]);
  }
  return checkTruth(json, file);
}

/** The file name for a form's truth: `<serial>.truth.json`. */
export function truthFileName(serial: string): string {
  return `${serial}.truth.json`;
}
