// The trust's CAD log against a form: what both say of the incident (number, date, call sign, call-received time).
// Pure: the record as read and a lookup into the log in; evidence checks and findings out. CAD numbers run in
// sequence, so a misread digit of the number often names a real incident of the same day: a fact agrees only with
// the incident the form's own number names, and the number only with two of the form's other facts behind it.
import type { CadIncidentFacts, CadLookup } from '../job/cad-store.ts';
import { finding, type Finding } from './findings.ts';
import { getAtPath } from './paths.ts';

// What a form and the CAD log both say of an incident, by the form's record path: the control room logs the vehicle
// with the call sign, so a fleet number unlike the log's is a misreading or a slip, as a call sign is.
const CAD_FACTS = {
  'incident.incidentDate': 'incidentDate',
  'incident.callSign': 'callSign',
  'incident.times.callReceived': 'callReceived',
  'incident.fleetNumber': 'fleetNumber',
} as const satisfies Record<string, keyof CadIncidentFacts>;
type CadFactPath = keyof typeof CAD_FACTS;
const isCadFact = (p: string): p is CadFactPath => p in CAD_FACTS;

// Facts the CAD log has that a form need not share: the incident may not be at the patient's home, and a crew may be
// diverted. Agreement is evidence; disagreement is no finding, and counts for nothing towards the number.
const CAD_EVIDENCE_ONLY = {
  'patient.postcode': 'postcode',
  'outcome.destination': 'destination',
} as const satisfies Record<string, keyof CadIncidentFacts>;
type CadEvidencePath = keyof typeof CAD_EVIDENCE_ONLY;
const isEvidenceOnly = (p: string): p is CadEvidencePath => p in CAD_EVIDENCE_ONLY;

/** Every fact both the record and this CAD incident give, and whether they agree. */
function sharedFacts(record: Record<string, unknown>, cad: CadIncidentFacts): { path: CadFactPath; cad: string; agrees: boolean }[] {
  return (Object.keys(CAD_FACTS) as CadFactPath[]).flatMap((path) => {
    const theirs = cad[CAD_FACTS[path]];
    const ours = getAtPath(record, path);
    return theirs === null || ours === undefined || ours === null ? [] : [{ path, cad: theirs, agrees: ours === theirs }];
  });
}

/** How many of the facts (other than `except`) the record and this CAD incident agree on. */
function cadAgreements(record: Record<string, unknown>, cad: CadIncidentFacts, except?: string): number {
  return sharedFacts(record, cad).filter((f) => f.path !== except && f.agrees).length;
}

/**
 * The CAD check, where the job holds the CAD log. The incident number passes when it names a CAD incident that two of
 * the form's other incident facts agree with (CAD numbers run in sequence, so a misread digit often names a real
 * incident of the same day: the date alone is not enough). A date, call sign, call-received time, fleet number,
 * patient's postcode (the incident's, where the patient was at home) or destination passes when it is the CAD's for
 * the incident the form's number names, and one other of the date, call sign, call time and fleet number agrees too.
 */
export function cadCheck(path: string, value: (t: string) => unknown, record: Record<string, unknown>, cad: CadLookup | undefined) {
  if (!cad) return null;
  if (path === 'incident.incidentNumber') {
    return { kind: 'cad' as const, passes: (t: string) => { const c = cad(String(value(t))); return !!c && cadAgreements(record, c) >= 2; } };
  }
  const key = isCadFact(path) ? CAD_FACTS[path] : isEvidenceOnly(path) ? CAD_EVIDENCE_ONLY[path] : null;
  if (!key) return null;
  const number = getAtPath(record, 'incident.incidentNumber');
  const c = typeof number === 'string' ? cad(number) : undefined;
  const fact = c?.[key];
  if (!c || fact === null || fact === undefined || cadAgreements(record, c, path) < 1) return null;
  return { kind: 'cad' as const, passes: (t: string) => value(t) === fact };
}

const FACT_LABELS: Record<CadFactPath, string> = {
  'incident.incidentDate': 'incident date',
  'incident.callSign': 'call sign',
  'incident.times.callReceived': 'call-received time',
  'incident.fleetNumber': 'fleet number',
};

/**
 * A fact the form gives that the CAD incident its number names gives otherwise: for a person to look at (a misreading,
 * or the crew's slip; either way the record must not take it unseen). A number the log does not hold is no finding
 * here: reconcile reports forms whose incident is missing.
 */
export function cadFindings(record: Record<string, unknown>, cad: CadLookup | undefined): Finding[] {
  const number = getAtPath(record, 'incident.incidentNumber');
  const c = cad && typeof number === 'string' ? cad(number) : undefined;
  if (!c) return [];
  // Either the fact or the number naming the incident was misread (or the crew slipped): both for a person, unless
  // two of the form's other facts agree with the incident, which is what vouches for a number (cadCheck): then it is
  // the fact alone. On 400 fresh forms a misread call sign or date sent 80 numbers read right to a person.
  const pinned = cadAgreements(record, c) >= 2;
  return sharedFacts(record, c)
    .filter((f) => !f.agrees)
    .map((f) =>
      finding('cad-mismatch', pinned ? [f.path] : [f.path, 'incident.incidentNumber'], { field: FACT_LABELS[f.path], incidentNumber: c.incidentNumber, line: c.line, cad: f.cad }),
    );
}
