// The ePR record schema: the one place that says what a backfilled Patient Report Form record holds.
// Every other part (template paths, validation, export) refers to it; types are inferred from it.
import { z } from 'zod';

/** 24-hour clock time, HH:MM. */
export const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour time HH:MM');
/** Calendar date, YYYY-MM-DD (a real date). */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((s) => isRealIsoDate(s), 'a real calendar date');
/** NHS number as ten digits, no spaces (the check digit is a rule, not a shape). */
export const NhsNumber = z.string().regex(/^\d{10}$/, 'ten digits');
/** UK postcode, strict pattern from DOMAIN.md (upper case, single space). */
export const Postcode = z
  .string()
  .regex(
    /^([A-PR-UWYZ0-9][A-HK-Y0-9][AEHMNPRTVXY0-9]?[ABEHMNPRVWXY0-9]? {1,2}[0-9][ABD-HJLNP-UW-Z]{2}|GIR 0AA)$/,
    'a UK postcode',
  );
export const GpPracticeCode = z.string().regex(/^[A-Z]\d{5}$/, 'a GP practice ODS code (one letter, five digits)');
export const SiteCode = z.string().regex(/^[A-Z0-9]{5}$/, 'a trust site ODS code (five characters)');
export const HcpcNumber = z.string().regex(/^[A-Z]{2}\d{6}$/, 'an HCPC number (two letters, six digits)');
export const StaffNumber = z.string().regex(/^\d{4,8}$/, 'a staff number (4-8 digits)');

export const CALL_CATEGORIES = ['C1', 'C2', 'C3', 'C4'] as const;
export const CREW_ROLES = ['paramedic', 'technician', 'emt', 'ecsw', 'student', 'other'] as const;
export const SEXES = ['male', 'female', 'other', 'unknown'] as const;
export const ACVPU = ['A', 'C', 'V', 'P', 'U'] as const;
export const INSPIRED = ['air', 'oxygen'] as const;
export const DRUG_ROUTES = ['IV', 'IM', 'IO', 'PO', 'SL', 'NEB', 'IN'] as const;
export const NON_CONVEYANCE = ['treated-at-scene', 'referred', 'declined', 'deceased'] as const;
export const INTERVENTIONS = ['ecg-12-lead', 'cannulation', 'airway-adjunct', 'splint', 'immobilisation', 'cpr', 'defibrillation', 'wound-care'] as const;
export const INCIDENT_TIME_KEYS = ['callReceived', 'mobilised', 'atScene', 'leftScene', 'atHospital', 'handover', 'clear'] as const;

export const IncidentTimes = z.object({
  callReceived: Time.optional(),
  mobilised: Time.optional(),
  atScene: Time.optional(),
  leftScene: Time.optional(),
  atHospital: Time.optional(),
  handover: Time.optional(),
  clear: Time.optional(),
});

export const Incident = z.object({
  incidentNumber: z.string().regex(/^\d{6,10}$/, 'a CAD incident number (6-10 digits)'),
  incidentDate: IsoDate,
  callCategory: z.enum(CALL_CATEGORIES).optional(),
  callSign: z.string().regex(/^[A-Z0-9]{2,8}$/, 'a call sign (2-8 capitals or digits)').optional(),
  fleetNumber: z.string().regex(/^\d{3,6}$/, 'a fleet number (3-6 digits)').optional(),
  times: IncidentTimes,
});

export const CrewMember = z.object({
  staffNumber: StaffNumber.optional(),
  role: z.enum(CREW_ROLES).optional(),
  hcpcNumber: HcpcNumber.optional(),
});

export const Patient = z.object({
  surname: z.string().min(1).max(40).optional(),
  forenames: z.string().min(1).max(60).optional(),
  dateOfBirth: IsoDate.optional(),
  age: z.number().int().min(0).max(130).optional(),
  sex: z.enum(SEXES).optional(),
  nhsNumber: NhsNumber.optional(),
  address: z.string().max(200).optional(),
  postcode: Postcode.optional(),
  gpPractice: GpPracticeCode.optional(),
});

export const Clinical = z.object({
  presentingComplaint: z.string().max(2000).optional(),
  history: z.string().max(4000).optional(),
  pastMedicalHistory: z.string().max(2000).optional(),
  medications: z.string().max(2000).optional(),
  allergies: z.string().max(1000).optional(),
  noKnownAllergies: z.boolean().optional(),
});

/** One timed set of observations. Ranges are the outer plausibility bounds in DOMAIN.md (MIMIC-III). */
export const ObservationSet = z.object({
  time: Time.optional(),
  respiratoryRate: z.number().int().min(0).max(70).optional(),
  spo2: z.number().int().min(0).max(100).optional(),
  spo2Scale: z.union([z.literal(1), z.literal(2)]).optional(),
  inspired: z.enum(INSPIRED).optional(),
  systolicBp: z.number().int().min(0).max(400).optional(),
  diastolicBp: z.number().int().min(0).max(300).optional(),
  pulse: z.number().int().min(0).max(300).optional(),
  temperature: z.number().min(10).max(50).optional(),
  acvpu: z.enum(ACVPU).optional(),
  gcsEye: z.number().int().min(1).max(4).optional(),
  gcsVerbal: z.number().int().min(1).max(5).optional(),
  gcsMotor: z.number().int().min(1).max(6).optional(),
  gcsTotal: z.number().int().min(3).max(15).optional(),
  bloodGlucose: z.number().min(0).max(60).optional(),
  painScore: z.number().int().min(0).max(10).optional(),
  news2Total: z.number().int().min(0).max(20).optional(),
});

export const DrugGiven = z.object({
  drug: z.string().min(1).max(40).optional(),
  dose: z.string().min(1).max(20).optional(),
  route: z.enum(DRUG_ROUTES).optional(),
  time: Time.optional(),
  givenBy: StaffNumber.optional(),
});

export const Outcome = z.object({
  conveyed: z.boolean().optional(),
  destination: SiteCode.optional(),
  preAlert: z.boolean().optional(),
  nonConveyance: z.enum(NON_CONVEYANCE).optional(),
  safeguardingReferral: z.boolean().optional(),
  hasCapacity: z.boolean().optional(),
});

export const Clinician = z.object({
  name: z.string().min(1).max(60).optional(),
  staffNumber: StaffNumber.optional(),
  signed: z.boolean().optional(),
});

/** A backfilled PRF record as the ePR receives it. */
export const PrfRecord = z.object({
  formSerial: z.string().regex(/^\d{1,9}$/, 'a form serial'),
  incident: Incident,
  crew: z.array(CrewMember).max(3),
  patient: Patient,
  clinical: Clinical,
  observations: z.array(ObservationSet).max(3),
  drugs: z.array(DrugGiven).max(6),
  interventions: z.array(z.enum(INTERVENTIONS)).optional(),
  outcome: Outcome,
  clinician: Clinician,
  notes: z.string().max(4000).optional(),
});

export type PrfRecord = z.infer<typeof PrfRecord>;
export type ObservationSet = z.infer<typeof ObservationSet>;
export type DrugGiven = z.infer<typeof DrugGiven>;
export type CrewMember = z.infer<typeof CrewMember>;
export type IncidentTimeKey = (typeof INCIDENT_TIME_KEYS)[number];

/** The record schema as JSON Schema, for ePR integrators. */
export function recordJsonSchema(): object {
  return z.toJSONSchema(PrfRecord, { unrepresentable: 'any' });
}

/** A YYYY-MM-DD string that names a day of the calendar (no 31 June, no 29 February 2023). */
export function isRealIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  return isRealDate(y, m, d);
}

/** Whether year, month (1-12) and day name a day the calendar has (no 30 February, no year 0). */
export function isRealDate(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}
