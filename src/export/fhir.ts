// A backfilled PRF record as a FHIR R4 transaction Bundle, following UK Core and the Ambulance Data Set:
// one Patient, one Encounter, an Observation per vital sign per set, a MedicationAdministration per drug,
// a Procedure per intervention, a ClinicalImpression holding the free text, a DocumentReference carrying the scanned
// paper as a PDF (when given), and a Provenance saying the record was digitised from paper and who verified it.
// Every resource declares its profile in meta.profile. Pure: the same record and context give the same bytes.
//
// Re-import safety: every entry is a conditional create (request.ifNoneExist). Patient matches on NHS number
// (or, without one, on a patient identifier derived from the form serial); Encounter on CAD incident number AND
// form serial; Location on call sign; DocumentReference on the form serial; every other resource on its derived
// resource identifier. Provenance has no
// identifier in R4, so it is a plain create: a second import adds a second Provenance (the one duplicate).
import { createHash } from 'node:crypto';
import type { PrfRecord, ObservationSet, DrugGiven } from '../record/schema.ts';
import type { SourcePageRef } from '../job/page-store.ts';
import { dateOfFormTime, londonLocalTime } from '../record/london-time.ts';

export type FhirResource = { resourceType: string; id?: string; [k: string]: unknown };
export interface BundleEntry {
  fullUrl: string;
  resource: FhirResource;
  request: { method: 'POST'; url: string; ifNoneExist?: string };
}
export interface TransactionBundle {
  resourceType: 'Bundle';
  type: 'transaction';
  entry: BundleEntry[];
}

export interface FhirContext {
  /** When the batch was made (ISO instant); Provenance.recorded. Fixed per batch so a reissue is identical. */
  recordedAt: string;
  /** Reviewer ids who verified values in this record. */
  reviewers: string[];
  /** The scanned pages the record came from. */
  sourcePages?: SourcePageRef[];
  toolVersion: string;
  templateId: string;
  templateVersion: number;
  /** ODS code of the ambulance trust, for Encounter.serviceProvider. */
  trustOds?: string;
  /** The scanned pages of the form as one PDF, attached as a DocumentReference (absent with --attach-scans none). */
  scan?: ScanAttachment;
}

export interface ScanAttachment {
  pdf: Uint8Array;
  /** sha256 of the PDF, lower-case hex (DocumentReference.masterIdentifier and the manifest). */
  sha256: string;
  pages: number;
  /** Where the PDF sits in the batch folder, e.g. "scans/100001.pdf". */
  path: string;
}

// ---- systems and codes

export const SYSTEM = {
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  nhsVerification: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland',
  nhsVerificationExt: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
  odsOrganisation: 'https://fhir.nhs.uk/Id/ods-organization-code',
  odsSite: 'https://fhir.nhs.uk/Id/ods-site-code',
  hcpc: 'https://fhir.hl7.org.uk/Id/hcpc-number',
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  obsCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  provenanceAgent: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  dataOperation: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
  locationType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  // Local identifier systems: a trust replaces the host with its own.
  cadIncident: 'https://prf-backload.example/Id/cad-incident',
  formSerial: 'https://prf-backload.example/Id/prf-form-serial',
  prfPatient: 'https://prf-backload.example/Id/prf-patient',
  resource: 'https://prf-backload.example/Id/resource',
  callSign: 'https://prf-backload.example/Id/call-sign',
  fleetNumber: 'https://prf-backload.example/Id/fleet-number',
  staffNumber: 'https://prf-backload.example/Id/staff-number',
  reviewer: 'https://prf-backload.example/Id/reviewer',
  scanPage: 'https://prf-backload.example/Id/scan-page-sha256',
  scanDocument: 'https://prf-backload.example/Id/prf-scan-document',
  scanPdfSha256: 'https://prf-backload.example/Id/scan-pdf-sha256',
  callCategory: 'https://prf-backload.example/CodeSystem/ambulance-response-category',
} as const;

/**
 * The profile each resource declares (meta.profile). UK Core (HL7 UK, FHIR R4) where it has one; ClinicalImpression
 * and Provenance have no UK Core profile, so they declare the base R4 one. README "UK Core" says which were checked.
 */
const UKCORE = 'https://fhir.hl7.org.uk/StructureDefinition/';
export const PROFILE = {
  Patient: `${UKCORE}UKCore-Patient`,
  Encounter: `${UKCORE}UKCore-Encounter`,
  Location: `${UKCORE}UKCore-Location`,
  Observation: `${UKCORE}UKCore-Observation`,
  EarlyWarningTotalScore: `${UKCORE}UKCore-Observation-EarlyWarningTotalScore`,
  InspiredOxygen: `${UKCORE}UKCore-Observation-InspiredOxygen`,
  MedicationAdministration: `${UKCORE}UKCore-MedicationAdministration`,
  Procedure: `${UKCORE}UKCore-Procedure`,
  DocumentReference: `${UKCORE}UKCore-DocumentReference`,
  ClinicalImpression: 'http://hl7.org/fhir/StructureDefinition/ClinicalImpression',
  Provenance: 'http://hl7.org/fhir/StructureDefinition/Provenance',
} as const;
const meta = (profile: string) => ({ meta: { profile: [profile] } });

// A fixed namespace for name-based (version 5 style) UUIDs: resource ids never depend on randomness or time.
const UUID_NAMESPACE = Buffer.from('6f1c2a5e9b7d4c1fa3e08d2b5c7e9f10', 'hex');

/** A UUID v5 (SHA-1, name-based) for a name in the prf-backload namespace. */
export function derivedUuid(name: string): string {
  const h = createHash('sha1').update(UUID_NAMESPACE).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const coding = (system: string, code: string, display?: string) => (display ? { system, code, display } : { system, code });
const concept = (system: string, code: string, display: string) => ({ coding: [coding(system, code, display)], text: display });
const quantity = (value: number, unit: string, code: string) => ({ value, unit, system: SYSTEM.ucum, code });
const score = (value: number) => quantity(value, 'score', '{score}');
/** UKCore-Observation-EarlyWarningTotalScore fixes the value's UCUM code to {ScoreOf}. */
const earlyWarningScore = (value: number) => quantity(value, 'score', '{ScoreOf}');

interface VitalSpec {
  key: keyof ObservationSet;
  code: { coding: ReturnType<typeof coding>[]; text: string };
  value: (v: number) => Record<string, unknown>;
  category: 'vital-signs' | 'survey' | 'laboratory';
  profile?: string;
}

const loinc = (code: string, display: string) => coding(SYSTEM.loinc, code, display);
const VITALS: VitalSpec[] = [
  { key: 'respiratoryRate', code: { coding: [loinc('9279-1', 'Respiratory rate')], text: 'Respiratory rate' }, value: (v) => ({ valueQuantity: quantity(v, 'breaths/minute', '/min') }), category: 'vital-signs' },
  {
    key: 'spo2',
    code: { coding: [loinc('2708-6', 'Oxygen saturation in Arterial blood'), loinc('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry')], text: 'SpO2' },
    value: (v) => ({ valueQuantity: quantity(v, '%', '%') }),
    category: 'vital-signs',
  },
  { key: 'pulse', code: { coding: [loinc('8867-4', 'Heart rate')], text: 'Pulse' }, value: (v) => ({ valueQuantity: quantity(v, 'beats/minute', '/min') }), category: 'vital-signs' },
  { key: 'temperature', code: { coding: [loinc('8310-5', 'Body temperature')], text: 'Temperature' }, value: (v) => ({ valueQuantity: quantity(v, 'Cel', 'Cel') }), category: 'vital-signs' },
  {
    key: 'bloodGlucose',
    code: { coding: [loinc('14743-9', 'Glucose [Moles/volume] in Capillary blood by Glucometer')], text: 'Blood glucose' },
    value: (v) => ({ valueQuantity: quantity(v, 'mmol/L', 'mmol/L') }),
    category: 'laboratory',
  },
  { key: 'painScore', code: { coding: [loinc('72514-3', 'Pain severity - 0-10 verbal numeric rating [Score] - Reported')], text: 'Pain score' }, value: (v) => ({ valueQuantity: score(v) }), category: 'survey' },
  {
    key: 'news2Total',
    code: { coding: [coding(SYSTEM.snomed, '1104051000000101', 'Royal College of Physicians National Early Warning Score 2 (NEWS2) total score')], text: 'NEWS2 total (as written by the crew)' },
    value: (v) => ({ valueQuantity: earlyWarningScore(v) }),
    category: 'survey',
    profile: PROFILE.EarlyWarningTotalScore,
  },
];

const ACVPU_CODES: Record<string, [string, string]> = {
  A: ['248234008', 'Mentally alert'],
  C: ['130987000', 'Acute confusion'],
  V: ['300202002', 'Responds to voice'],
  P: ['450847001', 'Responds to pain'],
  U: ['422768004', 'Unresponsive'],
};
const INSPIRED_CODES: Record<string, [string, string]> = {
  air: ['722742002', 'Breathing room air'],
  oxygen: ['371825009', 'Patient on oxygen'],
};
const ROUTE_CODES: Record<string, [string, string]> = {
  IV: ['47625008', 'Intravenous route'],
  IM: ['78421000', 'Intramuscular route'],
  IO: ['60213007', 'Intraosseous route'],
  PO: ['26643006', 'Oral route'],
  SL: ['37839007', 'Sublingual route'],
  NEB: ['18679011000001101', 'Inhalation'],
  IN: ['46713006', 'Nasal route'],
};
const INTERVENTION_LABELS: Record<string, string> = {
  'ecg-12-lead': '12-lead ECG',
  cannulation: 'Cannulation',
  'airway-adjunct': 'Airway adjunct',
  splint: 'Splint',
  immobilisation: 'Immobilisation',
  cpr: 'Cardiopulmonary resuscitation',
  defibrillation: 'Defibrillation',
  'wound-care': 'Wound care',
};
const NON_CONVEYANCE_LABELS: Record<string, string> = {
  'treated-at-scene': 'Treated at scene',
  referred: 'Referred to another service',
  declined: 'Patient declined conveyance',
  deceased: 'Patient deceased',
};

// ---- times: the form holds local clock times; FHIR wants an offset. Incidents may cross midnight.

/** The UTC offset of Europe/London at a wall-clock time; a time that did not happen or happened twice has none. */
export function londonOffset(date: string, time: string): string | undefined {
  const m = londonLocalTime(date, time);
  return m.kind === 'exact' ? m.offset : undefined;
}

/**
 * A form time as a FHIR dateTime, on the right day when the incident crosses midnight. A time the clock change made
 * ambiguous (and a person confirmed) has no offset that can be shown right, so it is given as the date alone, which is
 * true. A time in the spring gap never reaches here: the export re-check refuses the record.
 */
export function formDateTime(incidentDate: string, callTime: string | undefined, time: string | undefined): string {
  if (!time) return incidentDate;
  const date = dateOfFormTime(incidentDate, callTime, time);
  const offset = londonOffset(date, time);
  return offset ? `${date}T${time}:00${offset}` : date;
}

// ---- the Bundle

const ref = (uuid: string) => ({ reference: `urn:uuid:${uuid}` });
const resourceIdentifier = (uuid: string) => [{ system: SYSTEM.resource, value: uuid }];
const byIdentifier = (system: string, value: string) => `identifier=${system}|${value}`;

function compact<T>(xs: (T | undefined | null)[] | undefined): T[] {
  return (xs ?? []).filter((x): x is T => x !== undefined && x !== null);
}

function isEmpty(o: object | undefined): boolean {
  return !o || Object.values(o).every((v) => v === undefined);
}

/** Build one transaction Bundle for a record. Entries come in a fixed order; ids derive from the form serial. */
export function recordToBundle(record: PrfRecord, ctx: FhirContext): TransactionBundle {
  const serial = record.formSerial;
  const p = record.patient;
  const inc = record.incident;
  const callTime = inc.times.callReceived ?? firstTime(record);
  const at = (t: string | undefined) => formDateTime(inc.incidentDate, callTime, t);
  const entries: BundleEntry[] = [];
  // No resource.id in a transaction: a create's id is the server's; the urn:uuid fullUrl links the entries.
  const push = (resource: FhirResource, uuid: string, ifNoneExist: string | undefined) => {
    entries.push({
      fullUrl: `urn:uuid:${uuid}`,
      resource,
      request: ifNoneExist ? { method: 'POST', url: resource.resourceType, ifNoneExist } : { method: 'POST', url: resource.resourceType },
    });
  };

  // Patient: keyed on the NHS number when there is one, so every record for the same patient names the same one.
  const patientId = derivedUuid(p.nhsNumber ? `patient/nhs/${p.nhsNumber}` : `patient/form/${serial}`);
  const patientIdentifier = p.nhsNumber
    ? {
        extension: [
          {
            url: SYSTEM.nhsVerificationExt,
            valueCodeableConcept: concept(SYSTEM.nhsVerification, '02', 'Number present but not traced'),
          },
        ],
        system: SYSTEM.nhsNumber,
        value: p.nhsNumber,
      }
    : { system: SYSTEM.prfPatient, value: serial };
  const names = compact(p.forenames?.split(/\s+/).filter(Boolean));
  push(
    strip({
      resourceType: 'Patient',
      ...meta(PROFILE.Patient),
      identifier: [patientIdentifier],
      name: p.surname || names.length ? [strip({ use: 'official', family: p.surname, given: names.length ? names : undefined })] : undefined,
      gender: p.sex,
      birthDate: p.dateOfBirth,
      address: p.address || p.postcode ? [strip({ use: 'home', text: p.address, postalCode: p.postcode })] : undefined,
      generalPractitioner: p.gpPractice
        ? [{ type: 'Organization', identifier: { system: SYSTEM.odsOrganisation, value: p.gpPractice } }]
        : undefined,
    }),
    patientId,
    byIdentifier(patientIdentifier.system, patientIdentifier.value),
  );

  // Location: the vehicle, by call sign (Ambulance Data Set: call sign as a Location on Encounter.location).
  let locationId: string | undefined;
  if (inc.callSign) {
    locationId = derivedUuid(`location/call-sign/${inc.callSign}`);
    push(
      strip({
        resourceType: 'Location',
        ...meta(PROFILE.Location),
        identifier: compact([
          { system: SYSTEM.callSign, value: inc.callSign },
          inc.fleetNumber ? { system: SYSTEM.fleetNumber, value: inc.fleetNumber } : undefined,
        ]),
        status: 'active',
        name: `Call sign ${inc.callSign}`,
        mode: 'instance',
        physicalType: concept(SYSTEM.locationType, 've', 'Vehicle'),
      }),
      locationId,
      byIdentifier(SYSTEM.callSign, inc.callSign),
    );
  }

  // Encounter: one per patient contact, identified by CAD incident number and form serial together.
  const encounterId = derivedUuid(`encounter/${inc.incidentNumber}/${serial}`);
  const times = compact(Object.values(inc.times));
  const start = inc.times.callReceived ?? times[0];
  const end = inc.times.clear ?? inc.times.handover ?? inc.times.atHospital ?? times[times.length - 1];
  const o = record.outcome;
  const participants = compact([
    ...record.crew.map((c) =>
      c.staffNumber || c.hcpcNumber
        ? {
            type: [{ coding: [coding(SYSTEM.participationType, 'PART', 'Participation')], text: c.role ?? 'crew' }],
            individual: { identifier: c.hcpcNumber ? { system: SYSTEM.hcpc, value: c.hcpcNumber } : { system: SYSTEM.staffNumber, value: c.staffNumber! } },
          }
        : undefined,
    ),
    record.clinician.staffNumber
      ? {
          type: [{ coding: [coding(SYSTEM.participationType, 'ATND', 'attender')], text: 'Clinician completing the form' }],
          individual: strip({ identifier: { system: SYSTEM.staffNumber, value: record.clinician.staffNumber }, display: record.clinician.name }),
        }
      : undefined,
  ]);
  const hospitalization = strip({
    destination: o.conveyed && o.destination ? { identifier: { system: SYSTEM.odsSite, value: o.destination } } : undefined,
    dischargeDisposition: o.nonConveyance ? { text: NON_CONVEYANCE_LABELS[o.nonConveyance] } : o.conveyed ? { text: 'Conveyed to hospital' } : undefined,
  });
  push(
    strip({
      resourceType: 'Encounter',
      ...meta(PROFILE.Encounter),
      identifier: [
        { system: SYSTEM.cadIncident, value: inc.incidentNumber },
        { system: SYSTEM.formSerial, value: serial },
      ],
      status: 'finished',
      class: coding(SYSTEM.actCode, 'EMER', 'emergency'),
      priority: inc.callCategory ? { coding: [coding(SYSTEM.callCategory, inc.callCategory)], text: `Category ${inc.callCategory.slice(1)}` } : undefined,
      subject: ref(patientId),
      participant: participants.length ? participants : undefined,
      period: start ? strip({ start: at(start), end: end ? at(end) : undefined }) : { start: inc.incidentDate },
      hospitalization: isEmpty(hospitalization) ? undefined : hospitalization,
      location: locationId ? [{ location: { ...ref(locationId), display: `Call sign ${inc.callSign}` } }] : undefined,
      serviceProvider: ctx.trustOds ? { identifier: { system: SYSTEM.odsOrganisation, value: ctx.trustOds } } : undefined,
    }),
    encounterId,
    `${byIdentifier(SYSTEM.cadIncident, inc.incidentNumber)}&${byIdentifier(SYSTEM.formSerial, serial)}`,
  );

  const created: string[] = [];
  let documentId: string | undefined;
  if (ctx.scan) {
    documentId = derivedUuid(`${serial}/scan-document`);
    push(scanDocumentReference(ctx.scan, serial, ctx.recordedAt, patientId, encounterId, at(start)), documentId, byIdentifier(SYSTEM.scanDocument, serial));
  }
  const addOwned = (resource: FhirResource, name: string) => {
    const uuid = derivedUuid(`${serial}/${name}`);
    resource.identifier = resourceIdentifier(uuid);
    push(resource, uuid, byIdentifier(SYSTEM.resource, uuid));
    created.push(uuid);
  };
  const observation = (category: string | undefined, code: object, effective: string, value: Record<string, unknown>, profile: string = PROFILE.Observation) =>
    strip({
      resourceType: 'Observation',
      ...meta(profile),
      status: 'final',
      category: category ? [{ coding: [coding(SYSTEM.obsCategory, category)] }] : undefined,
      code,
      subject: ref(patientId),
      encounter: ref(encounterId),
      effectiveDateTime: effective,
      ...value,
    });

  if (p.age !== undefined) {
    addOwned(
      observation('social-history', { coding: [loinc('30525-0', 'Age')], text: 'Age' }, inc.incidentDate, { valueQuantity: quantity(p.age, 'years', 'a') }),
      'obs/age',
    );
  }

  record.observations.forEach((set, i) => {
    const when = at(set.time);
    const name = (k: string) => `obs/${i}/${k}`;
    for (const v of VITALS) {
      const val = set[v.key];
      if (typeof val === 'number') addOwned(observation(v.category, v.code, when, v.value(val), v.profile), name(v.key));
    }
    if (set.systolicBp !== undefined || set.diastolicBp !== undefined) {
      addOwned(
        observation('vital-signs', { coding: [loinc('85354-9', 'Blood pressure panel with all children optional')], text: 'Blood pressure' }, when, {
          component: compact([
            set.systolicBp !== undefined ? { code: { coding: [loinc('8480-6', 'Systolic blood pressure')] }, valueQuantity: quantity(set.systolicBp, 'mmHg', 'mm[Hg]') } : undefined,
            set.diastolicBp !== undefined ? { code: { coding: [loinc('8462-4', 'Diastolic blood pressure')] }, valueQuantity: quantity(set.diastolicBp, 'mmHg', 'mm[Hg]') } : undefined,
          ]),
        }),
        name('bp'),
      );
    }
    if (set.acvpu) {
      const [code, display] = ACVPU_CODES[set.acvpu]!;
      addOwned(
        observation('survey', { coding: [coding(SYSTEM.snomed, '1104441000000107', 'ACVPU (Alert Confusion Voice Pain Unresponsive) scale score')], text: 'ACVPU' }, when, {
          valueCodeableConcept: concept(SYSTEM.snomed, code, display),
        }),
        name('acvpu'),
      );
    }
    if (set.inspired) {
      // UKCore-Observation-InspiredOxygen: the finding is the code (room air / on oxygen, from its value set) and the
      // value, where there is one, is a flow or fraction the form does not hold. It is not put in the vital-signs
      // category, whose profile (vs-2) would demand a value. The SpO2 scale goes alongside as a note.
      const [code, display] = INSPIRED_CODES[set.inspired]!;
      addOwned(
        observation(
          undefined,
          concept(SYSTEM.snomed, code, display),
          when,
          { note: set.spo2Scale ? [{ text: `SpO2 scale ${set.spo2Scale}` }] : undefined },
          PROFILE.InspiredOxygen,
        ),
        name('inspired'),
      );
    }
    const gcsParts = compact([
      set.gcsEye !== undefined ? { code: { coding: [loinc('9267-6', 'Glasgow coma score eye opening')] }, valueQuantity: score(set.gcsEye) } : undefined,
      set.gcsVerbal !== undefined ? { code: { coding: [loinc('9270-0', 'Glasgow coma score verbal')] }, valueQuantity: score(set.gcsVerbal) } : undefined,
      set.gcsMotor !== undefined ? { code: { coding: [loinc('9268-4', 'Glasgow coma score motor')] }, valueQuantity: score(set.gcsMotor) } : undefined,
    ]);
    if (set.gcsTotal !== undefined || gcsParts.length) {
      addOwned(
        observation('survey', { coding: [loinc('9269-2', 'Glasgow coma score total')], text: 'GCS' }, when, {
          valueQuantity: set.gcsTotal !== undefined ? score(set.gcsTotal) : undefined,
          dataAbsentReason: set.gcsTotal === undefined ? { text: 'Total not written on the form' } : undefined,
          component: gcsParts.length ? gcsParts : undefined,
        }),
        name('gcs'),
      );
    }
  });

  record.drugs.forEach((d: DrugGiven, i) => {
    if (!d.drug) return;
    const route = d.route ? ROUTE_CODES[d.route] : undefined;
    const parsed = d.dose ? parseDose(d.dose) : undefined;
    addOwned(
      strip({
        resourceType: 'MedicationAdministration',
        ...meta(PROFILE.MedicationAdministration),
        status: 'completed',
        medicationCodeableConcept: { text: d.drug },
        subject: ref(patientId),
        context: ref(encounterId),
        effectiveDateTime: at(d.time),
        performer: d.givenBy ? [{ actor: { identifier: { system: SYSTEM.staffNumber, value: d.givenBy } } }] : undefined,
        dosage: d.dose || route
          ? strip({
              text: compact([d.dose, d.route]).join(' '),
              route: route ? { coding: [coding(SYSTEM.snomed, route[0], route[1])], text: d.route } : undefined,
              ...dosageAmount(d.dose, parsed),
            })
          : undefined,
      }),
      `drug/${i}`,
    );
  });

  for (const iv of record.interventions ?? []) {
    addOwned(
      strip({
        resourceType: 'Procedure',
        ...meta(PROFILE.Procedure),
        status: 'completed',
        code: { text: INTERVENTION_LABELS[iv] ?? iv },
        subject: ref(patientId),
        encounter: ref(encounterId),
        performedDateTime: inc.incidentDate,
      }),
      `procedure/${iv}`,
    );
  }

  const notes = freeTextNotes(record);
  if (notes.length) {
    addOwned(
      strip({
        resourceType: 'ClinicalImpression',
        ...meta(PROFILE.ClinicalImpression),
        status: 'completed',
        description: 'Clinical notes transcribed from a paper Patient Report Form',
        subject: ref(patientId),
        encounter: ref(encounterId),
        effectiveDateTime: at(start),
        summary: record.clinical.presentingComplaint ? `Presenting complaint: ${record.clinical.presentingComplaint}` : undefined,
        note: notes.map((text) => ({ text })),
      }),
      'clinical-impression',
    );
  }

  // Provenance: digitised from paper, assembled by this tool, values verified by the named reviewers.
  const targets = [patientId, encounterId, ...(locationId ? [locationId] : []), ...(documentId ? [documentId] : []), ...created];
  const provenanceId = derivedUuid(`${serial}/provenance`);
  push(
    {
      resourceType: 'Provenance',
      ...meta(PROFILE.Provenance),
      target: targets.map(ref),
      recorded: ctx.recordedAt,
      activity: { coding: [coding(SYSTEM.dataOperation, 'CREATE', 'create')], text: 'Digitised from a paper Patient Report Form' },
      agent: [
        {
          type: concept(SYSTEM.provenanceAgent, 'assembler', 'Assembler'),
          who: { display: `prf-backload ${ctx.toolVersion} (template ${ctx.templateId} v${ctx.templateVersion})` },
        },
        ...ctx.reviewers.map((r) => ({
          type: concept(SYSTEM.provenanceAgent, 'verifier', 'Verifier'),
          who: { identifier: { system: SYSTEM.reviewer, value: r } },
        })),
      ],
      entity: [
        { role: 'source', what: { identifier: { system: SYSTEM.formSerial, value: serial }, display: `Paper Patient Report Form ${serial}` } },
        ...(ctx.sourcePages ?? []).map((s) => ({
          role: 'source',
          what: { identifier: { system: SYSTEM.scanPage, value: `${s.sha256}#page=${s.pageIndex}` }, display: `Scan of form page ${s.pageNo}` },
        })),
      ],
    },
    provenanceId,
    undefined,
  );

  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/**
 * UKCore-DocumentReference for the scanned paper form, the legal original: one PDF of its pages as scanned, inline
 * (so the batch loads with nothing beside it), with its size and hash. R4's Attachment.hash is SHA-1 by definition;
 * the sha256 the manifest lists is the masterIdentifier, a version-specific id of the document.
 */
function scanDocumentReference(scan: ScanAttachment, serial: string, recordedAt: string, patientId: string, encounterId: string, when: string): FhirResource {
  const pdf = Buffer.from(scan.pdf);
  return {
    resourceType: 'DocumentReference',
    ...meta(PROFILE.DocumentReference),
    masterIdentifier: { system: SYSTEM.scanPdfSha256, value: scan.sha256 },
    identifier: [{ system: SYSTEM.scanDocument, value: serial }],
    status: 'current',
    docStatus: 'final',
    type: { text: 'Scanned paper Patient Report Form' },
    subject: ref(patientId),
    date: recordedAt,
    description: `Scan of paper Patient Report Form ${serial}, ${scan.pages} page${scan.pages === 1 ? '' : 's'}, as scanned`,
    content: [
      {
        attachment: {
          contentType: 'application/pdf',
          data: pdf.toString('base64'),
          size: pdf.length,
          hash: createHash('sha1').update(pdf).digest('base64'),
          title: scan.path.split('/').pop(),
          creation: recordedAt,
        },
        format: { system: 'urn:oid:1.3.6.1.4.1.19376.1.2.3', code: 'urn:ihe:iti:xds-sd:pdf:2008', display: 'Scanned Documents (PDF)' },
      },
    ],
    context: strip({ encounter: [ref(encounterId)], period: when.length > 10 ? { start: when } : undefined }),
  };
}

function firstTime(r: PrfRecord): string | undefined {
  return compact(Object.values(r.incident.times))[0];
}

function freeTextNotes(r: PrfRecord): string[] {
  const c = r.clinical;
  const o = r.outcome;
  const yesNo = (b: boolean | undefined) => (b === undefined ? undefined : b ? 'yes' : 'no');
  return compact([
    c.presentingComplaint && `Presenting complaint: ${c.presentingComplaint}`,
    c.history && `History: ${c.history}`,
    c.pastMedicalHistory && `Past medical history: ${c.pastMedicalHistory}`,
    c.medications && `Medications: ${c.medications}`,
    c.noKnownAllergies ? 'Allergies: none known' : c.allergies && `Allergies: ${c.allergies}`,
    yesNo(o.preAlert) && `Pre-alert to hospital: ${yesNo(o.preAlert)}`,
    yesNo(o.safeguardingReferral) && `Safeguarding referral: ${yesNo(o.safeguardingReferral)}`,
    yesNo(o.hasCapacity) && `Patient had capacity: ${yesNo(o.hasCapacity)}`,
    r.notes && `Notes: ${r.notes}`,
  ] as (string | undefined | false)[]).filter((s): s is string => typeof s === 'string' && s.length > 0);
}

type UcumQuantity = { value: number; unit: string; system: string; code: string };

/** Units crews write, as UCUM (unit shown, UCUM code). Puffs and tablets are UCUM annotations of a count. */
const DOSE_UNITS: Record<string, [string, string]> = {
  mg: ['mg', 'mg'],
  milligram: ['mg', 'mg'],
  mcg: ['microgram', 'ug'],
  ug: ['microgram', 'ug'],
  microgram: ['microgram', 'ug'],
  g: ['g', 'g'],
  gram: ['g', 'g'],
  ml: ['mL', 'mL'],
  l: ['L', 'L'],
  unit: ['unit', '[iU]'],
  iu: ['unit', '[iU]'],
  puff: ['puff', '{puff}'],
  tablet: ['tablet', '{tablet}'],
  tab: ['tablet', '{tablet}'],
};
const RATE_UNITS: Record<string, [string, string]> = {
  'l/min': ['L/min', 'L/min'],
  'ml/hr': ['mL/h', 'mL/h'],
  'ml/h': ['mL/h', 'mL/h'],
};

export type ParsedDose = { dose: UcumQuantity } | { rate: UcumQuantity };

/** "300mg", "2 PUFFS", "15 L/min" → a UCUM dose or rate; anything else ("50/50", "1:10000") is not parsed. */
export function parseDose(text: string): ParsedDose | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]+(?:\/[a-zA-Z]+)?)$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  const word = m[2]!.toLowerCase();
  const rate = RATE_UNITS[word];
  if (rate) return { rate: quantity(value, rate[0], rate[1]) };
  const unit = DOSE_UNITS[word] ?? DOSE_UNITS[word.replace(/s$/, '')];
  return unit ? { dose: quantity(value, unit[0], unit[1]) } : undefined;
}

const DATA_ABSENT_REASON = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/**
 * mad-1: a dosage must have a dose or a rate. Where the crew's dose cannot be made a UCUM quantity ("50/50",
 * "1:10000"), it stays as written in dosage.text and the dose says, by the standard data-absent-reason extension,
 * that it is given as text ("as-text"); with no dose written at all (a route only) the reason is "unknown".
 */
function dosageAmount(written: string | undefined, parsed: ParsedDose | undefined): Record<string, unknown> {
  if (parsed && 'rate' in parsed) return { rateQuantity: parsed.rate };
  if (parsed) return { dose: parsed.dose };
  return { dose: { extension: [{ url: DATA_ABSENT_REASON, valueCode: written ? 'as-text' : 'unknown' }] } };
}

/** Drop undefined members so JSON output is stable and FHIR sees no empty elements. */
function strip<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
