// Evidence for comb fields: what the box classifier's alternatives, combined with a check the value must pass, say
// about a reading. Pure functions: the validate stage feeds them the stored box alternatives and the record read.
//
// A field's box reading is the best character of every box; its confidence is the product of those calibrated box
// probabilities. A check the value must pass (Modulus 11, a real date agreeing with the age, times in order, NEWS2
// or GCS that recompute, a drug name on the formulary) is evidence of a different kind: the machine may accept on it only at a
// threshold `calibrate` measured for that kind. Where the best reading fails its check but one alternative passes
// and the classifier is sure of it among the readings that pass, that alternative is taken (kind `…-alt`); it too is
// accepted only at its own measured threshold. A failed check is never evidence: the rules send the field to a person.

/** One box's alternatives, best first; an empty box is [{ char: ' ', p: 1 }]; `char: ''` is "not one clean character". */
export type BoxAlternatives = readonly { char: string; p: number }[];

export interface Reading {
  text: string;
  /** Product of the box probabilities: the classifier's probability of this whole reading. */
  p: number;
}

/** The checks a comb field can pass: the NHS number's Modulus 11, a date of birth agreeing with the age (and the age
 * with the date of birth), times in order, an observation's or drug's time within the care, the NEWS2 or GCS total
 * that recomputes, a drug name on the formulary, an incident's facts as the trust's CAD log has them, a staff number,
 * HCPC number and clinician's name as the trust's staff list has them. */
export const CHECK_KINDS = ['mod11', 'date', 'age', 'time-order', 'care-time', 'news2', 'gcs', 'formulary', 'cad', 'roster'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];
export type EvidenceKind = CheckKind | `${CheckKind}-alt`;
export const EVIDENCE_KINDS: readonly EvidenceKind[] = CHECK_KINDS.flatMap((k) => [k, `${k}-alt` as const]);

export interface Evidence {
  kind: EvidenceKind;
  /** How sure the reading is given that it passed the check (probability among the passing readings). */
  confidence: number;
  /** The reading the evidence stands behind (an alternative, for an `…-alt` kind). */
  text: string;
}

/** The character a box's best alternative gives the reading ('?' where it is not one clean character). */
function charOf(c: string): string {
  return c === '' ? '?' : c;
}

/** Best character of every box, as the normalisers take it. */
export function topReading(boxes: readonly BoxAlternatives[]): Reading {
  let p = 1;
  let text = '';
  for (const b of boxes) {
    const best = b[0];
    if (!best) {
      text += '?';
      p = 0;
      continue;
    }
    text += charOf(best.char);
    p *= best.p;
  }
  return { text, p };
}

/** The product of the best box probabilities: the field's confidence as the classifier alone sees it. */
export function jointConfidence(boxes: readonly BoxAlternatives[]): number {
  return topReading(boxes).p;
}

/**
 * The k most probable whole readings (box characters independent, as the classifier scores each box alone), best
 * first. A beam over the boxes: exact for k at least the product of the alternatives kept a box.
 */
export function nBest(boxes: readonly BoxAlternatives[], k = 64): Reading[] {
  let beam: Reading[] = [{ text: '', p: 1 }];
  for (const b of boxes) {
    const alts = b.length ? b : [{ char: '', p: 0 }];
    const next: Reading[] = [];
    for (const r of beam) for (const a of alts) next.push({ text: r.text + charOf(a.char), p: r.p * a.p });
    next.sort((x, y) => y.p - x.p);
    beam = next.slice(0, k);
  }
  return beam;
}

/** A passing alternative is taken only when, among the readings that pass, it holds at least this share. */
export const ALT_SURE_SHARE = 0.99;
/** ... and the classifier itself gave it at least this probability (not a far-fetched combination). */
export const ALT_MIN_P = 0.1;
/** A second passing reading at least this fraction of the best's probability is "close": no evidence then. */
export const CLOSE_RATIO = 0.05;

export interface CheckedChoice {
  /** The reading chosen: the best reading when it passes, else a passing alternative the model is sure of. */
  text: string;
  /** Share of the passing readings' probability that the chosen one holds. */
  share: number;
  alternative: boolean;
}

/**
 * The n-best readings against a check: the most probable passing reading, if no other passing reading is close.
 * Null when no reading passes, when another passing reading is close, or when the best fails and its passing
 * alternative is not sure enough: then there is no evidence and the best reading stands (for a person, if it fails).
 */
export function chooseByCheck(boxes: readonly BoxAlternatives[], passes: (text: string) => boolean, k = 64): CheckedChoice | null {
  const cands = nBest(boxes, k);
  if (!cands.length) return null;
  const passing = cands.filter((c) => passes(c.text));
  const best = passing[0];
  if (!best || best.p <= 0) return null;
  const total = passing.reduce((s, c) => s + c.p, 0);
  const second = passing[1];
  if (second && second.p >= CLOSE_RATIO * best.p) return null;
  const share = best.p / total;
  const alternative = best.text !== cands[0]!.text;
  if (alternative && !alternativeSure(share, best.p, cands[0]!.text)) return null;
  return { text: best.text, share, alternative };
}

/**
 * Whether a passing alternative may stand in for the best reading: the model sure of it among the passing readings,
 * not far-fetched, and no box of the best reading seen as not one clean character (a crossing-out, a smudge, two
 * characters: a person's).
 */
export function alternativeSure(share: number, p: number, bestText: string): boolean {
  return share >= ALT_SURE_SHARE && p >= ALT_MIN_P && !bestText.includes('?');
}

/** Evidence from a check over the n-best: the kind names the check, `…-alt` when an alternative was taken. */
export function checkedEvidence(
  boxes: readonly BoxAlternatives[],
  kind: CheckKind,
  passes: (text: string) => boolean,
): Evidence | null {
  const c = chooseByCheck(boxes, passes);
  if (!c) return null;
  return { kind: c.alternative ? (`${kind}-alt` as EvidenceKind) : kind, confidence: c.share, text: c.text };
}

/** The key a calibrated threshold is stored under: the field type alone, or type and evidence kind. */
export function thresholdKey(type: string, kind?: EvidenceKind): string {
  return kind ? `${type}:${kind}` : type;
}
