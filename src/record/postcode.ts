// UK postcodes: tidy what was read, and resolve letter/digit confusions (O/0, I/1, S/5, Z/2, B/8, G/6) only where
// the position forces a letter or a digit. A position that may legally hold either is never changed, and a fix in the
// outward code (the district) is made only when the district it gives is one the shipped list confirms exists.
//
// Letter classes by position (Royal Mail, DOMAIN.md): position 1 never Q V X; position 2 never I J Z; the third
// letter of A9A only A B C D E F G H J K P S T U W; the fourth letter of AA9A only A B E H M N P R V W X Y; inward
// letters never C I K M O V. Plus GIR 0AA. Non-geographic codes (BFPO, the overseas territories' ASCN 1ZZ and the
// like, Royal Mail's XM4 5HQ) are recognised and sent to a person: a trust decides whether its patients have them.
import districtData from './data/postcode-districts.json' with { type: 'json' };

const L1 = 'A-PR-UWYZ';
const L2 = 'A-HK-Y';
const L3_A9A = 'A-HJKPSTUW';
const L4_AA9A = 'ABEHMNPRVWXY';
const LIN = 'ABD-HJLNP-UW-Z';

/** The strict pattern (upper case, one space): every outward shape with its letter classes, or GIR 0AA. */
export const POSTCODE_PATTERN = new RegExp(
  `^(?:(?:[${L1}]\\d|[${L1}]\\d\\d|[${L1}][${L2}]\\d|[${L1}][${L2}]\\d\\d|[${L1}]\\d[${L3_A9A}]|[${L1}][${L2}]\\d[${L4_AA9A}]) \\d[${LIN}]{2}|GIR 0AA)$`,
);

/** Districts the shipped list (src/record/data/postcode-districts.json, with its source) confirms exist. */
export const CONFIRMED_DISTRICTS: ReadonlySet<string> = new Set(districtData.districts);

/**
 * Non-geographic postcodes, each refused as a home postcode with its own reason (documented in the README): BFPO
 * numbers (British Forces Post Office), the overseas territories' single postcodes, and Royal Mail's XM4 5HQ (Santa's
 * mail, whose X the letter rules forbid in position 1).
 */
const OVERSEAS = new Map([
  ['ASCN 1ZZ', 'Ascension Island'],
  ['BBND 1ZZ', 'British Indian Ocean Territory'],
  ['BIQQ 1ZZ', 'British Antarctic Territory'],
  ['FIQQ 1ZZ', 'the Falkland Islands'],
  ['PCRN 1ZZ', 'the Pitcairn Islands'],
  ['SIQQ 1ZZ', 'South Georgia and the South Sandwich Islands'],
  ['STHL 1ZZ', 'Saint Helena'],
  ['TDCU 1ZZ', 'Tristan da Cunha'],
  ['TKCA 1ZZ', 'the Turks and Caicos Islands'],
  ['GX11 1AA', 'Gibraltar'],
]);

/** The reason a non-geographic code cannot be taken as a home postcode, or undefined for any other input. */
export function nonGeographicReason(raw: string): string | undefined {
  const compact = raw.toUpperCase().replace(/\s+/g, '');
  if (/^BFPO\d{1,4}$/.test(compact)) return 'it is a British Forces Post Office (BFPO) number, not a home postcode; check where the patient lives';
  const spaced = compact.length >= 5 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact;
  const territory = OVERSEAS.get(spaced);
  if (territory) return `it is the postcode of ${territory}, an overseas territory; check where the patient lives`;
  if (spaced === 'XM4 5HQ') return "it is Royal Mail's non-geographic postcode for letters to Santa, not a home postcode";
  return undefined;
}

const LETTER_TO_DIGIT: Record<string, string> = { O: '0', I: '1', S: '5', Z: '2', B: '8', G: '6' };
const DIGIT_TO_LETTER: Record<string, string> = { '0': 'O', '1': 'I', '5': 'S', '2': 'Z', '8': 'B', '6': 'G' };

/** Letters each position allows when it holds a letter (DOMAIN.md). */
const OUTWARD_1_LETTERS = new RegExp(`[${L1}]`);
const OUTWARD_2_LETTERS = new RegExp(`[${L2}]`);
const A9A_3_LETTERS = new RegExp(`[${L3_A9A}]`);
const AA9A_4_LETTERS = new RegExp(`[${L4_AA9A}]`);
const INWARD_LETTERS = new RegExp(`[${LIN}]`);

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
  /** Plain-English reason when no valid postcode could be made, or a fix could not be shown right. */
  problem?: string;
  /** What a fix would have given, when it was not made because the district it gives is not confirmed. */
  unconfirmedFix?: string;
  /**
   * Characters that could be read either way where the position allows both (W1S or W15): the value is as read,
   * but the other reading is also a valid postcode, so a person must say which the form has.
   */
  ambiguous?: { position: number; read: string; other: string; otherValue: string }[];
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isLetter = (c: string) => c >= 'A' && c <= 'Z';

/** An outward code (district) of any shape that obeys the letter classes. */
export function isValidOutwardCode(outward: string): boolean {
  return POSTCODE_PATTERN.test(`${outward} 1AB`) && outward !== 'GIR';
}

/** A postcode in the strict one-space form that obeys every letter class (or is GIR 0AA). */
export function isValidPostcode(s: string): boolean {
  return POSTCODE_PATTERN.test(s);
}

export function normalisePostcode(raw: string): PostcodeResult {
  const chars = raw.toUpperCase().replace(/\s+/g, '').split('');
  const fixes: PostcodeFix[] = [];

  if (chars.length === 0) return { fixes, problem: 'nothing was written' };
  const nonGeo = nonGeographicReason(raw);
  if (nonGeo) return { fixes, problem: nonGeo };
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
  const outward = compact.slice(0, outLen);
  const value = `${outward} ${compact.slice(outLen)}`;
  if (!isValidPostcode(value)) {
    return { fixes, problem: describeProblem(outward, compact.slice(outLen)) };
  }
  // A fix inside the district is made only when the district it gives is known to exist (SWO -> SW0 is not).
  if (fixes.some((f) => f.position <= outLen) && !CONFIRMED_DISTRICTS.has(outward)) {
    return {
      fixes: [],
      unconfirmedFix: value,
      problem: `reading it as "${value}" would need the district "${outward}", which the district list does not confirm exists`,
    };
  }
  const ambiguous = ambiguousPositions(compact, outLen);
  return ambiguous.length ? { value, fixes, ambiguous } : { value, fixes };
}

/** Positions holding a confusable character whose counterpart also makes a valid postcode. */
function ambiguousPositions(compact: string, outLen: number): NonNullable<PostcodeResult['ambiguous']> {
  const out: NonNullable<PostcodeResult['ambiguous']> = [];
  if (compact === 'GIR0AA') return out;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i]!;
    const other = LETTER_TO_DIGIT[c] ?? DIGIT_TO_LETTER[c];
    if (other === undefined) continue;
    const alt = compact.slice(0, i) + other + compact.slice(i + 1);
    const otherValue = `${alt.slice(0, outLen)} ${alt.slice(outLen)}`;
    if (isValidPostcode(otherValue)) out.push({ position: i + 1, read: c, other, otherValue });
  }
  return out;
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
  const last = outward[outward.length - 1]!;
  if (isLetter(last) && outward.length === 3 && isDigit(outward[1]!) && !A9A_3_LETTERS.test(last)) {
    return `a district like "${outward}" never ends in "${last}" (only A B C D E F G H J K P S T U W)`;
  }
  if (isLetter(last) && outward.length === 4 && !AA9A_4_LETTERS.test(last)) {
    return `a district like "${outward}" never ends in "${last}" (only A B E H M N P R V W X Y)`;
  }
  return `the first part "${outward}" is not a UK postcode district`;
}
