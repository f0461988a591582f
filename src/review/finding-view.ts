// A rule finding shown whole: every field it names side by side (its crop, value and status) and, where the rule
// recomputes something, the recomputed value beside the written one (NEWS2 from the read observations, the GCS sum,
// the age from the date of birth). Computed from the record's current values, so it is right after a correction.
import type { FieldRow } from '../job/record-store.ts';
import { news2Score, NEWS2_PARAMETERS } from '../record/news2.ts';
import { recordFromValues } from '../record/paths.ts';
import { ageOn, isoDate, NEWS2_FIELDS } from '../record/rules.ts';
import type { ObservationSet } from '../record/schema.ts';
import { fullLabel, type ReviewContext } from './context.ts';
import { displayValue } from './input.ts';

export interface FindingField {
  fieldId: string;
  label: string;
  /** The value as the page shows it, or a word for none. */
  shown: string;
  status: string;
  cropUrl: string;
  /** What this field contributes to the recomputation ("scores 2"). */
  note?: string;
  /** The field the item is about. */
  self: boolean;
}

export interface FindingView {
  code: string;
  message: string;
  fields: FindingField[];
  written?: { label: string; value: string };
  recomputed?: { label: string; value: string };
}

type Rec = Record<string, unknown>;

function obsOf(record: Rec, paths: readonly string[]): { i: number; obs: Rec } | null {
  const m = paths.map((p) => /^observations\[(\d+)\]\./.exec(p)).find(Boolean);
  if (!m) return null;
  const i = Number(m[1]);
  const obs = (record.observations as Rec[] | undefined)?.[i];
  return obs ? { i, obs } : null;
}

/** The written and recomputed values, and each named path's part in the sum, for the rules that recompute. */
function recompute(code: string, paths: readonly string[], record: Rec, today: string) {
  const notes = new Map<string, string>();
  const num = (v: unknown) => (typeof v === 'number' ? String(v) : '(none)');
  if (code === 'news2-mismatch') {
    const o = obsOf(record, paths);
    if (!o) return null;
    const { total, parts } = news2Score(o.obs as unknown as ObservationSet);
    for (const p of NEWS2_PARAMETERS) if (parts[p] !== undefined) notes.set(`observations[${o.i}].${NEWS2_FIELDS[p]}`, `scores ${parts[p]}`);
    const partial = Object.values(parts).reduce((a, b) => a + (b ?? 0), 0);
    return {
      notes,
      written: { label: 'NEWS2 the crew wrote', value: num(o.obs.news2Total) },
      recomputed: { label: 'NEWS2 from these observations', value: total !== null ? String(total) : `at least ${partial}` },
    };
  }
  if (code === 'gcs-total-mismatch') {
    const o = obsOf(record, paths);
    if (!o) return null;
    const [e, v, m] = [o.obs.gcsEye, o.obs.gcsVerbal, o.obs.gcsMotor].map((x) => (typeof x === 'number' ? x : NaN));
    return {
      notes,
      written: { label: 'GCS total written', value: num(o.obs.gcsTotal) },
      recomputed: { label: 'eye + verbal + motor', value: Number.isFinite(e! + v! + m!) ? String(e! + v! + m!) : '(a part is missing)' },
    };
  }
  if (code === 'age-dob-mismatch') {
    const patient = (record.patient ?? {}) as Rec;
    const dob = isoDate(patient.dateOfBirth);
    const on = isoDate((record.incident as Rec | undefined)?.incidentDate) ?? isoDate(today);
    return {
      notes,
      written: { label: 'age written', value: num(patient.age) },
      recomputed: { label: 'age from the date of birth on the incident date', value: dob && on ? String(ageOn(dob, on)) : '(no date)' },
    };
  }
  return { notes };
}

/** Is a reason a rule across fields (it names more than one field)? */
function isRuleFinding(r: unknown): r is { code: string; message: string; paths: string[] } {
  const x = r as { code?: unknown; message?: unknown; paths?: unknown };
  return typeof x?.code === 'string' && typeof x.message === 'string' && Array.isArray(x.paths) && x.paths.length > 1;
}

/** The rule findings on one queue item, each with every field it names; empty when it has none. */
export function findingViews(ctx: ReviewContext, row: FieldRow): FindingView[] {
  const rules = row.reasons.filter(isRuleFinding);
  if (!rules.length) return [];
  const rows = ctx.store.records.recordFields(row.serial);
  const byPath = new Map(rows.map((r) => [r.path, r]));
  const record = recordFromValues(row.serial, rows.filter((r) => r.value !== null && r.value !== undefined).map((r) => [r.path, r.value] as [string, unknown]));
  return rules.map((f) => {
    const calc = recompute(f.code, f.paths, record, ctx.today());
    const fields: FindingField[] = [];
    for (const p of f.paths) {
      const r = byPath.get(p);
      const field = r ? ctx.fields.get(r.fieldId) : undefined;
      if (!r || !field) continue;
      fields.push({
        fieldId: r.fieldId,
        label: fullLabel(field),
        shown: r.value === null || r.value === undefined ? (r.status === 'blank' ? '(blank)' : '(nothing read)') : displayValue(field, r.value),
        status: r.status,
        cropUrl: `crop/${r.id}`,
        note: calc?.notes.get(p),
        self: r.id === row.id,
      });
    }
    return { code: f.code, message: f.message, fields, ...(calc?.written ? { written: calc.written, recomputed: calc.recomputed } : {}) };
  });
}
