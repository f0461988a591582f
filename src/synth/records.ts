// Synthetic Patient Report Form records: realistic fake patients whose values hang together (a sick patient is
// consistently abnormal, drugs match the complaint, times run in order, NEWS2 is what the crew would write).
// Pure: every value comes from the rng passed in, through named forks, so a seed always gives the same record.
import { nhsCheckDigit } from '../record/nhs-number.ts';
import { news2Score } from '../record/news2.ts';
import type { CrewMember, DrugGiven, ObservationSet, PrfRecord } from '../record/schema.ts';
import { CREW_ROLES, INTERVENTIONS, IsoDate, NON_CONVEYANCE } from '../record/schema.ts';
import { AREAS, CALL_SIGN_PREFIXES, FEMALE_FORENAMES, INWARD_LETTERS, MALE_FORENAMES, STREETS, SURNAMES, type Area } from './people.ts';
import type { Rng } from './rng.ts';
import { plantWriterErrors, type WriterError } from './writer-errors.ts';

export interface GenerateOptions {
  /** YYYY-MM-DD; default a day between 18 July and 31 August 2023 (the MobiMed outage and after). */
  incidentDate?: string;
  /** Share of forms that carry a writer error (default 0.08). */
  writerErrorRate?: number;
}

export interface GeneratedRecord {
  /** The record as the crew wrote it, planted writer errors included. */
  record: PrfRecord;
  /** The record as it should have been written. */
  intendedRecord: PrfRecord;
  writerErrors: WriterError[];
}

/** Longest line of clinical free text, so it fits a line of the form's writing area. */
export const TEXT_LINE_MAX = 60;
const MIN_PER_DAY = 1440;

export function generateRecord(rng: Rng, serial: string, opts: GenerateOptions = {}): GeneratedRecord {
  if (!/^\d{1,9}$/.test(serial)) throw new Error('a form serial is 1-9 digits');
  if (opts.incidentDate !== undefined && !IsoDate.safeParse(opts.incidentDate).success) throw new Error('incidentDate must be YYYY-MM-DD');
  const r = rng.fork(`record-${serial}`);
  const incidentDate = opts.incidentDate ?? randomIncidentDate(r.fork('date'));
  const scenario = r.fork('scenario').weighted(SCENARIOS.map((s) => [s, s.weight] as const));
  const severity = pickSeverity(r.fork('severity'), scenario);
  const patient = makePatient(r.fork('patient'), scenario, incidentDate);
  const crew = makeCrew(r.fork('crew'));
  const conveyed = r.fork('conveyed').chance(scenario.convey[severity]);
  const category = scenario.category(r.fork('category'), severity);
  const timeline = makeTimeline(r.fork('times'), category, scenario, conveyed);
  const { sets: observations, firstAt } = makeObservations(r.fork('obs'), scenario, severity, patient.age, timeline);
  const drugs = makeDrugs(r.fork('drugs'), scenario, severity, crew, firstAt, timeline.careEnd);
  const interventions = makeInterventions(r.fork('interventions'), scenario, severity, drugs);
  const outcome = makeOutcome(r.fork('outcome'), scenario, severity, conveyed, patient.area, observations);
  const clinicianMember = crew.find((c) => c.role === 'paramedic') ?? crew[0]!;
  const cr = r.fork('clinician');
  const clinicianName = `${cr.pick([...MALE_FORENAMES, ...FEMALE_FORENAMES])[0]} ${cr.pick(SURNAMES.filter((s) => s.length <= 16))}`;
  const notesRng = r.fork('notes');

  const record: PrfRecord = {
    formSerial: serial,
    incident: {
      incidentNumber: incidentNumberForSerial(serial),
      incidentDate,
      callCategory: category,
      callSign: makeCallSign(r.fork('callsign')),
      fleetNumber: r.fork('fleet').chance(0.12) ? undefined : String(r.fork('fleet-number').int(1000, 99999)),
      times: timeline.times,
    },
    crew,
    patient: patient.fields,
    clinical: makeClinical(r.fork('clinical'), scenario, patient.age),
    observations,
    drugs,
    interventions: interventions.length ? interventions : undefined,
    outcome,
    clinician: { name: clinicianName, staffNumber: clinicianMember.staffNumber, signed: !cr.chance(0.03) },
    notes: notesRng.chance(0.15) ? notesRng.pick(NOTES) : undefined,
  };
  const intendedRecord = stripUndefined(record);
  const rate = opts.writerErrorRate ?? 0.08;
  const errRng = r.fork('writer-errors');
  if (!errRng.chance(rate)) return { record: structuredClone(intendedRecord), intendedRecord, writerErrors: [] };
  const planted = plantWriterErrors(errRng, intendedRecord);
  return { record: planted.record, intendedRecord, writerErrors: planted.errors };
}

// ---------- identifiers ----------

/** CAD incident number for a form serial: 10 digits, distinct for distinct serials (an affine bijection). */
export function incidentNumberForSerial(serial: string | number): string {
  const s = Number(serial);
  if (!Number.isInteger(s) || s < 0 || s >= 1e9) throw new Error('serial out of range');
  // 48271 is coprime with 9e9 (no factor 2, 3 or 5), so s -> (a*s + b) mod 9e9 is one-to-one.
  return String(1e9 + ((s * 48271 + 271828183) % 9e9));
}

/** A test-range NHS number (999 ...) with a valid check digit. */
export function makeNhsNumber(rng: Rng): string {
  for (;;) {
    const first9 = '999' + String(rng.int(0, 999999)).padStart(6, '0');
    const check = nhsCheckDigit(first9);
    if (check !== null) return first9 + check;
  }
}

export function makePostcode(rng: Rng, area: Area): string {
  return `${rng.pick(area.outward)} ${rng.int(0, 9)}${rng.pick([...INWARD_LETTERS])}${rng.pick([...INWARD_LETTERS])}`;
}

function makeCallSign(rng: Rng): string {
  return `${rng.pick(CALL_SIGN_PREFIXES)}${rng.int(rng.chance(0.15) ? 10 : 100, rng.chance(0.1) ? 9999 : 999)}`;
}

// ---------- dates ----------

function randomIncidentDate(rng: Rng): string {
  const start = Date.UTC(2023, 6, 18);
  const days = 44; // 18 July .. 31 August inclusive
  return isoOf(new Date(start + rng.int(0, days) * 86400000));
}

function isoOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Full years between a date of birth and a date (both YYYY-MM-DD). */
export function ageOn(dob: string, date: string): number {
  const [by, bm, bd] = dob.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** A date of birth for someone who is `age` on `date`. */
function dobForAge(rng: Rng, age: number, date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // Latest: the birthday falls on the date itself; earliest: the day after the date one year further back.
  const latest = Date.UTC(y - age, m - 1, d);
  const earliest = Date.UTC(y - age - 1, m - 1, d) + 86400000;
  let dob = isoOf(new Date(earliest + rng.int(0, Math.round((latest - earliest) / 86400000)) * 86400000));
  // 29 February rolls to 1 March in Date.UTC; keep the age right whatever the calendar did.
  while (ageOn(dob, date) > age) dob = isoOf(new Date(Date.parse(dob) + 86400000));
  while (ageOn(dob, date) < age) dob = isoOf(new Date(Date.parse(dob) - 86400000));
  return dob;
}

// ---------- clock times ----------

export function minutesToTime(m: number): string {
  const x = ((m % MIN_PER_DAY) + MIN_PER_DAY) % MIN_PER_DAY;
  return `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
}

export function timeToMinutes(t: string): number {
  const [h, m] = t.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/**
 * Minutes from the first to the last incident time written, reading each step forward round the clock (so one
 * step over midnight counts as the short way). Times in order give the true span; a pair out of order makes a
 * step of nearly a day, so the result goes over 12 hours.
 */
export function incidentElapsedMinutes(times: PrfRecord['incident']['times']): number {
  const ordered = (['callReceived', 'mobilised', 'atScene', 'leftScene', 'atHospital', 'handover', 'clear'] as const)
    .map((k) => times[k])
    .filter((t): t is string => t !== undefined)
    .map(timeToMinutes);
  let total = 0;
  for (let i = 1; i < ordered.length; i++) total += (ordered[i]! - ordered[i - 1]! + MIN_PER_DAY) % MIN_PER_DAY;
  return total;
}

interface Timeline {
  times: PrfRecord['incident']['times'];
  /** Absolute minutes from the incident date's midnight (may pass 1440). */
  atScene: number;
  leftScene: number;
  /** End of care: arrival at hospital, or leaving scene when not conveyed. */
  careEnd: number;
}

/** Hour-of-day weights for 999 calls: quiet small hours, busy late morning to evening. */
const HOUR_WEIGHTS = [3, 2.5, 2, 1.8, 1.6, 1.8, 2.5, 3.5, 4.5, 5, 5.2, 5.3, 5.2, 5, 5, 5, 5, 5, 5, 4.8, 4.5, 4.2, 3.8, 3.4];

function makeTimeline(rng: Rng, cat: Category, scenario: Scenario, conveyed: boolean): Timeline {
  const toMobile = { C1: [0, 2], C2: [0, 8], C3: [1, 30], C4: [3, 60] }[cat] as [number, number];
  const toScene = { C1: [4, 12], C2: [7, 35], C3: [10, 60], C4: [15, 90] }[cat] as [number, number];
  const mob = rng.int(...toMobile);
  const scene = mob + rng.int(...toScene);
  const left = scene + rng.int(scenario.id === 'cardiac-arrest' ? 40 : 20, scenario.id === 'cardiac-arrest' ? 90 : 75);
  let offsets: Record<string, number>;
  if (conveyed) {
    const hosp = left + rng.int(8, 40);
    // Handover waits in summer 2023 were often long.
    const handover = hosp + (rng.chance(0.25) ? rng.int(60, 180) : rng.int(10, 59));
    offsets = { callReceived: 0, mobilised: mob, atScene: scene, leftScene: left, atHospital: hosp, handover, clear: handover + rng.int(5, 25) };
  } else {
    offsets = { callReceived: 0, mobilised: mob, atScene: scene, leftScene: left, clear: left + rng.int(0, 10) };
  }
  const span = Math.max(...Object.values(offsets));
  // About one incident in ten runs over midnight; otherwise the call time is drawn by hour of day.
  let start: number;
  if (rng.chance(0.1)) start = rng.int(MIN_PER_DAY - span, MIN_PER_DAY - 1);
  else {
    start = -1;
    for (let i = 0; i < 30 && start < 0; i++) {
      const c = rng.weighted(HOUR_WEIGHTS.map((w, h) => [h, w] as const)) * 60 + rng.int(0, 59);
      if (c + span < MIN_PER_DAY) start = c;
    }
    if (start < 0) start = rng.int(0, MIN_PER_DAY - 1 - span);
  }
  const times: PrfRecord['incident']['times'] = {};
  for (const [k, off] of Object.entries(offsets)) {
    // Crews now and then leave a time blank; never the call or at-scene time (the form's anchors).
    const skippable = k === 'mobilised' || k === 'handover' || k === 'clear';
    if (skippable && rng.chance(0.05)) continue;
    (times as Record<string, string>)[k] = minutesToTime(start + off);
  }
  return { times, atScene: start + scene, leftScene: start + left, careEnd: start + (offsets.atHospital ?? left) };
}

// ---------- patient ----------

interface MadePatient {
  fields: PrfRecord['patient'];
  /** The patient's true age, whether or not the form gives it. */
  age: number;
  area: Area;
}

function makePatient(rng: Rng, scenario: Scenario, incidentDate: string): MadePatient {
  const sex = rng.weighted([['male', 48], ['female', 49], ['unknown', 2], ['other', 1]] as const);
  const age = Math.min(104, Math.max(0, Math.round(rng.float(scenario.age[0], scenario.age[1] + 1) - 0.5)));
  const forenamePool = sex === 'male' ? MALE_FORENAMES : sex === 'female' ? FEMALE_FORENAMES : [...MALE_FORENAMES, ...FEMALE_FORENAMES];
  let forenames: string = rng.pick(forenamePool);
  if (rng.chance(0.2)) {
    const second = rng.pick(forenamePool);
    if (second !== forenames && forenames.length + 1 + second.length <= 20) forenames = `${forenames} ${second}`;
  }
  const surname = rng.pick(SURNAMES);
  const area = rng.pick(AREAS);
  const house = rng.chance(0.1) ? `FLAT ${rng.int(1, 24)}, ${rng.int(1, 120)}` : String(rng.int(1, 240));
  const address = `${house} ${rng.pick(STREETS)}, ${area.town}`;
  const dob = dobForAge(rng, age, incidentDate);

  const hasNhs = !rng.chance(0.15);
  const fields: PrfRecord['patient'] = {
    // Without an NHS number the surname and date of birth are what identify the patient, so both are kept.
    surname: hasNhs && rng.chance(0.02) ? undefined : surname,
    forenames: rng.chance(0.03) ? undefined : forenames,
    dateOfBirth: hasNhs && rng.chance(0.05) ? undefined : dob,
    age: rng.chance(0.08) ? undefined : age,
    sex,
    nhsNumber: hasNhs ? makeNhsNumber(rng.fork('nhs')) : undefined,
    address: rng.chance(0.04) ? undefined : address,
    postcode: rng.chance(0.05) ? undefined : makePostcode(rng.fork('postcode'), area),
    gpPractice: rng.chance(0.2) ? undefined : `${area.gpPrefix}${String(rng.int(0, 999)).padStart(3, '0')}`,
  };
  // Age or date of birth: at least one is always written.
  if (fields.dateOfBirth === undefined) fields.age = age;
  return { fields, age, area };
}

function makeCrew(rng: Rng): CrewMember[] {
  const size = rng.chance(0.2) ? 3 : 2;
  const roles: (typeof CREW_ROLES)[number][] = [
    rng.chance(0.85) ? 'paramedic' : 'technician',
    rng.weighted([['technician', 35], ['emt', 25], ['ecsw', 25], ['paramedic', 15]] as const),
  ];
  if (size === 3) roles.push(rng.weighted([['student', 50], ['ecsw', 20], ['paramedic', 20], ['other', 10]] as const));
  const used = new Set<string>();
  return roles.map((role) => {
    let staff: string;
    do staff = String(rng.int(100000, 999999));
    while (used.has(staff));
    used.add(staff);
    const member: CrewMember = { staffNumber: staff, role };
    if (role === 'paramedic' && !rng.chance(0.1)) member.hcpcNumber = `PA${String(rng.int(0, 999999)).padStart(6, '0')}`;
    return member;
  });
}

// ---------- scenarios ----------

type Severity = 'well' | 'unwell' | 'sick';
type Category = 'C1' | 'C2' | 'C3' | 'C4';

interface DrugOption {
  drug: string;
  doses: readonly string[];
  routes: readonly (DrugGiven['route'] | undefined)[];
  /** Chance of being given, by severity. */
  p: Record<Severity, number>;
  /** Controlled or IV drugs are given by a paramedic. */
  paramedicOnly?: boolean;
}

interface Scenario {
  id: string;
  weight: number;
  age: [number, number];
  severity: Record<Severity, number>;
  category(rng: Rng, s: Severity): Category;
  complaint: readonly string[];
  history: readonly string[];
  pmh: readonly string[];
  drugs: readonly DrugOption[];
  interventions: readonly [(typeof INTERVENTIONS)[number], number][];
  convey: Record<Severity, number>;
}

const all = (p: number): Record<Severity, number> => ({ well: p, unwell: p, sick: p });
const cat =
  (well: Category, unwell: Category, sick: Category) =>
  (rng: Rng, s: Severity): Category =>
    rng.chance(0.15) ? rng.pick(['C2', 'C3'] as const) : { well, unwell, sick }[s];

const PARACETAMOL: DrugOption = { drug: 'PARACETAMOL', doses: ['1G'], routes: ['PO', 'PO', 'IV'], p: { well: 0.3, unwell: 0.5, sick: 0.5 } };
const MORPHINE: DrugOption = { drug: 'MORPHINE', doses: ['2.5MG', '5MG', '10MG'], routes: ['IV'], p: { well: 0, unwell: 0.3, sick: 0.5 }, paramedicOnly: true };
const ONDANSETRON: DrugOption = { drug: 'ONDANSETRON', doses: ['4MG'], routes: ['IV', 'IM'], p: { well: 0, unwell: 0.2, sick: 0.35 }, paramedicOnly: true };
const ENTONOX: DrugOption = { drug: 'ENTONOX', doses: ['50/50'], routes: [undefined], p: { well: 0.1, unwell: 0.4, sick: 0.3 } };
const SALBUTAMOL: DrugOption = { drug: 'SALBUTAMOL', doses: ['5MG', '2.5MG'], routes: ['NEB'], p: { well: 0.6, unwell: 0.9, sick: 1 } };
const IPRATROPIUM: DrugOption = { drug: 'IPRATROPIUM', doses: ['500MCG'], routes: ['NEB'], p: { well: 0, unwell: 0.4, sick: 0.8 } };

const SCENARIOS: readonly Scenario[] = [
  {
    id: 'chest-pain', weight: 14, age: [38, 92], severity: { well: 4, unwell: 4, sick: 2 },
    category: cat('C2', 'C2', 'C2'),
    complaint: ['CENTRAL CHEST PAIN', 'CHEST PAIN RADIATING TO LEFT ARM', 'CHEST TIGHTNESS'],
    history: ['ONSET AT REST APPROX 1 HR AGO.', 'PAIN DESCRIBED AS CRUSHING.', 'ASSOCIATED NAUSEA AND SWEATING.', 'NO SOB.', 'SIMILAR TO PREVIOUS MI.', 'ECG SINUS RHYTHM, NO ST ELEVATION.', 'PAIN EASED WITH GTN.'],
    pmh: ['HTN', 'HIGH CHOLESTEROL', 'MI 2019', 'T2DM', 'ANGINA', 'AF'],
    drugs: [
      { drug: 'ASPIRIN', doses: ['300MG'], routes: ['PO'], p: { well: 0.6, unwell: 0.8, sick: 0.9 } },
      { drug: 'GTN', doses: ['400MCG', '800MCG'], routes: ['SL'], p: { well: 0.4, unwell: 0.6, sick: 0.6 } },
      MORPHINE, ONDANSETRON,
    ],
    interventions: [['ecg-12-lead', 0.95], ['cannulation', 0.4]],
    convey: { well: 0.75, unwell: 0.9, sick: 1 },
  },
  {
    id: 'asthma', weight: 5, age: [6, 60], severity: { well: 3, unwell: 4, sick: 2 },
    category: cat('C3', 'C2', 'C1'),
    complaint: ['SHORTNESS OF BREATH', 'ASTHMA ATTACK', 'DIFFICULTY IN BREATHING'],
    history: ['KNOWN ASTHMATIC.', 'WHEEZE FOR 2 DAYS.', 'OWN INHALER WITH LITTLE EFFECT.', 'UNABLE TO COMPLETE SENTENCES.', 'NO CHEST PAIN.', 'IMPROVED AFTER NEB.'],
    pmh: ['ASTHMA', 'ECZEMA', 'HAYFEVER'],
    drugs: [SALBUTAMOL, IPRATROPIUM],
    interventions: [],
    convey: { well: 0.35, unwell: 0.8, sick: 1 },
  },
  {
    id: 'copd', weight: 6, age: [55, 92], severity: { well: 2, unwell: 5, sick: 3 },
    category: cat('C3', 'C2', 'C2'),
    complaint: ['SHORTNESS OF BREATH', 'COPD EXACERBATION', 'INCREASED SOB AND COUGH'],
    history: ['KNOWN COPD ON HOME O2.', 'INCREASED SOB OVER 3 DAYS.', 'PRODUCTIVE COUGH, GREEN SPUTUM.', 'USUAL SATS 88-92 PERCENT.', 'RESCUE PACK STARTED YESTERDAY.'],
    pmh: ['COPD', 'HTN', 'AF', 'HEART FAILURE', 'EX SMOKER'],
    drugs: [SALBUTAMOL, IPRATROPIUM],
    interventions: [['ecg-12-lead', 0.3]],
    convey: { well: 0.3, unwell: 0.8, sick: 1 },
  },
  {
    id: 'fall-injury', weight: 10, age: [65, 99], severity: { well: 3, unwell: 5, sick: 2 },
    category: cat('C4', 'C3', 'C2'),
    complaint: ['FALL, PAIN TO RIGHT HIP', 'FALL, PAIN TO LEFT HIP', 'FALL WITH WRIST INJURY', 'FALL, HEAD INJURY'],
    history: ['TRIPPED ON RUG AT HOME.', 'FOUND ON FLOOR BY CARER.', 'ON FLOOR APPROX 2 HRS.', 'NO LOC.', 'LEG SHORTENED AND ROTATED.', 'UNABLE TO WEIGHT BEAR.', 'ON ANTICOAGULANTS.'],
    pmh: ['OSTEOPOROSIS', 'HTN', 'DEMENTIA', 'AF', 'PREVIOUS FALLS', 'OA KNEES'],
    drugs: [PARACETAMOL, MORPHINE, ENTONOX, ONDANSETRON],
    interventions: [['splint', 0.3], ['cannulation', 0.4], ['immobilisation', 0.2], ['wound-care', 0.2]],
    convey: { well: 0.6, unwell: 0.9, sick: 1 },
  },
  {
    id: 'fall-no-injury', weight: 10, age: [70, 100], severity: { well: 8, unwell: 2, sick: 0 },
    category: cat('C4', 'C3', 'C3'),
    complaint: ['FALL, NO INJURY', 'FALL, UNABLE TO GET UP', 'FOUND ON FLOOR'],
    history: ['LOST BALANCE WALKING TO BATHROOM.', 'NO HEAD INJURY. NO LOC.', 'HELPED UP WITH ELK.', 'MOBILISED WITH FRAME.', 'LIVES ALONE, CARERS TWICE DAILY.', 'FAMILY NOW PRESENT.'],
    pmh: ['DEMENTIA', 'HTN', 'PARKINSONS', 'PREVIOUS FALLS', 'HYPOTHYROID'],
    drugs: [],
    interventions: [],
    convey: { well: 0.2, unwell: 0.6, sick: 1 },
  },
  {
    id: 'hypoglycaemia', weight: 4, age: [20, 88], severity: { well: 3, unwell: 4, sick: 2 },
    category: cat('C3', 'C2', 'C2'),
    complaint: ['HYPOGLYCAEMIA', 'DIABETIC, CONFUSED', 'LOW BLOOD SUGAR'],
    history: ['INSULIN DEPENDENT DIABETIC.', 'MISSED LUNCH.', 'FOUND CONFUSED BY PARTNER.', 'BM RECOVERED AFTER TREATMENT.', 'ATE TOAST AND JAM.'],
    pmh: ['T1DM', 'T2DM', 'HTN', 'CKD'],
    drugs: [
      { drug: 'GLUCOGEL', doses: ['10G', '20G'], routes: ['PO'], p: { well: 0.8, unwell: 0.6, sick: 0.2 } },
      { drug: 'GLUCAGON', doses: ['1MG'], routes: ['IM'], p: { well: 0, unwell: 0.4, sick: 0.8 } },
    ],
    interventions: [],
    convey: { well: 0.1, unwell: 0.3, sick: 0.7 },
  },
  {
    id: 'opioid-overdose', weight: 2, age: [18, 58], severity: { well: 0, unwell: 3, sick: 4 },
    category: cat('C2', 'C1', 'C1'),
    complaint: ['SUSPECTED OVERDOSE', 'UNRESPONSIVE, ? HEROIN OD'],
    history: ['FOUND BY FRIEND.', 'PINPOINT PUPILS.', 'SHALLOW BREATHING.', 'RESPONDED TO NALOXONE.', 'DECLINES FURTHER CARE.'],
    pmh: ['IVDU', 'HEP C', 'DEPRESSION', 'NIL'],
    drugs: [{ drug: 'NALOXONE', doses: ['400MCG', '800MCG'], routes: ['IM', 'IV', 'IN'], p: { well: 0, unwell: 1, sick: 1 } }],
    interventions: [['airway-adjunct', 0.5], ['cannulation', 0.3]],
    convey: { well: 0.3, unwell: 0.5, sick: 0.9 },
  },
  {
    id: 'sepsis', weight: 6, age: [45, 96], severity: { well: 1, unwell: 4, sick: 4 },
    category: cat('C3', 'C2', 'C2'),
    complaint: ['GENERALLY UNWELL, FEVER', '? UTI, CONFUSED', 'SHORTNESS OF BREATH AND FEVER'],
    history: ['UNWELL FOR 3 DAYS.', 'REDUCED ORAL INTAKE.', 'NEW CONFUSION PER FAMILY.', 'PAIN ON PASSING URINE.', 'RIGORS THIS MORNING.', 'PRODUCTIVE COUGH.'],
    pmh: ['T2DM', 'CKD', 'HTN', 'RECURRENT UTI', 'DEMENTIA', 'COPD'],
    drugs: [PARACETAMOL],
    interventions: [['cannulation', 0.5], ['ecg-12-lead', 0.3]],
    convey: { well: 0.5, unwell: 0.95, sick: 1 },
  },
  {
    id: 'stroke', weight: 5, age: [48, 96], severity: { well: 1, unwell: 4, sick: 3 },
    category: cat('C2', 'C2', 'C2'),
    complaint: ['FACIAL DROOP AND ARM WEAKNESS', 'SLURRED SPEECH', '? STROKE'],
    history: ['ONSET 40 MINS AGO, WITNESSED.', 'FAST POSITIVE.', 'LEFT SIDED WEAKNESS.', 'RIGHT SIDED WEAKNESS.', 'LAST SEEN WELL AT 0800.', 'NOT ON ANTICOAGULANTS.'],
    pmh: ['HTN', 'AF', 'TIA 2021', 'T2DM', 'HIGH CHOLESTEROL'],
    drugs: [],
    interventions: [['ecg-12-lead', 0.5], ['cannulation', 0.3]],
    convey: all(1),
  },
  {
    id: 'abdominal-pain', weight: 7, age: [16, 88], severity: { well: 3, unwell: 5, sick: 2 },
    category: cat('C3', 'C3', 'C2'),
    complaint: ['ABDOMINAL PAIN', 'RIGHT ILIAC FOSSA PAIN', 'ABDO PAIN AND VOMITING'],
    history: ['ONSET THIS MORNING.', 'COLICKY PAIN.', 'VOMITED X3.', 'NO DIARRHOEA.', 'TENDER ON PALPATION.', 'LAST BOWELS OPEN YESTERDAY.'],
    pmh: ['GALLSTONES', 'IBS', 'NIL', 'PREVIOUS APPENDICECTOMY', 'DIVERTICULAR DISEASE'],
    drugs: [PARACETAMOL, MORPHINE, ONDANSETRON, ENTONOX],
    interventions: [['cannulation', 0.3]],
    convey: { well: 0.5, unwell: 0.85, sick: 1 },
  },
  {
    id: 'anaphylaxis', weight: 2, age: [4, 65], severity: { well: 1, unwell: 3, sick: 3 },
    category: cat('C2', 'C1', 'C1'),
    complaint: ['ALLERGIC REACTION', 'SWOLLEN LIPS AND RASH', '? ANAPHYLAXIS'],
    history: ['ATE FOOD CONTAINING NUTS.', 'STUNG BY WASP.', 'URTICARIAL RASH.', 'LIP SWELLING.', 'WHEEZE.', 'OWN EPIPEN GIVEN BEFORE ARRIVAL.'],
    pmh: ['ASTHMA', 'NUT ALLERGY', 'NIL'],
    drugs: [
      { drug: 'ADRENALINE', doses: ['500MCG', '300MCG'], routes: ['IM'], p: { well: 0.3, unwell: 0.9, sick: 1 } },
      SALBUTAMOL,
    ],
    interventions: [['cannulation', 0.3]],
    convey: { well: 0.5, unwell: 1, sick: 1 },
  },
  {
    id: 'trauma', weight: 3, age: [17, 82], severity: { well: 2, unwell: 3, sick: 2 },
    category: cat('C3', 'C2', 'C1'),
    complaint: ['RTC, NECK PAIN', 'RTC, CHEST INJURY', 'FALL FROM HEIGHT', 'CYCLIST VS CAR'],
    history: ['DRIVER, RESTRAINED.', 'AIRBAGS DEPLOYED.', 'SELF EXTRICATED.', 'ESTIMATED SPEED 40 MPH.', 'OBVIOUS DEFORMITY LEFT FEMUR.', 'HELMET WORN.'],
    pmh: ['NIL', 'ASTHMA', 'HTN'],
    drugs: [
      { drug: 'TXA', doses: ['1G'], routes: ['IV'], p: { well: 0, unwell: 0.2, sick: 0.9 }, paramedicOnly: true },
      MORPHINE, ENTONOX, PARACETAMOL,
    ],
    interventions: [['immobilisation', 0.6], ['splint', 0.3], ['wound-care', 0.3], ['cannulation', 0.4]],
    convey: { well: 0.6, unwell: 1, sick: 1 },
  },
  {
    id: 'cardiac-arrest', weight: 1, age: [42, 90], severity: { well: 0, unwell: 0, sick: 1 },
    category: () => 'C1',
    complaint: ['CARDIAC ARREST', 'COLLAPSE, NOT BREATHING'],
    history: ['WITNESSED COLLAPSE.', 'BYSTANDER CPR.', 'VF ON ARRIVAL, SHOCKED X3.', 'ROSC AFTER 14 MINS.', 'PUBLIC ACCESS DEFIB USED.'],
    pmh: ['MI 2015', 'HTN', 'T2DM', 'HEART FAILURE'],
    drugs: [
      { drug: 'ADRENALINE', doses: ['1MG'], routes: ['IV', 'IO'], p: all(1), paramedicOnly: true },
      { drug: 'AMIODARONE', doses: ['300MG'], routes: ['IV', 'IO'], p: all(0.7), paramedicOnly: true },
    ],
    interventions: [['cpr', 1], ['defibrillation', 0.8], ['airway-adjunct', 0.9], ['cannulation', 0.6], ['ecg-12-lead', 0.7]],
    convey: all(1),
  },
  {
    id: 'seizure', weight: 4, age: [3, 75], severity: { well: 4, unwell: 3, sick: 1 },
    category: cat('C3', 'C2', 'C1'),
    complaint: ['SEIZURE', 'FITTING', 'POST ICTAL'],
    history: ['KNOWN EPILEPTIC.', 'TONIC CLONIC SEIZURE LASTING 3 MINS.', 'NO HEAD INJURY.', 'TONGUE BITTEN.', 'NOW BACK TO NORMAL PER FAMILY.'],
    pmh: ['EPILEPSY', 'NIL', 'LEARNING DISABILITY'],
    drugs: [],
    interventions: [],
    convey: { well: 0.35, unwell: 0.7, sick: 1 },
  },
  {
    id: 'mental-health', weight: 4, age: [16, 70], severity: { well: 8, unwell: 2, sick: 0 },
    category: cat('C3', 'C3', 'C2'),
    complaint: ['MENTAL HEALTH CRISIS', 'ALCOHOL INTOXICATION', 'SUICIDAL THOUGHTS'],
    history: ['KNOWN TO MENTAL HEALTH TEAM.', 'DRANK APPROX 1 BOTTLE VODKA.', 'NO SELF HARM TODAY.', 'CALM AND COOPERATIVE.', 'CRISIS TEAM CONTACTED.'],
    pmh: ['DEPRESSION', 'ANXIETY', 'ALCOHOL EXCESS', 'PERSONALITY DISORDER'],
    drugs: [],
    interventions: [],
    convey: { well: 0.35, unwell: 0.6, sick: 1 },
  },
  {
    id: 'unwell', weight: 10, age: [18, 98], severity: { well: 6, unwell: 4, sick: 1 },
    category: cat('C4', 'C3', 'C2'),
    complaint: ['GENERALLY UNWELL', 'DIARRHOEA AND VOMITING', 'DIZZINESS', 'COLLAPSE, NOW RECOVERED'],
    history: ['UNWELL FOR 2 DAYS.', 'REDUCED ORAL INTAKE.', 'NO CHEST PAIN.', 'NO HEAD INJURY.', 'GP OUT OF HOURS CONTACTED.', 'ECG SINUS RHYTHM.'],
    pmh: ['HTN', 'T2DM', 'CKD', 'NIL', 'HYPOTHYROID', 'ASTHMA'],
    drugs: [PARACETAMOL, ONDANSETRON],
    interventions: [['ecg-12-lead', 0.5]],
    convey: { well: 0.35, unwell: 0.7, sick: 1 },
  },
];

function pickSeverity(rng: Rng, s: Scenario): Severity {
  return rng.weighted((['well', 'unwell', 'sick'] as const).map((k) => [k, s.severity[k]] as const));
}

// ---------- clinical text ----------

const MEDS_FOR: Record<string, string> = {
  HTN: 'RAMIPRIL', 'HIGH CHOLESTEROL': 'ATORVASTATIN', T2DM: 'METFORMIN', T1DM: 'INSULIN', AF: 'APIXABAN',
  'MI 2019': 'ASPIRIN', 'MI 2015': 'BISOPROLOL', ANGINA: 'GTN SPRAY', COPD: 'INHALERS', ASTHMA: 'SALBUTAMOL INHALER',
  'HEART FAILURE': 'FUROSEMIDE', DEMENTIA: 'DONEPEZIL', PARKINSONS: 'CO-CARELDOPA', HYPOTHYROID: 'LEVOTHYROXINE',
  EPILEPSY: 'LEVETIRACETAM', DEPRESSION: 'SERTRALINE', ANXIETY: 'SERTRALINE', OSTEOPOROSIS: 'ALENDRONIC ACID',
  CKD: 'AMLODIPINE', 'TIA 2021': 'CLOPIDOGREL', GALLSTONES: 'NIL', IBS: 'MEBEVERINE',
};
const ALLERGIES = ['PENICILLIN', 'PENICILLIN - RASH', 'CODEINE', 'LATEX', 'NUTS', 'TRIMETHOPRIM', 'ELASTOPLAST', 'MORPHINE - VOMITING'];
const NOTES = [
  'PATIENTS DAUGHTER PRESENT THROUGHOUT.',
  'DELAYED HANDOVER AT ED.',
  'SAFETY NETTING ADVICE GIVEN.',
  'CARE PLAN IN HOUSE, FOLLOWED.',
  'POLICE ON SCENE ON ARRIVAL.',
  'ADVICE GIVEN TO CALL 999 IF WORSE.',
  'KEY RETURNED TO NEIGHBOUR.',
];

/** Greedy word wrap into lines of at most `width`, joined by newlines; sentences that do not fit are dropped. */
export function wrapText(sentences: readonly string[], maxLines: number, width = TEXT_LINE_MAX): string {
  const lines: string[] = [];
  for (const sentence of sentences) {
    const trial = [...lines];
    for (const word of sentence.split(' ')) {
      const last = trial[trial.length - 1];
      if (last !== undefined && last.length + 1 + word.length <= width) trial[trial.length - 1] = `${last} ${word}`;
      else trial.push(word.slice(0, width));
    }
    if (trial.length > maxLines) break;
    lines.splice(0, lines.length, ...trial);
  }
  return lines.join('\n');
}

function makeClinical(rng: Rng, s: Scenario, age: number): PrfRecord['clinical'] {
  const historyCount = rng.int(2, 4);
  // A few of the scenario's sentences, kept in the order they tell the story.
  const history = rng.sample(s.history, historyCount).sort((a, b) => s.history.indexOf(a) - s.history.indexOf(b));
  const pmhCount = age < 30 ? rng.int(0, 1) : rng.int(1, 3);
  const pmh = rng.sample(s.pmh.filter((p) => p !== 'NIL'), pmhCount);
  const meds = [...new Set(pmh.map((p) => MEDS_FOR[p]).filter((m): m is string => m !== undefined && m !== 'NIL'))];
  const clinical: PrfRecord['clinical'] = {
    presentingComplaint: rng.pick(s.complaint),
    history: wrapText(history, 4),
    pastMedicalHistory: pmh.length ? wrapText([pmh.join(', ')], 2) : 'NIL',
    medications: meds.length ? wrapText([meds.join(', ')], 2) : 'NIL',
  };
  if (rng.chance(0.1)) clinical.pastMedicalHistory = undefined;
  if (rng.chance(0.1)) clinical.medications = undefined;
  const allergyRoll = rng.next();
  if (s.id === 'anaphylaxis') {
    clinical.allergies = rng.pick(['NUTS', 'WASP STINGS', 'SHELLFISH']);
    clinical.noKnownAllergies = false;
  } else if (allergyRoll < 0.72) clinical.noKnownAllergies = true;
  else if (allergyRoll < 0.95) {
    clinical.allergies = rng.pick(ALLERGIES);
    clinical.noKnownAllergies = false;
  } else clinical.noKnownAllergies = false; // left blank
  return clinical;
}

// ---------- observations ----------

const GCS_FOR: Record<'A' | 'C' | 'V' | 'P' | 'U', readonly [number, number, number][]> = {
  A: [[4, 5, 6]],
  C: [[4, 4, 6], [3, 4, 6], [4, 3, 6]],
  V: [[3, 3, 5], [3, 4, 5], [2, 3, 5], [3, 2, 6]],
  P: [[2, 2, 4], [1, 2, 4], [2, 1, 5], [1, 1, 4]],
  U: [[1, 1, 1], [1, 1, 2], [1, 1, 3]],
};

interface Physiology {
  rr: number;
  spo2: number;
  sbp: number;
  pulse: number;
  temp: number;
  glucose: number;
  acvpu: 'A' | 'C' | 'V' | 'P' | 'U';
  pain: number;
}

const SEVERITY_LEVEL: Record<Severity, [number, number]> = { well: [0, 0.2], unwell: [0.3, 0.6], sick: [0.7, 1] };

/** The patient's physiology at illness level `s` (0 well .. 1 very sick) for the scenario; `treated` after drugs. */
function physiology(scenario: Scenario, s: number, age: number, base: Physiology, treated: boolean, rng: Rng): Physiology {
  const p: Physiology = { ...base };
  p.rr += 10 * s;
  p.pulse += 30 * s;
  p.spo2 -= 4 * s;
  p.sbp -= 10 * s;
  switch (scenario.id) {
    case 'asthma':
    case 'copd':
    case 'anaphylaxis':
      p.rr += 8 * s;
      p.spo2 -= (scenario.id === 'copd' ? 6 : 5) * s;
      if (scenario.id === 'anaphylaxis') p.sbp -= 35 * s;
      break;
    case 'sepsis':
      p.temp += treated ? 1.0 + 1.2 * s : 1.3 + 1.6 * s;
      p.sbp -= 35 * s;
      p.pulse += 15 * s;
      if (s > 0.6) p.acvpu = 'C';
      break;
    case 'chest-pain':
      p.sbp += 10;
      p.pain = treated ? Math.max(0, base.pain - 3) : base.pain;
      break;
    case 'trauma':
      p.sbp -= 40 * s;
      p.pulse += 20 * s;
      if (s > 0.85) p.acvpu = 'V';
      break;
    case 'opioid-overdose':
      if (!treated) {
        p.rr = 5 + 4 * (1 - s);
        p.spo2 -= 8 * s;
        p.pulse -= 20 * s;
        p.acvpu = s > 0.7 ? 'P' : 'V';
      }
      break;
    case 'hypoglycaemia':
      if (!treated) {
        p.glucose = 3.6 - 2 * s;
        p.acvpu = s > 0.7 ? 'V' : s > 0.3 ? 'C' : 'A';
      } else p.glucose = rng.float(4.8, 9.5);
      break;
    case 'stroke':
      p.sbp += 35;
      if (s > 0.5) p.acvpu = 'C';
      break;
    case 'seizure':
      if (!treated && s > 0.4) p.acvpu = s > 0.8 ? 'V' : 'C';
      break;
    case 'cardiac-arrest':
      p.acvpu = 'U';
      p.pulse = 95 + rng.int(-15, 25);
      p.sbp = 88 + rng.int(-15, 30);
      p.rr = rng.int(8, 16);
      break;
  }
  if (age < 12) {
    p.pulse += 25;
    p.rr += 6;
    p.sbp -= 25;
  }
  return p;
}

/** Observation sets, and when the first was taken (absolute minutes): treatment starts after it. */
function makeObservations(rng: Rng, scenario: Scenario, sev: Severity, age: number, t: Timeline): { sets: ObservationSet[]; firstAt: number } {
  const count = rng.weighted([[1, 15], [2, 50], [3, 35]] as const);
  const [lo, hi] = SEVERITY_LEVEL[sev];
  const s0 = rng.float(lo, hi);
  const copdScale2 = scenario.id === 'copd' && rng.chance(0.5);
  const diabetic = scenario.id === 'hypoglycaemia' || rng.chance(0.1);
  const base: Physiology = {
    rr: rng.normal(15, 1.8),
    spo2: Math.min(100, rng.normal(97.5, 1)),
    sbp: rng.normal(125 + Math.max(0, age - 40) * 0.4, 12),
    pulse: rng.normal(78, 9),
    temp: rng.normal(36.7, 0.25),
    glucose: diabetic ? rng.float(6, 14) : rng.float(4.5, 7.5),
    acvpu: 'A',
    pain: ['chest-pain', 'fall-injury', 'abdominal-pain', 'trauma'].includes(scenario.id) ? rng.int(3, 9) : rng.int(0, 2),
  };
  const dbpRatio = rng.float(0.55, 0.7);
  const times = spreadTimes(rng, t.atScene + rng.int(2, 8), t.careEnd - 1, count);
  const recordGcs = rng.chance(0.6);
  const sets: ObservationSet[] = [];
  let onOxygen = false;
  let prevLowSat = false;
  for (let k = 0; k < count; k++) {
    // Care helps: later sets are a little better, with some noise.
    const s = Math.max(0, s0 * Math.pow(rng.float(0.7, 1.0), k));
    const treated = k > 0;
    const p = physiology(scenario, s, age, base, treated, rng);
    let spo2 = clamp(Math.round(p.spo2 + rng.normal(0, 0.6) - (copdScale2 ? 4 : 0)), copdScale2 ? 80 : 70, copdScale2 ? 96 : 100);
    const lowSat = copdScale2 ? spo2 < 88 : spo2 < 94;
    // Oxygen goes on after a low reading (now and then it was already on at the first set) and lifts saturation.
    if (k === 0) onOxygen = lowSat && rng.chance(0.3);
    else {
      onOxygen = onOxygen || prevLowSat;
      if (onOxygen) spo2 = copdScale2 ? clamp(spo2 + rng.int(3, 6), 86, 94) : clamp(spo2 + rng.int(3, 6), 90, 100);
    }
    prevLowSat = lowSat;
    const sbp = clamp(Math.round(p.sbp + rng.normal(0, 5)), 60, 240);
    const acvpu = p.acvpu;
    const set: ObservationSet = {
      time: minutesToTime(times[k]!),
      respiratoryRate: clamp(Math.round(p.rr + rng.normal(0, 1)), 4, 60),
      spo2,
      spo2Scale: copdScale2 ? 2 : 1,
      inspired: onOxygen ? 'oxygen' : 'air',
      systolicBp: sbp,
      diastolicBp: clamp(Math.round(sbp * dbpRatio + rng.normal(0, 4)), 30, sbp - 15),
      pulse: clamp(Math.round(p.pulse + rng.normal(0, 4)), 30, 200),
      temperature: round1(clamp(p.temp + rng.normal(0, 0.15), 33, 42)),
      acvpu,
    };
    if (recordGcs || acvpu !== 'A') {
      const [e, v, m] = rng.pick(GCS_FOR[acvpu]);
      Object.assign(set, { gcsEye: e, gcsVerbal: v, gcsMotor: m, gcsTotal: e + v + m });
    }
    const needsBm = ['hypoglycaemia', 'seizure', 'stroke', 'opioid-overdose', 'cardiac-arrest'].includes(scenario.id) && k < 2;
    if (needsBm || rng.chance(0.4)) set.bloodGlucose = round1(clamp(p.glucose + rng.normal(0, 0.3), 1.2, 33));
    if (acvpu === 'A' && !rng.chance(0.15)) set.painScore = clamp(Math.round(p.pain - k), 0, 10);
    // Now and then a parameter is not taken.
    if (rng.chance(0.05)) set.temperature = undefined;
    if (rng.chance(0.04)) {
      set.systolicBp = undefined;
      set.diastolicBp = undefined;
    }
    const total = news2Score(set).total;
    if (total !== null && !rng.chance(0.05)) set.news2Total = total;
    sets.push(stripUndefined(set));
  }
  return { sets, firstAt: times[0]! };
}

/** `count` increasing whole minutes in [from, to] (to is moved up if the window is too short). */
function spreadTimes(rng: Rng, from: number, to: number, count: number): number[] {
  const end = Math.max(to, from + count * 3);
  const slot = (end - from) / count;
  return Array.from({ length: count }, (_, i) => Math.round(from + slot * i + rng.float(0, slot * 0.6)));
}

// ---------- drugs, interventions, outcome ----------

function makeDrugs(rng: Rng, scenario: Scenario, sev: Severity, crew: CrewMember[], from: number, careEnd: number): DrugGiven[] {
  const chosen = scenario.drugs.filter((d) => rng.chance(d.p[sev])).slice(0, 4);
  const paramedic = crew.find((c) => c.role === 'paramedic');
  // After the first observations, but leaving room for every drug before care ends (at least 20 minutes on scene).
  const times = spreadTimes(rng, Math.min(from + rng.int(1, 6), careEnd - 1 - 3 * chosen.length), careEnd - 1, chosen.length);
  const out: DrugGiven[] = [];
  chosen.forEach((d, i) => {
    // Drugs a paramedic must give are left out when the crew has none.
    if (d.paramedicOnly && !paramedic) return;
    const by = d.paramedicOnly ? paramedic! : rng.pick(crew);
    const drug: DrugGiven = { drug: d.drug, dose: rng.pick(d.doses), time: minutesToTime(times[i]!), givenBy: by.staffNumber };
    const route = rng.pick(d.routes);
    if (route) drug.route = route;
    if (rng.chance(0.04)) drug.time = undefined;
    out.push(stripUndefined(drug));
  });
  return out;
}

function makeInterventions(rng: Rng, scenario: Scenario, sev: Severity, drugs: DrugGiven[]): (typeof INTERVENTIONS)[number][] {
  const set = new Set<(typeof INTERVENTIONS)[number]>();
  for (const [iv, p] of scenario.interventions) if (rng.chance(sev === 'well' ? p * 0.5 : p)) set.add(iv);
  if (drugs.some((d) => d.route === 'IV')) set.add('cannulation');
  return INTERVENTIONS.filter((i) => set.has(i));
}

function makeOutcome(rng: Rng, scenario: Scenario, sev: Severity, conveyed: boolean, area: Area, obs: ObservationSet[]): PrfRecord['outcome'] {
  const worstNews = Math.max(0, ...obs.map((o) => o.news2Total ?? 0));
  const impaired = obs.some((o) => o.acvpu !== undefined && o.acvpu !== 'A');
  const outcome: PrfRecord['outcome'] = {
    conveyed,
    preAlert: conveyed && (scenario.id === 'stroke' || scenario.id === 'cardiac-arrest' || sev === 'sick' || worstNews >= 7) && rng.chance(0.85),
    safeguardingReferral: rng.chance(scenario.id === 'mental-health' || scenario.id === 'opioid-overdose' ? 0.25 : 0.03),
    hasCapacity: rng.chance(0.1) ? undefined : !impaired,
  };
  if (conveyed) {
    // Mostly the local hospital; now and then another site in the region (specialist or diverted).
    outcome.destination = rng.chance(0.9) ? rng.pick(area.destinations) : rng.pick(AREAS).destinations[0]!;
  } else {
    const reason = rng.weighted([['treated-at-scene', 45], ['referred', 35], ['declined', 20]] as const);
    outcome.nonConveyance = reason satisfies (typeof NON_CONVEYANCE)[number];
  }
  return stripUndefined(outcome);
}

// ---------- helpers ----------

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** A deep copy without undefined properties, so records compare and serialise cleanly. */
export function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
