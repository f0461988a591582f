// The flat CSV export: one row per record, one column per record path, in the fixed order documented in
// docs/csv-export.md (a test keeps the two in step).
import { getAtPath } from '../record/paths.ts';
import { INCIDENT_TIME_KEYS, type PrfRecord } from '../record/schema.ts';
import { csvText } from './csv-cell.ts';

const OBS_KEYS = [
  'time', 'respiratoryRate', 'spo2', 'spo2Scale', 'inspired', 'systolicBp', 'diastolicBp', 'pulse', 'temperature',
  'acvpu', 'gcsEye', 'gcsVerbal', 'gcsMotor', 'gcsTotal', 'bloodGlucose', 'painScore', 'news2Total',
] as const;
const DRUG_KEYS = ['drug', 'dose', 'route', 'time', 'givenBy'] as const;
const CREW_KEYS = ['staffNumber', 'role', 'hcpcNumber'] as const;

/** Every CSV column, as the record path it holds. `interventions` is a `;`-separated list. */
export const CSV_COLUMNS: readonly string[] = [
  'formSerial',
  'incident.incidentNumber',
  'incident.incidentDate',
  'incident.callCategory',
  'incident.callSign',
  'incident.fleetNumber',
  ...INCIDENT_TIME_KEYS.map((k) => `incident.times.${k}`),
  ...[0, 1, 2].flatMap((i) => CREW_KEYS.map((k) => `crew[${i}].${k}`)),
  ...['surname', 'forenames', 'dateOfBirth', 'age', 'sex', 'nhsNumber', 'address', 'postcode', 'gpPractice'].map((k) => `patient.${k}`),
  ...['presentingComplaint', 'history', 'pastMedicalHistory', 'medications', 'allergies', 'noKnownAllergies'].map((k) => `clinical.${k}`),
  ...[0, 1, 2].flatMap((i) => OBS_KEYS.map((k) => `observations[${i}].${k}`)),
  ...[0, 1, 2, 3, 4, 5].flatMap((i) => DRUG_KEYS.map((k) => `drugs[${i}].${k}`)),
  'interventions',
  ...['conveyed', 'destination', 'preAlert', 'nonConveyance', 'safeguardingReferral', 'hasCapacity'].map((k) => `outcome.${k}`),
  ...['name', 'staffNumber', 'signed'].map((k) => `clinician.${k}`),
  'notes',
];

export function recordToCsvRow(record: PrfRecord): unknown[] {
  return CSV_COLUMNS.map((col) => {
    const v = getAtPath(record, col);
    return Array.isArray(v) ? v.join(';') : v;
  });
}

export function recordsToCsv(records: PrfRecord[]): string {
  return csvText([...CSV_COLUMNS], records.map(recordToCsvRow));
}
