// Import the trust's CAD incident export into a job, for validate to check forms against (`validate --cad FILE`).
// The file is streamed through the same reader as `reconcile` (delimiter, header spellings, dates); the optional
// call-received, call-sign, fleet-number, postcode and destination columns are found by their usual names. Bad rows
// are counted, never fatal.
import { parseCadDate, readCadRows, type CadColumnMap } from '../export/reconcile.ts';
import { optionalColumn } from '../export/reference-csv.ts';
import type { CadIncidentFacts } from './cad-store.ts';
import { JobStore, withJobStore } from './store.ts';

const OPTIONAL_HEADERS = {
  callReceived: ['callreceived', 'callreceivedtime', 'timecallreceived', 'timeofcall', 'calltime', 'timereceived', 'callreceiveddatetime'],
  callSign: ['callsign', 'resourcecallsign', 'vehiclecallsign', 'firstcallsign', 'unitcallsign'],
  postcode: ['postcode', 'incidentpostcode', 'locationpostcode', 'postalcode', 'scenepostcode'],
  destination: ['destination', 'destinationcode', 'destinationsite', 'hospital', 'hospitalcode', 'receivinghospital', 'conveyedto'],
  fleetNumber: ['fleetnumber', 'fleetno', 'fleet', 'vehiclenumber', 'vehicleno', 'vehicleid', 'vehicle'],
} as const;

export interface CadImportSummary {
  rows: number;
  imported: number;
  /** Rows whose incident number an earlier row already gave (the first is kept). */
  duplicates: number;
  /** Rows with no incident number. */
  unreadable: number;
  /** Which optional facts the file has. */
  has: { callReceived: boolean; callSign: boolean; postcode: boolean; destination: boolean; fleetNumber: boolean };
}

/** HH:MM from a time or a date-time cell ("07:53", "7:53:10", "2023-07-18 07:53"), or null. */
export function parseCadTime(s: string | undefined): string | null {
  const m = /(?:^|[ T])(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*$/.exec((s ?? '').trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? `${String(h).padStart(2, '0')}:${m[2]}` : null;
}

/** A call sign or site code as a form's boxes hold it: capitals and digits, nothing else. */
const tidyCode = (s: string | undefined) => (s ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '') || null;

/** A postcode as the form's normaliser gives it ("so166yd" is "SO16 6YD"); null where it is not one. */
export function tidyPostcode(s: string | undefined): string | null {
  const t = (s ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
  return /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(t) ? `${t.slice(0, -3)} ${t.slice(-3)}` : null;
}

export async function importCadLog(store: JobStore, path: string, columns: Partial<CadColumnMap> = {}): Promise<CadImportSummary> {
  const summary: CadImportSummary = { rows: 0, imported: 0, duplicates: 0, unreadable: 0, has: { callReceived: false, callSign: false, postcode: false, destination: false, fleetNumber: false } };
  const incidents = new Map<string, CadIncidentFacts>();
  let optional: Record<keyof typeof OPTIONAL_HEADERS, number> | undefined;
  for await (const { record, line, index, header } of readCadRows(path, columns).rows) {
    optional ??= {
      callReceived: optionalColumn(header, OPTIONAL_HEADERS.callReceived),
      callSign: optionalColumn(header, OPTIONAL_HEADERS.callSign),
      postcode: optionalColumn(header, OPTIONAL_HEADERS.postcode),
      destination: optionalColumn(header, OPTIONAL_HEADERS.destination),
      fleetNumber: optionalColumn(header, OPTIONAL_HEADERS.fleetNumber),
    };
    summary.rows++;
    const incidentNumber = (record[index.incidentNumber] ?? '').trim();
    if (!incidentNumber) {
      summary.unreadable++;
      continue;
    }
    if (incidents.has(incidentNumber)) {
      summary.duplicates++;
      continue;
    }
    const rawDate = record[index.incidentDate];
    const incidentDate = rawDate === undefined ? null : parseCadDate(rawDate);
    // A date column that holds date and time gives the call-received time when there is no column of its own.
    const callReceived = parseCadTime(record[optional.callReceived >= 0 ? optional.callReceived : index.incidentDate]);
    const cell = (i: number) => (i >= 0 ? record[i] : undefined);
    incidents.set(incidentNumber, {
      incidentNumber,
      incidentDate,
      callReceived,
      callSign: tidyCode(cell(optional.callSign)),
      postcode: tidyPostcode(cell(optional.postcode)),
      destination: tidyCode(cell(optional.destination)),
      fleetNumber: (cell(optional.fleetNumber) ?? '').replace(/\D/g, '') || null,
      line,
    });
  }
  const some = (k: keyof CadImportSummary['has']) => [...incidents.values()].some((c) => c[k]);
  summary.has = { callReceived: some('callReceived'), callSign: some('callSign'), postcode: some('postcode'), destination: some('destination'), fleetNumber: some('fleetNumber') };
  summary.imported = store.cad.replaceAll(incidents.values());
  return summary;
}

/** Import a CAD file into the job in a folder (the caller holds the job's lock where others may write). */
export function importCadIntoJob(jobDir: string, path: string, columns: Partial<CadColumnMap> = {}): Promise<CadImportSummary> {
  return withJobStore(jobDir, (store) => importCadLog(store, path, columns));
}
