// Evidence from checks over the classifier's n-best readings: Modulus 11, a date agreeing with the age, times in
// order, NEWS2 and GCS that recompute. For each check: the best reading fails and the field goes to a person; a
// passing alternative is taken only when the model is sure, and accepted only at a threshold calibrate measured.
import { describe, expect, it } from 'vitest';
import { decideField, DEFAULT_THRESHOLDS, type Thresholds } from '../src/record/acceptance.ts';
import { chooseByCheck, nBest, topReading, type BoxAlternatives } from '../src/record/evidence.ts';
import { recordEvidence, type CombInput } from '../src/record/field-evidence.ts';
import { normaliseField } from '../src/record/normalise.ts';
import { isValidNhsNumber, nhsCheckDigit } from '../src/record/nhs-number.ts';
import { checkRecord } from '../src/record/rules.ts';
import { news2Score } from '../src/record/news2.ts';
import { loadTemplate } from '../src/template/load.ts';
import type { Field } from '../src/template/schema.ts';

const template = loadTemplate('standard-prf');
const fieldAt = (path: string): Field => template.fields.find((f) => f.path === path)!;

/** Boxes read surely as `text`, except where `unsure` gives a box its own alternatives. */
function boxes(text: string, unsure: Record<number, BoxAlternatives> = {}): BoxAlternatives[] {
  return [...text].map((c, i) => unsure[i] ?? (c === ' ' ? [{ char: ' ', p: 1 }] : [{ char: c, p: 0.999 }, { char: c === '1' ? '7' : '1', p: 0.0008 }]));
}

/** A valid test-range NHS number, and the same with its 5th digit changed (which then fails Modulus 11). */
const nhs = (() => {
  for (let n = 123456; ; n++) {
    const nine = `999${n}`;
    const c = nhsCheckDigit(nine);
    if (c !== null) return nine + c;
  }
})();
const wrongAt4 = (d: string) => d.slice(0, 4) + String((Number(d[4]) + 3) % 10) + d.slice(5);

/** The decision for one field of a record read with these evidence inputs. */
function decide(record: Record<string, unknown>, input: CombInput, thresholds: Thresholds, today = '2026-01-01') {
  const ev = recordEvidence(record, [input], { today }).get(input.field.path);
  const text = ev?.kind.endsWith('-alt') ? ev.text : topReading(input.boxes).text;
  const result = normaliseField(input.field, text);
  const withValue = structuredClone(record) as any;
  const findings = checkRecord(withValue, { today });
  const verdict = decideField(input.field, result, topReading(input.boxes).p, findings, thresholds, {
    ...(ev ? { kind: ev.kind, confidence: ev.confidence } : {}),
    substituted: ev?.kind.endsWith('-alt') === true,
  });
  return { ev, verdict, text };
}

describe('n-best readings', () => {
  it('lists whole readings by the product of box probabilities, best first', () => {
    const b = boxes('12', { 1: [{ char: '2', p: 0.6 }, { char: '7', p: 0.4 }] });
    const list = nBest(b, 8);
    expect(list[0]).toEqual({ text: '12', p: expect.closeTo(0.999 * 0.6, 9) });
    expect(list[1]!.text).toBe('17');
    expect(list.every((r, i) => i === 0 || r.p <= list[i - 1]!.p)).toBe(true);
  });
  it('reads a box that is not one clean character as unreadable', () => {
    expect(topReading([[{ char: '', p: 0.7 }, { char: '4', p: 0.3 }]]).text).toBe('?');
  });
});

describe('NHS number: Modulus 11 over the n-best', () => {
  const field = fieldAt('patient.nhsNumber');
  const measured: Thresholds = { ...DEFAULT_THRESHOLDS, 'digits:mod11': 0.99, 'digits:mod11-alt': 0.99 };
  const misread = wrongAt4(nhs);
  expect(isValidNhsNumber(misread)).toBe(false);

  it('best reading fails Modulus 11 and no alternative is sure: a person keys it', () => {
    // The classifier is sure of the misread digit; the right one is a far-fetched alternative.
    const b = boxes(misread, { 4: [{ char: misread[4]!, p: 0.95 }, { char: nhs[4]!, p: 0.04 }] });
    const { ev, verdict } = decide({ patient: { nhsNumber: misread } }, { field, boxes: b }, measured);
    expect(ev).toBeUndefined();
    expect(verdict.status).toBe('needs-review');
    expect(verdict.reasons.map((r) => r.code)).toContain('nhs-check-digit');
  });

  it('takes the passing alternative when the model is sure of it, and accepts only at a measured threshold', () => {
    const b = boxes(misread, { 4: [{ char: misread[4]!, p: 0.55 }, { char: nhs[4]!, p: 0.44 }] });
    const c = chooseByCheck(b, isValidNhsNumber);
    expect(c).toMatchObject({ text: nhs, alternative: true });
    expect(c!.share).toBeGreaterThan(0.99);
    // The record holds the alternative: the check-digit finding is gone.
    const rec = { patient: { nhsNumber: nhs } };
    expect(decide(rec, { field, boxes: b }, measured).verdict.status).toBe('accepted');
    // Without a measured threshold for taken alternatives, the machine does not accept it.
    expect(decide(rec, { field, boxes: b }, { ...DEFAULT_THRESHOLDS, digits: 0.3 }).verdict.status).toBe('needs-review');
  });

  it('never replaces a box the classifier saw as not one clean character', () => {
    const b = boxes(misread, { 4: [{ char: '', p: 0.5 }, { char: nhs[4]!, p: 0.49 }] });
    expect(topReading(b).text).toContain('?');
    expect(chooseByCheck(b, isValidNhsNumber)).toBeNull();
  });

  it('refuses when two passing readings are close', () => {
    // Two boxes unsure: the right number and another that also passes are about as likely.
    // A digit at a later box that, with the misread digit kept, also makes a valid number.
    let jj = -1;
    let other = '';
    for (let j = 6; j < 9 && jj < 0; j++) {
      for (let x = 0; x <= 9; x++) {
        const cand = misread.slice(0, j) + x + misread.slice(j + 1);
        if (isValidNhsNumber(cand)) {
          jj = j;
          other = cand;
          break;
        }
      }
    }
    expect(jj).toBeGreaterThan(0);
    const b = boxes(misread, {
      4: [{ char: misread[4]!, p: 0.5 }, { char: nhs[4]!, p: 0.49 }],
      [jj]: [{ char: nhs[jj]!, p: 0.5 }, { char: other[jj]!, p: 0.49 }],
    });
    expect(chooseByCheck(b, isValidNhsNumber)).toBeNull();
    expect(decide({ patient: { nhsNumber: misread } }, { field, boxes: b }, measured).verdict.status).toBe('needs-review');
  });

  it('a best reading that passes gets Modulus 11 evidence, accepted at its measured threshold', () => {
    const b = boxes(nhs);
    const { ev, verdict } = decide({ patient: { nhsNumber: nhs } }, { field, boxes: b }, measured);
    expect(ev?.kind).toBe('mod11');
    expect(verdict.status).toBe('accepted');
    // The same reading with no measured threshold for the kind stays with the (never) box threshold.
    expect(decide({ patient: { nhsNumber: nhs } }, { field, boxes: b }, DEFAULT_THRESHOLDS).verdict.status).toBe('needs-review');
  });
});

describe('date of birth: a real date agreeing with the age', () => {
  const field = fieldAt('patient.dateOfBirth');
  const measured: Thresholds = { ...DEFAULT_THRESHOLDS, 'date:date': 0.9, 'date:date-alt': 0.9 };
  const base = { incident: { incidentDate: '2025-06-01' }, patient: { age: 45, surname: 'TESTPERSON' } };

  it('best reading is a year that disagrees with the age, the alternative unsure: a person', () => {
    // 12/03/1950 read; written 1980. Age 45 on 2025-06-01 means born 1979-1980.
    const b = boxes('12031950', { 6: [{ char: '5', p: 0.97 }, { char: '8', p: 0.02 }] });
    const rec = { ...base, patient: { ...base.patient, dateOfBirth: '1950-03-12' } };
    const { ev, verdict } = decide(rec, { field, boxes: b }, measured);
    expect(ev).toBeUndefined();
    expect(verdict.status).toBe('needs-review');
    expect(verdict.reasons.map((r) => r.code)).toContain('age-dob-mismatch');
  });

  it('takes the alternative that agrees with the age only when the model is sure', () => {
    const b = boxes('12031950', { 6: [{ char: '5', p: 0.5 }, { char: '8', p: 0.49 }] });
    const { ev } = decide({ ...base, patient: { ...base.patient, dateOfBirth: '1950-03-12' } }, { field, boxes: b }, measured);
    expect(ev).toMatchObject({ kind: 'date-alt', text: '12031980' });
    const after = decide({ ...base, patient: { ...base.patient, dateOfBirth: '1980-03-12' } }, { field, boxes: b }, measured);
    expect(after.verdict.reasons).toEqual([]);
    expect(after.verdict.status).toBe('accepted');
  });
});

describe('times in order', () => {
  const field = fieldAt('incident.times.atScene');
  const measured: Thresholds = { ...DEFAULT_THRESHOLDS, 'time:time-order': 0.9, 'time:time-order-alt': 0.9 };
  const times = { callReceived: '10:02', mobilised: '10:04', leftScene: '10:50', atHospital: '11:10' };

  it('a time read out of order, no sure alternative: a person', () => {
    // Written 10:19, read 16:19 surely.
    const b = boxes('1619', { 1: [{ char: '6', p: 0.98 }, { char: '0', p: 0.015 }] });
    const rec = { incident: { times: { ...times, atScene: '16:19' } } };
    const { ev, verdict } = decide(rec, { field, boxes: b }, measured);
    expect(ev).toBeUndefined();
    expect(verdict.status).toBe('needs-review');
    expect(verdict.reasons.map((r) => r.code)).toContain('times-out-of-order');
  });

  it('the in-order alternative is taken when the model is sure, accepted at the measured threshold', () => {
    const b = boxes('1619', { 1: [{ char: '6', p: 0.5 }, { char: '0', p: 0.49 }] });
    const { ev } = decide({ incident: { times: { ...times, atScene: '16:19' } } }, { field, boxes: b }, measured);
    expect(ev).toMatchObject({ kind: 'time-order-alt', text: '1019' });
    expect(decide({ incident: { times: { ...times, atScene: '10:19' } } }, { field, boxes: b }, measured).verdict.status).toBe('accepted');
  });
});

describe('NEWS2 equal to the one recomputed from the observations', () => {
  const field = fieldAt('observations[0].news2Total');
  const obs = { respiratoryRate: 22, spo2: 94, spo2Scale: 1, inspired: 'air', systolicBp: 105, pulse: 112, acvpu: 'A', temperature: 38.4 };
  const total = news2Score(obs as never).total!;
  const measured: Thresholds = { ...DEFAULT_THRESHOLDS, 'digits:news2': 0.9, 'digits:news2-alt': 0.9 };
  const written = String(total).padStart(2, ' ');
  const misread = written.slice(0, 1) + String((total + 2) % 10);

  it('a NEWS2 read that does not recompute, the model sure of it: a person', () => {
    const b = boxes(misread, { 1: [{ char: misread[1]!, p: 0.97 }, { char: written[1]!, p: 0.02 }] });
    const rec = { observations: [{ ...obs, news2Total: Number(misread) }] };
    const { ev, verdict } = decide(rec, { field, boxes: b }, measured);
    expect(ev).toBeUndefined();
    expect(verdict.status).toBe('needs-review');
    expect(verdict.reasons.map((r) => r.code)).toContain('news2-mismatch');
  });

  it('the recomputing alternative is taken only when the model is sure', () => {
    const sure = boxes(misread, { 1: [{ char: misread[1]!, p: 0.5 }, { char: written[1]!, p: 0.49 }] });
    expect(decide({ observations: [{ ...obs, news2Total: Number(misread) }] }, { field, boxes: sure }, measured).ev).toMatchObject({ kind: 'news2-alt', text: written });
    const unsure = boxes(misread, { 1: [{ char: misread[1]!, p: 0.92 }, { char: written[1]!, p: 0.05 }] });
    expect(decide({ observations: [{ ...obs, news2Total: Number(misread) }] }, { field, boxes: unsure }, measured).ev).toBeUndefined();
    const right = decide({ observations: [{ ...obs, news2Total: total }] }, { field, boxes: boxes(written) }, measured);
    expect(right.ev?.kind).toBe('news2');
    expect(right.verdict.status).toBe('accepted');
  });
});

describe('GCS parts summing to the total', () => {
  const field = fieldAt('observations[0].gcsTotal');
  it('a total that does not sum goes to a person; a passing one has GCS evidence', () => {
    const parts = { gcsEye: 4, gcsVerbal: 5, gcsMotor: 6 };
    const bad = decide({ observations: [{ ...parts, gcsTotal: 18 }] }, { field, boxes: boxes('18', { 1: [{ char: '8', p: 0.99 }, { char: '5', p: 0.005 }] }) }, { ...DEFAULT_THRESHOLDS, 'digits:gcs': 0.5 });
    expect(bad.verdict.status).toBe('needs-review');
    const good = decide({ observations: [{ ...parts, gcsTotal: 15 }] }, { field, boxes: boxes('15') }, { ...DEFAULT_THRESHOLDS, 'digits:gcs': 0.5 });
    expect(good.ev?.kind).toBe('gcs');
    expect(good.verdict.status).toBe('accepted');
  });
});

describe('drug names on the formulary', () => {
  const field = fieldAt('drugs[0].drug');
  const measured: Thresholds = { ...DEFAULT_THRESHOLDS, 'capitals:formulary': 0.95, 'capitals:formulary-alt': 0.95 };
  const pad = (s: string) => s.padEnd(field.type === 'capitals' ? field.boxes : 0, ' ');
  const rec = (drug: string) => ({ drugs: [{ drug }] });

  it('a name read surely as a formulary medicine has formulary evidence, accepted only at a measured threshold', () => {
    const right = decide(rec('MORPHINE'), { field, boxes: boxes(pad('MORPHINE')) }, measured);
    expect(right.ev).toMatchObject({ kind: 'formulary', text: pad('MORPHINE') });
    expect(right.verdict.status).toBe('accepted');
    // Uncalibrated, capitals are never the machine's: the evidence alone raises nothing.
    expect(decide(rec('MORPHINE'), { field, boxes: boxes(pad('MORPHINE')) }, DEFAULT_THRESHOLDS).verdict.status).toBe('needs-review');
  });

  it('a misread letter is replaced by the formulary alternative only when the model is sure of it', () => {
    const sure = boxes(pad('MORPHIME'), { 6: [{ char: 'M', p: 0.5 }, { char: 'N', p: 0.48 }] });
    expect(decide(rec('MORPHIME'), { field, boxes: sure }, measured).ev).toMatchObject({ kind: 'formulary-alt', text: pad('MORPHINE') });
    // The alternative holds too little of the classifier's belief: the best reading stands, for a person.
    const unsure = boxes(pad('MORPHIME'), { 6: [{ char: 'M', p: 0.95 }, { char: 'N', p: 0.04 }] });
    const { ev, verdict } = decide(rec('MORPHIME'), { field, boxes: unsure }, measured);
    expect(ev).toBeUndefined();
    expect(verdict.status).toBe('needs-review');
  });

  it('a medicine not on the list is no error and no evidence: a person reads it', () => {
    const { ev, verdict } = decide(rec('LORAZEPAM'), { field, boxes: boxes(pad('LORAZEPAM')) }, measured);
    expect(ev).toBeUndefined();
    expect(verdict.status).toBe('needs-review');
    expect(verdict.reasons.map((r) => r.code)).toEqual(['low-confidence']);
  });
});

describe('age agreeing with the date of birth', () => {
  const field = fieldAt('patient.age');
  const measured: Thresholds = { ...DEFAULT_THRESHOLDS, 'digits:age': 0.9 };
  const rec = (age: number) => ({ incident: { incidentDate: '2023-07-18' }, patient: { dateOfBirth: '1950-03-02', age } });

  it('an age the date of birth gives has age evidence, accepted only at a measured threshold', () => {
    const right = decide(rec(73), { field, boxes: boxes('73 ') }, measured);
    expect(right.ev).toMatchObject({ kind: 'age' });
    expect(right.verdict.status).toBe('accepted');
    expect(decide(rec(73), { field, boxes: boxes('73 ') }, { ...DEFAULT_THRESHOLDS, digits: 2 }).verdict.status).toBe('needs-review');
  });

  it('an age one year out is no evidence; the alternative that agrees is taken only when the model is sure', () => {
    expect(decide(rec(74), { field, boxes: boxes('74 ') }, measured).ev).toBeUndefined();
    const sure = boxes('78 ', { 1: [{ char: '8', p: 0.5 }, { char: '3', p: 0.49 }] });
    expect(decide(rec(78), { field, boxes: sure }, measured).ev).toMatchObject({ kind: 'age-alt', text: '73 ' });
  });

  it('no date of birth, or one after the incident: no check, no evidence', () => {
    expect(decide({ incident: { incidentDate: '2023-07-18' }, patient: { age: 73 } }, { field, boxes: boxes('73 ') }, measured).ev).toBeUndefined();
    const future = { incident: { incidentDate: '2023-07-18' }, patient: { dateOfBirth: '2024-01-01', age: 0 } };
    expect(decide(future, { field, boxes: boxes('0  ') }, measured).ev).toBeUndefined();
  });
});

describe('observation and drug times within the care', () => {
  const field = fieldAt('observations[1].time');
  const times = { callReceived: '23:20', mobilised: '23:22', atScene: '23:40', leftScene: '00:25', atHospital: '00:50', clear: '01:10' };
  const rec = (t: string, sets: (string | undefined)[] = ['23:45', t, '00:40']) => ({ incident: { times }, observations: sets.map((time) => (time ? { time } : {})) });
  const ev = (r: Record<string, unknown>, text: string) => recordEvidence(r, [{ field, boxes: boxes(text) }]).get(field.path);

  it('a time between arriving at scene and the last incident time, in order with the sets beside it, has care-time evidence', () => {
    expect(ev(rec('23:55'), '2355')).toMatchObject({ kind: 'care-time' });
    // Across midnight: 00:10 comes after 23:45 and before 00:40.
    expect(ev(rec('00:10'), '0010')).toMatchObject({ kind: 'care-time' });
  });

  it('before arriving at scene, after the care, or out of order with the sets beside it: no evidence', () => {
    expect(ev(rec('23:35'), '2335')).toBeUndefined();
    expect(ev(rec('01:30'), '0130')).toBeUndefined();
    expect(ev(rec('00:45'), '0045')).toBeUndefined();
    expect(ev(rec('23:42'), '2342')).toBeUndefined();
    // No time to end the care: nothing to hold it to.
    expect(recordEvidence({ incident: { times: { atScene: '23:40' } }, observations: [{}, { time: '23:55' }] }, [{ field, boxes: boxes('2355') }]).size).toBe(0);
  });

  it('a drug time is held to the care the same way', () => {
    const drug = fieldAt('drugs[0].time');
    const r = { incident: { times }, drugs: [{ time: '23:50' }] };
    expect(recordEvidence(r, [{ field: drug, boxes: boxes('2350') }]).get(drug.path)).toMatchObject({ kind: 'care-time' });
    expect(recordEvidence(r, [{ field: drug, boxes: boxes('2250') }]).get(drug.path)).toBeUndefined();
  });
});
