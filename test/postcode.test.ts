import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isValidPostcode, normalisePostcode, POSTCODE_PATTERN } from '../src/record/postcode.ts';

const chars = (s: string) => fc.constantFrom(...s.split(''));
const DIGIT = chars('0123456789');
const POS1 = chars('ABCDEFGHIJKLMNOPRSTUWYZ');
const POS2_LETTER = chars('ABCDEFGHKLMNOPQRSTUVWXY');
const A9A_LETTER = chars('AEHMNPRTVXY');
const AA9A_LETTER = chars('ABEHMNPRVWXY');
const INWARD_LETTER = chars('ABDEFGHJLNPQRSTUWXYZ'); // never C I K M O V

/** Valid postcodes of every outward shape, in the strict one-space form. */
const validPostcode = fc
  .oneof(
    fc.tuple(POS1, DIGIT), // A9
    fc.tuple(POS1, DIGIT, DIGIT), // A99
    fc.tuple(POS1, POS2_LETTER, DIGIT), // AA9
    fc.tuple(POS1, POS2_LETTER, DIGIT, DIGIT), // AA99
    fc.tuple(POS1, DIGIT, A9A_LETTER), // A9A
    fc.tuple(POS1, POS2_LETTER, DIGIT, AA9A_LETTER), // AA9A
  )
  .chain((out) => fc.tuple(fc.constant(out.join('')), DIGIT, INWARD_LETTER, INWARD_LETTER))
  .map(([out, d, l1, l2]) => `${out} ${d}${l1}${l2}`);

describe('normalisePostcode: tidying', () => {
  it('upper-cases, strips spaces and puts one space before the inward code', () => {
    expect(normalisePostcode('sw1a1aa')).toEqual({ value: 'SW1A 1AA', fixes: [] });
    expect(normalisePostcode('  M1   1AE ')).toEqual({ value: 'M1 1AE', fixes: [] });
    expect(normalisePostcode('B33 8TH')).toEqual({ value: 'B33 8TH', fixes: [] });
    expect(normalisePostcode('CR2 6XH')).toEqual({ value: 'CR2 6XH', fixes: [] });
    expect(normalisePostcode('DN55 1PT')).toEqual({ value: 'DN55 1PT', fixes: [] });
    expect(normalisePostcode('W1A 0AX')).toEqual({ value: 'W1A 0AX', fixes: [] });
    expect(normalisePostcode('EC1A 1BB')).toEqual({ value: 'EC1A 1BB', fixes: [] });
    expect(normalisePostcode('gir0aa')).toEqual({ value: 'GIR 0AA', fixes: [] });
  });

  it('says what is wrong when it cannot make a postcode', () => {
    expect(normalisePostcode('').problem).toMatch(/nothing/);
    expect(normalisePostcode('SW1A').problem).toMatch(/4 characters/);
    expect(normalisePostcode('SW1A11AAA').problem).toMatch(/9 characters/);
    expect(normalisePostcode('SW1-1AA').problem).toMatch(/"-"/);
    expect(normalisePostcode('SW1A 1CA').problem).toMatch(/other than C, I, K, M, O and V/);
    expect(normalisePostcode('SW1A 1OA').problem).toMatch(/other than C, I, K, M, O and V/); // O is never an inward letter
    expect(normalisePostcode('QW1 1AA').problem).toMatch(/never starts with "Q"/);
    expect(normalisePostcode('AJ1 1AA').problem).toMatch(/second character is never "J"/);
    expect(normalisePostcode('SW1A 1AA').value).toBe('SW1A 1AA');
  });
});

describe('normalisePostcode: confusions fixed only where the position forces them', () => {
  it('inward first character is a digit: O I S Z B G become 0 1 5 2 8 6', () => {
    const cases: [string, string, string][] = [
      ['SW1A OAA', 'O', '0'], ['SW1A IAA', 'I', '1'], ['SW1A SAA', 'S', '5'],
      ['SW1A ZAA', 'Z', '2'], ['SW1A BAA', 'B', '8'], ['SW1A GAA', 'G', '6'],
    ];
    for (const [raw, from, to] of cases) {
      const r = normalisePostcode(raw);
      expect(r.value, raw).toBe(`SW1A ${to}AA`);
      expect(r.fixes).toEqual([{ position: 5, from, to }]);
    }
  });

  it('inward letters: 5 2 8 6 become S Z B G; 0 and 1 cannot (O and I are never inward letters)', () => {
    expect(normalisePostcode('M1 15A')).toEqual({ value: 'M1 1SA', fixes: [{ position: 4, from: '5', to: 'S' }] });
    expect(normalisePostcode('M1 1A2')).toEqual({ value: 'M1 1AZ', fixes: [{ position: 5, from: '2', to: 'Z' }] });
    expect(normalisePostcode('M1 18A').value).toBe('M1 1BA');
    expect(normalisePostcode('M1 1A6').value).toBe('M1 1AG');
    const r = normalisePostcode('M1 10A');
    expect(r.value).toBeUndefined();
    expect(r.problem).toBeDefined();
  });

  it('outward position 1 is always a letter: 0 1 5 2 8 6 become O I S Z B G', () => {
    expect(normalisePostcode('0X4 1AA')).toEqual({ value: 'OX4 1AA', fixes: [{ position: 1, from: '0', to: 'O' }] });
    expect(normalisePostcode('1P4 1AA').value).toBe('IP4 1AA');
    expect(normalisePostcode('5W1A 1AA').value).toBe('SW1A 1AA');
    expect(normalisePostcode('2E1 1AA').value).toBe('ZE1 1AA');
    expect(normalisePostcode('81 1AA').value).toBe('B1 1AA');
    expect(normalisePostcode('6L1 1AA').value).toBe('GL1 1AA');
  });

  it('an outward code of two is letter-digit, so position 2 is forced to a digit', () => {
    expect(normalisePostcode('MI 1AE')).toEqual({ value: 'M1 1AE', fixes: [{ position: 2, from: 'I', to: '1' }] });
    expect(normalisePostcode('BS 1AA').value).toBe('B5 1AA');
  });

  it('an outward code of four has a letter in position 2 and a digit in position 3', () => {
    expect(normalisePostcode('S81A 1AA')).toEqual({ value: 'SB1A 1AA', fixes: [{ position: 2, from: '8', to: 'B' }] });
    expect(normalisePostcode('SWIA 1AA')).toEqual({ value: 'SW1A 1AA', fixes: [{ position: 3, from: 'I', to: '1' }] });
    expect(normalisePostcode('ECOA 1BB')).toEqual({ value: 'EC0A 1BB', fixes: [{ position: 3, from: 'O', to: '0' }] });
    // Position 2 never holds I or Z, so 1 and 2 there cannot be letters: refused, not guessed.
    expect(normalisePostcode('S11A 1AA').value).toBeUndefined();
    // Position 4 may be a letter or a digit: never changed.
    expect(normalisePostcode('SW10 1AA')).toEqual({ value: 'SW10 1AA', fixes: [] });
    expect(normalisePostcode('SW1B 1AA')).toEqual({ value: 'SW1B 1AA', fixes: [] });
  });

  it('an outward code of three: a letter in position 2 forces a digit in position 3; after a digit, either may follow', () => {
    expect(normalisePostcode('CRZ 6XH')).toEqual({ value: 'CR2 6XH', fixes: [{ position: 3, from: 'Z', to: '2' }] });
    expect(normalisePostcode('W1A 0AX')).toEqual({ value: 'W1A 0AX', fixes: [] });
    expect(normalisePostcode('W15 0AX')).toEqual({ value: 'W15 0AX', fixes: [] });
    // Position 2 may be a letter or digit: "S0" stays as read even though "SO" is a real area.
    expect(normalisePostcode('S01 1AA')).toEqual({ value: 'S01 1AA', fixes: [] });
  });

  it('fixes several positions at once', () => {
    const r = normalisePostcode('5WIA IA8');
    expect(r.value).toBe('SW1A 1AB');
    expect(r.fixes.map((f) => f.position)).toEqual([5, 7, 1, 3]);
  });
});

describe('normalisePostcode: properties', () => {
  it('generated postcodes are valid under the strict pattern', () => {
    fc.assert(
      fc.property(validPostcode, (pc) => {
        expect(POSTCODE_PATTERN.test(pc)).toBe(true);
        expect(isValidPostcode(pc)).toBe(true);
      }),
    );
  });

  it('a valid postcode comes back unchanged, with no fixes, however it is spaced or cased', () => {
    fc.assert(
      fc.property(validPostcode, fc.constantFrom('', ' ', '  '), fc.boolean(), (pc, gap, lower) => {
        const raw = pc.replace(' ', gap);
        const r = normalisePostcode(lower ? raw.toLowerCase() : raw);
        expect(r).toEqual({ value: pc, fixes: [] });
      }),
    );
  });

  it('no "fix" ever turns a valid postcode into a different one, and every value is valid', () => {
    const text = fc.string({ unit: chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 5, maxLength: 7 });
    fc.assert(
      fc.property(text, (s) => {
        const r = normalisePostcode(s);
        const asWritten = `${s.slice(0, -3)} ${s.slice(-3)}`;
        if (isValidPostcode(asWritten)) expect(r).toEqual({ value: asWritten, fixes: [] });
        if (r.value !== undefined) expect(isValidPostcode(r.value)).toBe(true);
        else expect(r.problem).toBeTruthy();
        if (r.fixes.length === 0 && r.value !== undefined) expect(r.value.replace(' ', '')).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('a confusion in the inward code is undone', () => {
    const toConfusable: Record<string, string> = { '0': 'O', '1': 'I', '5': 'S', '2': 'Z', '8': 'B', '6': 'G', S: '5', Z: '2', B: '8', G: '6' };
    fc.assert(
      fc.property(validPostcode, fc.integer({ min: 1, max: 3 }), (pc, fromEnd) => {
        const compact = pc.replace(' ', '');
        const i = compact.length - fromEnd;
        const swap = toConfusable[compact[i]!];
        fc.pre(swap !== undefined);
        const misread = compact.slice(0, i) + swap + compact.slice(i + 1);
        expect(normalisePostcode(misread).value).toBe(pc);
      }),
    );
  });
});
