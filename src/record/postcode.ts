// UK postcodes: tidy what was read, and resolve letter/digit confusions (O/0, I/1, S/5, Z/2, B/8, G/6) only where
// the position forces a letter or a digit. A position that may legally hold either is never changed.

/**
 * The strict pattern from DOMAIN.md (upper case, one or two spaces). Its inward letter class [ABD-HJLN-UW-Z] lets
 * O through (N-U), against DOMAIN.md's own rule "inward letters never C, I, K, M, O, V"; isValidPostcode applies
 * the rule as well.
 */
export const POSTCODE_PATTERN =
  /^([A-PR-UWYZ0-9][A-HK-Y0-9][AEHMNPRTVXY0-9]?[ABEHMNPRVWXY0-9]? {1,2}[0-9][ABD-HJLN-UW-Z]{2}|GIR 0AA)$/;

/** Outward-code shapes (A letter, 9 digit): A9, A99, AA9, AA99, A9A, AA9A. */
const OUTWARD_SHAPES = /^([A-Z]\d|[A-Z]\d\d|[A-Z][A-Z]\d|[A-Z][A-Z]\d\d|[A-Z]\d[A-Z]|[A-Z][A-Z]\d[A-Z])$/;

const LETTER_TO_DIGIT: Record<string, string> = { O: '0', I: '1', S: '5', Z: '2', B: '8', G: '6' };
const DIGIT_TO_LETTER: Record<string, string> = { '0': 'O', '1': 'I', '5': 'S', '2': 'Z', '8': 'B', '6': 'G' };

/** Letters each position allows when it holds a letter (DOMAIN.md). */
const OUTWARD_1_LETTERS = /[A-PR-UWYZ]/;
const OUTWARD_2_LETTERS = /[A-HK-Y]/;
const INWARD_LETTERS = /[ABD-HJLNP-UW-Z]/;

export interface PostcodeFix {
  /** 1-based position in the postcode written without its space. */
  position: number;
  from: string;
  to: string;
}

export interface PostcodeResult {
  /** The postcode in the strict form with one space, when it is (or has been made) valid. */
  value?: string;
  fixes: PostcodeFix[];
  /** Plain-English reason when no valid postcode could be made. */
  problem?: string;
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isLetter = (c: string) => c >= 'A' && c <= 'Z';

export function isValidPostcode(s: string): boolean {
  if (!POSTCODE_PATTERN.test(s)) return false;
  if (s === 'GIR 0AA') return true;
  const [outward, inward] = s.split(/ +/) as [string, string];
  return OUTWARD_SHAPES.test(outward) && INWARD_LETTERS.test(inward[1]!) && INWARD_LETTERS.test(inward[2]!);
}

export function normalisePostcode(raw: string): PostcodeResult {
  const chars = raw.toUpperCase().replace(/\s+/g, '').split('');
  const fixes: PostcodeFix[] = [];

  if (chars.length === 0) return { fixes, problem: 'nothing was written' };
  const odd = chars.find((c) => !isDigit(c) && !isLetter(c));
  if (odd !== undefined) return { fixes, problem: `it contains "${odd}", which is neither a letter nor a digit` };
  if (chars.length < 5 || chars.length > 7) {
    return { fixes, problem: `it has ${chars.length} characters; a postcode has 5 to 7 (without the space)` };
  }

  /** Make position i a digit or a letter, if a known confusion allows it and the result is a permitted character. */
  const force = (i: number, want: 'digit' | 'letter', allowed?: RegExp) => {
    const c = chars[i]!;
    if (want === 'digit' && isLetter(c)) {
      const to = LETTER_TO_DIGIT[c];
      if (to !== undefined) {
        fixes.push({ position: i + 1, from: c, to });
        chars[i] = to;
      }
    } else if (want === 'letter' && isDigit(c)) {
      const to = DIGIT_TO_LETTER[c];
      if (to !== undefined && (!allowed || allowed.test(to))) {
        fixes.push({ position: i + 1, from: c, to });
        chars[i] = to;
      }
    }
  };

  const n = chars.length;
  const outLen = n - 3;
  // Inward code: always digit, letter, letter.
  force(n - 3, 'digit');
  force(n - 2, 'letter', INWARD_LETTERS);
  force(n - 1, 'letter', INWARD_LETTERS);

  // The one special postcode has a letter where outward codes have digits; leave it alone.
  if (chars.slice(0, outLen).join('') !== 'GIR') {
    // Outward position 1 is always a letter.
    force(0, 'letter', OUTWARD_1_LETTERS);
    if (outLen === 2) {
      force(1, 'digit'); // A9
    } else if (outLen === 3) {
      // A99, AA9, A9A: a letter in position 2 forces a digit in position 3 (AA9); after a digit, either may follow.
      if (isLetter(chars[1]!)) force(2, 'digit');
    } else if (outLen === 4) {
      // AA99, AA9A: position 2 is a letter, position 3 a digit; position 4 may be either.
      force(1, 'letter', OUTWARD_2_LETTERS);
      force(2, 'digit');
    }
  }

  const compact = chars.join('');
  const value = `${compact.slice(0, outLen)} ${compact.slice(outLen)}`;
  if (!isValidPostcode(value)) {
    return { fixes, problem: describeProblem(compact.slice(0, outLen), compact.slice(outLen)) };
  }
  return { value, fixes };
}

/** Say which part breaks the rules, in words a data manager can act on. */
function describeProblem(outward: string, inward: string): string {
  if (!isDigit(inward[0]!)) return `the last part must start with a digit, but "${inward[0]}" was read`;
  for (const c of inward.slice(1)) {
    if (!INWARD_LETTERS.test(c)) return `the last two characters must be letters other than C, I, K, M, O and V, but "${c}" was read`;
  }
  if (!isLetter(outward[0]!)) return `it must start with a letter, but "${outward[0]}" was read`;
  if (!OUTWARD_1_LETTERS.test(outward[0]!)) return `a postcode never starts with "${outward[0]}"`;
  if (isLetter(outward[1]!) && !OUTWARD_2_LETTERS.test(outward[1]!)) {
    return `the second character is never "${outward[1]}"`;
  }
  return `the first part "${outward}" is not a UK postcode district`;
}
