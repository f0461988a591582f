// The template format: a JSON file that says where every field of a paper form is and what record path it fills.
import { z } from 'zod';

export const TRANSCRIBE = ['required', 'optional', 'never'] as const;
export type Transcribe = (typeof TRANSCRIBE)[number];

export const FIELD_TYPES = [
  'tick',
  'choice',
  'multi',
  'digits',
  'capitals',
  'date',
  'time',
  'decimal',
  'text',
  'signature',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** A rectangle in millimetres from the page's top-left corner. */
export const Zone = z.object({
  x: z.number(),
  y: z.number(),
  w: z.number().positive(),
  h: z.number().positive(),
});
export type Zone = z.infer<typeof Zone>;

export const TickOption = z.object({
  value: z.union([z.string(), z.number(), z.boolean()]),
  label: z.string().min(1),
  /** The tick box itself. */
  box: Zone,
});
export type TickOption = z.infer<typeof TickOption>;

const FieldBase = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_.-]*$/, 'lower-case id: letters, digits, _ . -'),
  label: z.string().min(1),
  page: z.number().int().min(1),
  /** The area the field owns on the page: its boxes or writing area (its label is printed just above). */
  zone: Zone,
  path: z.string().min(1),
  /** A short help text printed with the label (e.g. "dd mm yyyy"). */
  hint: z.string().optional(),
});

/**
 * Common entries a person keying this field may be offered as they type (review's suggestions), beside the values
 * already keyed for it in the same job: a short, generic list (e.g. "NKDA" for allergies), never patient data. A
 * suggestion is only ever text put in the box for the person to confirm; it settles nothing by itself.
 */
const Vocabulary = z.array(z.string().trim().min(1).max(120)).max(200).optional();

export const Field = z.discriminatedUnion('type', [
  FieldBase.extend({ type: z.literal('tick') }),
  FieldBase.extend({ type: z.literal('choice'), options: z.array(TickOption).min(2) }),
  FieldBase.extend({ type: z.literal('multi'), options: z.array(TickOption).min(1) }),
  FieldBase.extend({
    type: z.literal('digits'),
    boxes: z.number().int().min(1).max(20),
    /** Printed grouping of the boxes, e.g. [3, 3, 4] for an NHS number. */
    groups: z.array(z.number().int().min(1)).optional(),
  }),
  FieldBase.extend({
    type: z.literal('capitals'),
    boxes: z.number().int().min(1).max(40),
    /** Characters a writer may put in a box: letters (names), letters and digits (codes), or a dose (adds . and /). */
    charset: z.enum(['letters', 'alnum', 'dose']).default('alnum'),
    vocabulary: Vocabulary,
  }),
  FieldBase.extend({ type: z.literal('date') }),
  FieldBase.extend({ type: z.literal('time') }),
  FieldBase.extend({
    type: z.literal('decimal'),
    intDigits: z.number().int().min(1).max(6),
    fracDigits: z.number().int().min(1).max(3),
  }),
  FieldBase.extend({
    type: z.literal('text'),
    lines: z.number().int().min(1).max(20),
    /**
     * Whether a person transcribes this free text. required: it enters the review queue and the record waits for
     * it; optional: it enters the queue, but the record does not wait (left untranscribed, the scan carries it);
     * never: it does not enter the queue and the scanned page is the record of it.
     */
    transcribe: z.enum(TRANSCRIBE).default('required'),
    vocabulary: Vocabulary,
  }),
  FieldBase.extend({ type: z.literal('signature') }),
]);
export type Field = z.infer<typeof Field>;
export type FieldOf<T extends FieldType> = Extract<Field, { type: T }>;

/** Printed-only parts of the form: section headings and boxes, notes. They fill no record path. */
export const Decoration = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('section'), page: z.number().int().min(1), title: z.string(), zone: Zone }),
  z.object({
    kind: z.literal('note'),
    page: z.number().int().min(1),
    text: z.string(),
    x: z.number(),
    y: z.number(),
    size: z.number().positive().default(2.6),
  }),
]);
export type Decoration = z.infer<typeof Decoration>;

export const Template = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'lower-case id: letters, digits and -'),
  version: z.number().int().min(1),
  title: z.string().min(1),
  pageSize: z.object({ widthMm: z.number().positive(), heightMm: z.number().positive() }),
  pages: z.array(z.object({ number: z.number().int().min(1), title: z.string() })).min(1),
  /** Solid square registration marks, the same on every page: centres in mm, and their side. */
  registration: z.object({
    markSizeMm: z.number().positive(),
    marks: z.array(z.object({ x: z.number(), y: z.number() })).min(3).max(4),
  }),
  /** Where the page's QR code is printed (a square). */
  qr: Zone,
  fields: z.array(Field).min(1),
  decorations: z.array(Decoration).default([]),
  /** Confidence thresholds per field type and per type:evidence kind, written by `calibrate`. */
  thresholds: z.record(z.string(), z.number()).optional(),
  /** The box model the comb-field thresholds were measured on (they hold for that model only). */
  thresholdsModelVersion: z.string().optional(),
});
export type Template = z.infer<typeof Template>;
