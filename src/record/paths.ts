// Record paths such as `observations[1].pulse`: parse, resolve against the record schema, read and write values.
import type { z } from 'zod';
import { PrfRecord } from './schema.ts';

export type PathSegment = string | number;
export type LeafKind = 'string' | 'number' | 'boolean' | 'enum' | 'enum-list';

export interface LeafInfo {
  kind: LeafKind;
  /** Whether the record cannot exist without it (outside arrays, not optional). */
  required: boolean;
  /** Allowed values for enums (and literal unions such as the SpO2 scale). */
  options?: readonly (string | number | boolean)[];
  /** The leaf's own zod schema (optional wrappers removed). */
  schema: z.ZodType;
}

const PATH_RE = /^[A-Za-z][A-Za-z0-9]*(\[\d+\])?(\.[A-Za-z][A-Za-z0-9]*(\[\d+\])?)*$/;

export function parsePath(path: string): PathSegment[] | null {
  if (!PATH_RE.test(path)) return null;
  const out: PathSegment[] = [];
  for (const part of path.split('.')) {
    const m = /^([A-Za-z0-9]+)(?:\[(\d+)\])?$/.exec(part);
    if (!m) return null;
    out.push(m[1]!);
    if (m[2] !== undefined) out.push(Number(m[2]));
  }
  return out;
}

// zod v4 keeps the kind of a schema in `def.type`.
function def(s: z.ZodType): any {
  return (s as any)._zod.def;
}

function unwrapOptional(s: z.ZodType): { inner: z.ZodType; optional: boolean } {
  let optional = false;
  let cur = s;
  for (;;) {
    const d = def(cur);
    if (d.type === 'optional' || d.type === 'nullable' || d.type === 'default') {
      optional = true;
      cur = d.innerType;
    } else if (d.type === 'pipe') {
      cur = d.in;
    } else return { inner: cur, optional };
  }
}

function leafOf(s: z.ZodType, required: boolean): LeafInfo | null {
  const d = def(s);
  switch (d.type) {
    case 'string':
      return { kind: 'string', required, schema: s };
    case 'number':
      return { kind: 'number', required, schema: s };
    case 'boolean':
      return { kind: 'boolean', required, schema: s };
    case 'enum':
      return { kind: 'enum', required, options: Object.values(d.entries), schema: s };
    case 'union': {
      const lits = (d.options as z.ZodType[]).map((o) => def(o));
      if (lits.every((l) => l.type === 'literal')) {
        return { kind: 'enum', required, options: lits.flatMap((l) => l.values), schema: s };
      }
      return null;
    }
    case 'array': {
      const el = unwrapOptional(d.element).inner;
      if (def(el).type === 'enum') {
        return { kind: 'enum-list', required, options: Object.values(def(el).entries), schema: s };
      }
      return null;
    }
    default:
      return null;
  }
}

/** Resolve a path against the record schema; null when the schema has no such leaf. */
export function resolveRecordPath(path: string, root: z.ZodType = PrfRecord): LeafInfo | null {
  const segs = parsePath(path);
  if (!segs) return null;
  let cur: z.ZodType = root;
  let required = true;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const { inner, optional } = unwrapOptional(cur);
    if (optional) required = false;
    const d = def(inner);
    if (typeof seg === 'number') {
      if (d.type !== 'array') return null;
      const max = d.checks?.map((c: any) => c._zod.def).find((c: any) => c.check === 'max_length')?.maximum;
      if (max !== undefined && seg >= max) return null;
      cur = d.element;
      required = false;
    } else {
      if (d.type !== 'object' || !(seg in d.shape)) return null;
      cur = d.shape[seg];
    }
  }
  const { inner, optional } = unwrapOptional(cur);
  return leafOf(inner, required && !optional);
}

/** Every leaf path the record cannot do without (outside arrays). */
export function requiredLeafPaths(root: z.ZodType = PrfRecord, prefix = ''): string[] {
  const { inner, optional } = unwrapOptional(root);
  if (optional) return [];
  const d = def(inner);
  if (d.type === 'object') {
    return Object.entries(d.shape as Record<string, z.ZodType>).flatMap(([k, v]) =>
      requiredLeafPaths(v, prefix ? `${prefix}.${k}` : k),
    );
  }
  if (d.type === 'array') return [];
  return [prefix];
}

export function getAtPath(obj: unknown, path: string): unknown {
  const segs = parsePath(path);
  if (!segs) return undefined;
  let cur: any = obj;
  for (const s of segs) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[s];
  }
  return cur;
}

/** Set a value, creating objects and arrays on the way. */
export function setAtPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = parsePath(path);
  if (!segs) throw new Error(`bad record path: ${path}`);
  let cur: any = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    const s = segs[i]!;
    if (cur[s] === undefined || cur[s] === null) cur[s] = typeof segs[i + 1] === 'number' ? [] : {};
    cur = cur[s];
  }
  cur[segs[segs.length - 1]!] = value;
}

/**
 * A record object from (path, value) pairs: the record's groups always present, and a gap in an array of objects
 * (an observation set or drug row left empty between filled ones) filled with {}.
 */
export function recordFromValues(formSerial: string, values: Iterable<[string, unknown]>): Record<string, unknown> {
  const obj: Record<string, unknown> = {
    formSerial,
    incident: { times: {} },
    crew: [],
    patient: {},
    clinical: {},
    observations: [],
    drugs: [],
    outcome: {},
    clinician: {},
  };
  for (const [path, value] of values) setAtPath(obj, path, value);
  for (const k of ['crew', 'observations', 'drugs']) {
    const arr = obj[k] as unknown[];
    for (let i = 0; i < arr.length; i++) if (arr[i] === undefined || arr[i] === null) arr[i] = {};
  }
  return obj;
}
