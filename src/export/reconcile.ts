// Reconcile the job's PRFs against a CAD incident log: incidents with no PRF, PRFs whose incident is not in the log,
// two PRFs for one incident and the same patient, dates that disagree, and duplicate incident numbers in the log.
//
// The CAD file is read as a stream (csv-parse, one row at a time, never held whole). What is kept in memory is
// bounded by the job, not the file: the job's PRFs, plus the incident numbers seen inside the PRFs' date window
// (for duplicate detection), plus lists capped at `maxListed`.
import { JobStore } from '../job/store.ts';
import type { RecordStatus } from '../job/record-store.ts';
import { getAtPath } from '../record/paths.ts';
import { isRealDate } from '../record/schema.ts';
import { csvText } from './csv-cell.ts';
import { readReferenceRows, type ColumnSpec } from './reference-csv.ts';

export { detectDelimiter } from './reference-csv.ts';

export interface CadColumnMap {
  incidentNumber: string;
  incidentDate: string;
}

export interface ReconcileOptions {
  jobDir: string;
  cadCsvPath: string;
  /** Header names in the CAD file; any not given are found by the default spellings. */
  columns?: Partial<CadColumnMap>;
  /** Only reconcile records in these statuses (default: all). */
  statuses?: RecordStatus[];
  /** CAD incidents outside this date window are not reported as missing a PRF. Default: the PRFs' date range. */
  window?: { from: string; to: string };
  /** Cap on each listed finding (the totals still count everything). Default 10,000. */
  maxListed?: number;
}

export interface CadIncident {
  incidentNumber: string;
  incidentDate: string | null;
  /** Line in the CAD file (1 = header). */
  line: number;
}

export interface PrfRef {
  formSerial: string;
  incidentNumber: string;
  incidentDate: string | null;
}

export interface ReconcileReport {
  cadFile: { path: string; rows: number; delimiter: ',' | ';' | '\t'; columns: CadColumnMap };
  window: { from: string; to: string } | null;
  prfCount: number;
  matchedPrfs: number;
  incidentsWithoutPrf: CadIncident[];
  incidentsWithoutPrfTotal: number;
  incidentsOutsideWindow: number;
  prfsWithoutIncident: PrfRef[];
  /** PRFs with no accepted or verified incident number yet: they cannot be matched until reviewed. */
  prfsWithoutIncidentNumber: string[];
  duplicateIncidents: { incidentNumber: string; lines: number[] }[];
  samePatientTwice: { incidentNumber: string; formSerials: string[] }[];
  dateMismatches: { formSerial: string; incidentNumber: string; prfDate: string; cadDate: string; line: number }[];
  unreadableRows: { line: number; problem: string }[];
}

export class ReconcileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileError';
  }
}

// Header spellings seen in CAD exports, compared lower-case with everything but letters and digits removed.
const CAD_COLUMNS: ColumnSpec<keyof CadColumnMap> = {
  file: 'the CAD file',
  spellings: {
    incidentNumber: [
      'incidentnumber', 'incidentno', 'incidentid', 'incidentref', 'incidentreference', 'incident', 'cadincidentnumber',
      'cadnumber', 'cadno', 'cadref', 'cadid', 'callid', 'callnumber', 'callidentifier', 'eventnumber', 'eventid',
    ],
    incidentDate: [
      'incidentdate', 'incidentdatetime', 'date', 'calldate', 'calldatetime', 'callreceived', 'callreceiveddate',
      'callreceiveddatetime', 'datetimeofcall', 'createddate', 'createddatetime', 'eventdate', 'incidentcreated',
    ],
  },
  labels: { incidentNumber: 'incident number', incidentDate: 'incident date' },
  example: '"IncidentNumber"/"IncidentDate"',
  error: (m) => new ReconcileError(m),
};

/** A CAD date or date-time as YYYY-MM-DD: ISO (2023-07-19[T ]..), UK (19/07/2023, 19-07-2023, 19.07.2023). */
export function parseCadDate(s: string): string | null {
  const t = s.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(t);
  if (m) return valid(m[1]!, m[2]!, m[3]!);
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T].*)?$/.exec(t);
  if (m) return valid(m[3]!, m[2]!.padStart(2, '0'), m[1]!.padStart(2, '0'));
  return null;
}

function valid(y: string, mo: string, d: string): string | null {
  return isRealDate(Number(y), Number(mo), Number(d)) ? `${y}-${mo}-${d}` : null;
}

/**
 * A CAD file's rows after its header, streamed (one row at a time, never held whole), with the header resolved to
 * columns (`columns()` gives the header names used, once the header is read). Every problem (no header, a missing
 * column, a line csv-parse cannot read) is a ReconcileError naming it.
 */
export function readCadRows(path: string, columns: Partial<CadColumnMap> = {}) {
  return readReferenceRows(path, CAD_COLUMNS, columns);
}

interface Prf extends PrfRef {
  patientKey: string | null;
}

function loadPrfs(jobDir: string, statuses?: RecordStatus[]): { prfs: Prf[]; withoutNumber: string[] } {
  const store = JobStore.open(jobDir);
  try {
    const prfs: Prf[] = [];
    const withoutNumber: string[] = [];
    for (const r of store.records.listRecords(statuses ? { status: statuses } : {})) {
      // Only values the machine proved or a person verified: a misread incident number would invent a gap.
      const obj = store.records.recordObject(r.serial, { statuses: ['accepted', 'verified'] });
      const num = getAtPath(obj, 'incident.incidentNumber');
      const date = getAtPath(obj, 'incident.incidentDate');
      if (typeof num !== 'string' || !num) {
        withoutNumber.push(r.serial);
        continue;
      }
      prfs.push({ formSerial: r.serial, incidentNumber: num.trim(), incidentDate: typeof date === 'string' ? date : null, patientKey: patientKey(obj) });
    }
    return { prfs, withoutNumber };
  } finally {
    store.close();
  }
}

// Same patient: same NHS number; without one, same date of birth and surname. Kept only as a key, never reported.
function patientKey(obj: unknown): string | null {
  const nhs = getAtPath(obj, 'patient.nhsNumber');
  if (typeof nhs === 'string' && nhs) return `nhs:${nhs}`;
  const dob = getAtPath(obj, 'patient.dateOfBirth');
  const surname = getAtPath(obj, 'patient.surname');
  if (typeof dob === 'string' && typeof surname === 'string') return `dob:${dob}:${surname.trim().toUpperCase()}`;
  return null;
}

export async function reconcileJob(opts: ReconcileOptions): Promise<ReconcileReport> {
  const maxListed = opts.maxListed ?? 10_000;
  const { prfs, withoutNumber } = loadPrfs(opts.jobDir, opts.statuses);
  const byIncident = new Map<string, Prf[]>();
  for (const p of prfs) byIncident.set(p.incidentNumber, [...(byIncident.get(p.incidentNumber) ?? []), p]);
  const dates = prfs.map((p) => p.incidentDate).filter((d): d is string => !!d).sort();
  const window = opts.window ?? (dates.length ? { from: dates[0]!, to: dates[dates.length - 1]! } : null);
  const inWindow = (d: string | null) => !window || (d !== null && d >= window.from && d <= window.to);

  const cad = readCadRows(opts.cadCsvPath, opts.columns);

  const report: ReconcileReport = {
    cadFile: { path: opts.cadCsvPath, rows: 0, delimiter: cad.delimiter, columns: { incidentNumber: '', incidentDate: '' } },
    window,
    prfCount: prfs.length,
    matchedPrfs: 0,
    incidentsWithoutPrf: [],
    incidentsWithoutPrfTotal: 0,
    incidentsOutsideWindow: 0,
    prfsWithoutIncident: [],
    prfsWithoutIncidentNumber: withoutNumber,
    duplicateIncidents: [],
    samePatientTwice: [],
    dateMismatches: [],
    unreadableRows: [],
  };
  const matched = new Set<string>();
  const seenLine = new Map<string, number>(); // incident number → first line (bounded: window + PRF incidents)
  const duplicates = new Map<string, number[]>();
  const pushCapped = <T>(list: T[], item: T) => {
    if (list.length < maxListed) list.push(item);
  };

  for await (const { record, line, index } of cad.rows) {
    const num = (record[index.incidentNumber] ?? '').trim();
    const rawDate = record[index.incidentDate];
    if (!num) {
      pushCapped(report.unreadableRows, { line, problem: 'no incident number' });
      continue;
    }
    report.cadFile.rows++;
    const cadDate = rawDate === undefined ? null : parseCadDate(rawDate);
    if (rawDate !== undefined && rawDate.trim() && cadDate === null) pushCapped(report.unreadableRows, { line, problem: 'date not understood' });
    const prfsHere = byIncident.get(num);
    const relevant = !!prfsHere || inWindow(cadDate);
    if (relevant) {
      const first = seenLine.get(num);
      if (first !== undefined) {
        duplicates.set(num, [...(duplicates.get(num) ?? [first]), line]);
        continue; // a repeated row is reported once, as a duplicate, and not counted twice below
      }
      seenLine.set(num, line);
    }
    if (prfsHere) {
      matched.add(num);
      for (const p of prfsHere) {
        if (p.incidentDate && cadDate && p.incidentDate !== cadDate) {
          pushCapped(report.dateMismatches, { formSerial: p.formSerial, incidentNumber: num, prfDate: p.incidentDate, cadDate, line });
        }
      }
    } else if (inWindow(cadDate)) {
      report.incidentsWithoutPrfTotal++;
      pushCapped(report.incidentsWithoutPrf, { incidentNumber: num, incidentDate: cadDate, line });
    } else {
      report.incidentsOutsideWindow++;
    }
  }
  report.cadFile.columns = cad.columns()!;

  for (const p of prfs) {
    if (matched.has(p.incidentNumber)) report.matchedPrfs++;
    else pushCapped(report.prfsWithoutIncident, { formSerial: p.formSerial, incidentNumber: p.incidentNumber, incidentDate: p.incidentDate });
  }
  for (const [incidentNumber, lines] of duplicates) pushCapped(report.duplicateIncidents, { incidentNumber, lines });
  for (const [incidentNumber, group] of byIncident) {
    const byPatient = new Map<string, string[]>();
    for (const p of group) if (p.patientKey) byPatient.set(p.patientKey, [...(byPatient.get(p.patientKey) ?? []), p.formSerial]);
    for (const serials of byPatient.values()) if (serials.length > 1) pushCapped(report.samePatientTwice, { incidentNumber, formSerials: serials });
  }
  return report;
}

export const REPORT_CSV_HEADER = ['finding', 'incident_number', 'form_serials', 'prf_date', 'cad_date', 'cad_lines', 'detail'];

/** The report as CSV, one finding a row (formula-safe cells). Carries serials, incident numbers and dates only. */
export function reportToCsv(r: ReconcileReport): string {
  const rows: unknown[][] = [
    ...r.incidentsWithoutPrf.map((i) => ['incident-without-prf', i.incidentNumber, '', '', i.incidentDate ?? '', String(i.line), 'CAD incident with no PRF in this job']),
    ...r.prfsWithoutIncident.map((p) => ['prf-without-incident', p.incidentNumber, p.formSerial, p.incidentDate ?? '', '', '', 'incident number not in the CAD log']),
    ...r.prfsWithoutIncidentNumber.map((s) => ['prf-without-incident-number', '', s, '', '', '', 'no incident number read or verified yet']),
    ...r.samePatientTwice.map((d) => ['same-patient-twice', d.incidentNumber, d.formSerials.join(';'), '', '', '', 'two or more PRFs for one incident and the same patient']),
    ...r.dateMismatches.map((d) => ['date-mismatch', d.incidentNumber, d.formSerial, d.prfDate, d.cadDate, String(d.line), 'PRF date differs from CAD date']),
    ...r.duplicateIncidents.map((d) => ['duplicate-cad-incident', d.incidentNumber, '', '', '', d.lines.join(';'), 'incident number repeated in the CAD log']),
    ...r.unreadableRows.map((u) => ['unreadable-cad-row', '', '', '', '', String(u.line), u.problem]),
  ];
  return csvText(REPORT_CSV_HEADER, rows);
}
