import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { CONFIRMED_DISTRICTS, isValidOutwardCode, isValidPostcode, nonGeographicReason, normalisePostcode, POSTCODE_PATTERN } from '../src/record/postcode.ts';

const chars = (s: string) => fc.constantFrom(...s.split(''));
const DIGIT = chars('0123456789');
const POS1 = chars('ABCDEFGHIJKLMNOPRSTUWYZ');
const POS2_LETTER = chars('ABCDEFGHKLMNOPQRSTUVWXY');
const A9A_LETTER = chars('ABCDEFGHJKPSTUW');
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

  // An outward fix is made only into a district the shipped list confirms (London's, from the london-districts
  // package); any other goes to a person with what the fix would have given.
  const unconfirmed = (raw: string, would: string) => {
    const r = normalisePostcode(raw);
    expect(r.value, raw).toBeUndefined();
    expect(r.unconfirmedFix, raw).toBe(would);
    expect(r.problem, raw).toMatch(/does not confirm exists/);
  };

  it('outward position 1 is always a letter: 0 1 5 2 8 6 become O I S Z B G, into a confirmed district only', () => {
    expect(normalisePostcode('5W1 1AA')).toEqual({ value: 'SW1 1AA', fixes: [{ position: 1, from: '5', to: 'S' }] });
    expect(normalisePostcode('8R1 1AA').value).toBe('BR1 1AA');
    expect(normalisePostcode('6U1 1AA').fixes).toEqual([]); // "GU1" is not in the list: no fix
    unconfirmed('0X4 1AA', 'OX4 1AA');
    unconfirmed('1P4 1AA', 'IP4 1AA');
    unconfirmed('1A1 1AA', 'IA1 1AA'); // the case: no district IA1
  });

  it('an outward code of two is letter-digit, so position 2 is forced to a digit', () => {
    expect(normalisePostcode('EI 1AA')).toEqual({ value: 'E1 1AA', fixes: [{ position: 2, from: 'I', to: '1' }] });
    expect(normalisePostcode('NS 1AA').value).toBe('N5 1AA');
    unconfirmed('MI 1AE', 'M1 1AE');
  });

  it('an outward code of four has a letter in position 2 and a digit in position 3', () => {
    unconfirmed('SWIA 1AA', 'SW1A 1AA');
    unconfirmed('ECOA 1BB', 'EC0A 1BB'); // there is no EC0A
    unconfirmed('S81A 1AA', 'SB1A 1AA');
    // Position 2 never holds I or Z, so 1 and 2 there cannot be letters: refused, not guessed.
    expect(normalisePostcode('S11A 1AA').value).toBeUndefined();
    // Position 4 may be a letter or a digit: never changed.
    expect(normalisePostcode('SW10 1AA')).toEqual({ value: 'SW10 1AA', fixes: [] });
    expect(normalisePostcode('SW1E 1AA')).toEqual({ value: 'SW1E 1AA', fixes: [] });
  });

  it('an outward code of three: a letter in position 2 forces a digit in position 3; after a digit, either may follow', () => {
    expect(normalisePostcode('CRZ 6XH')).toEqual({ value: 'CR2 6XH', fixes: [{ position: 3, from: 'Z', to: '2' }] });
    expect(normalisePostcode('CRO 6XH')).toEqual({ value: 'CR0 6XH', fixes: [{ position: 3, from: 'O', to: '0' }] });
    unconfirmed('SWO OAA', 'SW0 0AA'); // the case: no district SW0
    expect(normalisePostcode('W1A 0AX')).toEqual({ value: 'W1A 0AX', fixes: [] });
    expect(normalisePostcode('W15 0AX')).toMatchObject({ value: 'W15 0AX', fixes: [], ambiguous: [{ position: 3, other: 'S' }] });
    // Position 2 may be a letter or digit: "S0" stays as read even though "SO" is a real area.
    expect(normalisePostcode('S01 1AA')).toMatchObject({ value: 'S01 1AA', fixes: [], ambiguous: [{ position: 2, other: 'O' }] });
  });

  it('a confusable in a position that allows both readings is kept as read and named for a person', () => {
    expect(normalisePostcode('W1S 1AA')).toEqual({ value: 'W1S 1AA', fixes: [], ambiguous: [{ position: 3, read: 'S', other: '5', otherValue: 'W15 1AA' }] });
    expect(normalisePostcode('S01 1AA').ambiguous).toEqual([{ position: 2, read: '0', other: 'O', otherValue: 'SO1 1AA' }]);
    expect(normalisePostcode('G46 8NG').ambiguous?.map((a) => a.otherValue)).toEqual(['G4G 8NG']);
    // Where the other reading breaks a rule there is nothing to ask: SO16 cannot be S016, nor B5 B S.
    for (const pc of ['SO16 6YD', 'B5 1AA', 'SW1A 2AA', 'CV4 7AL', 'SW10 1AA']) expect(normalisePostcode(pc).ambiguous, pc).toBeUndefined();
  });

  it('fixes several positions at once', () => {
    const r = normalisePostcode('5WI IA8');
    expect(r.value).toBe('SW1 1AB');
    expect(r.fixes.map((f) => f.position)).toEqual([4, 6, 1, 3]);
  });
});

describe('letter classes by position (DOMAIN.md), the specials, and non-geographic codes', () => {
  const sample = JSON.parse(readFileSync('fixtures/postcodes/real-sample.json', 'utf8')) as { source: string; postcodes: string[] };

  it('every real postcode in the committed sample is valid and comes back unchanged', () => {
    expect(sample.source).toMatch(/npm @ideal-postcodes\/api-fixtures/);
    expect(sample.postcodes.length).toBeGreaterThanOrEqual(10);
    for (const pc of sample.postcodes) {
      expect(isValidPostcode(pc), pc).toBe(true);
      expect(normalisePostcode(pc), pc).toMatchObject({ value: pc, fixes: [] });
    }
  });

  it('every district in the shipped list is a valid outward code', () => {
    expect(CONFIRMED_DISTRICTS.size).toBeGreaterThan(200);
    for (const d of CONFIRMED_DISTRICTS) expect(isValidOutwardCode(d), d).toBe(true);
  });

  it('the A9A and AA9A specials the old pattern refused are accepted (W1U, W1K, ... N1C, EC1A)', () => {
    for (const d of ['W1U', 'W1K', 'W1F', 'W1G', 'W1J', 'W1D', 'W1S', 'W1C', 'W1A', 'W1B', 'W1H', 'W1T', 'W1W', 'N1C', 'N1P', 'E1W', 'SE1P', 'NW1W', 'EC1A', 'EC1M', 'EC2V', 'EC3N', 'EC4Y', 'WC1X', 'WC2H', 'SW1A', 'SW1P']) {
      expect(isValidOutwardCode(d), d).toBe(true);
      expect(normalisePostcode(`${d}1AB`).value, d).toBe(`${d} 1AB`);
    }
  });

  it('every letter a position forbids is refused, with the position named', () => {
    for (const c of 'ILMNOQRVXYZ') expect(normalisePostcode(`W1${c} 1AA`).problem, `W1${c}`).toBeDefined();
    for (const c of 'CDFGIJKLOQSTUZ') expect(normalisePostcode(`EC1${c} 1AA`).problem, `EC1${c}`).toBeDefined();
    for (const c of 'QVX') expect(normalisePostcode(`${c}A1 1AA`).problem, c).toMatch(/never starts with/);
    for (const c of 'IJZ') expect(normalisePostcode(`A${c}1 1AA`).problem, c).toMatch(/second character is never/);
    for (const c of 'CIKMOV') expect(normalisePostcode(`SW1A 1A${c}`).problem, c).toMatch(/other than C, I, K, M, O and V/);
    expect(normalisePostcode('W1Q 1AA').problem).toMatch(/never ends in "Q"/);
  });

  it('GIR 0AA is accepted; BFPO, the overseas territories and XM4 5HQ each go to a person with their reason', () => {
    expect(normalisePostcode('GIR 0AA')).toEqual({ value: 'GIR 0AA', fixes: [] });
    expect(normalisePostcode('BFPO 801').problem).toMatch(/British Forces Post Office/);
    expect(normalisePostcode('BFPO1').problem).toMatch(/British Forces Post Office/);
    for (const [pc, where] of [['ASCN 1ZZ', 'Ascension'], ['STHL 1ZZ', 'Saint Helena'], ['TDCU 1ZZ', 'Tristan'], ['BBND 1ZZ', 'Indian Ocean'], ['BIQQ 1ZZ', 'Antarctic'], ['FIQQ 1ZZ', 'Falkland'], ['PCRN 1ZZ', 'Pitcairn'], ['SIQQ 1ZZ', 'South Georgia'], ['TKCA 1ZZ', 'Turks'], ['GX11 1AA', 'Gibraltar']]) {
      const r = normalisePostcode(pc!);
      expect(r.value, pc).toBeUndefined();
      expect(r.problem, pc).toMatch(new RegExp(where!));
      if (pc !== 'GX11 1AA') expect(isValidPostcode(pc!)).toBe(false); // Gibraltar's has a UK shape
    }
    expect(nonGeographicReason('xm45hq')).toMatch(/Santa/);
    expect(isValidPostcode('XM4 5HQ')).toBe(false); // X is never a first letter
    expect(nonGeographicReason('SW1A 1AA')).toBeUndefined();
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
        expect(r).toMatchObject({ value: pc, fixes: [] });
      }),
    );
  });

  it('no "fix" ever turns a valid postcode into a different one, and every value is valid', () => {
    const text = fc.string({ unit: chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 5, maxLength: 7 });
    fc.assert(
      fc.property(text, (s) => {
        const r = normalisePostcode(s);
        const asWritten = `${s.slice(0, -3)} ${s.slice(-3)}`;
        if (isValidPostcode(asWritten)) expect(r).toMatchObject({ value: asWritten, fixes: [] });
        for (const a of r.ambiguous ?? []) expect(isValidPostcode(a.otherValue)).toBe(true);
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
