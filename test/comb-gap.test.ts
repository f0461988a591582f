// An empty box before a written one, in a comb written from the left, sends the field to a person: on the bench a
// 1 written on the printed line between two boxes was erased with the line, and "152" read as " 52" with every box
// sure (src/recognition/read-page.ts gapBeforeWriting).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BoxAlternative } from '../src/recognition/box-classifier.ts';
import { gapBeforeWriting } from '../src/recognition/read-page.ts';
import { loadTemplate } from '../src/template/load.ts';

const template = loadTemplate('standard-prf');
const field = (id: string) => template.fields.find((f) => f.id === id)!;
/** Boxes as the reader leaves them: ' ' an empty box (no ink), '' the noise class, else a character. */
const boxes = (s: string): BoxAlternative[][] => [...s].map((c) => [{ char: c === '_' ? '' : c, p: 0.999 }]);

describe('an empty box before writing', () => {
  it('flags digits, times and dates with an empty box before a written one', () => {
    expect(gapBeforeWriting(field('obs1.sbp'), boxes(' 52'))).toBe(true);
    expect(gapBeforeWriting(field('obs1.sbp'), boxes('1 2'))).toBe(true);
    expect(gapBeforeWriting(field('time.atscene'), boxes('08 5'))).toBe(true);
    expect(gapBeforeWriting(field('patient.dob'), boxes(' 1031985'))).toBe(true);
  });

  it('leaves alone a field filled from the left, a blank field, a noise box, and a decimal (its whole part is right-aligned)', () => {
    expect(gapBeforeWriting(field('obs1.sbp'), boxes('97 '))).toBe(false);
    expect(gapBeforeWriting(field('obs1.sbp'), boxes('   '))).toBe(false);
    expect(gapBeforeWriting(field('obs1.sbp'), boxes('_52'))).toBe(false);
    expect(gapBeforeWriting(field('obs1.bm'), boxes(' 56'))).toBe(false);
    expect(gapBeforeWriting(field('patient.surname'), boxes('VAN DYKE' + ' '.repeat(12)))).toBe(false);
  });

  it('never flags a reading written from the first box with no gap (any length, any trailing blanks)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{0,10}$/), fc.nat(10), (digits, trailing) => {
        expect(gapBeforeWriting(field('incident.number'), boxes(digits + ' '.repeat(trailing)))).toBe(false);
      }),
    );
  });
});
