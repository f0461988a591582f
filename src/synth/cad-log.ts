// A synthetic CAD (computer-aided dispatch) incident export for a batch of synthetic forms, with planted gaps:
// incidents that have no form (a form lost, or never written) and forms whose incident is missing from the
// export. `reconcile` must find exactly these gaps.
import { neutraliseCell, quoteCell } from '../export/csv-cell.ts';
import type { PrfRecord } from '../record/schema.ts';
import { AREAS, CALL_SIGN_PREFIXES } from './people.ts';
import { incidentNumberForSerial, makePostcode, minutesToTime } from './records.ts';
import type { Rng } from './rng.ts';

export const CAD_COLUMNS = ['IncidentNumber', 'IncidentDate', 'CallReceived', 'Category', 'CallSign', 'FleetNumber', 'Postcode', 'Destination'] as const;
export type CadRow = Record<(typeof CAD_COLUMNS)[number], string>;

/** Share of incidents at the patient's home: there the incident's postcode is the patient's; elsewhere another nearby. */
export const AT_HOME_SHARE = 0.7;

export interface CadLogOptions {
  /** Incidents in the export with no form (default about 3% of the batch, at least 1). */
  extraIncidents?: number;
  /** Incidents of the batch left out of the export (default about 2% of the batch, at least 1 for 2+ incidents). */
  missingIncidents?: number;
  /** Dates for extra incidents when the batch is empty (YYYY-MM-DD, inclusive). */
  dateRange?: [string, string];
}

export interface CadLog {
  csv: string;
  rows: CadRow[];
  gaps: {
    /** CAD incident numbers in the export that no form carries. */
    incidentsWithoutForm: string[];
    /** Form serials whose incident number is not in the export. */
    formsWithoutIncident: string[];
  };
}

/**
 * The CAD export for a batch. Pass the intended records (the CAD system holds what really happened, not the
 * crew's slips). Forms that share an incident number share one CAD row; a missing incident leaves all its forms
 * without one. Rows come sorted by date, time and number, as an export would.
 */
export function buildCadLog(records: readonly PrfRecord[], rng: Rng, opts: CadLogOptions = {}): CadLog {
  const byIncident = new Map<string, PrfRecord[]>();
  for (const r of records) {
    const list = byIncident.get(r.incident.incidentNumber) ?? [];
    list.push(r);
    byIncident.set(r.incident.incidentNumber, list);
  }
  const incidents = [...byIncident.keys()];
  const n = incidents.length;
  const missingCount = Math.min(opts.missingIncidents ?? (n >= 2 ? Math.max(1, Math.round(n * 0.02)) : 0), n);
  const extraCount = opts.extraIncidents ?? Math.max(1, Math.round(n * 0.03));

  const missing = new Set(rng.fork('missing').sample(incidents, missingCount));
  const rows: CadRow[] = [];
  for (const [number, forms] of byIncident) {
    if (missing.has(number)) continue;
    const r = forms[0]!;
    rows.push({
      IncidentNumber: number,
      IncidentDate: r.incident.incidentDate,
      CallReceived: r.incident.times.callReceived ?? '',
      Category: r.incident.callCategory ?? '',
      CallSign: r.incident.callSign ?? '',
      FleetNumber: r.incident.fleetNumber ?? '',
      Postcode: incidentPostcode(r, rng.fork(`where-${number}`)),
      // Control records where a conveying crew went.
      Destination: r.outcome?.conveyed && r.outcome.destination ? r.outcome.destination : '',
    });
  }

  const extras = makeExtraIncidents(rng.fork('extra'), records, extraCount, opts.dateRange ?? ['2023-07-18', '2023-08-31']);
  rows.push(...extras);
  rows.sort((a, b) => (a.IncidentDate + a.CallReceived + a.IncidentNumber).localeCompare(b.IncidentDate + b.CallReceived + b.IncidentNumber));

  const formsWithoutIncident = records.filter((r) => missing.has(r.incident.incidentNumber)).map((r) => r.formSerial);
  return {
    csv: toCsv(CAD_COLUMNS, rows.map((row) => CAD_COLUMNS.map((c) => row[c]))),
    rows,
    gaps: { incidentsWithoutForm: extras.map((e) => e.IncidentNumber), formsWithoutIncident },
  };
}

/** The incident's location: the patient's home (their postcode) most of the time, else somewhere in the same area. */
export function incidentPostcode(r: PrfRecord, rng: Rng): string {
  const home = r.patient.postcode;
  if (home && rng.chance(AT_HOME_SHARE)) return home;
  const area = AREAS.find((a) => a.outward.includes((home ?? '').split(' ')[0]!)) ?? rng.pick(AREAS);
  return makePostcode(rng, area);
}

function makeExtraIncidents(rng: Rng, records: readonly PrfRecord[], count: number, range: [string, string]): CadRow[] {
  const batchSerials = new Set(records.map((r) => Number(r.formSerial)));
  const batchNumbers = new Set(records.map((r) => r.incident.incidentNumber));
  const dates = records.map((r) => r.incident.incidentDate).sort();
  const from = Date.parse(dates[0] ?? range[0]);
  const to = Date.parse(dates[dates.length - 1] ?? range[1]);
  const out: CadRow[] = [];
  const used = new Set<string>();
  while (out.length < count) {
    // Numbers from serials outside the batch: the mapping is one-to-one, so they cannot clash with a form's.
    const serial = rng.int(0, 999_999_999);
    if (batchSerials.has(serial)) continue;
    const number = incidentNumberForSerial(serial);
    if (used.has(number) || batchNumbers.has(number)) continue;
    used.add(number);
    const day = rng.int(0, Math.round((to - from) / 86400000));
    out.push({
      IncidentNumber: number,
      IncidentDate: new Date(from + day * 86400000).toISOString().slice(0, 10),
      CallReceived: minutesToTime(rng.int(0, 1439)),
      Category: rng.weighted([['C1', 10], ['C2', 50], ['C3', 30], ['C4', 10]] as const),
      CallSign: `${rng.pick(CALL_SIGN_PREFIXES)}${rng.int(100, 999)}`,
      FleetNumber: '',
      Postcode: rng.chance(0.1) ? '' : makePostcode(rng, rng.pick(AREAS)),
      Destination: '',
    });
  }
  return out;
}

// ---------- CSV ----------

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, line break or edge space, quotes doubled.
 * Cells that a spreadsheet would run as a formula are refused rather than altered: synthetic data never
 * needs one, so one appearing is a bug.
 */
export function csvCell(value: string): string {
  if (neutraliseCell(value) !== value) throw new Error(`refusing a CSV cell that a spreadsheet would read as a formula: ${JSON.stringify(value)}`);
  return quoteCell(value);
}

/** CSV text with a header row, CRLF line ends (as Windows CAD exports have) and a final line end. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
