// Labels of the scanned training cells (training/scan-cells.ts): each box gets the character the synth wrote in it.
// The truth's `written` is already one character a box; reading it through combCharacters again once labelled a
// decimal's digits one box off (a 3 as 7, a 7 as 0), which trained the box model on wrong labels.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writtenValue, type FieldTruth } from '../src/synth/truth.ts';
import { combBoxes, combCharacters } from '../src/template/geometry.ts';
import { loadTemplate } from '../src/template/load.ts';
import type { Field } from '../src/template/schema.ts';
import { boxLabels } from '../training/scan-cells.ts';

const template = loadTemplate('standard-prf');
const field = (id: string): Field => template.fields.find((f) => f.id === id)!;
const truthOf = (f: Field, value: unknown): FieldTruth => ({ path: f.path, type: f.type, written: writtenValue(f, value) });
const labels = (f: Field, value: unknown) => boxLabels(truthOf(f, value), combBoxes(f).length);

describe('scanned cell labels', () => {
  it('label a decimal box by box as it is written: the integer digits right-aligned, then the fraction', () => {
    expect(labels(field('obs1.temp'), 37)).toEqual(['3', '7', '0']);
    expect(labels(field('obs1.temp'), 36.8)).toEqual(['3', '6', '8']);
    expect(labels(field('obs1.bm'), 5.6)).toEqual(['', '5', '6']);
    expect(labels(field('obs1.bm'), 12.4)).toEqual(['1', '2', '4']);
  });

  it('keep a space in capitals as an empty box, and label boxes past the value empty', () => {
    expect(labels(field('patient.postcode'), 'RG2 7DY')).toEqual(['R', 'G', '2', '', '7', 'D', 'Y', '']);
    expect(labels(field('incident.callsign'), 'A12')).toEqual(['A', '1', '2', '', '', '']);
  });

  it('label a box the writer corrected as not a character, and a blank field as empty boxes', () => {
    const f = field('obs1.pulse');
    const t = { ...truthOf(f, 88), correction: { box: 1, kind: 'overwrite' as const, struck: '3' } };
    expect(boxLabels(t, 3)).toEqual(['8', '', '']);
    expect(labels(f, null)).toEqual(['', '', '']);
    expect(boxLabels(undefined, 2)).toEqual(['', '']);
  });

  it('agree with what the synth writes in the boxes, for every comb field of the template', () => {
    const combs = template.fields.filter((f) => ['digits', 'time', 'decimal', 'capitals'].includes(f.type));
    fc.assert(
      fc.property(fc.constantFrom(...combs), fc.stringMatching(/^[0-9A-Z]{1,6}$/), (f, s) => {
        const value = f.type === 'decimal' ? Number(`${s.replace(/\D/g, '').slice(0, 1) || '0'}.${s.replace(/\D/g, '').slice(1, 2) || '0'}`) : f.type === 'capitals' ? s : s.replace(/\D/g, '') || '0';
        expect(labels(f, value)).toEqual(combCharacters(f, String(value)));
      }),
    );
  });
});
