import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { checkRecord, checkIncidentTimes, type CheckOptions, type DeepPartial } from '../src/record/rules.ts';
import { FINDINGS } from '../src/record/findings.ts';
import { news2Score } from '../src/record/news2.ts';
import { PrfRecord, type ObservationSet } from '../src/record/schema.ts';

const obs0: ObservationSet = {
  time: '14:20',
  respiratoryRate: 22,
  spo2: 95,
  inspired: 'air',
  systolicBp: 105,
  diastolicBp: 70,
  pulse: 96,
  temperature: 37.2,
  acvpu: 'A',
  gcsEye: 4,
  gcsVerbal: 5,
  gcsMotor: 6,
  gcsTotal: 15,
  painScore: 3,
  news2Total: 5, // rr 2 + spo2 1 + sbp 1 + pulse 1
};

/** A complete, consistent synthetic record: checkRecord finds nothing. */
function goodRecord(): PrfRecord {
  return {
    formSerial: '1001',
    incident: {
      incidentNumber: '2307180011',
      incidentDate: '2023-07-18',
      callCategory: 'C2',
      times: {
        callReceived: '14:02',
        mobilised: '14:04',
        atScene: '14:15',
        leftScene: '14:50',
        atHospital: '15:10',
        handover: '15:40',
        clear: '15:55',
      },
    },
    crew: [{ staffNumber: '123456', role: 'paramedic', hcpcNumber: 'PA123456' }],
    patient: {
      surname: 'TESTER',
      forenames: 'ALEX',
      dateOfBirth: '1950-06-15',
      age: 73,
      sex: 'female',
      nhsNumber: '9990000018',
      postcode: 'SW1A 1AA',
    },
    clinical: { presentingComplaint: 'shortness of breath' },
    observations: [{ ...obs0 }],
    drugs: [{ drug: 'SALBUTAMOL', dose: '5MG', route: 'NEB', time: '14:25', givenBy: '123456' }],
    outcome: { conveyed: true, destination: 'RYE01' },
    clinician: { name: 'A CLINICIAN', staffNumber: '123456', signed: true },
  };
}

const codes = (r: DeepPartial<PrfRecord>, opts?: CheckOptions) => checkRecord(r, opts).map((f) => f.code);

describe('a good record', () => {
  it('is schema-valid and breaks no rule', () => {
    const r = goodRecord();
    expect(PrfRecord.safeParse(r).success).toBe(true);
    expect(news2Score(obs0).total).toBe(5);
    expect(checkRecord(r, { today: '2024-01-01' })).toEqual([]);
  });

  it('every finding code used is in the catalogue with a message', () => {
    const r: DeepPartial<PrfRecord> = { observations: [{ systolicBp: 500, diastolicBp: 600, gcsEye: 9, news2Total: 0, temperature: 99 }] };
    for (const f of checkRecord(r)) {
      expect(FINDINGS).toHaveProperty(f.code);
      expect(f.message).not.toMatch(/\{\w+\}/);
    }
  });
});

describe('incident times', () => {
  const withTimes = (times: Record<string, string>) => ({ incident: { times } });

  it('names the two times that are out of order', () => {
    const f = checkIncidentTimes(withTimes({ callReceived: '14:02', mobilised: '14:04', atScene: '13:15', leftScene: '14:50' }));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ code: 'times-out-of-order', severity: 'review', paths: ['incident.times.mobilised', 'incident.times.atScene'] });
    expect(f[0]!.message).toBe('The arrived at scene time (13:15) is before the mobilised time (14:04).');
  });

  it('passes times in order, including equal times and gaps', () => {
    expect(checkIncidentTimes(withTimes({ callReceived: '09:00', mobilised: '09:00', leftScene: '10:00', clear: '11:30' }))).toEqual([]);
    expect(checkIncidentTimes({})).toEqual([]);
  });

  it('allows one crossing of midnight, with a note', () => {
    const f = checkIncidentTimes(
      withTimes({ callReceived: '23:40', mobilised: '23:45', atScene: '23:58', leftScene: '00:20', atHospital: '00:45', handover: '01:30', clear: '01:45' }),
    );
    expect(f.map((x) => x.code)).toEqual(['times-midnight-crossed']);
    expect(f[0]!.severity).toBe('note');
    expect(f[0]!.paths).toEqual(['incident.times.atScene', 'incident.times.leftScene']);
  });

  it('after crossing midnight, a time that goes back is still out of order', () => {
    const f = checkIncidentTimes(withTimes({ callReceived: '23:40', mobilised: '00:05', atScene: '23:55', leftScene: '00:30' }));
    // 23:55 after 00:05 (next day) would be a second crossing: flagged, not accepted.
    expect(f.map((x) => x.code)).toEqual(['times-midnight-crossed', 'times-midnight-crossed-twice']);
    const g = checkIncidentTimes(withTimes({ callReceived: '23:40', mobilised: '00:05', atScene: '00:01' }));
    expect(g.map((x) => x.code)).toEqual(['times-midnight-crossed', 'times-out-of-order']);
  });

  it('a backward step of under twelve hours is out of order, not midnight', () => {
    const f = checkIncidentTimes(withTimes({ callReceived: '20:00', mobilised: '09:00' }));
    expect(f.map((x) => x.code)).toEqual(['times-out-of-order']);
  });

  it('one misread time is named against each time it disagrees with', () => {
    const f = checkIncidentTimes(withTimes({ callReceived: '10:00', mobilised: '19:05', atScene: '10:15', leftScene: '10:40' }));
    expect(f.map((x) => x.paths[0])).toEqual(['incident.times.mobilised', 'incident.times.mobilised']);
  });

  it('times in order never raise anything but one midnight note (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1439 }), fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 6, maxLength: 6 }), (start, gaps) => {
        const keys = ['callReceived', 'mobilised', 'atScene', 'leftScene', 'atHospital', 'handover', 'clear'];
        let t = start;
        const times: Record<string, string> = {};
        keys.forEach((k, i) => {
          if (i > 0) t += gaps[i - 1]!;
          const m = t % 1440;
          times[k] = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        });
        const f = checkIncidentTimes(withTimes(times));
        const crosses = Math.floor(t / 1440) - Math.floor(start / 1440) > 0;
        expect(f.map((x) => x.code)).toEqual(crosses ? ['times-midnight-crossed'] : []);
      }),
    );
  });
});

describe('observations', () => {
  const withObs = (o: Partial<ObservationSet>) => ({ observations: [{}, o] });

  it('diastolic must be below systolic', () => {
    const f = checkRecord(withObs({ systolicBp: 80, diastolicBp: 120 }));
    expect(f.map((x) => x.code)).toContain('bp-diastolic-not-below-systolic');
    expect(f.find((x) => x.code === 'bp-diastolic-not-below-systolic')!.paths).toEqual([
      'observations[1].systolicBp',
      'observations[1].diastolicBp',
    ]);
    expect(codes(withObs({ systolicBp: 80, diastolicBp: 80 }))).toContain('bp-diastolic-not-below-systolic');
    expect(codes(withObs({ systolicBp: 120, diastolicBp: 80 }))).toEqual(['required-missing', 'required-missing', 'patient-unidentified']);
  });

  it('observations outside the outer ranges are blocking', () => {
    const bad: [keyof ObservationSet, number][] = [
      ['pulse', 301], ['systolicBp', 401], ['diastolicBp', 301], ['respiratoryRate', 71],
      ['temperature', 9.9], ['temperature', 50.1], ['spo2', 101], ['pulse', -1],
    ];
    for (const [k, v] of bad) {
      const f = checkRecord(withObs({ [k]: v })).filter((x) => x.code === 'observation-out-of-range');
      expect(f, `${k} ${v}`).toHaveLength(1);
      expect(f[0]).toMatchObject({ severity: 'blocking', paths: [`observations[1].${k}`] });
    }
    const edges: [keyof ObservationSet, number][] = [
      ['pulse', 300], ['pulse', 0], ['systolicBp', 400], ['diastolicBp', 0], ['respiratoryRate', 70], ['temperature', 10], ['temperature', 50], ['spo2', 100],
    ];
    for (const [k, v] of edges) expect(codes(withObs({ [k]: v })), `${k} ${v}`).not.toContain('observation-out-of-range');
  });

  it('a temperature of 95-110 is flagged as Fahrenheit, not as merely out of range', () => {
    for (const t of [95, 98.6, 110]) {
      const c = codes(withObs({ temperature: t }));
      expect(c, String(t)).toContain('temperature-fahrenheit');
      expect(c).not.toContain('observation-out-of-range');
    }
    expect(codes(withObs({ temperature: 111 }))).toContain('observation-out-of-range');
    expect(codes(withObs({ temperature: 38.5 }))).not.toContain('temperature-fahrenheit');
  });

  it('GCS parts in range and summing to the total', () => {
    expect(codes(withObs({ gcsEye: 5 }))).toContain('gcs-part-out-of-range');
    expect(codes(withObs({ gcsVerbal: 0 }))).toContain('gcs-part-out-of-range');
    expect(codes(withObs({ gcsMotor: 7 }))).toContain('gcs-part-out-of-range');
    expect(codes(withObs({ gcsTotal: 16 }))).toContain('gcs-part-out-of-range');
    const mismatch = checkRecord(withObs({ gcsEye: 3, gcsVerbal: 4, gcsMotor: 6, gcsTotal: 13 })).find((f) => f.code === 'gcs-total-mismatch');
    expect(mismatch).toBeUndefined();
    const f = checkRecord(withObs({ gcsEye: 3, gcsVerbal: 4, gcsMotor: 6, gcsTotal: 15 })).find((x) => x.code === 'gcs-total-mismatch');
    expect(f!.message).toBe('Observation set 2: GCS eye 3 + verbal 4 + motor 6 = 13, but the total written is 15.');
    expect(f!.paths).toHaveLength(4);
  });

  it('NEWS2 recomputed and compared with the written total, naming the set\'s observation paths', () => {
    const r = goodRecord();
    r.observations[0]!.news2Total = 3;
    const f = checkRecord(r).find((x) => x.code === 'news2-mismatch');
    expect(f).toBeDefined();
    expect(f!.severity).toBe('review');
    expect(f!.message).toContain('is 5, but the crew wrote 3');
    expect(f!.paths).toEqual([
      'observations[0].respiratoryRate', 'observations[0].spo2', 'observations[0].inspired', 'observations[0].systolicBp',
      'observations[0].pulse', 'observations[0].acvpu', 'observations[0].temperature', 'observations[0].news2Total',
    ]);
    r.observations[0]!.news2Total = 5;
    expect(codes(r)).not.toContain('news2-mismatch');
  });

  it('NEWS2 with a parameter missing: only a partial sum already above the written total is a mismatch', () => {
    const partial = { respiratoryRate: 30, pulse: 140, news2Total: 4 }; // at least 6
    const f = checkRecord(withObs(partial)).find((x) => x.code === 'news2-mismatch');
    expect(f!.message).toContain('at least 6');
    expect(codes(withObs({ respiratoryRate: 30, news2Total: 4 }))).not.toContain('news2-mismatch');
  });
});

describe('outcome and drugs', () => {
  it('conveyed needs a destination', () => {
    const r = goodRecord();
    delete r.outcome.destination;
    expect(codes(r)).toEqual(['conveyed-no-destination']);
    r.outcome.conveyed = false;
    expect(codes(r)).toEqual([]);
  });

  it('a drug row with any content needs drug, dose, route and time', () => {
    const r: DeepPartial<PrfRecord> = { ...goodRecord(), drugs: [{ drug: 'ADRENALINE', route: 'IM' }, {}, { givenBy: '1234' }] };
    const f = checkRecord(r).filter((x) => x.code === 'drug-row-incomplete');
    expect(f).toHaveLength(2);
    expect(f[0]!.message).toBe('Drug row 1 is missing its dose and time.');
    expect(f[0]!.paths).toEqual(['drugs[0].dose', 'drugs[0].time']);
    expect(f[1]!.message).toBe('Drug row 3 is missing its drug name, dose, route and time.');
    expect(codes(goodRecord())).not.toContain('drug-row-incomplete');
  });

  it('a drug name a letter or two from a listed medicine, but not on the list, is a person\'s to check', () => {
    const row = (drug: string) => ({ drug, dose: '4MG', route: 'IV' as const, time: '10:20' });
    const r: DeepPartial<PrfRecord> = { ...goodRecord(), drugs: [row('ONDANSETROV'), row('ONDANSETRON'), row('CODEINE'), row('GTM')] };
    const f = checkRecord(r).filter((x) => x.code === 'drug-name-near-formulary');
    expect(f.map((x) => x.paths)).toEqual([['drugs[0].drug'], ['drugs[3].drug']]);
    expect(f[0]!.message).toBe('Drug row 1: the name as read is not on the medicines list but is close to ONDANSETRON; check it against the paper.');
    expect(f[0]!.severity).toBe('review');
  });
});

describe('required for import and patient identity', () => {
  it('incident number and date are required (blocking)', () => {
    const r: DeepPartial<PrfRecord> = goodRecord();
    r.incident = { ...r.incident, incidentNumber: undefined, incidentDate: '' };
    const f = checkRecord(r).filter((x) => x.code === 'required-missing');
    expect(f.map((x) => x.paths[0])).toEqual(['incident.incidentNumber', 'incident.incidentDate']);
    expect(f.every((x) => x.severity === 'blocking')).toBe(true);
  });

  it('needs an NHS number, or a surname and date of birth', () => {
    const r: DeepPartial<PrfRecord> = goodRecord();
    r.patient = { ...r.patient, nhsNumber: undefined };
    expect(codes(r)).toEqual([]);
    r.patient = { ...r.patient, surname: undefined };
    expect(codes(r)).toEqual(['patient-unidentified']);
    r.patient = { surname: 'TESTER', nhsNumber: '9990000018' };
    expect(codes(r)).toEqual([]);
  });
});

describe('date of birth and age', () => {
  it('date of birth not in the future (given today) and not after the incident', () => {
    const r = goodRecord();
    r.patient.dateOfBirth = '2030-01-01';
    delete r.patient.age;
    expect(codes(r, { today: '2024-01-01' })).toEqual(['dob-in-future', 'dob-after-incident']);
    expect(codes(r)).toEqual(['dob-after-incident']); // without today, no future check
    r.patient.dateOfBirth = '2023-07-19';
    expect(codes(r, { today: '2024-01-01' })).toEqual(['dob-after-incident']);
    r.patient.dateOfBirth = '2023-07-18'; // born that day
    expect(codes(r, { today: '2024-01-01' })).toEqual([]);
  });

  it('age at incident agrees with the date of birth within a year', () => {
    const r = goodRecord(); // born 1950-06-15, incident 2023-07-18: 73
    for (const age of [72, 73, 74]) {
      r.patient.age = age;
      expect(codes(r), String(age)).toEqual([]);
    }
    r.patient.age = 37;
    const f = checkRecord(r);
    expect(f.map((x) => x.code)).toEqual(['age-dob-mismatch']);
    expect(f[0]!.message).toBe('The age written (37) does not match the date of birth, which gives 73 on the incident date.');
    // The birthday counts: born 1950-07-19 is still 72 on 2023-07-18.
    r.patient.dateOfBirth = '1950-07-19';
    r.patient.age = 71;
    expect(codes(r)).toEqual([]);
    r.patient.age = 70;
    expect(codes(r)).toEqual(['age-dob-mismatch']);
  });
});

describe('NHS number', () => {
  it('check digit wrong is a finding; right passes', () => {
    const r = goodRecord();
    r.patient.nhsNumber = '9990000017';
    const f = checkRecord(r);
    expect(f.map((x) => x.code)).toEqual(['nhs-check-digit']);
    expect(f[0]!.message).toBe("The NHS number's check digit is wrong: a digit was probably misread or miswritten.");
    r.patient.nhsNumber = '999000001';
    expect(codes(r)).toEqual(['nhs-number-length']);
  });
});

describe('incident date against today and the downtime window', () => {
  const window = { from: '2023-07-10', to: '2023-07-31' }; // goodRecord's incident is 2023-07-18

  it('an incident date inside the window, on or before today, is no finding', () => {
    expect(codes(goodRecord(), { today: '2023-07-18', downtime: window })).toEqual([]);
    expect(codes(goodRecord(), { downtime: { from: '2023-07-18', to: '2023-07-18' } })).toEqual([]);
  });

  it('an incident date after today goes to a person, naming the incident date only', () => {
    const f = checkRecord(goodRecord(), { today: '2023-07-17', downtime: window });
    expect(f.map((x) => [x.code, x.severity, x.paths])).toEqual([['incident-date-in-future', 'review', ['incident.incidentDate']]]);
  });

  it('a misread year or a day outside the downtime goes to a person; without a window only today is checked', () => {
    const r = goodRecord();
    r.incident.incidentDate = '2013-07-18';
    delete r.patient.age; // the age would not agree with a date ten years early
    expect(codes(r, { today: '2024-01-01', downtime: window })).toEqual(['incident-date-outside-downtime']);
    expect(codes(r, { today: '2024-01-01' })).toEqual([]);
    r.incident.incidentDate = '2023-08-01'; // the day after the window
    const [f] = checkRecord(r, { downtime: window });
    expect(f?.message).toBe('The incident date (2023-08-01) is outside the downtime this job covers (2023-07-10 to 2023-07-31).');
  });

  it('property: the finding appears exactly when the date falls outside the window', () => {
    const day = fc.date({ min: new Date('2023-01-01T00:00:00Z'), max: new Date('2023-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, day, day, (a, b, date) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const r = goodRecord();
        r.incident.incidentDate = date;
        const found = checkRecord(r, { downtime: { from, to } }).some((f) => f.code === 'incident-date-outside-downtime');
        expect(found).toBe(date < from || date > to);
      }),
    );
  });
});
