// The demo's review step: fill an exported corrections CSV from a committed file of what a person keyed for the
// bundled forms (fixtures/demo-keyed.csv), by form serial and field, so whichever fields end up queued are
// decided through the real `review apply` path. Rows with nothing keyed are left for later.
//   node --import tsx scripts/demo-fill.ts demo/corrections.csv fixtures/demo-keyed.csv demo/corrections-filled.csv
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { csvText } from '../src/export/csv-cell.ts';
import { CORRECTIONS_HEADER } from '../src/review/corrections.ts';

const [exported, keyedFile, out] = process.argv.slice(2);
if (!exported || !keyedFile || !out) throw new Error('usage: demo-fill EXPORTED.csv KEYED.csv OUT.csv');
const keyed = new Map<string, string>();
for (const r of parse(readFileSync(keyedFile, 'utf8'), { columns: true, comment: '#', bom: true }) as Record<string, string>[]) {
  keyed.set(`${r.serial}/${r.field_id}`, r.keyed!);
}
const rows = parse(readFileSync(exported, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
let filled = 0;
const cells = rows.map((r) => {
  const k = keyed.get(`${r.serial}/${r.field_id}`);
  if (k !== undefined) filled++;
  const decision = k === undefined ? '' : k === '' ? 'blank' : k === '(illegible)' ? 'illegible' : 'correct';
  return CORRECTIONS_HEADER.map((h) => (h === 'decision' ? decision : h === 'value' ? (decision === 'correct' ? k! : '') : r[h]!));
});
writeFileSync(out, csvText([...CORRECTIONS_HEADER], cells), { mode: 0o600 });
console.log(`filled ${filled} of ${rows.length} row(s) from ${keyedFile}`);
