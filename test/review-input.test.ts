import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { loadTemplate } from '../src/template/load.ts';
import type { Field } from '../src/template/schema.ts';
import { displayValue, guessText, parseTyped } from '../src/review/input.ts';
import { keyingsMatch, keyingStage, parseDoubleKeyOption } from '../src/review/double-key.ts';
import { testNhsNumber } from './helpers/job-fixture.ts';

const template = loadTemplate('standard-prf');
const F = (id: string): Field => template.fields.find((f) => f.id === id)!;
const value = (id: string, text: string) => {
  const r = parseTyped(F(id), text);
  return r.ok && r.kind === 'value' ? r.value : r;
};

describe('typed values are normalised by field type', () => {
  it('dates: 12/03/1951, 12031951, 12.3.1951 and ISO all give the ISO date; impossible dates are refused', () => {
    for (const t of ['12/03/1951', '12031951', '12.3.1951', '1951-03-12', ' 12 03 1951 ']) expect(value('patient.dob', t)).toBe('1951-03-12');
    expect(parseTyped(F('patient.dob'), '31/02/1951')).toMatchObject({ ok: false, message: expect.stringContaining('not a real calendar date') });
    expect(parseTyped(F('patient.dob'), 'March 12')).toMatchObject({ ok: false, message: expect.stringContaining('dd/mm/yyyy') });
  });

  it('times: 0930, 09:30, 9:30 and 930 give 09:30; 25:00 is refused', () => {
    for (const t of ['0930', '09:30', '9:30', '930', '09.30']) expect(value('time.callreceived', t)).toBe('09:30');
    expect(parseTyped(F('time.callreceived'), '25:00')).toMatchObject({ ok: false, message: expect.stringContaining('24-hour') });
  });

  it('numbers: digits to numbers with the schema range; decimals within the boxes', () => {
    expect(value('obs1.pulse', '88')).toBe(88);
    expect(value('obs1.temp', '36.8')).toBe(36.8);
    expect(value('obs1.temp', '37')).toBe(37); // 3.7 is not a temperature: no doubt where the point goes
    expect(value('obs1.bm', '5.3')).toBe(5.3);
    expect(parseTyped(F('obs1.temp'), '36.85')).toMatchObject({ ok: false });
    expect(parseTyped(F('obs1.temp'), '98.6')).toMatchObject({ ok: false, message: expect.stringContaining('Fahrenheit') });
    expect(parseTyped(F('obs1.pulse'), '8a')).toMatchObject({ ok: false, message: 'Type digits only.' });
  });

  it('NHS numbers: spaces allowed, the Modulus 11 check applies', () => {
    const good = testNhsNumber(42);
    expect(value('patient.nhs', `${good.slice(0, 3)} ${good.slice(3, 6)} ${good.slice(6)}`)).toBe(good);
    const bad = good.slice(0, 9) + String((Number(good[9]) + 1) % 10);
    expect(parseTyped(F('patient.nhs'), bad)).toMatchObject({ ok: false, message: expect.stringContaining('check digit') });
  });

  it('capitals are upper-cased; postcodes must be valid as typed', () => {
    expect(value('patient.surname', 'white')).toBe('WHITE');
    expect(value('patient.postcode', 'so16 8rw')).toBe('SO16 8RW');
    expect(parseTyped(F('patient.postcode'), 'S016 8RW')).toMatchObject({ ok: false });
  });

  it('a postcode a person typed is taken as typed where a machine reading of it would be ambiguous (S or 5, 1 or I)', () => {
    // BS2 and B52 are both real shapes: doubt about a machine's reading, none about what a person read off the paper.
    expect(value('patient.postcode', 'BS2 2JL')).toBe('BS2 2JL');
    expect(value('patient.postcode', 'RG1 3UB')).toBe('RG1 3UB');
  });

  it('choices are chosen from the options by number, value or label; ticks by y/n', () => {
    expect(value('crew1.role', '2')).toBe('technician');
    expect(value('crew1.role', 'Paramedic')).toBe('paramedic');
    expect(parseTyped(F('crew1.role'), 'doctor')).toMatchObject({ ok: false, message: expect.stringContaining('1 paramedic') });
    expect(value('obs1.scale', '2')).toBe(2);
    expect(value('outcome.conveyed', 'true')).toBe(true);
    expect(value('interventions', 'cpr, 1')).toEqual(['ecg-12-lead', 'cpr']);
    expect(value('outcome.prealert', 'y')).toBe(true);
    expect(parseTyped(F('outcome.prealert'), 'n')).toEqual({ ok: true, kind: 'blank' });
  });

  it('nothing typed, or a "?" for unreadable, points at the blank and illegible keys', () => {
    expect(parseTyped(F('patient.surname'), '  ')).toMatchObject({ ok: false, message: expect.stringContaining('Alt+B') });
    expect(parseTyped(F('patient.nhs'), '999?'), 'digits').toMatchObject({ ok: false, message: expect.stringContaining('Alt+I') });
  });

  it('property: any real date shown as the page shows it parses back to itself', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10);
        const shown = displayValue(F('patient.dob'), iso);
        expect(value('patient.dob', shown)).toBe(iso);
      }),
    );
  });

  it('property: any 24-hour time typed with or without a colon gives HH:MM', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.boolean(), (h, m, colon) => {
        const hh = String(h).padStart(2, '0');
        const mm = String(m).padStart(2, '0');
        expect(value('time.atscene', colon ? `${h}:${mm}` : `${hh}${mm}`)).toBe(`${hh}:${mm}`);
      }),
    );
  });

  it('the guess shown is the value as one would type it, else the raw reading (never option states)', () => {
    expect(guessText(F('patient.dob'), '1951-03-12', '12031951')).toBe('12/03/1951');
    expect(guessText(F('patient.nhs'), '9990001234', '')).toBe('999 000 1234');
    expect(guessText(F('time.clear'), null, '12?4')).toBe('12:?4');
    expect(guessText(F('crew1.role'), null, 'empty,ticked')).toBe('');
  });

  it("a number comb's reading that is no value is shown box for box, as its value would be (overtype lines up)", () => {
    // Not a time: 70:59 is one box from 10:59, as on the form.
    expect(guessText(F('time.mobilised'), null, '7059')).toBe('70:59');
    // An empty box is shown, never closed up: 827 would be taken for 08:27.
    expect(guessText(F('time.atscene'), null, ' 827')).toBe('_8:27');
    expect(guessText(F('time.leftscene'), null, '0 05')).toBe('0_:05');
    expect(guessText(F('patient.dob'), null, '32071951')).toBe('32/07/1951');
    expect(guessText(F('patient.dob'), null, '1207 951')).toBe('12/07/_951');
    // Digits are written from the left: empty boxes after the last digit are not shown; one between digits is.
    expect(guessText(F('drug1.by'), null, '7402 0')).toBe('7402_0');
    expect(guessText(F('obs1.sbp'), null, '?4 ')).toBe('?4');
    expect(guessText(F('patient.nhs'), null, '990415964 ')).toBe('990 415 964');
    expect(guessText(F('patient.nhs'), null, '99041 9648')).toBe('990 41_ 9648');
    // All empty, or not one character a box: as read.
    expect(guessText(F('time.clear'), null, '    ')).toBe('');
    expect(guessText(F('time.clear'), null, '12?')).toBe('12?');
    // What is shown is no value: it cannot be saved as it stands.
    for (const [id, raw] of [['time.atscene', ' 827'], ['time.mobilised', '7059'], ['drug1.by', '7402 0'], ['patient.dob', '1207 951']] as const) {
      expect(parseTyped(F(id), guessText(F(id), null, raw)).ok).toBe(false);
    }
  });
});

describe('double keying rules', () => {
  it('first, second by another person, third by neither keyer', () => {
    expect(keyingStage([], 'a')).toBe('first');
    const k1 = { reviewer: 'a', action: 'key' as const, value: '1' };
    expect(keyingStage([k1], 'a')).toBe('wait');
    expect(keyingStage([k1], 'b')).toBe('second');
    const k2 = { reviewer: 'b', action: 'key' as const, value: '2' };
    expect(keyingStage([k1, k2], 'b')).toBe('wait');
    expect(keyingStage([k1, k2], 'c')).toBe('third');
    expect(keyingsMatch(k1, { action: 'key', value: '1' })).toBe(true);
    expect(keyingsMatch(k1, k2)).toBe(false);
    expect(keyingsMatch({ action: 'blank', value: null }, { action: 'blank', value: null })).toBe(true);
    expect(parseDoubleKeyOption(undefined)).toEqual(['patient.nhsNumber', 'patient.dateOfBirth']);
    expect(parseDoubleKeyOption('none')).toEqual([]);
  });
});

describe('input guards', () => {
  it('control characters are refused in text and comb fields; line breaks are kept in free text', () => {
    for (const c of ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085']) {
      expect(parseTyped(F('clinical.history'), `fall${c}[2J at home`).ok, JSON.stringify(c)).toBe(false);
      expect(parseTyped(F('patient.surname'), `SMI${c}TH`).ok, JSON.stringify(c)).toBe(false);
    }
    expect(value('clinical.history', 'fall at home\nno LOC')).toBe('fall at home\nno LOC');
  });

  it('letters-only name fields refuse digits; hyphens, apostrophes and spaces are names', () => {
    for (const bad of ['WHITE9', 'L1NDA', '0BRIEN']) expect(parseTyped(F('patient.surname'), bad).ok, bad).toBe(false);
    expect(parseTyped(F('patient.forenames'), 'L1NDA').ok).toBe(false);
    for (const good of ["O'NEILL", 'SMITH-JONES', 'VAN DER BERG']) expect(value('patient.surname', good)).toBe(good);
    expect(value('incident.callsign', 'RRV12')).toBe('RRV12'); // alnum stays alnum
  });

  it('a glucose typed without its decimal point is queried, not taken as 53 mmol/L', () => {
    expect(parseTyped(F('obs1.bm'), '53')).toMatchObject({ ok: false, message: 'Type the decimal point: is it 5.3 or 53.0?' });
    expect(value('obs1.bm', '5.3')).toBe(5.3);
    expect(value('obs1.bm', '53.0')).toBe(53);
    expect(value('obs1.bm', '5')).toBe(5);
  });

  it('the CSV wording names its decision column, never the page\'s keys', () => {
    expect(parseTyped(F('obs1.pulse'), '?', 'csv')).toMatchObject({ ok: false, message: 'If you cannot read it, use the decision illegible.' });
    expect(parseTyped(F('obs1.pulse'), '', 'csv')).toMatchObject({ ok: false, message: expect.stringContaining('use the decision blank') });
    expect(parseTyped(F('obs1.pulse'), '?')).toMatchObject({ ok: false, message: expect.stringContaining('Alt+I') });
  });
});

