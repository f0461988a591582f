// NDJSON per resource type (for bulk $import): the Bundles' resources with their derived ids, urn:uuid
// references rewritten to Type/id. A Patient (by NHS number) or Location (by call sign) shared by several records
// in the batch appears once, as first met in serial order.
import type { FhirResource, TransactionBundle } from './fhir.ts';

const URN = /^urn:uuid:([0-9a-f-]{36})$/;

/** Resource type → NDJSON text (one resource a line, trailing newline), types in alphabetical order. */
export function bundlesToNdjson(bundles: TransactionBundle[]): Map<string, string> {
  const typeOf = new Map<string, string>();
  for (const b of bundles) for (const e of b.entry) typeOf.set(e.fullUrl, e.resource.resourceType);
  const rewrite = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const m = URN.exec(v);
      return m && typeOf.has(v) ? `${typeOf.get(v)}/${m[1]}` : v;
    }
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]));
    return v;
  };
  const seen = new Set<string>();
  const lines = new Map<string, string[]>();
  for (const b of bundles) {
    for (const e of b.entry) {
      if (seen.has(e.fullUrl)) continue;
      seen.add(e.fullUrl);
      const id = URN.exec(e.fullUrl)![1]!;
      const { resourceType, ...rest } = e.resource;
      const resource = { resourceType, id, ...(rewrite(rest) as object) } as FhirResource;
      const list = lines.get(resourceType) ?? [];
      list.push(JSON.stringify(resource));
      lines.set(resourceType, list);
    }
  }
  return new Map([...lines.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, ls]) => [t, ls.join('\n') + '\n']));
}

/** Count resources by type in a set of bundles (Patient and Location counted once per id). */
export function resourceCounts(bundles: TransactionBundle[]): Record<string, number> {
  return Object.fromEntries([...bundlesToNdjson(bundles)].map(([t, text]) => [t, text.split('\n').length - 1]));
}
