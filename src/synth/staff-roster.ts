// A synthetic trust staff list (an ESR-style export) for a batch of synthetic forms: every member of staff the
// forms name, with the name and HCPC number the list would give, among the trust's other staff. `validate --roster`
// checks forms against it, as a trust's data manager would against the real list.
import type { PrfRecord } from '../record/schema.ts';
import { toCsv } from './cad-log.ts';
import { FEMALE_FORENAMES, MALE_FORENAMES, SURNAMES } from './people.ts';
import type { Rng } from './rng.ts';

/** The staff list's file in a synthetic corpus, beside cad-incidents.csv. */
export const STAFF_ROSTER_FILE = 'staff-roster.csv';

export const ROSTER_COLUMNS = ['StaffNumber', 'Name', 'Role', 'HcpcNumber'] as const;
export type RosterRow = Record<(typeof ROSTER_COLUMNS)[number], string>;

/** An English ambulance trust employs some 3,000-7,000 staff: the list the forms' staff numbers are checked among. */
export const DEFAULT_ROSTER_SIZE = 4000;

const FORENAMES = [...MALE_FORENAMES, ...FEMALE_FORENAMES];
const SHORT_SURNAMES = SURNAMES.filter((s) => s.length <= 16);

const titleCase = (s: string) => s.toLowerCase().replace(/(^|[ '-])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());

/** A full name as the list holds it, keeping what the form wrote: "C LLOYD" becomes e.g. "Charlotte Lloyd". */
function listedName(rng: Rng, written?: string): string {
  const [initial, ...rest] = (written ?? '').split(' ');
  const surname = rest.join(' ') || rng.pick(SHORT_SURNAMES);
  const candidates = initial ? FORENAMES.filter((f) => f.startsWith(initial)) : FORENAMES;
  const forename = written && initial && initial.length > 1 ? initial : rng.pick(candidates.length ? candidates : FORENAMES);
  return titleCase(`${forename} ${surname}`);
}

const hcpcFor = (rng: Rng) => `PA${String(rng.int(0, 999999)).padStart(6, '0')}`;

/**
 * The staff list for a batch. Pass the intended records (the list holds who really worked, not the crew's slips).
 * Each member of staff on the forms appears once, first as met (a clinician's name from the form that names them);
 * paramedics without an HCPC number on the form still have one on the list. Other staff fill it to `size`; rows come
 * sorted by staff number, as an export would.
 */
export function buildStaffRoster(records: readonly PrfRecord[], rng: Rng, opts: { size?: number } = {}): { csv: string; rows: RosterRow[] } {
  const size = opts.size ?? DEFAULT_ROSTER_SIZE;
  const names = rng.fork('names');
  const byNumber = new Map<string, RosterRow>();
  for (const r of records) {
    for (const { staffNumber, role, hcpcNumber } of r.crew) {
      if (staffNumber === undefined || byNumber.has(staffNumber)) continue;
      const written = r.clinician?.staffNumber === staffNumber ? r.clinician.name : undefined;
      const hcpc = hcpcNumber ?? (role === 'paramedic' ? hcpcFor(names) : '');
      byNumber.set(staffNumber, { StaffNumber: staffNumber, Name: listedName(names, written), Role: role ?? '', HcpcNumber: hcpc });
    }
  }
  const others = rng.fork('others');
  while (byNumber.size < size) {
    const staff = String(others.int(100000, 999999));
    if (byNumber.has(staff)) continue;
    const role = others.weighted([['paramedic', 40], ['technician', 20], ['emt', 15], ['ecsw', 15], ['student', 5], ['other', 5]] as const);
    byNumber.set(staff, { StaffNumber: staff, Name: listedName(others), Role: role, HcpcNumber: role === 'paramedic' ? hcpcFor(others) : '' });
  }
  const rows = [...byNumber.values()].sort((a, b) => a.StaffNumber.localeCompare(b.StaffNumber));
  return { csv: toCsv(ROSTER_COLUMNS, rows.map((row) => ROSTER_COLUMNS.map((c) => row[c]))), rows };
}
