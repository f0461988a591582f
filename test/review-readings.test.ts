// The machine's next readings offered to a reviewer, the group view's order, and the progress each save answers
// with (counted in SQL: it must say what the queue's rows say).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { JobStore } from '../src/job/store.ts';
import type { FieldRow } from '../src/job/record-store.ts';
import { reviewContext, fieldKind } from '../src/review/context.ts';
import { decide } from '../src/review/decide.ts';
import { groupOrder } from '../src/review/group-shape.ts';
import { parseTyped } from '../src/review/input.ts';
import { progress, stageFor } from '../src/review/queue.ts';
import { leastSureAt, nextReadings, OFFERED_MAX } from '../src/review/readings.ts';
import { loadTemplate } from '../src/template/load.ts';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';

const template = loadTemplate('standard-prf');
const field = (id: string) => template.fields.find((f) => f.id === id)!;
const sure = (c: string) => [{ char: c, p: 1 }];

describe('nextReadings', () => {
  it('offers the next whole readings that are values of the field, best first, never the value itself', () => {
    const pulse = field('obs1.pulse');
    // 3|8 and 2|7: readings 32 (.42), 37 (.18), 82 (.28), 87 (.12), and an empty third box.
    const alts = [[{ char: '3', p: 0.6 }, { char: '8', p: 0.4 }], [{ char: '2', p: 0.7 }, { char: '7', p: 0.3 }], sure(' ')];
    expect(nextReadings(pulse, { alternatives: alts, value: 32, rawText: '32 ' }).map((r) => r.text)).toEqual(['82', '37']);
    expect(nextReadings(pulse, { alternatives: alts, value: 32, rawText: '32 ' })[0]!.value).toBe(82);
    // No alternatives kept (another reader): nothing offered.
    expect(nextReadings(pulse, { alternatives: null, value: 32, rawText: '32' })).toEqual([]);
  });

  it('leaves out readings that are not values of the field, and ones far less likely than the best', () => {
    const time = field('time.handover');
    // 7059 is no time; 1059 is (the second choice for the first box); 7?59 is not one clean character.
    const alts = [[{ char: '7', p: 0.6 }, { char: '1', p: 0.35 }, { char: '', p: 0.05 }], sure('0'), sure('5'), sure('9')];
    expect(nextReadings(time, { alternatives: alts, value: null, rawText: '7059' }).map((r) => r.text)).toEqual(['10:59']);
    const faint = [[{ char: '1', p: 0.9995 }, { char: '2', p: 0.0005 }], sure('0'), sure('5'), sure('9')];
    expect(nextReadings(time, { alternatives: faint, value: '10:59', rawText: '1059' })).toEqual([]);
  });

  it('never offers a decimal with its units or tenth empty: a digit lost, not a value (36 for 36.9)', () => {
    const temp = field('obs2.temp');
    const alts = [sure('3'), sure('6'), [{ char: '9', p: 0.6 }, { char: ' ', p: 0.3 }, { char: '8', p: 0.1 }]];
    expect(nextReadings(temp, { alternatives: alts, value: 36.9, rawText: '369' }).map((r) => r.text)).toEqual(['36.8']);
  });

  it('every reading offered is one a person could type for the same value, and at most OFFERED_MAX', () => {
    const ids = ['obs1.pulse', 'time.handover', 'patient.dob', 'patient.surname', 'obs1.temp', 'patient.nhs'];
    const digit = fc.constantFrom(...'0123456789 '.split(''));
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.array(fc.tuple(digit, digit, fc.double({ min: 0.01, max: 0.99, noNaN: true })), { minLength: 1, maxLength: 12 }), (id, boxes) => {
        const f = field(id);
        const alts = boxes.map(([a, b, p]) => (a === b ? sure(a) : [{ char: a, p }, { char: b, p: 1 - p }]));
        const offered = nextReadings(f, { alternatives: alts, value: null, rawText: '' });
        expect(offered.length).toBeLessThanOrEqual(OFFERED_MAX);
        for (const r of offered) {
          const typed = parseTyped(f, r.text);
          // A decimal typed without its point is queried (53 or 5.3?): the reading's value is taken as it is.
          if (!typed.ok && /decimal point/.test(typed.message)) continue;
          expect(typed).toEqual({ ok: true, kind: 'value', value: r.value });
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('nextReadings of a postcode', () => {
  const pc = field('patient.postcode');
  it("offers the reading with each character in its letter or digit class, and the valid postcode a confusable character away", () => {
    // Read P030 8YG: no postcode as it stands (the district PO30 is not on the district list, so it was not fixed).
    expect(nextReadings(pc, { alternatives: null, value: null, rawText: 'P030 8YG' }).map((r) => r.text)).toEqual(['PO30 8YG']);
    // Read 0X1 8TB: the first character of a postcode is always a letter.
    expect(nextReadings(pc, { alternatives: null, value: null, rawText: '0X1 8TB ' })[0]).toEqual({ text: 'OX1 8TB', value: 'OX1 8TB' });
    // Taken as P08 5DE, but PO8 5DE is a postcode too: offered, first.
    expect(nextReadings(pc, { alternatives: null, value: 'P08 5DE', rawText: 'P08 5DE ' })[0]!.text).toBe('PO8 5DE');
    // Nothing to offer for a postcode no character class changes, and never the value itself.
    expect(nextReadings(pc, { alternatives: null, value: 'BS16 2QH', rawText: 'BS16 2QH' })).toEqual([]);
    for (const r of nextReadings(pc, { alternatives: null, value: 'P08 5DE', rawText: 'P08 5DE ' })) expect(r.value).not.toBe('P08 5DE');
  });
  it('each is one a person could type for the same value, after the box classifier readings are merged, at most OFFERED_MAX', () => {
    const alts = [...'P030 8YG'].map((c, i) => (i === 1 ? [{ char: '0', p: 0.6 }, { char: 'D', p: 0.4 }] : sure(c)));
    const offered = nextReadings(pc, { alternatives: alts, value: null, rawText: 'P030 8YG' });
    expect(offered.map((r) => r.text)).toEqual(['PO30 8YG', 'PD30 8YG']);
    for (const r of offered) expect(parseTyped(pc, r.text)).toEqual({ ok: true, kind: 'value', value: r.value });
  });
});

describe('leastSureAt', () => {
  const unsure = (c: string, p: number) => [{ char: c, p }, { char: '?', p: 1 - p }];
  it('is where, in the value as shown, the box the classifier was least sure of sits (separators and spaces skipped)', () => {
    // A postcode: box 4 is the space, so box 5 (the 8) is character 5 of "PO30 8YG".
    const pc = [sure('P'), sure('O'), sure('3'), sure('0'), sure(' '), unsure('8', 0.4), sure('Y'), sure('G')];
    expect(leastSureAt(field('patient.postcode'), { alternatives: pc, value: 'PO30 8YG', rawText: 'PO30 8YG' })).toBe(5);
    // A time shown 12:05: box 2 (the 0) is character 3.
    const time = [sure('1'), sure('2'), unsure('0', 0.5), sure('5')];
    expect(leastSureAt(field('time.atscene'), { alternatives: time, value: '12:05', rawText: '1205' })).toBe(3);
    // A date shown dd/mm/yyyy: box 5 (the first 9 of 1990) is character 7.
    const date = [...'3101'].map(sure).concat([sure('1'), unsure('9', 0.3), sure('9'), sure('0')]);
    expect(leastSureAt(field('incident.date'), { alternatives: date, value: '1990-01-31', rawText: '31011990' })).toBe(7);
  });

  it("lines up with a reading that is no value, shown box for box: an empty box is the block's first place when least sure", () => {
    // Read 7059 (no time), shown 70:59: the unsure 7 is character 0, so one key makes it 10:59.
    const t1 = [unsure('7', 0.4), sure('0'), sure('5'), sure('9')];
    expect(leastSureAt(field('time.mobilised'), { alternatives: t1, value: null, rawText: '7059' })).toBe(0);
    // Read with its first box empty, shown _8:27; read ?827 (shown ?8:27), the unsure 2 is character 3.
    const t2 = [unsure(' ', 0.3), sure('8'), sure('2'), sure('7')];
    expect(leastSureAt(field('time.atscene'), { alternatives: t2, value: null, rawText: ' 827' })).toBe(0);
    const t3 = [sure('?'), sure('8'), unsure('2', 0.3), sure('7')];
    expect(leastSureAt(field('time.atscene'), { alternatives: t3, value: null, rawText: '?827' })).toBe(3);
    // Digits with a box left empty between written ones, shown 7402_0.
    const by = [...'7402'].map(sure).concat([unsure(' ', 0.2), sure('0')]);
    expect(leastSureAt(field('drug1.by'), { alternatives: by, value: null, rawText: '7402 0' })).toBe(4);
  });

  it('is null without box alternatives, for free text, and where the shown value does not line up with its boxes', () => {
    expect(leastSureAt(field('patient.postcode'), { alternatives: null, value: 'PO30 8YG', rawText: '' })).toBeNull();
    expect(leastSureAt(field('patient.address'), { alternatives: [sure('1')], value: '1 HIGH ROAD', rawText: '' })).toBeNull();
    expect(leastSureAt(field('obs1.pulse'), { alternatives: [sure('8'), sure('2'), sure(' ')], value: null, rawText: '' })).toBeNull();
  });
});

describe('groupOrder', () => {
  const row = (id: number, value: unknown, rawText: string) => ({ id, value, rawText }) as Pick<FieldRow, 'id' | 'value' | 'rawText'>;
  it('sorts numbers as numbers, the unreadable ones together after them', () => {
    const pulse = field('obs1.pulse');
    const rows = [row(1, 67, '67'), row(2, null, '10?'), row(3, 7, '7'), row(4, 100, '100'), row(5, null, ''), row(6, 10, '10'), row(7, null, '1?')];
    expect(rows.sort(groupOrder(pulse)).map((r) => r.rawText)).toEqual(['7', '10', '67', '100', '', '1?', '10?']);
  });
  it('sorts dates by date, not by the day they are shown with', () => {
    const dob = field('patient.dob');
    const rows = [row(1, '1990-01-31', ''), row(2, '1951-03-12', ''), row(3, '1990-01-02', '')];
    expect(rows.sort(groupOrder(dob)).map((r) => r.id)).toEqual([2, 3, 1]);
  });
});

describe('progress', () => {
  it('counts what the queue holds: left, forms, kinds, and what this reviewer may take (not fields they keyed)', async () => {
    const job = await buildReviewJob({ forms: 4, doubtful: ['obs1.pulse', 'patient.nhs', 'patient.dob'] });
    const store = JobStore.open(job.dir);
    try {
      const ctx = reviewContext(store, { today: REVIEW_TODAY });
      // From the rows themselves, as the queue sees them.
      const fromRows = (reviewer: string) => {
        const rows = store.review.reviewableFields();
        const kinds: Record<string, number> = {};
        for (const r of rows) kinds[fieldKind(ctx.fields.get(r.fieldId)!)] = (kinds[fieldKind(ctx.fields.get(r.fieldId)!)] ?? 0) + 1;
        return { fieldsLeft: rows.length, formsLeft: new Set(rows.map((r) => r.serial)).size, forYou: rows.filter((r) => stageFor(ctx, r, reviewer)).length, kinds };
      };
      const check = (reviewer: string) => expect(progress(ctx, reviewer)).toMatchObject(fromRows(reviewer));
      check('p.one');
      // Reviewer one keys some double-keyed fields (first keyings where the machine has none; second otherwise),
      // decides a pulse; one form is exported out of the queue's count.
      let keyed = 0;
      for (const r of store.review.reviewableFields()) {
        if (!ctx.doubleKeyPaths.has(r.path) || keyed >= 3) continue;
        const o = decide(ctx, { serial: r.serial, fieldId: r.fieldId, reviewer: 'p.one', action: 'illegible', expectedVersion: r.version });
        expect(o.ok).toBe(true);
        keyed++;
      }
      const pulse = store.review.reviewableFields().find((r) => r.fieldId === 'obs1.pulse')!;
      decide(ctx, { serial: pulse.serial, fieldId: pulse.fieldId, reviewer: 'p.one', action: 'enter', text: '82', expectedVersion: pulse.version });
      store.db.prepare("UPDATE records SET status = 'exported' WHERE serial = ?").run(job.serials[3]);
      for (const who of ['p.one', 'p.two']) check(who);
      expect(progress(ctx, 'p.one').forYou).toBeLessThan(progress(ctx, 'p.two').forYou);
    } finally {
      store.close();
    }
  });
});
