// Writes fixtures/demo-keyed.csv: what a person keyed, reading the bundled synthetic forms, for every field (the
// forms' ground truth, as a person types it). Empty means "blank on the form". Run once; the file is committed.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvText } from '../src/export/csv-cell.ts';
import { getAtPath } from '../src/record/paths.ts';
import { displayValue, parseTyped } from '../src/review/input.ts';

const ILLEGIBLE = '(illegible)';
import { loadTemplate } from '../src/template/load.ts';

const template = loadTemplate('standard-prf');
const rows: string[][] = [];
for (const f of readdirSync('fixtures/truth').sort()) {
  if (!f.endsWith('.truth.json')) continue;
  const t = JSON.parse(readFileSync(join('fixtures/truth', f), 'utf8')) as { serial: string; record: Record<string, unknown> };
  for (const field of template.fields) {
    const v = getAtPath(t.record, field.path);
    const typed =
      v === undefined || v === null || v === false ? ''
      : field.type === 'tick' || field.type === 'signature' ? 'y'
      : field.type === 'choice' ? String(v)
      : field.path.endsWith('nhsNumber') ? String(v)
      : displayValue(field, v);
    // A value the form shows but no field may hold (a writer's error, e.g. a temperature in Fahrenheit) is keyed
    // as illegible: the person does not guess what the crew meant.
    const ok = typed === '' || parseTyped(field, typed).ok;
    rows.push([t.serial, field.id, ok ? typed : ILLEGIBLE]);
  }
}
const note = '# What a person keyed reading the bundled synthetic forms (their ground truth), by serial and field; empty = blank on the form, (illegible) = a value no field may hold. Used by npm run demo.\r\n';
writeFileSync('fixtures/demo-keyed.csv', note + csvText(['serial', 'field_id', 'keyed'], rows).replace(/^\uFEFF/, ''));
console.log(`wrote fixtures/demo-keyed.csv: ${rows.length} rows`);
