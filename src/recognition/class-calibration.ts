// Class-wise calibration of the box classifier's best alternative. One temperature for every class leaves the
// network's probability meaning different things for different characters: on scanned forms its '7' at p 0.95 is
// often a 1 with a long flag, while its '1' at p 0.95 is nearly always a 1. Each (charset, best class) gets its own
// exponent a, fitted on scanned boxes of hands the network never trained on: the best alternative's p becomes p^a
// (a > 1: less sure; a < 1: surer). The other alternatives are never raised (only cut to share what is left), so a box
// whose best class is made less sure can hand the lead to its second alternative only at that alternative's own,
// unraised p: recalibration never makes a new reading sure. Pure functions; the fit runs in
// training/fit-class-calibration.ts, the exponents ship in the model's metadata.
import type { BoxAlternative, BoxCharset } from './box-classifier.ts';

/** Exponents by `${charset}:${char}` (char '' is the noise class); a class not named keeps its p (a = 1). */
export type ClassExponents = Readonly<Record<string, number>>;

/** The bounds of an exponent: no class is made more than this much surer or less sure, whatever the fit says. */
export const EXPONENT_MIN = 0.25;
export const EXPONENT_MAX = 20;
/** Boxes a class must have (at FIT_FROM_P or above) before its own exponent is fitted. */
export const MIN_CLASS_BOXES = 150;

export const classKey = (charset: BoxCharset, char: string): string => `${charset}:${char}`;

/** A box's alternatives with its best one recalibrated (see the module comment), best first. */
export function recalibrate(charset: BoxCharset, alternatives: readonly BoxAlternative[], exponents: ClassExponents): BoxAlternative[] {
  const best = alternatives[0];
  if (!best) return [];
  const a = exponents[classKey(charset, best.char)];
  if (a === undefined || a === 1) return [...alternatives];
  const p = best.p ** a;
  // The others share what is left, in their own proportions, and are never raised.
  const others = alternatives.slice(1);
  const theirs = others.reduce((s, x) => s + x.p, 0);
  const scale = theirs > 0 ? Math.min(1, (1 - p) / theirs) : 1;
  return [{ char: best.char, p }, ...others.map((x) => ({ char: x.char, p: x.p * scale }))].sort((x, y) => y.p - x.p);
}

export interface BoxSample {
  /** The classifier's best p for the box (before this calibration). */
  p: number;
  /** Whether its best character is what was written. */
  right: boolean;
}

/**
 * How strongly an exponent is held to 1 (p as the network gives it): a penalty PRIOR_WEIGHT * (log a)^2 on the summed
 * NLL, worth a few boxes. A class that was never wrong on the fitting boxes would otherwise be pushed to the lower
 * bound by boxes the network was already sure of.
 */
export const PRIOR_WEIGHT = 2;

/**
 * Only boxes the network gives at least this p are fitted on: a field is accepted on boxes it is nearly sure of, so
 * that is where each class's p must be honest. Below it, a class's many unsure boxes (a 1 at 0.6 that is a 1) would
 * set an exponent for the sure ones they say nothing about.
 */
export const FIT_FROM_P = 0.9;

/** Negative log-likelihood of the samples' rightness with the best p raised to a, plus the prior's penalty. */
function penalisedNll(samples: readonly BoxSample[], a: number): number {
  let s = 0;
  for (const x of samples) {
    const q = Math.min(1 - 1e-12, Math.max(1e-12, x.p ** a));
    s -= x.right ? Math.log(q) : Math.log(1 - q);
  }
  return s + PRIOR_WEIGHT * Math.log(a) ** 2;
}

/**
 * The exponent that makes the samples' best p most honest (lowest penalised NLL), searched on log a within the
 * bounds by golden section: the right boxes' part of the NLL only rises with a and the wrong ones' only falls, so it
 * has one valley.
 */
export function fitExponent(samples: readonly BoxSample[]): number {
  let lo = Math.log(EXPONENT_MIN);
  let hi = Math.log(EXPONENT_MAX);
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = penalisedNll(samples, Math.exp(x1));
  let f2 = penalisedNll(samples, Math.exp(x2));
  for (let i = 0; i < 60; i++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = penalisedNll(samples, Math.exp(x1));
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = penalisedNll(samples, Math.exp(x2));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Exponents for every class with enough boxes; a class with fewer keeps a = 1. A class none of whose boxes was
 * wrong is fitted like any other: the prior and the lower bound keep it from being made certain.
 */
export function fitClassExponents(samples: ReadonlyMap<string, readonly BoxSample[]>, minBoxes = MIN_CLASS_BOXES): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, all] of [...samples].sort(([a], [b]) => a.localeCompare(b))) {
    const s = all.filter((x) => x.p >= FIT_FROM_P);
    if (s.length < minBoxes) continue;
    out[key] = Number(fitExponent(s).toFixed(4));
  }
  return out;
}
