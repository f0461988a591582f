// The page's suggestion logic (static/suggest.js, a plain browser script) run in a bare VM context: completions
// extend what was typed, come from the dictionary, never add less than two characters; the entry near the machine's
// reading never changes a number and is never offered as what is already shown.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

interface Suggestion {
  full: string;
  rest: string;
  source: 'job' | 'template';
  n: number;
  close?: boolean;
  /** How many parts or words of the reading closestParts changed. */
  parts?: number;
}
interface Dict {
  entries: { text: string; key: string; n: number; vocab: boolean }[];
  phrases: { text: string; key: string; n: number }[];
}
const page = vm.createContext({});
vm.runInContext(readFileSync(new URL('../src/review/static/suggest.js', import.meta.url), 'utf8'), page);
const S = page as unknown as {
  makeDictionary(entries: { text: string; n: number; vocab?: boolean }[]): Dict;
  addToDictionary(d: Dict, text: string): Dict;
  completionFor(d: Dict, typed: string): Suggestion | null;
  closestEntry(d: Dict, guess: string): Suggestion | null;
  closestParts(d: Dict, guess: string): Suggestion | null;
  nearReading(d: Dict, guess: string): Suggestion | null;
};

const up = (t: string) => t.replace(/\s+/g, ' ').toUpperCase();

describe('suggestions while keying (suggest.js)', () => {
  const dict = S.makeDictionary([
    { text: 'ASTHMA ATTACK', n: 3 },
    { text: 'ASTHMA', n: 5 },
    { text: '12 HIGH STREET, LEEDS', n: 1 },
    { text: '40 HIGH STREET, YORK', n: 1 },
    { text: 'RAMIPRIL, ATORVASTATIN', n: 2 },
    { text: 'SHORTNESS OF BREATH', n: 0, vocab: true },
  ]);

  it('completes a whole entry first (most often settled), then a phrase from a word on', () => {
    expect(S.completionFor(dict, 'AST')).toMatchObject({ full: 'ASTHMA', rest: 'HMA', source: 'job', n: 5 });
    expect(S.completionFor(dict, 'ASTHMA A')).toMatchObject({ full: 'ASTHMA ATTACK', rest: 'TTACK' });
    expect(S.completionFor(dict, 'sho')).toMatchObject({ full: 'SHORTNESS OF BREATH', source: 'template', n: 0 });
    // A phrase: the street of any address, after a number no entry has; a part after a comma.
    expect(S.completionFor(dict, '7 HI')).toMatchObject({ full: '7 HIGH STREET', rest: 'GH STREET', n: 2 });
    expect(S.completionFor(dict, '7 HIGH STREET, YO')).toMatchObject({ full: '7 HIGH STREET, YORK', rest: 'RK' });
    expect(S.completionFor(dict, 'AMLODIPINE, ATO')).toMatchObject({ full: 'AMLODIPINE, ATORVASTATIN' });
    // Nothing for nothing typed, one character to add, or no match.
    for (const t of ['', '  ', 'ASTHMA ATTAC', 'XYZ', 'ASTHMA ATTACK']) expect(S.completionFor(dict, t)).toBeNull();
  });

  it('the entry near the machine reading: a few characters off, never with other numbers, never what is shown', () => {
    expect(S.closestEntry(dict, 'ASTHMA ATTAGK')).toMatchObject({ full: 'ASTHMA ATTACK', close: true, n: 3 });
    expect(S.closestEntry(dict, 'asthma attack')).toMatchObject({ full: 'ASTHMA ATTACK' });
    expect(S.closestEntry(dict, 'ASTHMA ATTACK')).toBeNull();
    expect(S.closestEntry(dict, 'ASTH')).toBeNull();
    // 12 HIGH STREET, LEEDS is one character from the reading, but its house number is another's.
    expect(S.closestEntry(dict, '13 HIGH STREET, LEEDS')).toBeNull();
    expect(S.closestEntry(dict, '12 HIGH STRFET, LEEDS')).toMatchObject({ full: '12 HIGH STREET, LEEDS' });
  });

  it('a list no entry is near, part by part: each part near a part of any entry is snapped, the rest left as read', () => {
    const meds = S.makeDictionary([
      { text: 'RAMIPRIL, ATORVASTATIN', n: 2 },
      { text: 'MEBEVERINE', n: 0, vocab: true },
      { text: '12 HIGH STREET, WATERLOOVILLE', n: 1 },
    ]);
    // Both parts a few characters off parts of different entries; the reading's trailing mark goes with its part.
    expect(S.nearReading(meds, 'RAMIPRTL, HEBEVERINE :')).toMatchObject({ full: 'RAMIPRIL, MEBEVERINE', close: true, parts: 2, source: 'job' });
    // A part near nothing stays as read; so does a part whose numbers differ (a house number is the paper's).
    expect(S.nearReading(meds, 'APIXABAN, ATORVASTATLN')).toMatchObject({ full: 'APIXABAN, ATORVASTATIN', parts: 1 });
    expect(S.nearReading(meds, '139 HIGH STREET, WKTERLOOVILLE')).toMatchObject({ full: '139 HIGH STREET, WATERLOOVILLE', parts: 1 });
    expect(S.closestParts(meds, '13 HIGH STREET')).toBeNull();
    // Nothing when every part is already as known, or none is near.
    expect(S.nearReading(meds, 'RAMIPRIL, MEBEVERINE')).toBeNull();
    expect(S.nearReading(meds, 'XYZZY, QWERTY')).toBeNull();
    // No part near: word by word, a word near a word of any entry (never a word with digits, nor one under 4 letters).
    expect(S.nearReading(meds, '40 HIGH STRET, WATERLOOVILE')).toMatchObject({ full: '40 HIGH STREET, WATERLOOVILLE', parts: 2 });
    expect(S.nearReading(meds, 'HIGH STREET 7, WATERL00VILLE')).toBeNull();
    // A whole entry near the reading comes first.
    expect(S.nearReading(meds, 'RAMIPRIL, ATORVASTATIM')).toMatchObject({ full: 'RAMIPRIL, ATORVASTATIN', n: 2 });
    expect(S.nearReading(meds, 'RAMIPRIL, ATORVASTATIM')!.parts).toBeUndefined();
  });

  it('a value just saved is in the dictionary at once, and counts', () => {
    const more = S.addToDictionary(S.addToDictionary(dict, 'CHEST PAIN'), 'chest  pain');
    expect(more.entries.find((e) => e.key === 'CHEST PAIN')).toMatchObject({ n: 2 });
    expect(S.completionFor(more, 'CH')).toMatchObject({ full: 'CHEST PAIN' });
    expect(S.completionFor(dict, 'CH')).toBeNull();
  });

  const word = fc.stringMatching(/^[A-Z0-9?-]{1,8}$/);
  const value = fc.array(word, { minLength: 1, maxLength: 5 }).chain((ws) => fc.constantFrom(ws.join(' '), ws.join(', ')));
  const entries = fc.array(fc.record({ text: value, n: fc.nat(5), vocab: fc.boolean() }), { minLength: 1, maxLength: 12 });

  it('property: a completion keeps what was typed up to a word, adds at least two characters, and is made of dictionary text', () => {
    fc.assert(
      fc.property(entries, fc.string({ maxLength: 12 }), (es, typed) => {
        const d = S.makeDictionary(es);
        const s = S.completionFor(d, typed);
        if (!s) return;
        expect(s.rest.length).toBeGreaterThanOrEqual(2);
        expect(s.full.endsWith(s.rest)).toBe(true);
        // What the box would hold starts, ignoring case and spacing, with what was typed.
        expect(up(s.full).startsWith(up(typed))).toBe(true);
        // And its completed words come from an entry or one of its phrases.
        expect(d.entries.some((e) => e.key === up(s.full)) || d.phrases.some((p) => up(s.full).endsWith(p.key))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("property: the entry near a reading is an entry, differs from the reading as shown, and has the reading's numbers", () => {
    fc.assert(
      fc.property(entries, value, (es, guess) => {
        const d = S.makeDictionary(es);
        const s = S.closestEntry(d, guess);
        if (!s) return;
        expect(d.entries.some((e) => e.text === s.full)).toBe(true);
        expect(s.full).not.toBe(guess.trim());
        expect((s.full.match(/\d+/g) ?? []).join(' ')).toBe((up(guess).match(/\d+/g) ?? []).join(' '));
      }),
      { numRuns: 400 },
    );
  });

  it("property: parts snapped are parts of entries or made of words of entries and the reading, with the reading's numbers", () => {
    fc.assert(
      fc.property(entries, value, (es, guess) => {
        const d = S.makeDictionary(es);
        const s = S.closestParts(d, guess);
        if (!s) return;
        const known = new Set(es.flatMap((e) => e.text.split(',').map((p) => p.trim())));
        const words = new Set([...es.map((e) => e.text), guess].flatMap((t) => t.split(/[\s,]+/)));
        for (const p of s.full.split(', ')) expect(known.has(p) || p.split(' ').every((w) => words.has(w))).toBe(true);
        expect(s.full).not.toBe(guess.trim());
        expect((s.full.match(/\d+/g) ?? []).join(' ')).toBe((up(guess).match(/\d+/g) ?? []).join(' '));
      }),
      { numRuns: 400 },
    );
  });
});
