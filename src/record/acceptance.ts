// What the machine may accept. A value is accepted only when it was read with a confidence at or above the
// calibrated threshold for its field type AND no rule names it; free text is never accepted without a person.
// Pure functions: the validate stage feeds them from the job store.
import { isComb } from '../template/geometry.ts';
import type { Field } from '../template/schema.ts';
import { thresholdKey, type EvidenceKind } from './evidence.ts';
import type { Finding } from './findings.ts';
import type { FieldResult } from './normalise.ts';

export type FieldDecision = 'accepted' | 'needs-review' | 'blank';
export type RecordDecision = 'incomplete' | 'blocked' | 'needs-review' | 'ready';

/**
 * Thresholds on the reader's 0-1 confidence, per field type (`digits`), and per type and kind of evidence
 * (`digits:mod11`, on the evidence's own confidence). A kind is used only where `calibrate` measured it.
 */
export type Thresholds = Partial<Record<Field['type'], number>> & Partial<Record<string, number>>;

/** The evidence behind a field (see evidence.ts): its kind and confidence, and whether an alternative was read. */
export interface FieldEvidence {
  kind?: EvidenceKind;
  confidence?: number;
  /** The best reading failed its check and a passing alternative replaced it: only its own kind can accept it. */
  substituted?: boolean;
}

/**
 * Used until `calibrate` has measured better ones (or where it had too little evidence). Tick boxes are read by
 * their ink bands (see imaging/boxes.ts) and are accepted when clearly inside one. Handwriting read by OCR is never
 * accepted on an uncalibrated confidence: 2 is above any confidence, so those fields all go to a person.
 */
export const DEFAULT_THRESHOLDS: Required<Thresholds> = {
  tick: 0.75,
  choice: 0.75,
  multi: 0.75,
  signature: 0.6,
  digits: 2,
  capitals: 2,
  date: 2,
  time: 2,
  decimal: 2,
  text: Infinity,
};

export interface FieldVerdict {
  status: FieldDecision;
  reasons: Finding[];
}

/**
 * A confidence and the threshold it falls short of, as percentages with as many decimals as it takes to tell them
 * apart (never "99% is below the 99%", nor "below the 100%" for a threshold under 1): the confidence rounded down,
 * the threshold to the nearest, at most three decimals.
 */
export function percentBelow(confidence: number, threshold: number): { below: string; limit: string } {
  const at = (d: number) => ({ below: (Math.floor(confidence * 100 * 10 ** d) / 10 ** d).toFixed(d), limit: (threshold * 100).toFixed(d) });
  for (let d = 0; d < 3; d++) {
    const p = at(d);
    if (p.below !== p.limit && (threshold >= 1 || Number(p.limit) < 100)) return p;
  }
  return at(3);
}

/** The low-confidence reason, worded for a data manager. */
function lowConfidence(field: Field, confidence: number | null, threshold: number): Finding {
  return { code: 'low-confidence', severity: 'review', message: lowConfidenceMessage(field, confidence, threshold), paths: [field.path] };
}

/**
 * Say what it means: a threshold above 1 is calibration's "never accept this type" (handwriting in it is always
 * checked); otherwise the calibrated figure, which is a share of readings kept right, not a percentage of ink. A comb
 * field at confidence 0 is the reader's own refusal (read-page.ts: faint ink, a box's writing cut off at its line, an
 * empty box where a digit belongs), which no threshold explains.
 */
function lowConfidenceMessage(field: Field, confidence: number | null, threshold: number): string {
  if (field.type === 'text') return `${field.label}: free text is always checked by a person.`;
  if (confidence === 0 && isComb(field)) {
    return `${field.label}: the machine could not vouch for every box (faint ink, writing over a box line, or an empty box where a digit belongs): check each box against the paper.`;
  }
  if (threshold > 1) return `${field.label}: handwriting in this kind of field is always checked by a person (the machine is not yet reliable enough on it).`;
  const { below, limit } = percentBelow(confidence ?? 0, threshold);
  return `${field.label}: the machine's confidence (${below}%) is below the ${limit}% at which calibration found its readings safe to accept.`;
}

/**
 * Decide one field. `recordFindings` are the cross-field rule findings of its record: any blocking or review finding
 * that names the field's path sends it to a person, however confident the reading.
 */
export function decideField(
  field: Field,
  result: FieldResult,
  confidence: number | null,
  recordFindings: readonly Finding[],
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
  evidence: FieldEvidence = {},
): FieldVerdict {
  const own = result.findings.filter((f) => f.severity !== 'note');
  const named = recordFindings.filter((f) => f.severity !== 'note' && f.paths.includes(field.path));
  const reasons = [...own, ...named];
  if (result.status === 'blank') {
    // Blank but required by a rule (e.g. no identifier at all): a person must look at the form.
    return named.length ? { status: 'needs-review', reasons } : { status: 'blank', reasons: [] };
  }
  if (result.status !== 'value') return { status: 'needs-review', reasons };
  const threshold = thresholds[field.type] ?? DEFAULT_THRESHOLDS[field.type];
  const byBoxes = !evidence.substituted && confidence !== null && confidence >= threshold;
  const kindThreshold = evidence.kind ? thresholds[thresholdKey(field.type, evidence.kind)] : undefined;
  const byEvidence = kindThreshold !== undefined && evidence.confidence !== undefined && evidence.confidence >= kindThreshold;
  if (field.type === 'text' || !(byBoxes || byEvidence)) {
    reasons.push(lowConfidence(field, confidence, threshold));
  }
  return reasons.length ? { status: 'needs-review', reasons } : { status: 'accepted', reasons: [] };
}

/**
 * A record is ready when all its pages are in, nothing blocks it, and every field is accepted, verified or blank.
 * A review finding whose fields a person has all verified is settled: the person confirmed what the form says (a
 * crew's NEWS2 added up wrongly stays as written). A blocking finding is never settled that way: a record that cannot
 * be imported (no identifier, a birth date after the incident) stays blocked until its values change.
 * `seen` says whether a person saw the finding itself: one created by a correction of already verified fields
 * is not settled by those earlier verifications.
 */
export function decideRecord(
  pagesRead: number,
  pagesExpected: number,
  fieldStatuses: readonly string[],
  findings: readonly Finding[],
  verifiedPaths: ReadonlySet<string>,
  seen: (f: Finding) => boolean = () => true,
): RecordDecision {
  if (pagesRead < pagesExpected) return 'incomplete';
  const settled = (f: Finding) => f.severity === 'review' && f.paths.length > 0 && f.paths.every((p) => verifiedPaths.has(p)) && seen(f);
  const open = findings.filter((f) => f.severity !== 'note' && !settled(f));
  if (open.some((f) => f.severity === 'blocking')) return 'blocked';
  if (fieldStatuses.some((s) => s === 'needs-review' || s === 'unchecked')) return 'needs-review';
  if (open.length) return 'needs-review';
  return 'ready';
}
