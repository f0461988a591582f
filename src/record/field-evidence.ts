// Which check stands behind each comb field of a record, and how sure the classifier is given that it passes.
// Pure: the record as read and each comb field's box alternatives in, evidence per record path out.
import type { CadLookup } from '../job/cad-store.ts';
import type { RosterLookup } from '../job/roster-store.ts';
import { cadCheck } from './cad-check.ts';
import { rosterCheck } from './roster-check.ts';
import type { Field } from '../template/schema.ts';
import { checkedEvidence, type BoxAlternatives, type CheckKind, type Evidence } from './evidence.ts';
import { isFormularyDrug } from './formulary.ts';
import { gcsEvidence, GCS_KEYS, type GcsField, type GcsKey } from './gcs-evidence.ts';
import { news2Score } from './news2.ts';
import { isValidNhsNumber } from './nhs-number.ts';
import { normaliseField } from './normalise.ts';
import { getAtPath, setAtPath } from './paths.ts';
import { ageOn, checkIncidentTimes, minutes } from './rules.ts';
import type { ObservationSet } from './schema.ts';

export interface CombInput {
  field: Field;
  boxes: readonly BoxAlternatives[];
}

/** The value a reading normalises to for its field, or undefined when it is not a value. */
function valueOf(field: Field, text: string): unknown {
  const r = normaliseField(field, text);
  return r.status === 'value' && r.findings.every((f) => f.severity === 'note') ? r.value : undefined;
}

const ymd = (iso: string) => ({ y: Number(iso.slice(0, 4)), m: Number(iso.slice(5, 7)), d: Number(iso.slice(8, 10)) });
const OBS = /^observations\[(\d+)\]\.(\w+)$/;
const DRUG_NAME = /^drugs\[\d+\]\.drug$/;

/** `passes` for one comb field: the check its value must pass, given the rest of the record; null when it has none. */
function checkFor(input: CombInput, record: Record<string, unknown>, today?: string, cad?: CadLookup, roster?: RosterLookup): { kind: CheckKind; passes: (t: string) => boolean } | null {
  const { field } = input;
  const path = field.path;
  const value = (t: string) => valueOf(field, t);
  const byList = cadCheck(path, value, record, cad) ?? rosterCheck(path, value, record, roster);
  if (byList) return byList;
  if (path === 'patient.nhsNumber') return { kind: 'mod11', passes: (t) => isValidNhsNumber(t) };
  if (DRUG_NAME.test(path)) return { kind: 'formulary', passes: (t) => isFormularyDrug(value(t)) };
  const on = (getAtPath(record, 'incident.incidentDate') as string | undefined) ?? today;
  if (path === 'patient.age') {
    // The age written is the one the date of birth gives on the incident date (crews work it out from the DOB).
    const dob = getAtPath(record, 'patient.dateOfBirth');
    if (typeof dob !== 'string' || typeof on !== 'string' || dob > on) return null;
    const age = ageOn(ymd(dob), ymd(on));
    return { kind: 'age', passes: (t) => value(t) === age };
  }
  if (path === 'patient.dateOfBirth') {
    const age = getAtPath(record, 'patient.age');
    // A real date is weak alone (most digit errors still give one); agreeing with the written age is the check.
    if (typeof age !== 'number' || typeof on !== 'string') return null;
    return {
      kind: 'date',
      passes: (t) => {
        const v = value(t);
        return typeof v === 'string' && v <= on && Math.abs(ageOn(ymd(v), ymd(on)) - age) <= 1;
      },
    };
  }
  if (path.startsWith('incident.times.')) {
    const times = (getAtPath(record, 'incident.times') ?? {}) as Record<string, unknown>;
    const others = Object.entries(times).filter(([k, v]) => `incident.times.${k}` !== path && typeof v === 'string');
    if (others.length < 2) return null;
    return {
      kind: 'time-order',
      passes: (t) => {
        const v = value(t);
        if (typeof v !== 'string') return false;
        const rec = { incident: { times: { ...times, [path.slice('incident.times.'.length)]: v } } };
        return !checkIncidentTimes(rec as never).some((f) => f.severity !== 'note' && f.paths.includes(path));
      },
    };
  }
  const during = careTimeCheck(path, value, record);
  if (during) return during;
  const m = OBS.exec(path);
  if (!m) return null;
  const i = Number(m[1]);
  const key = m[2]!;
  const obs = (getAtPath(record, `observations[${i}]`) ?? {}) as Partial<ObservationSet>;
  if (key === 'news2Total') {
    const { total } = news2Score(obs as ObservationSet);
    if (total === null) return null;
    return { kind: 'news2', passes: (t) => value(t) === total };
  }
  return null;
}

const CARE_TIME = /^(observations|drugs)\[(\d+)\]\.time$/;

/**
 * An observation set's or a drug's time: within the care the incident times give (arrived at scene to the last of
 * left scene, at hospital, handover and clear; across midnight at most once) and in order with the sets or drugs
 * written before and after it.
 */
function careTimeCheck(path: string, value: (t: string) => unknown, record: Record<string, unknown>): { kind: CheckKind; passes: (t: string) => boolean } | null {
  const m = CARE_TIME.exec(path);
  if (!m) return null;
  const times = (getAtPath(record, 'incident.times') ?? {}) as Record<string, unknown>;
  const start = minutes(times.atScene);
  const ends = (['leftScene', 'atHospital', 'handover', 'clear'] as const).map((k) => minutes(times[k])).filter((x): x is number => x !== null);
  if (start === null || !ends.length) return null;
  // Minutes since arriving at scene, the clock going past midnight at most once.
  const since = (t: number) => (t - start + 24 * 60) % (24 * 60);
  const end = Math.max(...ends.map(since));
  const i = Number(m[2]);
  const rows = getAtPath(record, m[1]!);
  const neighbour = (j: number) => (Array.isArray(rows) ? minutes((rows[j] as { time?: unknown } | undefined)?.time) : null);
  const before = i > 0 ? neighbour(i - 1) : null;
  const after = neighbour(i + 1);
  return {
    kind: 'care-time',
    passes: (t) => {
      const c = minutes(value(t));
      if (c === null) return false;
      const at = since(c);
      return at <= end && (before === null || since(before) <= at) && (after === null || at <= since(after));
    },
  };
}

/**
 * Evidence for every comb field with box alternatives: the check it passes over its n-best readings. Fields with no
 * such check are left out: their box confidence decides. A value merely inside its plausible range is no evidence
 * that it was read right (a 7 misread as 1 in a pulse of 71 stays in range): it raised silent errors in the bench
 * when it counted, so it never raises acceptance.
 */
export function recordEvidence(
  record: Record<string, unknown>,
  inputs: readonly CombInput[],
  opts: { today?: string; cad?: CadLookup; roster?: RosterLookup } = {},
): Map<string, Evidence> {
  const out = recordGcsEvidence(record, inputs);
  for (const input of inputs) {
    if (out.has(input.field.path)) continue;
    const check = checkFor(input, record, opts.today, opts.cad, opts.roster);
    const ev = check ? checkedEvidence(input.boxes, check.kind, check.passes) : null;
    if (ev) out.set(input.field.path, ev);
  }
  return out;
}

/** GCS evidence for every observation set with its four GCS fields there, each set judged as a whole. */
function recordGcsEvidence(record: Record<string, unknown>, inputs: readonly CombInput[]): Map<string, Evidence> {
  const out = new Map<string, Evidence>();
  const byPath = new Map(inputs.map((i) => [i.field.path, i]));
  const sets = new Set(inputs.flatMap((i) => { const m = OBS.exec(i.field.path); return m && (GCS_KEYS as readonly string[]).includes(m[2]!) ? [Number(m[1])] : []; }));
  for (const i of sets) {
    const fields = {} as Record<GcsKey, GcsField>;
    for (const key of GCS_KEYS) {
      const path = `observations[${i}].${key}`;
      const input = byPath.get(path);
      const value = getAtPath(record, path);
      if (input) fields[key] = { field: input.field, boxes: input.boxes };
      else if (typeof value === 'number') fields[key] = { value };
    }
    if (GCS_KEYS.some((k) => !fields[k])) continue;
    for (const [key, ev] of gcsEvidence(fields, valueOf)) out.set(`observations[${i}].${key}`, ev);
  }
  return out;
}

/** Readings to put in place of the best ones: passing alternatives the classifier is sure of, by record path. */
export function substitutions(evidence: ReadonlyMap<string, Evidence>): Map<string, string> {
  return new Map([...evidence].filter(([, e]) => e.kind.endsWith('-alt')).map(([p, e]) => [p, e.text]));
}

/** A copy of a record with values set at paths (for checks on a candidate record). */
export function withValues(record: Record<string, unknown>, values: Iterable<[string, unknown]>): Record<string, unknown> {
  const copy = structuredClone(record);
  for (const [p, v] of values) setAtPath(copy, p, v);
  return copy;
}
