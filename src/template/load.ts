// Load a template by name or file, and check it: every problem is reported with its JSON path.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requiredLeafPaths, resolveRecordPath, type LeafInfo } from '../record/paths.ts';
import { footprint, inside, overlaps, tickBoxes } from './geometry.ts';
import { Template, type Field, type Zone } from './schema.ts';

export interface TemplateProblem {
  /** JSON path in the template file, e.g. `fields[12].zone`. */
  path: string;
  message: string;
}

export class TemplateError extends Error {
  constructor(
    readonly source: string,
    readonly problems: TemplateProblem[],
  ) {
    super(`template ${source} has ${problems.length} problem(s):\n` + problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'));
    this.name = 'TemplateError';
  }
}

const BUILT_IN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');
/** Paths the form fills from elsewhere than a field (the serial comes from the QR code). */
const FILLED_WITHOUT_FIELD = new Set(['formSerial']);

export function builtInTemplateNames(): string[] {
  return ['standard-prf'];
}

/** Load a template: a built-in name or a path to a JSON file. Throws TemplateError listing every problem. */
export function loadTemplate(nameOrFile = 'standard-prf'): Template {
  const builtIn = builtInTemplateNames().includes(nameOrFile);
  const file = builtIn ? join(BUILT_IN_DIR, `${nameOrFile}.json`) : resolve(nameOrFile);
  if (!builtIn && !existsSync(file)) {
    const looksLikeName = !/[\\/.]/.test(nameOrFile);
    throw new TemplateError(nameOrFile, [
      {
        path: '$',
        message: looksLikeName
          ? `no built-in template is called "${nameOrFile}" (built in: ${builtInTemplateNames().join(', ')}), and no such file`
          : 'no such file',
      },
    ]);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TemplateError(file, [{ path: '$', message: `cannot read the file: ${(e as Error).message}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TemplateError(file, [{ path: '$', message: `not JSON: ${(e as Error).message}` }]);
  }
  return parseTemplate(json, file);
}

/** Check a parsed template object; returns it typed, or throws TemplateError with every problem found. */
export function parseTemplate(json: unknown, source = 'template'): Template {
  const parsed = Template.safeParse(json);
  if (!parsed.success) {
    throw new TemplateError(
      source,
      parsed.error.issues.map((i) => ({ path: jsonPath(i.path as PropertyKey[]), message: describeIssue(i) })),
    );
  }
  const problems = checkTemplate(parsed.data);
  if (problems.length) throw new TemplateError(source, problems);
  return parsed.data;
}

/** The checks that need more than the shape: ids, geometry, record paths. */
export function checkTemplate(t: Template): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const page: Zone = { x: 0, y: 0, w: t.pageSize.widthMm, h: t.pageSize.heightMm };
  const pageNumbers = new Set(t.pages.map((p) => p.number));
  const half = t.registration.markSizeMm / 2;
  const marks = t.registration.marks.map((m) => ({ x: m.x - half, y: m.y - half, w: 2 * half, h: 2 * half }));

  marks.forEach((m, i) => {
    if (!inside(m, page)) problems.push({ path: `registration.marks[${i}]`, message: 'registration mark lies off the page' });
  });
  if (!inside(t.qr, page)) problems.push({ path: 'qr', message: 'QR zone lies off the page' });

  const seen = new Map<string, number>();
  t.fields.forEach((f, i) => {
    const at = `fields[${i}]`;
    const prev = seen.get(f.id);
    if (prev !== undefined) problems.push({ path: `${at}.id`, message: `duplicate id "${f.id}" (also fields[${prev}])` });
    else seen.set(f.id, i);
    if (!pageNumbers.has(f.page)) problems.push({ path: `${at}.page`, message: `page ${f.page} is not one of the template's pages` });
    if (!inside(footprint(f), page)) problems.push({ path: `${at}.zone`, message: `zone of "${f.id}" (with its label) lies off the page` });
    if (f.type === 'choice' || f.type === 'multi') {
      f.options.forEach((o, j) => {
        if (!inside(o.box, f.zone)) problems.push({ path: `${at}.options[${j}].box`, message: `option box "${o.label}" lies outside the field's zone` });
      });
    }
    for (const [j, m] of marks.entries()) {
      if (overlaps(footprint(f), m)) problems.push({ path: `${at}.zone`, message: `zone of "${f.id}" overlaps registration mark ${j}` });
    }
    if (overlaps(footprint(f), t.qr)) problems.push({ path: `${at}.zone`, message: `zone of "${f.id}" overlaps the QR code` });
    const leaf = resolveRecordPath(f.path);
    if (!leaf) problems.push({ path: `${at}.path`, message: `the record schema has no field "${f.path}"` });
    else {
      const mismatch = kindMismatch(f, leaf);
      if (mismatch) problems.push({ path: `${at}.path`, message: mismatch });
    }
  });

  // Overlaps between fields on the same page (footprints include labels).
  for (let i = 0; i < t.fields.length; i++) {
    for (let j = i + 1; j < t.fields.length; j++) {
      const a = t.fields[i]!;
      const b = t.fields[j]!;
      if (a.page === b.page && overlaps(footprint(a), footprint(b))) {
        problems.push({ path: `fields[${j}].zone`, message: `zone of "${b.id}" overlaps "${a.id}" (fields[${i}])` });
      }
    }
  }

  const filled = new Set(t.fields.map((f) => f.path));
  for (const req of requiredLeafPaths()) {
    if (!filled.has(req) && !FILLED_WITHOUT_FIELD.has(req)) {
      problems.push({ path: 'fields', message: `required record field "${req}" is filled by no field` });
    }
  }
  return problems;
}

/** Does the field type suit the kind of value its record path holds? */
function kindMismatch(f: Field, leaf: LeafInfo): string | null {
  const want: Record<Field['type'], LeafInfo['kind'][]> = {
    tick: ['boolean'],
    choice: ['enum', 'boolean'],
    multi: ['enum-list'],
    digits: ['string', 'number'],
    capitals: ['string', 'enum'],
    date: ['string'],
    time: ['string'],
    decimal: ['number'],
    text: ['string'],
    signature: ['boolean'],
  };
  if (!want[f.type].includes(leaf.kind)) {
    return `a ${f.type} field cannot fill "${f.path}", which holds a ${leaf.kind} value`;
  }
  if ((f.type === 'choice' || f.type === 'multi') && leaf.options) {
    const bad = f.options.filter((o) => !leaf.options!.includes(o.value));
    if (bad.length) return `option value(s) ${bad.map((o) => JSON.stringify(o.value)).join(', ')} are not allowed for "${f.path}" (allowed: ${leaf.options.join(', ')})`;
  }
  if (f.type === 'choice' && leaf.kind === 'boolean' && f.options.some((o) => typeof o.value !== 'boolean')) {
    return `options of "${f.id}" must be true or false, since "${f.path}" is yes/no`;
  }
  return null;
}

function jsonPath(path: PropertyKey[]): string {
  if (!path.length) return '$';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function describeIssue(i: { code: string; message: string; path: PropertyKey[] }): string {
  if (i.code === 'invalid_union' && i.path[i.path.length - 1] !== 'type' && /discriminator/i.test(i.message)) {
    return `unknown field type (known: tick, choice, multi, digits, capitals, date, time, decimal, text, signature)`;
  }
  return i.message;
}
