// The trust's staff list against a form's staff fields. Pure: the record as read and a lookup into the list in; an
// evidence check out. A crew member's staff number passes when the list holds it: a misread six-digit number names
// another member of staff about one time in 200 for a trust of 4,000 (and the n-best share still decides). The
// clinician's and a drug giver's staff number must also be one of the crew's as read (on 400 fresh forms a giver's
// 771400 read as 111400 was on the list by chance). An HCPC number or a clinician's name passes only when it is what
// the list gives for the staff number written beside it, so a misread number never lends its evidence to the fields
// next to it.
import type { RosterEntry, RosterLookup } from '../job/roster-store.ts';
import { finding, type Finding } from './findings.ts';
import { getAtPath } from './paths.ts';

const CREW_STAFF_NUMBER = /^crew\[\d+\]\.staffNumber$/;
/** Staff numbers that name one of the crew: the clinician's, and who gave each drug. */
const CREW_REFERENCE = /^(?:clinician\.staffNumber|drugs\[\d+\]\.givenBy)$/;
const HCPC_NUMBER = /^crew\[(\d+)\]\.hcpcNumber$/;

/** The ways a form's name box holds a name the list gives in full: "CHARLOTTE ANNE LLOYD" is also "C LLOYD". */
export function nameForms(listed: string): Set<string> {
  const parts = listed.split(' ').filter(Boolean);
  const surname = parts.at(-1);
  if (!surname) return new Set();
  const given = parts.slice(0, -1);
  const forms = new Set([listed, surname]);
  if (given.length) {
    forms.add(`${given[0]} ${surname}`);
    forms.add(`${given[0]![0]} ${surname}`);
    forms.add(`${given.map((g) => g[0]).join(' ')} ${surname}`);
    forms.add(`${given.map((g) => g[0]).join('')} ${surname}`);
  }
  return forms;
}

/** What the list gives for a field written beside a staff number, as a predicate on the field's value. */
interface ListedFact {
  entry: RosterEntry;
  listed: string;
  label: string;
  agrees: (v: unknown) => boolean;
}

/**
 * The HCPC number or clinician's name the list gives for the staff number beside the field at `path` (crew member's
 * HCPC number, clinician's name), or null where the field is neither or the list says nothing of that number.
 */
function listedFact(path: string, record: Record<string, unknown>, roster: RosterLookup): ListedFact | null {
  const hcpc = HCPC_NUMBER.exec(path);
  const staffPath = hcpc ? `crew[${hcpc[1]}].staffNumber` : path === 'clinician.name' ? 'clinician.staffNumber' : null;
  if (!staffPath) return null;
  const staff = getAtPath(record, staffPath);
  const entry = typeof staff === 'string' ? roster(staff) : undefined;
  if (!entry) return null;
  if (hcpc) {
    const registered = entry.hcpcNumber;
    return registered ? { entry, listed: registered, label: `HCPC number of crew member ${Number(hcpc[1]) + 1}`, agrees: (v) => v === registered } : null;
  }
  const forms = entry.name ? nameForms(entry.name) : null;
  return forms ? { entry, listed: entry.name!, label: "clinician's name", agrees: (v) => typeof v === 'string' && forms.has(v) } : null;
}

/** The staff-list check for one field, where the job holds a staff list; null when the list says nothing of it. */
export function rosterCheck(path: string, value: (t: string) => unknown, record: Record<string, unknown>, roster: RosterLookup | undefined) {
  if (!roster) return null;
  const listed = (v: unknown): v is string => typeof v === 'string' && roster(v) !== undefined;
  if (CREW_STAFF_NUMBER.test(path)) return { kind: 'roster' as const, passes: (t: string) => listed(value(t)) };
  if (CREW_REFERENCE.test(path)) {
    const crew = getAtPath(record, 'crew');
    const numbers = new Set((Array.isArray(crew) ? crew : []).map((m: { staffNumber?: unknown }) => m?.staffNumber).filter(listed));
    // The crew's numbers as read and on the list: one of them, or nothing.
    return numbers.size ? { kind: 'roster' as const, passes: (t: string) => numbers.has(value(t) as string) } : null;
  }
  const fact = listedFact(path, record, roster);
  return fact ? { kind: 'roster' as const, passes: (t: string) => fact.agrees(value(t)) } : null;
}

/**
 * An HCPC number or clinician's name that the staff list gives otherwise for the staff number beside it: for a person
 * (the field or the number misread, or the crew's slip), however sure the boxes are. Only the field is named: the
 * number has its own evidence, and a misread name is far commoner than a number misread into another member's.
 */
export function rosterFindings(record: Record<string, unknown>, roster: RosterLookup | undefined): Finding[] {
  if (!roster) return [];
  const crew = getAtPath(record, 'crew');
  const paths = [...(Array.isArray(crew) ? crew : []).map((_, i) => `crew[${i}].hcpcNumber`), 'clinician.name'];
  return paths.flatMap((path) => {
    const v = getAtPath(record, path);
    const fact = listedFact(path, record, roster);
    if (!fact || typeof v !== 'string' || fact.agrees(v)) return [];
    return [finding('roster-mismatch', [path], { field: fact.label, staffNumber: fact.entry.staffNumber, line: fact.entry.line, listed: fact.listed })];
  });
}
