// Findings: what every validation stage reports about a value or a record, as a reason code, a severity and a
// plain-English message a data manager understands. The catalogue below is the one list of reason codes.

/** blocking: the record cannot be imported as it is; review: a person must look; note: worth knowing, no action. */
export type Severity = 'blocking' | 'review' | 'note';

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  /** Record paths the finding names, e.g. ['observations[0].systolicBp', 'observations[0].diastolicBp']. */
  paths: string[];
}

/** A deeply optional version of a type: what a partly read record looks like. */
export type DeepPartial<T> = T extends (infer E)[]
  ? DeepPartial<E>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

interface CatalogueEntry {
  severity: Severity;
  /** Message template; `{name}` placeholders are filled from the finding's parameters. */
  template: string;
}

export const FINDINGS = {
  // Reading a single field
  'not-transcribed': {
    severity: 'note',
    template: '{field}: free text this form does not transcribe; the scanned page is the record of it.',
  },
  'field-illegible': {
    severity: 'review',
    template: '{field}: there is writing but some of it could not be read.',
  },
  'field-invalid': {
    severity: 'review',
    template: '{field}: what was read ("{read}") is not {expected}.',
  },
  'field-out-of-range': {
    severity: 'review',
    template: '{field}: {value} is outside the allowed range {min} to {max}.',
  },
  'choice-none-ticked': {
    severity: 'note',
    template: '{field}: no box is ticked.',
  },
  'choice-several-ticked': {
    severity: 'review',
    template: '{field}: more than one box is ticked ({ticked}), but only one answer is allowed.',
  },
  'choice-ambiguous': {
    severity: 'review',
    template: '{field}: a box is marked unclearly; it may be a tick or a crossing-out.',
  },
  'choice-crossed-out': {
    severity: 'note',
    template: '{field}: a box was crossed out and has been ignored.',
  },
  'date-not-real': {
    severity: 'review',
    template: '{field}: "{read}" is not a real calendar date.',
  },
  'time-not-real': {
    severity: 'review',
    template: '{field}: "{read}" is not a real 24-hour time (00:00 to 23:59).',
  },
  'postcode-fixed': {
    severity: 'review',
    template: '{field}: the postcode was read as "{read}" and corrected to "{value}", because {reason}.',
  },
  'postcode-ambiguous': {
    severity: 'review',
    template: '{field}: the postcode was read as "{value}", but {reason} is a valid postcode too; please check the form.',
  },
  'postcode-invalid': {
    severity: 'review',
    template: '{field}: "{read}" is not a valid UK postcode: {reason}.',
  },
  'page-comb-ink-missing': {
    severity: 'review',
    template: 'Page {page}: the crew wrote on it ({marks} ticks or signatures) but only {written} of its {combs} box fields show any writing. The ink may have faded or dropped out in the scan, so a person checks the whole page.',
  },
  'nhs-check-digit': {
    severity: 'review',
    template: "The NHS number's check digit is wrong: a digit was probably misread or miswritten.",
  },
  'nhs-number-not-digits': {
    severity: 'review',
    template: 'The NHS number must be ten digits (spaces or hyphens between the groups are fine), but "{char}" was read.',
  },
  'nhs-number-length': {
    severity: 'review',
    template: 'The NHS number must have ten digits; {count} were read.',
  },
  'temperature-fahrenheit': {
    severity: 'review',
    template:
      '{field}: a temperature of {value} looks like degrees Fahrenheit, not Celsius. It has not been converted; please check the form.',
  },
  // Cross-field rules over the record
  'times-out-of-order': {
    severity: 'review',
    template: 'The {later} time ({laterValue}) is before the {earlier} time ({earlierValue}).',
  },
  'times-midnight-crossed': {
    severity: 'note',
    template: 'The incident crosses midnight between the {earlier} time ({earlierValue}) and the {later} time ({laterValue}).',
  },
  'time-in-clock-change-gap': {
    severity: 'blocking',
    template:
      '{time} on {date} never happened in the UK: the clocks went forward an hour then. The time was probably misread or miswritten; please check the form.',
  },
  'time-in-clock-change-repeat': {
    severity: 'review',
    template:
      '{time} on {date} happened twice in the UK (the clocks went back an hour then), so the form does not say which. If confirmed, it is exported with its date only.',
  },
  'times-midnight-crossed-twice': {
    severity: 'review',
    template: 'The incident times cross midnight more than once, so some of them are probably misread.',
  },
  'bp-diastolic-not-below-systolic': {
    severity: 'review',
    template: 'Observation set {set}: the diastolic blood pressure ({diastolic}) is not below the systolic ({systolic}).',
  },
  'observation-out-of-range': {
    severity: 'blocking',
    template: 'Observation set {set}: {name} of {value} is impossible (allowed {min} to {max}).',
  },
  'gcs-part-out-of-range': {
    severity: 'blocking',
    template: 'Observation set {set}: GCS {name} of {value} is impossible (allowed {min} to {max}).',
  },
  'gcs-total-mismatch': {
    severity: 'review',
    template: 'Observation set {set}: GCS eye {eye} + verbal {verbal} + motor {motor} = {sum}, but the total written is {total}.',
  },
  'news2-mismatch': {
    severity: 'review',
    template:
      'Observation set {set}: the NEWS2 worked out from the observations is {computed}, but the crew wrote {written}. One of the observations may be misread.',
  },
  'conveyed-no-destination': {
    severity: 'review',
    template: 'The patient was conveyed, but no destination hospital is given.',
  },
  'drug-name-near-formulary': {
    severity: 'review',
    template: 'Drug row {row}: the name as read is not on the medicines list but is close to {near}; check it against the paper.',
  },
  'drug-row-incomplete': {
    severity: 'review',
    template: 'Drug row {row} is missing its {missing}.',
  },
  'required-missing': {
    severity: 'blocking',
    template: 'The {name} is missing; the record cannot be imported without it.',
  },
  'patient-unidentified': {
    severity: 'blocking',
    template:
      'The patient cannot be identified: the record needs an NHS number, or a surname and a date of birth.',
  },
  'dob-in-future': {
    severity: 'blocking',
    template: 'The date of birth ({dob}) is in the future.',
  },
  'dob-after-incident': {
    severity: 'blocking',
    template: 'The date of birth ({dob}) is after the incident date ({incidentDate}).',
  },
  'incident-date-in-future': {
    severity: 'review',
    template: 'The incident date ({incidentDate}) is after today.',
  },
  'incident-date-outside-downtime': {
    severity: 'review',
    template: 'The incident date ({incidentDate}) is outside the downtime this job covers ({from} to {to}).',
  },
  'age-dob-mismatch': {
    severity: 'review',
    template: 'The age written ({age}) does not match the date of birth, which gives {computed} on the incident date.',
  },
  // Against the trust's CAD log (validate --cad)
  'cad-mismatch': {
    severity: 'review',
    template: 'The {field} does not match the CAD log for incident {incidentNumber} (line {line}), which has {cad}.',
  },
  // Against the trust's staff list (validate --roster)
  'roster-mismatch': {
    severity: 'review',
    template: 'The {field} is not what the staff list gives for staff number {staffNumber} (line {line}), which has {listed}.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type FindingCode = keyof typeof FINDINGS;

export type FindingParams = Record<string, string | number>;

/** Fill a message template; unknown placeholders are left as they are so a gap shows rather than hides. */
export function fillTemplate(template: string, params: FindingParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] !== undefined ? String(params[name]) : whole,
  );
}

/**
 * A finding's message with every filled-in part left out, for a person keying blind: "The date of birth (1950-06-15)
 * is after the incident date (…)" would give the first reading away. Unknown codes give null.
 */
export function messageWithoutValues(code: string): string | null {
  const entry = (FINDINGS as Record<string, CatalogueEntry>)[code];
  if (!entry) return null;
  return entry.template
    .replace(/^\{field\}: /, '')
    .replace(/ ?\("?\{\w+\}"?( to \{\w+\})?\)/g, '')
    .replace(/^"\{read\}"/, 'what was read')
    .replace(/"?\{\w+\}"?/g, '…')
    .replace(/^./, (c) => c.toUpperCase());
}

/** Make a finding from the catalogue. */
export function finding(code: FindingCode, paths: string[], params: FindingParams = {}, severity?: Severity): Finding {
  const entry: CatalogueEntry = FINDINGS[code];
  return { code, severity: severity ?? entry.severity, message: fillTemplate(entry.template, params), paths };
}

const SEVERITY_RANK: Record<Severity, number> = { blocking: 2, review: 1, note: 0 };

/** The worst severity among findings, or null when there are none. */
export function worstSeverity(findings: readonly Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const f of findings) if (worst === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]) worst = f.severity;
  return worst;
}
