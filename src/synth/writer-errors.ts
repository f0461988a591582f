// Writer errors: mistakes real crews make on paper, planted in a small share of synthetic forms so the validator
// and the review queue have something true to find. Each planted error is listed in the ground truth with what
// was written and what should have been.
import { z } from 'zod';
import type { PrfRecord } from '../record/schema.ts';
import type { Rng } from './rng.ts';

export const WRITER_ERROR_KINDS = ['news2-sum', 'nhs-digit', 'time-order', 'temperature-fahrenheit'] as const;
export type WriterErrorKind = (typeof WRITER_ERROR_KINDS)[number];

/**
 * One value the crew wrote wrongly. `path` is a record path (see src/record/paths.ts); the value at that path is
 * `written` in the record as written and `correct` in the intended record. A swap of two times is two entries.
 */
export interface WriterError {
  kind: WriterErrorKind;
  path: string;
  written: unknown;
  correct: unknown;
}

export const WriterErrorSchema = z.object({
  kind: z.enum(WRITER_ERROR_KINDS),
  path: z.string().min(1),
  written: z.unknown(),
  correct: z.unknown(),
});

const TIME_KEYS = ['callReceived', 'mobilised', 'atScene', 'leftScene', 'atHospital', 'handover', 'clear'] as const;

/**
 * Plant one kind of writer error in a copy of the record, chosen among the kinds the record allows
 * (a NEWS2 total to get wrong, an NHS number to mistype, times to swap, a temperature to write in Fahrenheit).
 * The input is not changed. With nothing plantable the copy comes back with no errors.
 */
export function plantWriterErrors(rng: Rng, intended: PrfRecord): { record: PrfRecord; errors: WriterError[] } {
  const record = structuredClone(intended);
  const planters: [Planter, number][] = [];
  if (record.observations.some((o) => o.news2Total !== undefined)) planters.push([plantNews2Sum, 30]);
  if (record.patient.nhsNumber !== undefined) planters.push([plantNhsDigit, 20]);
  if (swappableTimes(record).length > 0) planters.push([plantTimeOrder, 25]);
  if (record.observations.some(fahrenheitFits)) planters.push([plantFahrenheit, 25]);
  if (!planters.length) return { record, errors: [] };
  const planter = rng.weighted(planters);
  return { record, errors: planter(rng, record) };
}

/** Changes the record in place and returns what it changed. */
type Planter = (rng: Rng, record: PrfRecord) => WriterError[];

/** The crew added up NEWS2 wrongly: off by 1-3, still within 0-20. */
function plantNews2Sum(rng: Rng, record: PrfRecord): WriterError[] {
  const i = rng.pick(record.observations.flatMap((o, idx) => (o.news2Total !== undefined ? [idx] : [])));
  const obs = record.observations[i]!;
  const correct = obs.news2Total!;
  const deltas = [-3, -2, -1, 1, 2, 3].filter((d) => correct + d >= 0 && correct + d <= 20);
  const written = correct + rng.pick(deltas);
  obs.news2Total = written;
  return [{ kind: 'news2-sum', path: `observations[${i}].news2Total`, written, correct }];
}

/**
 * One digit of the NHS number miswritten, keeping the 999 test prefix. A single changed digit always breaks the
 * Modulus 11 check: the weighted sum moves by weight x change, and neither factor is a multiple of 11.
 */
function plantNhsDigit(rng: Rng, record: PrfRecord): WriterError[] {
  const correct = record.patient.nhsNumber!;
  const pos = rng.int(3, 9);
  const old = Number(correct[pos]);
  const digit = rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => d !== old));
  const written = correct.slice(0, pos) + digit + correct.slice(pos + 1);
  record.patient.nhsNumber = written;
  return [{ kind: 'nhs-digit', path: 'patient.nhsNumber', written, correct }];
}

/** Pairs of neighbouring written times with different values, which a swap visibly puts out of order. */
function swappableTimes(record: PrfRecord): [string, string][] {
  const present = TIME_KEYS.filter((k) => record.incident.times[k] !== undefined);
  const pairs: [string, string][] = [];
  for (let i = 1; i < present.length; i++) {
    const a = present[i - 1]!;
    const b = present[i]!;
    if (record.incident.times[a] !== record.incident.times[b]) pairs.push([a, b]);
  }
  return pairs;
}

/**
 * Two neighbouring times written in each other's boxes. Read forward round the clock the sequence then takes
 * nearly a day longer, so it cannot pass for an incident that crossed midnight.
 */
function plantTimeOrder(rng: Rng, record: PrfRecord): WriterError[] {
  const [a, b] = rng.pick(swappableTimes(record));
  const times = record.incident.times as Record<string, string>;
  const va = times[a]!;
  const vb = times[b]!;
  times[a] = vb;
  times[b] = va;
  return [
    { kind: 'time-order', path: `incident.times.${a}`, written: vb, correct: va },
    { kind: 'time-order', path: `incident.times.${b}`, written: va, correct: vb },
  ];
}

/** Celsius temperatures whose Fahrenheit value still fits the form's two integer boxes (95.0-99.9 F). */
function fahrenheitFits(o: PrfRecord['observations'][number]): boolean {
  return o.temperature !== undefined && o.temperature >= 35 && o.temperature <= 37.7;
}

/** A temperature written in Fahrenheit (the commonest vital-sign error). NEWS2 stays as scored from Celsius. */
function plantFahrenheit(rng: Rng, record: PrfRecord): WriterError[] {
  const i = rng.pick(record.observations.flatMap((o, idx) => (fahrenheitFits(o) ? [idx] : [])));
  const obs = record.observations[i]!;
  const correct = obs.temperature!;
  const written = Math.round((correct * 9) / 5 * 10 + 320) / 10;
  obs.temperature = written;
  return [{ kind: 'temperature-fahrenheit', path: `observations[${i}].temperature`, written, correct }];
}
