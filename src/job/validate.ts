// The validate stage: normalise every field's reading, check the rules across fields, and decide what the machine
// accepts and what goes to a person. Safe to run again at any time (after corrections, after calibration).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { decideField, decideRecord, DEFAULT_THRESHOLDS, type FieldEvidence, type Thresholds } from '../record/acceptance.ts';
import { finding, type Finding } from '../record/findings.ts';
import { droppedInkFindings } from './page-guard.ts';
import { MODEL_VERSION_META } from './reader-version.ts';
import { normaliseField, type FieldResult, type ReaderOutput } from '../record/normalise.ts';
import { recordFromValues } from '../record/paths.ts';
import { checkRecord } from '../record/rules.ts';
import type { BoxAlternatives, Evidence } from '../record/evidence.ts';
import { recordEvidence, substitutions, type CombInput } from '../record/field-evidence.ts';
import type { CadLookup } from './cad-store.ts';
import type { RosterLookup } from './roster-store.ts';
import type { DowntimeWindow } from '../record/downtime.ts';
import { jobDowntime, setJobDowntime } from './downtime-window.ts';
import { cadFindings } from '../record/cad-check.ts';
import { rosterFindings } from '../record/roster-check.ts';
import { COMB_FIELD_TYPES } from '../template/geometry.ts';
import { parseTemplate } from '../template/load.ts';
import type { Field, Template, Transcribe } from '../template/schema.ts';
import { acknowledgedKeys, findingKey } from './finding-acks.ts';
import { JobStore } from './store.ts';
import type { FieldRow, RecordStatus } from './record-store.ts';

export const CALIBRATION_FILE = 'calibration.json';
export const TEMPLATE_META = 'template_json';

export const Calibration = z.object({
  templateId: z.string(),
  templateVersion: z.number(),
  targetWrongShare: z.number(),
  thresholds: z.record(z.string(), z.number()),
  measuredOn: z.object({ fields: z.number(), forms: z.number() }),
  createdAt: z.string(),
  /** The box model whose readings were measured: its thresholds mean nothing for another model. */
  modelVersion: z.string().optional(),
});
export type Calibration = z.infer<typeof Calibration>;

/** Keep the template a job was scanned with inside the job, so later stages read it exactly as scanned. */
export function rememberTemplate(store: JobStore, template: Template): void {
  if (!store.getMeta(TEMPLATE_META)) store.setMeta(TEMPLATE_META, JSON.stringify(template));
}

export function jobTemplate(store: JobStore): Template {
  const json = store.getMeta(TEMPLATE_META);
  if (!json) throw new Error('this job has no template yet: run scan first');
  return parseTemplate(JSON.parse(json), 'the job\'s template');
}

/** Thresholds without those of comb fields (by type or by evidence kind): for readings of another box model. */
function withoutCombThresholds(t: Thresholds): Thresholds {
  return Object.fromEntries(Object.entries(t).filter(([k]) => !COMB_FIELD_TYPES.has(k.split(':')[0]!)));
}

/**
 * Thresholds in force: the job's calibration file, else the template's own, else the strict defaults. Comb-field
 * thresholds measured on another box model than the one that read the job (`modelVersion`) are not used.
 */
export function jobThresholds(jobDir: string, template: Template, modelVersion?: string): { thresholds: Thresholds; source: 'calibration' | 'template' | 'defaults' } {
  // A job read before box models (no version) or by another model gets no comb thresholds measured on a model.
  const sameModel = (measured: string | undefined) => measured === undefined || measured === modelVersion;
  const file = join(jobDir, CALIBRATION_FILE);
  if (existsSync(file)) {
    const cal = Calibration.parse(JSON.parse(readFileSync(file, 'utf8')));
    if (cal.templateId === template.id && cal.templateVersion === template.version) {
      const own = sameModel(cal.modelVersion) ? cal.thresholds : withoutCombThresholds(cal.thresholds);
      return { thresholds: { ...DEFAULT_THRESHOLDS, ...own }, source: 'calibration' };
    }
  }
  if (template.thresholds) {
    const own = sameModel(template.thresholdsModelVersion) ? template.thresholds : withoutCombThresholds(template.thresholds);
    return { thresholds: { ...DEFAULT_THRESHOLDS, ...own }, source: 'template' };
  }
  return { thresholds: DEFAULT_THRESHOLDS, source: 'defaults' };
}

export interface ValidateSummary {
  records: Record<RecordStatus, number>;
  fields: { accepted: number; needsReview: number; verified: number; blank: number };
  /** Commonest reasons a record or field needs a person, most frequent first (codes only: messages quote values). */
  topReasons: { code: string; count: number }[];
  thresholdsFrom: 'calibration' | 'template' | 'defaults';
  /** The downtime window the job holds, if any: incident dates outside it went to a person. */
  downtime?: DowntimeWindow;
}

/** Whether a person transcribes this field: only free text may be left to the scan. */
export function transcription(field: Field): Transcribe {
  return field.type === 'text' ? field.transcribe : 'required';
}

/** What the job holds to check records against: the trust's CAD log and staff list, and the days of the downtime. */
export interface JobChecks {
  cad?: CadLookup;
  roster?: RosterLookup;
  downtime?: DowntimeWindow;
}

export function jobChecks(store: JobStore): JobChecks {
  const cad = store.cad.lookup();
  const roster = store.roster.lookup();
  const downtime = jobDowntime(store);
  return { ...(cad ? { cad } : {}), ...(roster ? { roster } : {}), ...(downtime ? { downtime } : {}) };
}

/** The box alternatives stored with a comb field, when its reader kept them. */
function boxAlternatives(row: FieldRow): BoxAlternatives[] | null {
  return Array.isArray(row.alternatives) ? (row.alternatives as BoxAlternatives[]) : null;
}

/**
 * Normalise the readings of one record and check it; pure apart from the rows passed in. Comb fields with box
 * alternatives get evidence (a check their value passes over the n-best readings); where the best reading fails its
 * check and the classifier is sure of a passing alternative, the alternative is read instead (and marked as such).
 */
export function evaluateRecord(template: Template, rows: FieldRow[], serial: string, today?: string, checks: JobChecks = {}) {
  const { cad, roster, downtime } = checks;
  const byId = new Map(template.fields.map((f) => [f.id, f]));
  const results = new Map<string, { field: Field; row: FieldRow; result: FieldResult; evidence?: Evidence; substituted?: boolean }>();
  const combs: CombInput[] = [];
  for (const row of rows) {
    const field = byId.get(row.fieldId);
    if (!field) continue;
    // A person's decision stands: its value is what the record holds.
    // Free text the template does not transcribe is not read into the record: the scanned page carries it.
    const result: FieldResult =
      row.verifiedBy === null && transcription(field) === 'never'
        ? { status: 'blank', findings: [] }
        : row.verifiedBy !== null
        ? row.value === null
          ? { status: 'blank', findings: [] }
          : { status: 'value', value: row.value, findings: [] }
        : normaliseField(field, row.read as ReaderOutput);
    results.set(row.fieldId, { field, row, result });
    const boxes = row.verifiedBy === null ? boxAlternatives(row) : null;
    if (boxes && result.status !== 'blank') combs.push({ field, boxes });
  }
  const build = () =>
    recordFromValues(
      serial,
      [...results.values()].filter((r) => r.result.status === 'value').map((r) => [r.field.path, (r.result as { value: unknown }).value] as [string, unknown]),
    );
  let record = build();
  const opts = { ...(today ? { today } : {}), ...(downtime ? { downtime } : {}) };
  // Passing alternatives the classifier is sure of replace failing best readings; then the record is read again, and
  // its evidence with it (only then: an unchanged record has the evidence already).
  const evidenceOpts = { ...opts, ...(cad ? { cad } : {}), ...(roster ? { roster } : {}) };
  let evidence = recordEvidence(record, combs, evidenceOpts);
  const subs = substitutions(evidence);
  if (subs.size) {
    for (const r of results.values()) {
      const text = subs.get(r.field.path);
      if (text === undefined) continue;
      r.result = normaliseField(r.field, text);
      r.substituted = true;
    }
    record = build();
    evidence = recordEvidence(record, combs, evidenceOpts);
  }
  for (const [path, ev] of evidence) {
    for (const r of results.values()) if (r.field.path === path) r.evidence = ev;
  }
  // "Missing" is only true of a blank field: one with writing that could not be read is for a person to key, so
  // the finding asks for review rather than blocking the record.
  const inked = new Set([...results.values()].filter((r) => r.result.status === 'illegible' || r.result.status === 'invalid').map((r) => r.field.path));
  const findings = checkRecord(record as never, opts).map((f) =>
    f.severity === 'blocking' && (f.code === 'required-missing' || f.code === 'patient-unidentified') && f.paths.some((p) => inked.has(p))
      ? { ...f, severity: 'review' as const }
      : f,
  );
  findings.push(...droppedInkFindings(template, rows), ...cadFindings(record, cad), ...rosterFindings(record, roster));
  return { results, findings, record };
}

/** What decideField needs to know of a field's evidence. */
export function evidenceOf(r: { evidence?: Evidence; substituted?: boolean }): FieldEvidence {
  return { ...(r.evidence ? { kind: r.evidence.kind, confidence: r.evidence.confidence } : {}), substituted: r.substituted === true };
}

export interface RecordValidation {
  status: RecordStatus;
  findings: Finding[];
  /** Reasons of the fields sent to a person, and blocking findings, for the summary's counts. */
  reasons: Finding[];
  fields: ValidateSummary['fields'];
}

/**
 * Validate one record in one transaction: normalise its fields, run the rules, store each field's verdict and the
 * record's status. Called by validateJob for every record, and by review after each decision.
 */
export function validateRecord(
  store: JobStore,
  template: Template,
  thresholds: Thresholds,
  serial: string,
  today?: string,
  checks: JobChecks = jobChecks(store),
): RecordValidation | null {
  return store.inTransaction(() => {
    const rec = store.records.record(serial);
    if (!rec || rec.status === 'exported') return null;
    const rows = store.records.recordFields(serial);
    const { results, findings } = evaluateRecord(template, rows, serial, today, checks);
    const fields = { accepted: 0, needsReview: 0, verified: 0, blank: 0 };
    const reasons: Finding[] = [];
    const statuses: string[] = [];
    const verifiedPaths = new Set<string>();
    for (const { field, row } of results.values()) if (row.verifiedBy !== null) verifiedPaths.add(field.path);
    // A finding every field of which a person verified, but which no person has seen (a correction created or
    // changed it), sends those fields back to a person with the finding as their reason.
    const acked = acknowledgedKeys(store.db, serial);
    const seen = (f: Finding) => acked.has(findingKey(f));
    const unseen = findings.filter((f) => f.severity === 'review' && f.paths.length > 0 && f.paths.every((p) => verifiedPaths.has(p)) && !seen(f));
    for (const { field, row, result } of results.values()) {
      if (row.verifiedBy !== null) {
        const naming = unseen.filter((f) => f.paths.includes(field.path));
        if (naming.length || row.status === 'needs-review') {
          store.records.updateFieldValidation(serial, row.fieldId, { value: row.value, status: naming.length ? 'needs-review' : 'verified', reasons: naming });
        }
        statuses.push(naming.length ? 'needs-review' : 'verified');
        if (naming.length) {
          fields.needsReview++;
          reasons.push(...naming);
        } else fields.verified++;
        continue;
      }
      const policy = transcription(field);
      const verdict =
        policy === 'never'
          ? { status: 'blank' as const, reasons: [finding('not-transcribed', [field.path], { field: field.label })] }
          : decideField(field, result, row.confidence, findings, thresholds, evidenceOf(results.get(row.fieldId)!));
      store.records.updateFieldValidation(serial, row.fieldId, {
        value: result.status === 'value' || result.status === 'invalid' ? (result.value ?? null) : null,
        status: verdict.status,
        reasons: verdict.reasons,
      });
      // Optional free text waits in the queue for anyone with time, but the record does not wait for it.
      statuses.push(policy === 'optional' && verdict.status === 'needs-review' ? 'optional' : verdict.status);
      if (verdict.status === 'accepted') fields.accepted++;
      else if (verdict.status === 'blank') fields.blank++;
      else {
        fields.needsReview++;
        reasons.push(...verdict.reasons);
      }
    }
    const status = decideRecord(rec.pagesRead, rec.pagesExpected, statuses, findings, verifiedPaths, seen);
    if (status === 'incomplete') {
      reasons.push({ code: 'pages-missing', severity: 'blocking', message: `form is missing ${rec.pagesExpected - rec.pagesRead} page(s)`, paths: [] });
    }
    reasons.push(...findings.filter((f) => f.severity === 'blocking'));
    store.records.setRecordStatus(serial, status, findings);
    return { status, findings, reasons, fields };
  });
}

/**
 * Validate every record. A downtime window given is kept in the job first (replacing any before), so this run and
 * every later validation check incident dates against it.
 */
export function validateJob(opts: { jobDir: string; today?: string; downtime?: DowntimeWindow }): ValidateSummary {
  const store = JobStore.open(opts.jobDir);
  try {
    if (opts.downtime) setJobDowntime(store, opts.downtime);
    const template = jobTemplate(store);
    const { thresholds, source } = jobThresholds(opts.jobDir, template, store.getMeta(MODEL_VERSION_META));
    const reasonCounts = new Map<string, number>();
    const fieldCounts = { accepted: 0, needsReview: 0, verified: 0, blank: 0 };
    const checks = jobChecks(store);
    for (const rec of store.records.listRecords()) {
      const v = validateRecord(store, template, thresholds, rec.serial, opts.today, checks);
      if (!v) continue;
      for (const k of Object.keys(fieldCounts) as (keyof typeof fieldCounts)[]) fieldCounts[k] += v.fields[k];
      for (const f of v.reasons) reasonCounts.set(f.code, (reasonCounts.get(f.code) ?? 0) + 1);
    }
    const counts = store.statusCounts();
    return {
      records: counts.records,
      fields: fieldCounts,
      topReasons: [...reasonCounts.entries()]
        .map(([code, count]) => ({ code, count }))
        .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
        .slice(0, 10),
      thresholdsFrom: source,
      ...(checks.downtime ? { downtime: checks.downtime } : {}),
    };
  } finally {
    store.close();
  }
}
