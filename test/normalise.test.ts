import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  normaliseCapitals,
  normaliseDate,
  normaliseDecimal,
  normaliseDigits,
  normaliseField,
  normaliseTime,
  resolveChoice,
  resolveMulti,
  type OptionState,
} from '../src/record/normalise.ts';
import { FINDINGS } from '../src/record/findings.ts';
import { nhsCheckDigit } from '../src/record/nhs-number.ts';
import { Field } from '../src/template/schema.ts';

const zone = { x: 10, y: 10, w: 40, h: 8 };
const box = { x: 11, y: 11, w: 4, h: 4 };
/** A template field, checked by the template schema so the tests use real shapes. */
function field(f: Record<string, unknown>): Field {
  return Field.parse({ id: 'f', label: 'Test field', page: 1, zone, ...f });
}

describe('normaliseDate', () => {
  it('turns DDMMYYYY boxes into ISO dates', () => {
    expect(normaliseDate('01022023')).toEqual({ status: 'value', value: '2023-02-01' });
    expect(normaliseDate('29022024')).toEqual({ status: 'value', value: '2024-02-29' });
    expect(normaliseDate('31122099')).toEqual({ status: 'value', value: '2099-12-31' });
  });
  it('refuses dates that are not real', () => {
    for (const d of ['29022023', '31042023', '00012023', '01002023', '01132023', '32012023']) {
      expect(normaliseDate(d).status, d).toBe('invalid');
    }
  });
  it('tells blank from illegible from incomplete', () => {
    expect(normaliseDate('        ').status).toBe('blank');
    expect(normaliseDate('').status).toBe('blank');
    expect(normaliseDate('01?22023').status).toBe('illegible');
    expect(normaliseDate('0102202 ').status).toBe('invalid');
    expect(normaliseDate('0102202A').status).toBe('invalid');
  });
  it('round-trips every real date (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10);
        const [y, m, day] = iso.split('-');
        expect(normaliseDate(`${day}${m}${y}`)).toEqual({ status: 'value', value: iso });
      }),
    );
  });
});

describe('normaliseTime', () => {
  it('reads HHMM boxes as HH:MM from 00:00 to 23:59', () => {
    expect(normaliseTime('0000')).toEqual({ status: 'value', value: '00:00' });
    expect(normaliseTime('2359')).toEqual({ status: 'value', value: '23:59' });
    expect(normaliseTime('0905')).toEqual({ status: 'value', value: '09:05' });
  });
  it('refuses impossible times and incomplete boxes', () => {
    for (const t of ['2400', '1260', '9999', '123 ', '12a4']) expect(normaliseTime(t).status, t).toBe('invalid');
    expect(normaliseTime('    ').status).toBe('blank');
    expect(normaliseTime('1?30').status).toBe('illegible');
  });
  it('accepts every minute of the day (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (h, m) => {
        const hh = String(h).padStart(2, '0');
        const mm = String(m).padStart(2, '0');
        expect(normaliseTime(hh + mm)).toEqual({ status: 'value', value: `${hh}:${mm}` });
      }),
    );
  });
});

describe('normaliseDecimal', () => {
  it('puts the printed point between whole and fraction boxes', () => {
    expect(normaliseDecimal('375', 2, 1)).toEqual({ status: 'value', value: 37.5 });
    expect(normaliseDecimal(' 55', 2, 1)).toEqual({ status: 'value', value: 5.5 });
    expect(normaliseDecimal('5 5', 2, 1)).toEqual({ status: 'value', value: 5.5 });
    expect(normaliseDecimal('37 ', 2, 1)).toEqual({ status: 'value', value: 37 });
    expect(normaliseDecimal('1234 ', 3, 2)).toEqual({ status: 'value', value: 123.4 });
    expect(normaliseDecimal('12345', 3, 2)).toEqual({ status: 'value', value: 123.45 });
  });
  it('refuses gaps and wrong lengths rather than guess', () => {
    expect(normaliseDecimal('1 34 ', 3, 2).status).toBe('invalid'); // gap in the whole number
    expect(normaliseDecimal('123 4', 3, 2).status).toBe('invalid'); // 123.?4
    expect(normaliseDecimal('55', 2, 1).status).toBe('invalid'); // boxes missing from the reading
    expect(normaliseDecimal('3A5', 2, 1).status).toBe('invalid');
    expect(normaliseDecimal('   ', 2, 1).status).toBe('blank');
    expect(normaliseDecimal('3?5', 2, 1).status).toBe('illegible');
  });
  it('reads back any number written right-aligned (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 9 }), (whole, tenth) => {
        const raw = String(whole).padStart(3, ' ') + String(tenth);
        expect(normaliseDecimal(raw, 3, 1)).toEqual({ status: 'value', value: whole + tenth / 10 });
      }),
    );
  });
});

describe('normaliseDigits and normaliseCapitals', () => {
  it('digits: trims empty boxes at the ends, refuses gaps', () => {
    expect(normaliseDigits('1234    ')).toEqual({ status: 'value', value: '1234' });
    expect(normaliseDigits('  72')).toEqual({ status: 'value', value: '72' });
    expect(normaliseDigits('12 4').status).toBe('invalid');
    expect(normaliseDigits('12O4').status).toBe('invalid');
    expect(normaliseDigits('    ').status).toBe('blank');
    expect(normaliseDigits('12?4').status).toBe('illegible');
  });
  it('capitals: trims, upper-cases and collapses empty boxes between words to one space', () => {
    expect(normaliseCapitals('SMITH     ')).toEqual({ status: 'value', value: 'SMITH' });
    expect(normaliseCapitals(' ANNE   MARIE  ')).toEqual({ status: 'value', value: 'ANNE MARIE' });
    expect(normaliseCapitals('o brien')).toEqual({ status: 'value', value: 'O BRIEN' });
    expect(normaliseCapitals('     ').status).toBe('blank');
    expect(normaliseCapitals('SM?TH').status).toBe('illegible');
  });
});

describe('resolveChoice and resolveMulti', () => {
  const values = ['air', 'oxygen'];
  it('one tick gives its value; crossed-out boxes are ignored with a note', () => {
    expect(resolveChoice(['empty', 'ticked'], values)).toMatchObject({ status: 'value', value: 'oxygen', findings: [] });
    const r = resolveChoice(['crossed-out', 'ticked'], values);
    expect(r).toMatchObject({ status: 'value', value: 'oxygen' });
    expect(r.findings.map((f) => f.code)).toEqual(['choice-crossed-out']);
  });
  it('no tick is blank', () => {
    expect(resolveChoice(['empty', 'empty'], values).status).toBe('blank');
    expect(resolveChoice(['crossed-out', 'empty'], values).status).toBe('illegible');
  });
  it('a filled box with nothing else ticked goes to a person: it may be a tick made by filling the box', () => {
    const r = resolveChoice(['crossed-out', 'empty'], values, { label: 'Sex', path: 'patient.sex' });
    expect(r.status).toBe('illegible');
    expect(r.findings.map((f) => f.code)).toContain('choice-ambiguous');
    expect(resolveChoice(['crossed-out', 'ticked'], values).status).toBe('value');
  });
  it('several ticks or an unclear box need a person, with a finding', () => {
    const several = resolveChoice(['ticked', 'ticked'], values, { label: 'Air or oxygen', path: 'observations[0].inspired' });
    expect(several.status).toBe('invalid');
    expect(several.findings[0]).toMatchObject({ code: 'choice-several-ticked', severity: 'review', paths: ['observations[0].inspired'] });
    expect(several.findings[0]!.message).toContain('air, oxygen');
    const unclear = resolveChoice(['ticked', 'ambiguous'], values);
    expect(unclear.status).toBe('illegible');
    expect(unclear.findings.map((f) => f.code)).toEqual(['choice-ambiguous']);
  });
  it('multi collects every tick', () => {
    expect(resolveMulti(['ticked', 'empty', 'ticked'], ['a', 'b', 'c'])).toMatchObject({ status: 'value', value: ['a', 'c'] });
    expect(resolveMulti(['empty', 'empty'], ['a', 'b']).status).toBe('blank');
    expect(resolveMulti(['ticked', 'ambiguous'], ['a', 'b']).status).toBe('illegible');
  });
  it('exactly one tick among any states without ambiguity gives that value (property)', () => {
    const other = fc.constantFrom<OptionState>('empty', 'crossed-out');
    fc.assert(
      fc.property(fc.array(other, { minLength: 1, maxLength: 8 }), fc.nat(), (states, k) => {
        const at = k % (states.length + 1);
        const withTick = [...states.slice(0, at), 'ticked' as const, ...states.slice(at)];
        const vals = withTick.map((_, i) => `v${i}`);
        const r = resolveChoice(withTick, vals);
        expect(r.status).toBe('value');
        if (r.status === 'value') expect(r.value).toBe(`v${at}`);
      }),
    );
  });
});

describe('normaliseField', () => {
  const nhsField = field({ type: 'digits', boxes: 10, groups: [3, 3, 4], path: 'patient.nhsNumber', label: 'NHS number' });
  const pulseField = field({ type: 'digits', boxes: 3, path: 'observations[0].pulse', label: 'Pulse' });
  const tempField = field({ type: 'decimal', intDigits: 3, fracDigits: 1, path: 'observations[0].temperature', label: 'Temperature' });

  it('tells blank (no ink) from illegible (ink, unreadable)', () => {
    expect(normaliseField(pulseField, '   ')).toEqual({ status: 'blank', findings: [] });
    const r = normaliseField(pulseField, '7? ');
    expect(r.status).toBe('illegible');
    expect(r.findings[0]).toMatchObject({ code: 'field-illegible', paths: ['observations[0].pulse'] });
  });

  it('gives numbers for number leaves and strings for string leaves', () => {
    expect(normaliseField(pulseField, '072')).toEqual({ status: 'value', value: 72, findings: [] });
    const inc = field({ type: 'digits', boxes: 10, path: 'incident.incidentNumber', label: 'Incident number' });
    expect(normaliseField(inc, '0012345678')).toEqual({ status: 'value', value: '0012345678', findings: [] });
    // The leaf kind may be given by the caller.
    expect(normaliseField(pulseField, '072', 'string').value).toBe('072');
  });

  it('checks the NHS number check digit', () => {
    const good = `999000001${nhsCheckDigit('999000001')}`;
    expect(normaliseField(nhsField, good)).toEqual({ status: 'value', value: good, findings: [] });
    const bad = normaliseField(nhsField, '9990000017');
    expect(bad.status).toBe('invalid');
    expect(bad.value).toBe('9990000017');
    expect(bad.findings[0]).toMatchObject({ code: 'nhs-check-digit', message: FINDINGS['nhs-check-digit'].template });
    expect(normaliseField(nhsField, '999000001 ').findings[0]!.code).toBe('nhs-number-length');
  });

  it('flags a Fahrenheit temperature and never converts it', () => {
    const r = normaliseField(tempField, '0986');
    expect(r.status).toBe('invalid');
    expect(r.value).toBe(98.6);
    expect(r.findings.map((f) => f.code)).toEqual(['temperature-fahrenheit']);
    expect(normaliseField(tempField, ' 375')).toEqual({ status: 'value', value: 37.5, findings: [] });
  });

  it('finds values outside the schema range', () => {
    const r = normaliseField(pulseField, '350');
    expect(r.status).toBe('invalid');
    expect(r.value).toBe(350);
    expect(r.findings[0]).toMatchObject({ code: 'field-out-of-range', paths: ['observations[0].pulse'] });
    expect(r.findings[0]!.message).toContain('0 to 300');
    const t = normaliseField(tempField, ' 601');
    expect(t.findings[0]!.code).toBe('field-out-of-range');
  });

  it('checks string patterns from the schema', () => {
    const inc = field({ type: 'digits', boxes: 10, path: 'incident.incidentNumber', label: 'Incident number' });
    const r = normaliseField(inc, '12345     ');
    expect(r.status).toBe('invalid');
    expect(r.findings[0]!.message).toContain('CAD incident number');
  });

  it('dates, times and invalid calendar dates', () => {
    const dob = field({ type: 'date', path: 'patient.dateOfBirth', label: 'Date of birth' });
    expect(normaliseField(dob, '15061950')).toEqual({ status: 'value', value: '1950-06-15', findings: [] });
    expect(normaliseField(dob, '31021950').findings[0]!.code).toBe('date-not-real');
    expect(normaliseField(dob, '310219  ').findings[0]!.code).toBe('field-invalid');
    const t = field({ type: 'time', path: 'incident.times.atScene', label: 'At scene' });
    expect(normaliseField(t, '1405').value).toBe('14:05');
    expect(normaliseField(t, '2460').findings[0]!.code).toBe('time-not-real');
  });

  it('postcodes: clean ones pass, fixed ones say so for review', () => {
    const pc = field({ type: 'capitals', boxes: 8, charset: 'alnum', path: 'patient.postcode', label: 'Postcode' });
    expect(normaliseField(pc, 'SW1A 1AA')).toEqual({ status: 'value', value: 'SW1A 1AA', findings: [] });
    const fixed = normaliseField(pc, 'SWI 1AA');
    expect(fixed.status).toBe('value');
    expect(fixed.value).toBe('SW1 1AA');
    expect(fixed.findings[0]).toMatchObject({ code: 'postcode-fixed', severity: 'review' });
    expect(fixed.findings[0]!.message).toContain('position 3 must be a digit');
    expect(normaliseField(pc, 'QQ1 1AA').findings[0]!.code).toBe('postcode-invalid');
    // A fix into a district the shipped list does not confirm goes to a person instead (issue 13: SWO -> SW0).
    expect(normaliseField(pc, 'SWO OAA').findings[0]).toMatchObject({ code: 'postcode-invalid', severity: 'review' });
    // A character that reads either way where both are allowed (W1S or W15) is kept, and a person says which.
    const either = normaliseField(pc, 'W1S 1AA');
    expect(either.value).toBe('W1S 1AA');
    expect(either.findings[0]).toMatchObject({ code: 'postcode-ambiguous', severity: 'review' });
    expect(either.findings[0]!.message).toContain('W15 1AA');
  });

  it('capitals into an enum leaf match the schema options', () => {
    const route = field({ type: 'capitals', boxes: 3, path: 'drugs[0].route', label: 'Route' });
    expect(normaliseField(route, 'iv ')).toEqual({ status: 'value', value: 'IV', findings: [] });
    expect(normaliseField(route, 'XX ').status).toBe('invalid');
  });

  it('ticks, choices and multi fields', () => {
    const tick = field({ type: 'tick', path: 'outcome.preAlert', label: 'Pre-alert' });
    expect(normaliseField(tick, ['ticked'])).toEqual({ status: 'value', value: true, findings: [] });
    expect(normaliseField(tick, ['empty']).status).toBe('blank');
    const choice = field({
      type: 'choice', path: 'observations[0].acvpu', label: 'ACVPU',
      options: ['A', 'C', 'V', 'P', 'U'].map((v) => ({ value: v, label: v, box })),
    });
    expect(normaliseField(choice, ['empty', 'empty', 'ticked', 'empty', 'empty']).value).toBe('V');
    expect(normaliseField(choice, ['ticked', 'empty', 'ticked', 'empty', 'empty']).status).toBe('invalid');
    expect(normaliseField(choice, ['ticked', 'empty']).status).toBe('invalid'); // wrong number of states
    expect(normaliseField(choice, 'A').status).toBe('invalid'); // wrong shape of reading
    const multi = field({
      type: 'multi', path: 'interventions', label: 'Interventions',
      options: ['cpr', 'splint'].map((v) => ({ value: v, label: v, box })),
    });
    expect(normaliseField(multi, ['ticked', 'ticked']).value).toEqual(['cpr', 'splint']);
  });

  it('text and signature', () => {
    const text = field({ type: 'text', lines: 3, path: 'clinical.presentingComplaint', label: 'Complaint' });
    expect(normaliseField(text, '  ?stroke,  left arm weak ')).toEqual({ status: 'value', value: '?stroke, left arm weak', findings: [] });
    expect(normaliseField(text, '   ').status).toBe('blank');
    const sig = field({ type: 'signature', path: 'clinician.signed', label: 'Signature' });
    expect(normaliseField(sig, ['ticked']).value).toBe(true);
    expect(normaliseField(sig, ['empty']).status).toBe('blank');
  });
});

describe('a dose read from its comb', () => {
  const doseField = field({ type: 'capitals', charset: 'dose', boxes: 6, path: 'drugs[0].dose', label: 'Dose' });

  it('takes an amount and its unit, or a ratio', () => {
    for (const d of ['2.5MG', '500MCG', '1G', '50/50', '0.5ML', '10 MG', '15L']) {
      expect(normaliseField(doseField, d.padEnd(6, ' '))).toMatchObject({ status: 'value', value: d });
    }
  });

  it('refuses a point lost ("2 5MG"), a G read as 6 ("5M6"), a stray point, and a unit with no amount', () => {
    for (const d of ['2 5MG', '5M6', '.', '  .', '.5MG', '2.MG', 'MG']) {
      const r = normaliseField(doseField, d.padEnd(6, ' '));
      expect(r.status, d).toBe('invalid');
      expect(r.findings.map((f) => f.code)).toEqual(['field-invalid']);
    }
  });

  it('never accepts a dose with digits split by a gap or a digit after its unit letters (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,2} \d[A-Z]{0,2}$|^\d{1,2}[A-Z]{1,2}\d$/), (d) => {
        expect(normaliseField(doseField, d.padEnd(6, ' ').slice(0, 6)).status).not.toBe('value');
      }),
    );
  });
});

describe('a name in letters only', () => {
  const surname = field({ type: 'capitals', charset: 'letters', boxes: 20, path: 'patient.surname', label: 'Surname' });

  it("takes the spaces, hyphens and apostrophes names carry, and refuses one that starts or ends with them", () => {
    for (const n of ["O'NEILL", 'AL-SAYED', 'VAN DER BERG', 'LI']) expect(normaliseField(surname, n.padEnd(20, ' ')).status, n).toBe('value');
    for (const n of ['HAL-', "O'", '-SMITH', 'SMITH2']) expect(normaliseField(surname, n.padEnd(20, ' ')).status, n).toBe('invalid');
  });
});
