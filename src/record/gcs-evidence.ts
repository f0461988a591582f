// GCS evidence with the four fields of an observation set judged together. Pure: each field's box alternatives (or
// its value, where a person verified it) in; evidence per field out.
//
// Checking one field against the others as read trusts the others: a writer whose 5 looks like a 3 had verbal 5 and
// total 15 read as 3 and 13, and each passed "the parts sum to the total" with the other taken as read (both wrong
// GCS values of the 800 calibration forms). Here every combination of the fields' n-best readings is weighed, and a
// field's confidence is the share of the probability of the combinations that sum that its value holds: 3-and-13
// against 5-and-15 is then a close call, as it should be.
import type { Field } from '../template/schema.ts';
import { alternativeSure, CLOSE_RATIO, nBest, type BoxAlternatives, type Evidence } from './evidence.ts';

/** The three parts, then the total they must sum to. */
export const GCS_KEYS = ['gcsEye', 'gcsVerbal', 'gcsMotor', 'gcsTotal'] as const;
export type GcsKey = (typeof GCS_KEYS)[number];

/** One GCS field: read by the classifier (its boxes), or a value that stands (verified, or read without boxes). */
export type GcsField = { field: Field; boxes: readonly BoxAlternatives[] } | { value: number };

interface Candidate {
  value: number;
  text: string | null;
  p: number;
}

/** How many of a field's n-best readings are weighed (GCS fields are one or two boxes). */
const READINGS_PER_FIELD = 8;

/** A field's readings that are a value, best first. */
function candidates(f: GcsField, valueOf: (field: Field, text: string) => unknown): Candidate[] {
  if ('value' in f) return [{ value: f.value, text: null, p: 1 }];
  return nBest(f.boxes, READINGS_PER_FIELD).flatMap((r) => {
    const v = valueOf(f.field, r.text);
    return typeof v === 'number' && r.p > 0 ? [{ value: v, text: r.text, p: r.p }] : [];
  });
}

/**
 * Evidence for each box-read field of one observation set's GCS, when all four are there: the value of the most
 * probable combination that sums, with the share of the summing combinations' probability that value holds. None for
 * a field when no combination sums, when a combination giving it another value is close to the best, or when its
 * value is an alternative the model is not sure of.
 */
export function gcsEvidence(fields: Record<GcsKey, GcsField>, valueOf: (field: Field, text: string) => unknown): Map<GcsKey, Evidence> {
  const out = new Map<GcsKey, Evidence>();
  const lists = GCS_KEYS.map((k) => candidates(fields[k], valueOf));
  if (lists.some((l) => l.length === 0)) return out;
  const combos: { pick: Candidate[]; p: number }[] = [];
  const walk = (i: number, pick: Candidate[], p: number) => {
    if (i === lists.length) {
      if (pick[0]!.value + pick[1]!.value + pick[2]!.value === pick[3]!.value) combos.push({ pick: [...pick], p });
      return;
    }
    for (const c of lists[i]!) walk(i + 1, [...pick, c], p * c.p);
  };
  walk(0, [], 1);
  if (!combos.length) return out;
  combos.sort((a, b) => b.p - a.p);
  const total = combos.reduce((s, c) => s + c.p, 0);
  const best = combos[0]!;
  GCS_KEYS.forEach((key, i) => {
    const chosen = best.pick[i]!;
    if (chosen.text === null) return;
    const rival = combos.find((c) => c.pick[i]!.value !== chosen.value);
    if (rival && rival.p >= CLOSE_RATIO * best.p) return;
    const share = combos.filter((c) => c.pick[i]!.value === chosen.value).reduce((s, c) => s + c.p, 0) / total;
    // The field's best reading (which may not be a value at all, a '?' box): anything else is an alternative.
    const topText = nBest((fields[key] as { boxes: readonly BoxAlternatives[] }).boxes, 1)[0]!.text;
    const alternative = chosen.text !== topText;
    if (alternative && !alternativeSure(share, chosen.p, topText)) return;
    out.set(key, { kind: alternative ? 'gcs-alt' : 'gcs', confidence: share, text: chosen.text });
  });
  return out;
}
