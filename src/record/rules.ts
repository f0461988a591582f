// Cross-field rules over a (possibly partial) record: each broken rule is a finding with a reason code, a
// plain-English message and the record paths it concerns. Pure: "today" is passed in, never read from the clock.
import { finding, type DeepPartial, type Finding } from './findings.ts';
import { news2Score, NEWS2_PARAMETERS, type News2Parameter } from './news2.ts';
import { isValidNhsNumber } from './nhs-number.ts';
import { nearFormularyDrug } from './formulary.ts';
import { looksFahrenheit } from './normalise.ts';
import { INCIDENT_TIME_KEYS, type IncidentTimeKey, type ObservationSet, type PrfRecord } from './schema.ts';
import { dateOfFormTime, londonLocalTime } from './london-time.ts';
import type { DowntimeWindow } from './downtime.ts';

export type { DeepPartial } from './findings.ts';

export interface CheckOptions {
  /** Today's date, YYYY-MM-DD; without it the "date of birth in the future" rule is not checked. */
  today?: string;
  /** The days the job's forms were written; without it an incident date is checked against today only. */
  downtime?: DowntimeWindow;
}

type Rec = DeepPartial<PrfRecord>;

export function checkRecord(record: Rec, opts: CheckOptions = {}): Finding[] {
  return [
    ...checkRequired(record),
    ...checkIncidentTimes(record),
    ...checkObservations(record),
    ...checkOutcome(record),
    ...checkDrugs(record),
    ...checkPatientDates(record, opts),
    ...checkIncidentDate(record, opts),
    ...checkNhsNumber(record),
    ...checkLocalTimes(record),
  ];
}

// ---------------------------------------------------------------------------------------------- required fields

export function checkRequired(record: Rec): Finding[] {
  const out: Finding[] = [];
  if (!present(record.incident?.incidentNumber)) {
    out.push(finding('required-missing', ['incident.incidentNumber'], { name: 'incident number' }));
  }
  if (!present(record.incident?.incidentDate)) {
    out.push(finding('required-missing', ['incident.incidentDate'], { name: 'incident date' }));
  }
  const p = record.patient ?? {};
  if (!present(p.nhsNumber) && !(present(p.surname) && present(p.dateOfBirth))) {
    out.push(finding('patient-unidentified', ['patient.nhsNumber', 'patient.surname', 'patient.dateOfBirth']));
  }
  return out;
}

// ----------------------------------------------------------------------------------------------- incident times

/** Every clock time on the form, with its record path: incident times, observation sets, drugs. */
function formTimes(record: Rec): [string, string][] {
  const out: [string, string][] = [];
  const times = record.incident?.times ?? {};
  for (const key of INCIDENT_TIME_KEYS) if (typeof times[key] === 'string') out.push([`incident.times.${key}`, times[key]!]);
  (record.observations ?? []).forEach((o, i) => typeof o?.time === 'string' && out.push([`observations[${i}].time`, o.time]));
  (record.drugs ?? []).forEach((d, i) => typeof d?.time === 'string' && out.push([`drugs[${i}].time`, d.time]));
  return out.filter(([, t]) => /^([01]\d|2[0-3]):[0-5]\d$/.test(t));
}

/**
 * A London clock time that did not happen (the spring gap) cannot be imported: it was misread or miswritten, so it
 * blocks until a person changes it. One that happened twice (the autumn repeat) is sent to a person; if they confirm
 * it, export gives that element the date alone, since neither offset can be shown right.
 */
export function checkLocalTimes(record: Rec): Finding[] {
  const date = record.incident?.incidentDate;
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return [];
  const all = formTimes(record);
  const callTime = record.incident?.times?.callReceived ?? all[0]?.[1];
  const out: Finding[] = [];
  for (const [path, time] of all) {
    const day = dateOfFormTime(date, callTime, time);
    const m = londonLocalTime(day, time);
    if (m.kind === 'gap') out.push(finding('time-in-clock-change-gap', [path], { time, date: day }));
    if (m.kind === 'ambiguous') out.push(finding('time-in-clock-change-repeat', [path], { time, date: day }));
  }
  return out;
}

const TIME_NAMES: Record<IncidentTimeKey, string> = {
  callReceived: 'call received',
  mobilised: 'mobilised',
  atScene: 'arrived at scene',
  leftScene: 'left scene',
  atHospital: 'arrived at hospital',
  handover: 'handover',
  clear: 'clear',
};

/** A later time smaller than an earlier one by more than this is taken as a crossing of midnight. */
const MIDNIGHT_GAP_MIN = 12 * 60;

/** A HH:MM clock time as minutes after midnight, or null when it is not one. */
export function minutes(t: unknown): number | null {
  if (typeof t !== 'string') return null;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/**
 * Times must come in order, allowing one crossing of midnight. Each time is compared with the latest time before
 * it, so one misread time is named against every time it disagrees with.
 */
export function checkIncidentTimes(record: Rec): Finding[] {
  const times = record.incident?.times ?? {};
  const out: Finding[] = [];
  let latest: { key: IncidentTimeKey; abs: number; raw: string } | null = null;
  let crossed = false;
  for (const key of INCIDENT_TIME_KEYS) {
    const raw = times[key];
    const m = minutes(raw);
    if (m === null) continue;
    let abs = m + (crossed ? 24 * 60 : 0);
    if (latest && abs < latest.abs) {
      const pair = {
        earlier: TIME_NAMES[latest.key],
        earlierValue: latest.raw,
        later: TIME_NAMES[key],
        laterValue: raw as string,
      };
      const paths = [`incident.times.${latest.key}`, `incident.times.${key}`];
      if (latest.abs - abs > MIDNIGHT_GAP_MIN) {
        if (crossed) {
          out.push(finding('times-midnight-crossed-twice', paths));
          continue;
        }
        crossed = true;
        abs += 24 * 60;
        out.push(finding('times-midnight-crossed', paths, pair));
      } else {
        out.push(finding('times-out-of-order', paths, pair));
        continue; // keep the latest time: which of the two is wrong is for a person to say
      }
    }
    latest = { key, abs, raw: raw as string };
  }
  return out;
}

// ------------------------------------------------------------------------------------------------- observations

interface RangeRule {
  key: keyof ObservationSet;
  name: string;
  min: number;
  max: number;
}

/** Outer plausibility bounds (DOMAIN.md, MIMIC-III), plus the schema's bounds for glucose and pain. */
export const OBSERVATION_RANGES: readonly RangeRule[] = [
  { key: 'pulse', name: 'a pulse', min: 0, max: 300 },
  { key: 'systolicBp', name: 'a systolic blood pressure', min: 0, max: 400 },
  { key: 'diastolicBp', name: 'a diastolic blood pressure', min: 0, max: 300 },
  { key: 'respiratoryRate', name: 'a respiratory rate', min: 0, max: 70 },
  { key: 'temperature', name: 'a temperature (Celsius)', min: 10, max: 50 },
  { key: 'spo2', name: 'an SpO2', min: 0, max: 100 },
  { key: 'bloodGlucose', name: 'a blood glucose', min: 0, max: 60 },
  { key: 'painScore', name: 'a pain score', min: 0, max: 10 },
];

const GCS_RANGES: readonly RangeRule[] = [
  { key: 'gcsEye', name: 'eye', min: 1, max: 4 },
  { key: 'gcsVerbal', name: 'verbal', min: 1, max: 5 },
  { key: 'gcsMotor', name: 'motor', min: 1, max: 6 },
  { key: 'gcsTotal', name: 'total', min: 3, max: 15 },
];

/** Record field behind each NEWS2 parameter. */
/** Which observation each NEWS2 parameter is scored from. */
export const NEWS2_FIELDS: Record<News2Parameter, keyof ObservationSet> = {
  respiratoryRate: 'respiratoryRate',
  spo2: 'spo2',
  inspired: 'inspired',
  systolicBp: 'systolicBp',
  pulse: 'pulse',
  consciousness: 'acvpu',
  temperature: 'temperature',
};

export function checkObservations(record: Rec): Finding[] {
  const out: Finding[] = [];
  (record.observations ?? []).forEach((obs, i) => {
    if (!obs) return;
    out.push(...checkObservationSet(obs, i));
  });
  return out;
}

function checkObservationSet(obs: DeepPartial<ObservationSet>, i: number): Finding[] {
  const out: Finding[] = [];
  const at = (k: string) => `observations[${i}].${k}`;
  const set = i + 1;
  const num = (k: keyof ObservationSet): number | undefined => {
    const v = obs[k];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };

  for (const r of OBSERVATION_RANGES) {
    const v = num(r.key);
    if (v === undefined || (v >= r.min && v <= r.max)) continue;
    if (r.key === 'temperature' && looksFahrenheit(v)) continue; // reported below, with its likely cause
    out.push(finding('observation-out-of-range', [at(r.key)], { set, name: r.name, value: v, min: r.min, max: r.max }));
  }

  const temp = num('temperature');
  if (temp !== undefined && looksFahrenheit(temp)) {
    out.push(finding('temperature-fahrenheit', [at('temperature')], { field: `Observation set ${set} temperature`, value: temp }));
  }

  const sbp = num('systolicBp');
  const dbp = num('diastolicBp');
  if (sbp !== undefined && dbp !== undefined && dbp >= sbp) {
    out.push(finding('bp-diastolic-not-below-systolic', [at('systolicBp'), at('diastolicBp')], { set, systolic: sbp, diastolic: dbp }));
  }

  let gcsPartsInRange = true;
  for (const r of GCS_RANGES) {
    const v = num(r.key);
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < r.min || v > r.max) {
      if (r.key !== 'gcsTotal') gcsPartsInRange = false;
      out.push(finding('gcs-part-out-of-range', [at(r.key)], { set, name: r.name, value: v, min: r.min, max: r.max }));
    }
  }
  const [eye, verbal, motor, total] = [num('gcsEye'), num('gcsVerbal'), num('gcsMotor'), num('gcsTotal')];
  if (gcsPartsInRange && eye !== undefined && verbal !== undefined && motor !== undefined && total !== undefined) {
    const sum = eye + verbal + motor;
    if (sum !== total) {
      out.push(
        finding('gcs-total-mismatch', [at('gcsEye'), at('gcsVerbal'), at('gcsMotor'), at('gcsTotal')], {
          set, eye, verbal, motor, sum, total,
        }),
      );
    }
  }

  const written = num('news2Total');
  if (written !== undefined) {
    const { total: computed, parts } = news2Score(obs as ObservationSet);
    const partial = Object.values(parts).reduce((a, b) => a + b, 0);
    // With a parameter missing the total is unknown, but a partial sum already above the written total is a mismatch.
    const differs = computed !== null ? computed !== written : partial > written;
    if (differs) {
      const obsPaths = NEWS2_PARAMETERS.map((p) => NEWS2_FIELDS[p])
        .filter((k) => obs[k] !== undefined)
        .map(at);
      if (obs.spo2Scale !== undefined) obsPaths.push(at('spo2Scale'));
      out.push(
        finding('news2-mismatch', [...obsPaths, at('news2Total')], {
          set,
          computed: computed !== null ? computed : `at least ${partial}`,
          written,
        }),
      );
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------- outcome and drugs

export function checkOutcome(record: Rec): Finding[] {
  const o = record.outcome;
  if (o?.conveyed === true && !present(o.destination)) {
    return [finding('conveyed-no-destination', ['outcome.conveyed', 'outcome.destination'])];
  }
  return [];
}

const DRUG_PARTS = [
  ['drug', 'drug name'],
  ['dose', 'dose'],
  ['route', 'route'],
  ['time', 'time'],
] as const;

export function checkDrugs(record: Rec): Finding[] {
  const out: Finding[] = [];
  (record.drugs ?? []).forEach((row, i) => {
    if (!row || !Object.values(row).some(present)) return;
    const near = typeof row.drug === 'string' ? nearFormularyDrug(row.drug) : undefined;
    if (near) out.push(finding('drug-name-near-formulary', [`drugs[${i}].drug`], { row: i + 1, near }));
    const missing = DRUG_PARTS.filter(([k]) => !present(row[k]));
    if (missing.length) {
      out.push(
        finding('drug-row-incomplete', missing.map(([k]) => `drugs[${i}].${k}`), {
          row: i + 1,
          missing: joinWords(missing.map(([, name]) => name)),
        }),
      );
    }
  });
  return out;
}

// ------------------------------------------------------------------------------------------- patient and dates

export function checkPatientDates(record: Rec, opts: CheckOptions = {}): Finding[] {
  const out: Finding[] = [];
  const dob = isoDate(record.patient?.dateOfBirth);
  const incidentDate = isoDate(record.incident?.incidentDate);
  const today = isoDate(opts.today);
  if (dob) {
    if (today && dob.iso > today.iso) out.push(finding('dob-in-future', ['patient.dateOfBirth'], { dob: dob.iso }));
    if (incidentDate && dob.iso > incidentDate.iso) {
      out.push(
        finding('dob-after-incident', ['patient.dateOfBirth', 'incident.incidentDate'], { dob: dob.iso, incidentDate: incidentDate.iso }),
      );
    }
  }
  const age = record.patient?.age;
  const onDate = incidentDate ?? today;
  if (dob && onDate && typeof age === 'number' && dob.iso <= onDate.iso) {
    const computed = ageOn(dob, onDate);
    if (Math.abs(computed - age) > 1) {
      out.push(finding('age-dob-mismatch', ['patient.age', 'patient.dateOfBirth'], { age, computed }));
    }
  }
  return out;
}

/**
 * An incident date after today, or outside the downtime the job covers, is a misread (a confident 2013 for 2023) or
 * a form from another outage: a person looks, and once they confirm it the record may go.
 */
export function checkIncidentDate(record: Rec, opts: CheckOptions = {}): Finding[] {
  const date = isoDate(record.incident?.incidentDate)?.iso;
  if (!date) return [];
  const today = isoDate(opts.today)?.iso;
  if (today && date > today) return [finding('incident-date-in-future', ['incident.incidentDate'], { incidentDate: date })];
  const w = opts.downtime;
  if (w && (date < w.from || date > w.to)) {
    return [finding('incident-date-outside-downtime', ['incident.incidentDate'], { incidentDate: date, from: w.from, to: w.to })];
  }
  return [];
}

export function checkNhsNumber(record: Rec): Finding[] {
  const n = record.patient?.nhsNumber;
  if (!present(n)) return [];
  // Spaces and hyphens are how people write the 3-3-4 grouping; anything else is not part of an NHS number.
  const digits = String(n).replace(/[\s-]+/g, '');
  const odd = /\D/.exec(digits);
  if (odd) return [finding('nhs-number-not-digits', ['patient.nhsNumber'], { char: odd[0] })];
  if (digits.length !== 10) return [finding('nhs-number-length', ['patient.nhsNumber'], { count: digits.length })];
  return isValidNhsNumber(digits) ? [] : [finding('nhs-check-digit', ['patient.nhsNumber'])];
}

// --------------------------------------------------------------------------------------------------- helpers

function present(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  return true;
}

interface Ymd {
  iso: string;
  y: number;
  m: number;
  d: number;
}

export function isoDate(v: unknown): Ymd | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  return m ? { iso: v, y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) } : null;
}

/** Completed years from birth to a date. */
export function ageOn(dob: { y: number; m: number; d: number }, on: { y: number; m: number; d: number }): number {
  let years = on.y - dob.y;
  if (on.m < dob.m || (on.m === dob.m && on.d < dob.d)) years--;
  return years;
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
