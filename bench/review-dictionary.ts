// What the suggestion dictionaries cost on a large job: every screen of the review page that holds free text or
// capitals sends, per template field on it, the values people settled for that field in the job (one SQL query
// each, ReviewStore.personValues), and the page builds its dictionary from them. Makes a large job from a kept one
// (bench/inflate-job.ts), settles the free text and capitals of every copied form by a person, each with its own
// value (every address, name and complaint distinct: the worst case for the query, which groups by value), and
// times the query, a field's dictionary, a field-view and a group-view screen's dictionaries, and the page's
// work on the largest (suggest.js in a VM: building the dictionary, a completion per key, the near-reading entry).
// Prints CPU ms (user+sys, which holds on a shared machine) and writes JSON.
//
//   node --import tsx bench/review-dictionary.ts --job bench/results/review-corpus/job --copies 20
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import vm from 'node:vm';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { DICTIONARY_MAX, fieldDictionary, screenDictionaries } from '../src/review/dictionary.ts';
import { claimBatch, claimGroup } from '../src/review/queue.ts';
import { inflateJob } from './inflate-job.ts';

const { values: args } = parseArgs({
  options: {
    job: { type: 'string', default: 'bench/results/review-corpus/job' },
    copies: { type: 'string', default: '20' },
    repeats: { type: 'string', default: '20' },
    label: { type: 'string', default: 'this tree' },
    out: { type: 'string', default: 'bench/results/review-dictionary.json' },
  },
});

const copies = Number(args.copies);
const repeats = Number(args.repeats);
const root = mkdtempSync(join(tmpdir(), 'review-dict-'));
const dir = join(root, 'job');
cpSync(args.job!, dir, { recursive: true });
const store = JobStore.open(dir);
inflateJob(store, copies);
const ctx = reviewContext(store, { today: '2026-01-01' });
const suggestFields = ctx.template.fields.filter((f) => f.type === 'text' || f.type === 'capitals').map((f) => f.id);

// The copies' free text and capitals settled by a person, each value its own (the form's serial appended); the
// original forms stay queued, so there are screens to claim.
const marks = suggestFields.map(() => '?').join(', ');
store.db
  .prepare(
    `UPDATE fields SET status = 'verified', verified_by = 'bench.past', verified_at = '2026-01-01T09:00:00.000Z',
       value_json = json_quote(json_extract(value_json, '$') || ' ' || serial)
     WHERE CAST(serial AS INTEGER) >= 1000000 AND field_id IN (${marks}) AND value_json IS NOT NULL AND json_type(value_json) = 'text'`,
  )
  .run(...suggestFields);
const counts = {
  forms: (store.db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n,
  fields: (store.db.prepare('SELECT count(*) AS n FROM fields').get() as { n: number }).n,
  settledByPerson: (store.db.prepare("SELECT count(*) AS n FROM fields WHERE verified_by = 'bench.past'").get() as { n: number }).n,
};
process.stderr.write(`review-dictionary: ${counts.forms} forms, ${counts.settledByPerson} free-text and capitals fields settled by a person\n`);

const cpuMs = (f: () => unknown) => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const timed = (f: () => unknown) => {
  f();
  return median(Array.from({ length: repeats }, () => cpuMs(f)));
};

const plan = (store.db.prepare(`EXPLAIN QUERY PLAN SELECT value_json AS v, count(*) AS n, max(verified_at) AS last FROM fields
  WHERE status = 'verified' AND field_id = ? AND value_json IS NOT NULL AND verified_by NOT IN ('ocr', 'validate', 'export')
  GROUP BY value_json ORDER BY n DESC, last DESC, value_json LIMIT ?`).all('patient.address', DICTIONARY_MAX) as { detail: string }[]).map((r) => r.detail);

// Per template field: the query, the whole dictionary (with the template's list), and what it sends.
const perField = suggestFields.map((fieldId) => {
  const dict = fieldDictionary(ctx, fieldId);
  return {
    fieldId,
    entries: dict.length,
    bytes: Buffer.byteLength(JSON.stringify(dict)),
    queryCpuMs: timed(() => store.review.personValues(fieldId, DICTIONARY_MAX)),
    dictionaryCpuMs: timed(() => fieldDictionary(ctx, fieldId)),
  };
});

// A field-view screen (one form's queued items) and a group-view screen of each text field, as the server answers.
const formItems = claimBatch(ctx, 'bench.one');
const formScreen = { items: formItems.filter((i) => i.suggest).length, cpuMs: timed(() => screenDictionaries(ctx, formItems)), bytes: Buffer.byteLength(JSON.stringify(screenDictionaries(ctx, formItems))) };
const groupItems = claimGroup(ctx, 'bench.one', 'patient.address', 40).items;
const groupScreen = { items: groupItems.length, cpuMs: timed(() => screenDictionaries(ctx, groupItems)), bytes: Buffer.byteLength(JSON.stringify(screenDictionaries(ctx, groupItems))) };

// The page's side, on the largest dictionary: building it, a completion per key typed, the near-reading entry.
const page = vm.createContext({});
vm.runInContext(readFileSync(new URL('../src/review/static/suggest.js', import.meta.url), 'utf8'), page);
const S = page as unknown as {
  makeDictionary(e: unknown[]): unknown;
  addToDictionary(d: unknown, t: string): unknown;
  completionFor(d: unknown, t: string): unknown;
  closestEntry(d: unknown, t: string): unknown;
};
const biggest = perField.reduce((a, b) => (b.entries > a.entries ? b : a));
const entries = fieldDictionary(ctx, biggest.fieldId);
const built = S.makeDictionary(entries);
const probe = '17 WINDMILL HILL, SOUTHAMPTON';
const pageSide = {
  fieldId: biggest.fieldId,
  entries: entries.length,
  makeCpuMs: timed(() => S.makeDictionary(entries)),
  addCpuMs: timed(() => S.addToDictionary(built, probe)),
  completionCpuMs: timed(() => {
    for (let i = 1; i <= probe.length; i++) S.completionFor(built, probe.slice(0, i));
  }) / probe.length,
  closestCpuMs: timed(() => S.closestEntry(built, '17 WINDMLL HILL, SOUTHAMPTOM')),
};

store.close();
rmSync(root, { recursive: true, force: true });

const lines = [
  `Suggestion dictionaries on ${counts.forms} forms (${args.label}); ${counts.settledByPerson} free-text and capitals fields settled by a person, every value distinct; CPU ms, median of ${repeats}`,
  `Query plan: ${plan.join('; ')}`,
  '',
  '| template field | entries sent | KB sent | personValues CPU ms | fieldDictionary CPU ms |',
  '|---|---|---|---|---|',
  ...perField.map((r) => `| ${r.fieldId} | ${r.entries} | ${(r.bytes / 1024).toFixed(1)} | ${r.queryCpuMs.toFixed(2)} | ${r.dictionaryCpuMs.toFixed(2)} |`),
  '',
  '| screen | items | dictionaries CPU ms | KB sent |',
  '|---|---|---|---|',
  `| field view, one form | ${formScreen.items} with suggestions | ${formScreen.cpuMs.toFixed(2)} | ${(formScreen.bytes / 1024).toFixed(1)} |`,
  `| group view, patient.address | ${groupScreen.items} | ${groupScreen.cpuMs.toFixed(2)} | ${(groupScreen.bytes / 1024).toFixed(1)} |`,
  '',
  `Page (suggest.js), ${pageSide.fieldId}, ${pageSide.entries} entries: build ${pageSide.makeCpuMs.toFixed(2)} ms, add a saved value ${pageSide.addCpuMs.toFixed(2)} ms, a completion per key ${pageSide.completionCpuMs.toFixed(3)} ms, the near-reading entry ${pageSide.closestCpuMs.toFixed(2)} ms`,
];
process.stdout.write(lines.join('\n') + '\n');
mkdirSync(join(args.out!, '..'), { recursive: true });
writeFileSync(args.out!, JSON.stringify({ label: args.label, ...counts, plan, perField, formScreen, groupScreen, pageSide, at: new Date().toISOString() }, null, 2) + '\n');
