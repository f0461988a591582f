// GCS evidence with the four fields of an observation set judged together (src/record/gcs-evidence.ts): a writer
// whose 5 looks like a 3 had verbal 5 and total 15 read as 3 and 13 on a calibration form, and checking each field
// with the other taken as read passed both. Through recordEvidence, as validate calls it.
import { describe, expect, it } from 'vitest';
import type { BoxAlternatives } from '../src/record/evidence.ts';
import { recordEvidence, type CombInput } from '../src/record/field-evidence.ts';
import { loadTemplate } from '../src/template/load.ts';

const template = loadTemplate('standard-prf');
const fieldAt = (path: string) => template.fields.find((f) => f.path === path)!;
const sure = (c: string, p = 0.999): BoxAlternatives => [{ char: c, p }, { char: c === '1' ? '7' : '1', p: 1 - p }];
const at = (key: string) => `observations[0].${key}`;
const input = (key: string, boxes: BoxAlternatives[]): CombInput => ({ field: fieldAt(at(key)), boxes });
const record = (v: Record<string, number>) => ({ observations: [v] });

describe('GCS judged as a whole', () => {
  it('a verbal 5 and a total 15 both read as 3 and 13, the model unsure of each: a close call, no evidence', () => {
    const inputs = [
      input('gcsEye', [sure('4', 0.88)]),
      input('gcsVerbal', [[{ char: '3', p: 0.52 }, { char: '5', p: 0.4 }, { char: '8', p: 0.08 }]]),
      input('gcsMotor', [sure('6', 0.84)]),
      input('gcsTotal', [sure('1', 0.99), [{ char: '3', p: 0.77 }, { char: '5', p: 0.2 }, { char: '8', p: 0.03 }]]),
    ];
    const ev = recordEvidence(record({ gcsEye: 4, gcsVerbal: 3, gcsMotor: 6, gcsTotal: 13 }), inputs);
    expect(ev.get(at('gcsVerbal'))).toBeUndefined();
    expect(ev.get(at('gcsTotal'))).toBeUndefined();
    // Eye and motor are the same in both readings that sum: those the set does vouch for.
    expect(ev.get(at('gcsEye'))).toMatchObject({ kind: 'gcs', text: '4' });
  });

  it('a set read surely that sums: every field has GCS evidence, near certain', () => {
    const inputs = [input('gcsEye', [sure('4')]), input('gcsVerbal', [sure('5')]), input('gcsMotor', [sure('6')]), input('gcsTotal', [sure('1'), sure('5')])];
    const ev = recordEvidence(record({ gcsEye: 4, gcsVerbal: 5, gcsMotor: 6, gcsTotal: 15 }), inputs);
    for (const k of ['gcsEye', 'gcsVerbal', 'gcsMotor', 'gcsTotal']) {
      expect(ev.get(at(k))?.kind, k).toBe('gcs');
      expect(ev.get(at(k))!.confidence, k).toBeGreaterThan(0.999);
    }
  });

  it('a total misread where the parts are sure: the summing alternative is taken only when the model is sure of it', () => {
    const parts = [input('gcsEye', [sure('4')]), input('gcsVerbal', [sure('5')]), input('gcsMotor', [sure('6')])];
    const rec = record({ gcsEye: 4, gcsVerbal: 5, gcsMotor: 6, gcsTotal: 18 });
    const taken = recordEvidence(rec, [...parts, input('gcsTotal', [sure('1'), [{ char: '8', p: 0.6 }, { char: '5', p: 0.39 }]])]);
    expect(taken.get(at('gcsTotal'))).toMatchObject({ kind: 'gcs-alt', text: '15' });
    // The 5 a far-fetched alternative: no evidence, and the total that does not sum goes to a person by the rules.
    const farFetched = recordEvidence(rec, [...parts, input('gcsTotal', [sure('1'), [{ char: '8', p: 0.95 }, { char: '5', p: 0.04 }]])]);
    expect(farFetched.get(at('gcsTotal'))).toBeUndefined();
  });

  it('a part a person verified stands as it is; a set with a part missing has no GCS evidence', () => {
    const verifiedVerbal = [input('gcsEye', [sure('4')]), input('gcsMotor', [sure('6')]), input('gcsTotal', [sure('1'), sure('5')])];
    expect(recordEvidence(record({ gcsEye: 4, gcsVerbal: 5, gcsMotor: 6, gcsTotal: 15 }), verifiedVerbal).get(at('gcsTotal'))).toMatchObject({ kind: 'gcs' });
    expect(recordEvidence(record({ gcsEye: 4, gcsVerbal: 4, gcsMotor: 6, gcsTotal: 15 }), verifiedVerbal).get(at('gcsTotal'))).toBeUndefined();
    expect(recordEvidence(record({ gcsEye: 4, gcsMotor: 6, gcsTotal: 15 }), verifiedVerbal).size).toBe(0);
  });
});
