// What every review operation needs about one job: the store, its template, thresholds and double-keyed paths.
import type { Thresholds } from '../record/acceptance.ts';
import { resolveRecordPath } from '../record/paths.ts';
import type { JobStore } from '../job/store.ts';
import { jobTemplate, jobThresholds } from '../job/validate.ts';
import { MODEL_VERSION_META } from '../job/reader-version.ts';
import type { Field, Template } from '../template/schema.ts';
import { DEFAULT_DOUBLE_KEY_PATHS } from './double-key.ts';

export const DEFAULT_LEASE_MS = 10 * 60_000;

export interface ReviewContext {
  store: JobStore;
  template: Template;
  fields: Map<string, Field>;
  thresholds: Thresholds;
  doubleKeyPaths: ReadonlySet<string>;
  /** yyyy-mm-dd to check birth dates against when a record is re-validated. */
  today: () => string;
  /** How long a reviewer's claim on an item lasts without activity. */
  leaseMs: number;
}

export class ReviewOptionError extends Error {
  override name = 'ReviewOptionError';
}

export function reviewContext(
  store: JobStore,
  opts: { doubleKeyPaths?: readonly string[]; today?: string; leaseMs?: number } = {},
): ReviewContext {
  const template = jobTemplate(store);
  const { thresholds } = jobThresholds(store.dir, template, store.getMeta(MODEL_VERSION_META));
  const paths = opts.doubleKeyPaths ?? DEFAULT_DOUBLE_KEY_PATHS;
  const unknown = paths.filter((p) => !resolveRecordPath(p));
  if (unknown.length) throw new ReviewOptionError(`not a record path: ${unknown.join(', ')}`);
  return {
    store,
    template,
    fields: new Map(template.fields.map((f) => [f.id, f])),
    thresholds,
    doubleKeyPaths: new Set(paths),
    today: () => opts.today ?? new Date().toISOString().slice(0, 10),
    leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS,
  };
}

/** The kinds a reviewer can filter the queue by: the field type, with NHS numbers apart (they have their own check). */
export function fieldKind(field: Pick<Field, 'type' | 'path'>): string {
  return field.path.endsWith('nhsNumber') ? 'nhs-number' : field.type;
}

const GROUP_NAMES: Record<string, string> = {
  obs: 'Obs set',
  drug: 'Drug',
  crew: 'Crew member',
  time: 'Times',
  incident: 'Incident',
  patient: 'Patient',
  clinical: 'Clinical',
  clinician: 'Clinician',
  interventions: 'Interventions',
  outcome: 'Outcome',
  notes: 'Notes',
};

/** The group a field is printed in, from its id: obs2.pulse is in "Obs set 2", time.atscene in "Times". */
export function groupName(field: Pick<Field, 'id'>): string {
  const m = /^([a-z]+?)(\d*)\./.exec(field.id) ?? /^([a-z]+)()$/.exec(field.id);
  if (!m) return '';
  const name = GROUP_NAMES[m[1]!] ?? m[1]!.charAt(0).toUpperCase() + m[1]!.slice(1);
  return m[2] ? `${name} ${m[2]}` : name;
}

/** A label that says where the field is: "Obs set 2 - Pulse" (the label alone when it names its group already). */
export function fullLabel(field: Pick<Field, 'id' | 'label'>): string {
  const g = groupName(field);
  return !g || field.label.toLowerCase().startsWith(g.toLowerCase()) ? field.label : `${g} - ${field.label}`;
}
