// bench:review's model of editing the machine's reading (scripts/review-edit-plan.ts): the keys it plans always turn
// what the box holds into the value wanted, in a one-line box, a multi-line box and overtype; and where the reading
// is one character off, editing takes far fewer keys than typing the line. (review-edit-browser.test.ts checks the
// keys' modelled effects against Chromium.)
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { afterKey, hunks, planEdit, type EditMode, type EditState } from '../scripts/review-edit-plan.ts';

const text = fc.string({ unit: fc.constantFrom('A', 'B', 'O', '0', '1', ' ', ',', '-'), maxLength: 24 });
const run = (st: EditState, keys: string[], mode: EditMode) => keys.reduce((x, k) => afterKey(x, k, mode), st);

describe('planEdit', () => {
  it('in a one-line or multi-line box, from any caret or selection, reaches the value wanted', () => {
    fc.assert(
      fc.property(text, text, fc.nat(), fc.nat(), fc.constantFrom<EditMode>('insert', 'lines'), (v, t, a, b, mode) => {
        const s = Math.min(a, b) % (v.length + 1);
        const e = Math.max(s, Math.max(a, b) % (v.length + 1));
        const start = { v, s, e };
        const plan = planEdit(start, t, mode)!;
        expect(plan).not.toBeNull();
        expect(run(start, plan.keys, mode).v).toBe(t);
        if (v === t) expect(plan).toEqual({ keys: [], hunks: 0 });
      }),
      { numRuns: 300 },
    );
  });

  it('in overtype, from any block, reaches a value of the same length (and one longer at the end)', () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.string({ unit: fc.constantFrom('Z', '9'), maxLength: 3 }), (v, a, tail) => {
        fc.pre(v.length > 0);
        const t = [...v].map((c, i) => (i % 3 === a % 3 ? 'X' : c)).join('') + tail;
        const at = a % v.length;
        const start = { v, s: at, e: at + 1 };
        const plan = planEdit(start, t, 'overtype')!;
        expect(plan).not.toBeNull();
        expect(run(start, plan.keys, 'overtype').v).toBe(t);
      }),
      { numRuns: 300 },
    );
  });

  it('a one-character misreading in a line takes a few keys, not the line; a character to insert mid-comb is not overtype', () => {
    const addr = planEdit({ v: 'FLAT 2, 94 CHAPEL ROAD, EXETER', s: 30, e: 30 }, 'FLAT 2, 44 CHAPEL ROAD, EXETER', 'insert')!;
    expect(addr.keys.length).toBeLessThanOrEqual(8);
    expect(addr.hunks).toBe(1);
    expect(planEdit({ v: 'P030 8YG', s: 1, e: 2 }, 'PO30 8YG', 'overtype')).toEqual({ keys: ['O'], hunks: 1 });
    expect(planEdit({ v: 'HA52', s: 0, e: 1 }, 'HA152', 'overtype')).toBeNull();
  });

  it('hunks: the places that differ, close ones as one', () => {
    expect(hunks('S0 THE AVENUE, TRURD', '50 THE AVENUE, TRURO')).toEqual([{ a: 0, b: 1, r: '5' }, { a: 19, b: 20, r: 'O' }]);
    expect(hunks('ABCDEF', 'AXCYEF')).toEqual([{ a: 1, b: 4, r: 'XCY' }]);
    expect(hunks('SAME', 'SAME')).toEqual([]);
  });
});
