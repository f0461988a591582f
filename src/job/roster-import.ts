// Import the trust's staff list (an ESR or rostering export) into a job, for validate to check staff numbers, HCPC
// numbers and clinicians' names against (`validate --roster FILE`). Read by the same reader as the CAD log
// (delimiter, header spellings); the name (one column, or first and last name) and the HCPC number are optional.
// Bad rows are counted, never fatal; the console gets counts only (the list names staff).
import { optionalColumn, readReferenceRows, type ColumnSpec } from '../export/reference-csv.ts';
import type { RosterEntry } from './roster-store.ts';
import { JobStore, withJobStore } from './store.ts';

export class RosterFileError extends Error {
  override name = 'RosterFileError';
}

export interface RosterColumnMap {
  staffNumber: string;
}

const ROSTER_COLUMNS: ColumnSpec<keyof RosterColumnMap> = {
  file: 'the staff list',
  spellings: {
    staffNumber: [
      'staffnumber', 'staffno', 'staffid', 'staffref', 'employeenumber', 'employeeno', 'employeeid', 'personnumber',
      'assignmentnumber', 'assignmentno', 'esrassignmentnumber', 'payrollnumber', 'payrollno', 'esrnumber', 'esrno',
      'collarnumber', 'staff',
    ],
  },
  labels: { staffNumber: 'staff number' },
  example: '"StaffNumber"',
  error: (m) => new RosterFileError(m),
};

const OPTIONAL_HEADERS = {
  name: ['name', 'fullname', 'staffname', 'employeename', 'clinicianname'],
  firstName: ['firstname', 'forename', 'forenames', 'givenname'],
  lastName: ['lastname', 'surname', 'familyname'],
  hcpc: ['hcpc', 'hcpcnumber', 'hcpcno', 'hcpcregistration', 'hcpcregistrationnumber', 'registrationnumber', 'professionalregistration', 'regno'],
} as const;

export interface RosterImportSummary {
  rows: number;
  imported: number;
  /** Rows whose staff number an earlier row already gave (the first is kept). */
  duplicates: number;
  /** Rows with no staff number, or one that is not all digits. */
  unreadable: number;
  /** Which optional facts the file has. */
  has: { name: boolean; hcpc: boolean };
}

/** A name as a form's capitals hold it: upper case, letters, hyphens and apostrophes, single spaces. */
export function tidyName(s: string | undefined): string | null {
  const t = (s ?? '').toUpperCase().replace(/[^A-Z' -]/g, ' ').replace(/\s+/g, ' ').trim();
  return t || null;
}

/** An HCPC number as a form's boxes hold it ("pa 123456" is "PA123456"). */
export const tidyHcpc = (s: string | undefined) => (s ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '') || null;

export async function importStaffRoster(store: JobStore, path: string, columns: Partial<RosterColumnMap> = {}): Promise<RosterImportSummary> {
  const summary: RosterImportSummary = { rows: 0, imported: 0, duplicates: 0, unreadable: 0, has: { name: false, hcpc: false } };
  const entries = new Map<string, RosterEntry>();
  let optional: Record<keyof typeof OPTIONAL_HEADERS, number> | undefined;
  for await (const { record, line, index, header } of readReferenceRows(path, { ...ROSTER_COLUMNS, file: `the staff list ${path}` }, columns).rows) {
    optional ??= {
      name: optionalColumn(header, OPTIONAL_HEADERS.name),
      firstName: optionalColumn(header, OPTIONAL_HEADERS.firstName),
      lastName: optionalColumn(header, OPTIONAL_HEADERS.lastName),
      hcpc: optionalColumn(header, OPTIONAL_HEADERS.hcpc),
    };
    summary.rows++;
    const staffNumber = (record[index.staffNumber] ?? '').replace(/\s/g, '');
    if (!/^\d+$/.test(staffNumber)) {
      summary.unreadable++;
      continue;
    }
    if (entries.has(staffNumber)) {
      summary.duplicates++;
      continue;
    }
    const cell = (i: number) => (i >= 0 ? record[i] : undefined);
    const name =
      tidyName(cell(optional.name)) ??
      (optional.lastName >= 0 ? tidyName(`${cell(optional.firstName) ?? ''} ${cell(optional.lastName) ?? ''}`) : null);
    entries.set(staffNumber, { staffNumber, name, hcpcNumber: tidyHcpc(cell(optional.hcpc)), line });
  }
  summary.has = { name: [...entries.values()].some((e) => e.name), hcpc: [...entries.values()].some((e) => e.hcpcNumber) };
  summary.imported = store.roster.replaceAll(entries.values());
  return summary;
}

/** Import a staff list into the job in a folder (the caller holds the job's lock where others may write). */
export function importRosterIntoJob(jobDir: string, path: string, columns: Partial<RosterColumnMap> = {}): Promise<RosterImportSummary> {
  return withJobStore(jobDir, (store) => importStaffRoster(store, path, columns));
}
