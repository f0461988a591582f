import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatNhsNumber, isTestRangeNhsNumber, isValidNhsNumber, nhsCheckDigit } from '../src/record/nhs-number.ts';

/** Nine digits from the 999 test range that have a check digit. */
const validNumber = fc
  .integer({ min: 0, max: 999_999 })
  .map((n) => `999${String(n).padStart(6, '0')}`)
  .filter((first9) => nhsCheckDigit(first9) !== null)
  .map((first9) => first9 + String(nhsCheckDigit(first9)));

describe('nhsCheckDigit', () => {
  it('works the Modulus 11 sum by hand', () => {
    // 9,9,9,1,2,3,4,5,6 x 10..2 = 90+81+72+7+12+15+16+15+12 = 320; 320 mod 11 = 1; 11-1 = 10 -> no check digit.
    expect(nhsCheckDigit('999123456')).toBeNull();
    // 9,9,9,0,0,0,0,0,1 -> 90+81+72+2 = 245; 245 mod 11 = 3; check 8.
    expect(nhsCheckDigit('999000001')).toBe(8);
    // 9,4,3,4,7,6,5,9,1 -> 90+36+24+28+42+30+20+27+2 = 299; 299 mod 11 = 2; check 9 (the NHS's own example).
    expect(nhsCheckDigit('943476591')).toBe(9);
  });

  it('maps a check of 11 to 0', () => {
    // 9,9,9,0,0,0,0,1,1 -> 90+81+72+3+2 = 248; 248 mod 11 = 6; check 5. Find one whose sum is a multiple of 11:
    // 9,9,9,0,0,0,0,0,0 -> 243; 243 mod 11 = 1 -> 10 invalid. 9,9,9,0,0,0,0,1,0 -> 246; mod 11 = 4 -> 7.
    // 9,9,9,0,0,0,0,0,5 -> 243+10 = 253 = 23*11 -> 11 -> 0.
    expect(nhsCheckDigit('999000005')).toBe(0);
    expect(isValidNhsNumber('9990000050')).toBe(true);
  });

  it('refuses anything that is not nine digits', () => {
    expect(nhsCheckDigit('99912345')).toBeNull();
    expect(nhsCheckDigit('99912345a')).toBeNull();
  });
});

describe('isValidNhsNumber', () => {
  it('accepts good numbers and refuses bad shapes', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('9990000018')).toBe(true);
    expect(isValidNhsNumber('9990000017')).toBe(false);
    expect(isValidNhsNumber('999 000 0018')).toBe(false); // spaces are the caller's job
    expect(isValidNhsNumber('999000001')).toBe(false);
    expect(isValidNhsNumber('99900000188')).toBe(false);
    expect(isValidNhsNumber('')).toBe(false);
  });

  it('refuses a number whose first nine give a check of 10, whatever the last digit', () => {
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`999123456${d}`)).toBe(false);
  });

  it('every generated valid number passes (property)', () => {
    fc.assert(fc.property(validNumber, (n) => {
        expect(isValidNhsNumber(n)).toBe(true);
      }));
  });

  it('any single changed digit fails (property)', () => {
    fc.assert(
      fc.property(validNumber, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (n, pos, delta) => {
        const changed = n.slice(0, pos) + String((Number(n[pos]) + delta) % 10) + n.slice(pos + 1);
        expect(changed).not.toBe(n);
        expect(isValidNhsNumber(changed)).toBe(false);
      }),
    );
  });

  it('any swap of two adjacent different digits fails (property)', () => {
    fc.assert(
      fc.property(validNumber, fc.integer({ min: 0, max: 8 }), (n, pos) => {
        fc.pre(n[pos] !== n[pos + 1]);
        const swapped = n.slice(0, pos) + n[pos + 1] + n[pos] + n.slice(pos + 2);
        expect(isValidNhsNumber(swapped)).toBe(false);
      }),
    );
  });
});

describe('formatNhsNumber and the test range', () => {
  it('formats 3-3-4', () => {
    expect(formatNhsNumber('9990000018')).toBe('999 000 0018');
    expect(formatNhsNumber('999 000 0018')).toBe('999 000 0018');
    expect(formatNhsNumber('12345')).toBe('12345');
  });

  it('knows the 999 test range', () => {
    expect(isTestRangeNhsNumber('9990000018')).toBe(true);
    expect(isTestRangeNhsNumber('999 999 9999')).toBe(true);
    expect(isTestRangeNhsNumber('9434765919')).toBe(false);
    expect(isTestRangeNhsNumber('999000001')).toBe(false);
  });
});
