// bench:review: a scripted reviewer clears a job's review queue through the real page in Chromium, keyboard only,
// typing the ground truth only where the machine's value is wrong (as a careful person would), once in each view
// (each on its own copy of the job). It counts glances, decisions and keystrokes and prices them by the
// keystroke-level model: a glance at a crop 1.2 s, a decision 1.35 s, a keystroke 0.28 s (a chord such as Alt+B
// is one). A tile in a grid is one glance; confirming a screen is one decision and one key. Where the machine's
// value is wrong and one of its next readings printed beside it is right, the reviewer takes it with its one key
// (Alt+A or Alt+S): reading it is part of the glance at the tile or card, since it is printed beside the value. Double-keyed steps
// (blind keying) are done in the field view in every run, by a second scripted person where needed.
// Free text and capitals are keyed with the page's suggestions as a person would: before typing, the suggestion
// printed for the machine's reading is taken (Tab, then Enter) when it is what the paper says; else the reviewer
// types a character at a time and, whenever the suggestion shown puts in the box the next part of what it must key,
// takes it with Tab. Every key counts (characters, Tab, Enter) and each suggestion taken is one more decision; one is
// taken only where it saves time by the model (it adds at least SUGGESTION_WORTH characters).
// Or the reviewer edits instead (F2: the machine's reading in the box; overtype from its least sure character in a
// comb field), or takes the suggestion shown before typing and edits that, whichever of these the model prices
// lowest: the keys that edit are planned by scripts/review-edit-plan.ts (arrows, Ctrl+arrows a word at a time,
// Backspace, Delete), pressed in the page, and what the box then holds is checked; each place changed after the
// first is one more decision (the person finds it on the crop), and every key counts, F2 and Tab among them.
//
// Without --job it makes its own corpus: `synth --hands test` (hands the box model never trained on), scanned with
// the committed box model and validated with the template's shipped thresholds, in bench/results/review-corpus/
// (--keep reuses it). Prints a table and writes JSON.
//
//   npm run bench:review                      (synthesised corpus, 60 forms)
//   node --import tsx scripts/review-bench.ts --job demo/job-before-review --truth fixtures/truth
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { scanJob } from '../src/job/scan.ts';
import { JobStore } from '../src/job/store.ts';
import { jobTemplate, TEMPLATE_META, validateJob } from '../src/job/validate.ts';
import { importCadIntoJob } from '../src/job/cad-import.ts';
import { importRosterIntoJob } from '../src/job/roster-import.ts';
import { STAFF_ROSTER_FILE } from '../src/synth/staff-roster.ts';
import { familiesOfPool } from '../src/synth/font-pools.ts';
import { synthesise } from '../src/synth/synth.ts';
import { combCharacters } from '../src/template/geometry.ts';
import { loadTemplate } from '../src/template/load.ts';
import { getAtPath } from '../src/record/paths.ts';
import { fieldKind, reviewContext, type ReviewContext } from '../src/review/context.ts';
import { displayValue, parseTyped } from '../src/review/input.ts';
import { startReviewServer } from '../src/review/server.ts';
import { leastSureAt } from '../src/review/readings.ts';
import type { Field, Template } from '../src/template/schema.ts';
import { planEdit, type EditMode, type EditState } from './review-edit-plan.ts';

const KLM = { glance: 1.2, decision: 1.35, keystroke: 0.28 };
/** How long the scripted person waits for the page (a save, the next screen): generous, for a loaded machine; the
 * bench counts keys and decisions, not seconds waited. */
const WAIT_MS = 600_000;
/** Taking a suggestion costs a decision and a key: worth it only when it saves typing more keys than that costs. */
const SUGGESTION_WORTH = Math.ceil((KLM.decision + KLM.keystroke) / KLM.keystroke);
/** The keys that take the machine's first and second offered readings. */
const READING_KEYS = ['Alt+A', 'Alt+S'];

const { values: args } = parseArgs({
  options: {
    job: { type: 'string' },
    truth: { type: 'string' },
    forms: { type: 'string', default: '60' },
    seed: { type: 'string', default: 'review-bench-1' },
    workers: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    views: { type: 'string', default: 'group,chars,field' },
    today: { type: 'string', default: '2026-01-01' },
    out: { type: 'string', default: 'bench/results/review-bench.json' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    /** Leave the job's template as scanned, without the packaged template's suggestion vocabularies. */
    'no-vocabulary': { type: 'boolean', default: false },
  },
});

/** The corpus: synthesised with test-pool hands, scanned with the committed box model, validated against its CAD log and staff list. */
async function makeJob(): Promise<{ job: string; truth: string; made: string }> {
  const root = 'bench/results/review-corpus';
  const corpus = join(root, 'corpus');
  const job = join(root, 'job');
  if (args.keep && existsSync(join(job, 'job.sqlite')) && existsSync(join(corpus, 'truth'))) return { job, truth: join(corpus, 'truth'), made: 'kept from an earlier run' };
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const template = loadTemplate('standard-prf');
  await synthesise({ count: Number(args.forms), seed: args.seed!, outDir: corpus, template, profile: 'mixed', hands: 'test' });
  const scan = await scanJob({ inputs: [join(corpus, 'scans')], jobDir: job, template, workers: Number(args.workers) });
  // The trust's CAD log and staff list, as `validate --cad --roster` imports them (synth writes both beside the corpus).
  await importCadIntoJob(job, join(corpus, 'cad-incidents.csv'));
  await importRosterIntoJob(job, join(corpus, STAFF_ROSTER_FILE));
  validateJob({ jobDir: job, today: args.today });
  return { job, truth: join(corpus, 'truth'), made: `${args.forms} forms synthesised (seed ${args.seed}, test-pool hands: ${familiesOfPool('test').join(', ')}), ${scan.pagesRead} pages read by box model ${scan.modelVersion}` };
}

const source = args.job ? { job: args.job, truth: args.truth ?? 'fixtures/truth', made: 'given with --job' } : await makeJob();

const truth = new Map<string, Record<string, unknown>>();
for (const f of readdirSync(source.truth)) {
  if (!f.endsWith('.truth.json')) continue;
  const t = JSON.parse(readFileSync(join(source.truth, f), 'utf8')) as { serial: string; record: Record<string, unknown> };
  truth.set(t.serial, t.record);
}

interface Tally {
  glances: number;
  decisions: number;
  keys: number;
  screens: number;
  /** Wrong values put right by taking one of the machine's offered readings. */
  readingsTaken: number;
  /** Suggestions taken while keying, by where they came from (the job's values, the template's list). */
  suggestionsTaken: Record<string, number>;
  /** Wrong values keyed by editing: the machine's reading (F2), or the suggestion shown before typing. */
  edited: { reading: number; suggestion: number };
  /** The kind of field the keys now pressed are for, and keys by kind (the kinds of context.ts's filter). */
  kind: string;
  keysByKind: Record<string, number>;
}

/** What the paper says, as the quickest thing a person may type on the page; null for nothing on the form. */
function wanted(field: Field, serial: string): { text: string | null; value: unknown } {
  const want = getAtPath(truth.get(serial) ?? {}, field.path);
  if (want === undefined || want === null || want === false || (Array.isArray(want) && want.length === 0)) return { text: null, value: null };
  let text = displayValue(field, want);
  if (field.type === 'choice') text = String(field.options.findIndex((o) => o.value === want) + 1);
  if (field.type === 'multi' && Array.isArray(want)) text = want.map((v) => String(field.options.findIndex((o) => o.value === v) + 1)).join(',');
  if (field.type === 'tick' || field.type === 'signature') text = 'y';
  // Digits only where the page takes them so: 1205 for 12:05, 20072023 for 20/07/2023, an NHS number unspaced.
  if (field.type === 'time' || field.type === 'date' || field.path.endsWith('nhsNumber')) text = text.replace(/[^0-9]/g, '');
  return { text, value: want };
}

function guessIsRight(field: Field, guess: string, value: unknown): boolean {
  const g = parseTyped(field, guess);
  return guess !== '' && g.ok && g.kind === 'value' && JSON.stringify(g.value) === JSON.stringify(value);
}

function count(t: Tally, n: number) {
  t.keys += n;
  t.keysByKind[t.kind] = (t.keysByKind[t.kind] ?? 0) + n;
}

async function press(page: Page, t: Tally, k: string) {
  await page.keyboard.press(k);
  count(t, 1);
}

/** The suggestion a line shows now: what Tab would put in the box, and where it comes from; null when none. */
const shownSuggestion = (page: Page, line: string) =>
  page.evaluate((sel) => {
    const e = document.querySelector(sel) as HTMLElement | null;
    return e && !e.hidden && e.dataset.full !== undefined ? { full: e.dataset.full, source: e.dataset.source ?? '' } : null;
  }, line);

async function takeSuggestion(page: Page, t: Tally, source: string) {
  t.decisions++;
  t.suggestionsTaken[source] = (t.suggestionsTaken[source] ?? 0) + 1;
  await press(page, t, 'Tab');
}

/**
 * Key `text` into the box in focus (or, in group view, the tile whose first key opens it) with the suggestions the
 * page shows on `line`: a character at a time, taking a suggestion whenever it puts in the box the next part of what
 * must be keyed and adds at least SUGGESTION_WORTH characters. Enter is left to the caller.
 */
async function keyText(page: Page, t: Tally, text: string, line: string | null) {
  if (!line) {
    await page.keyboard.type(text);
    count(t, text.length);
    return;
  }
  let typed = '';
  while (typed !== text) {
    const s = typed ? await shownSuggestion(page, line) : null;
    if (s && s.full !== typed && text.startsWith(s.full) && s.full.length - typed.length >= SUGGESTION_WORTH) {
      await takeSuggestion(page, t, s.source);
      typed = s.full;
      continue;
    }
    const ch = text[typed.length]!;
    await page.keyboard.type(ch);
    count(t, 1);
    typed += ch;
  }
}

// The page's own globals (group.js, app.js, suggest.js), read in the page by the dry runs below.
declare const group: { dict: unknown };
declare const state: { dicts: Record<string, unknown> };
declare function completionFor(dict: unknown, typed: string): { full: string } | null;

/** What keyText would press for `text` with the page's suggestions as they stand (nothing pressed): keys and suggestions taken. */
const dryKeyText = (page: Page, text: string, dict: { view: 'group' | 'field'; fieldId: string } | null) =>
  dict === null
    ? Promise.resolve({ keys: text.length, taken: 0 })
    : page.evaluate(
        ({ text, d, worth }) => {
          const dictionary = d.view === 'group' ? group.dict : state.dicts[d.fieldId];
          let typed = '';
          let keys = 0;
          let taken = 0;
          while (typed !== text) {
            const s = typed ? completionFor(dictionary, typed) : null;
            keys++;
            if (s && s.full !== typed && text.startsWith(s.full) && s.full.length - typed.length >= worth) {
              taken++;
              typed = s.full;
            } else typed += text[typed.length];
          }
          return { keys, taken };
        },
        { text, d: dict, worth: SUGGESTION_WORTH },
      );

const boxState = (page: Page, input: string): Promise<EditState> =>
  page.$eval(input, (e) => {
    const i = e as HTMLInputElement;
    return { v: i.value, s: i.selectionStart ?? i.value.length, e: i.selectionEnd ?? i.value.length };
  });

/** Press planned editing keys in the page, then plan again from what the box holds until it holds `target`. */
async function pressEdit(page: Page, t: Tally, input: string, target: string, mode: EditMode, keys: string[]) {
  for (let look = 0; ; look++) {
    for (const k of keys) {
      if (k.length === 1) await page.keyboard.type(k);
      else await page.keyboard.press(k);
      count(t, 1);
    }
    const now = await boxState(page, input);
    if (now.v === target) return;
    // The page did otherwise than planned: the person looks again and goes on from what the box holds.
    const again = look < 3 ? planEdit(now, target, mode) : null;
    if (!again) throw new Error(`bench:review: editing did not reach the value (${mode}, look ${look}); the edit model and the page disagree`);
    t.decisions += again.hunks;
    keys = again.keys;
  }
}

const EDITABLE = new Set(['text', 'capitals', 'digits', 'decimal', 'time', 'date']);

interface KeyJob {
  field: Field;
  w: { text: string; value: unknown };
  row: { serial: string; fieldId: string };
  guess: string;
  /** The box's selector, and the suggestion line's (null when the item offers none). */
  input: string;
  line: string | null;
  view: 'group' | 'field';
}

/**
 * A wrong value keyed the way the model prices lowest: typed afresh with the suggestions; the suggestion shown
 * before typing taken as it is (Tab) or taken and edited; or the machine's reading edited (F2). Then Enter.
 */
async function keyValue(page: Page, t: Tally, j: KeyJob) {
  const { field, w } = j;
  const cost = (keys: number, decisions: number) => keys * KLM.keystroke + decisions * KLM.decision;
  const dict = j.line ? { view: j.view, fieldId: field.id } : null;
  const dry = await dryKeyText(page, w.text, dict);
  const shown = j.line ? await shownSuggestion(page, j.line) : null;
  type Way = { way: 'type' | 'take' | 'edit' | 'take-edit'; s: number; keys?: string[]; mode?: EditMode };
  const ways: Way[] = [{ way: 'type', s: cost(dry.keys + 1, dry.taken) }];
  if (shown && shown.full === w.text) ways.push({ way: 'take', s: cost(2, 1) });
  // Editing: towards the value as the page shows it (12:05, 20/07/2023), which is what the box starts from.
  const target = displayValue(field, w.value);
  if (EDITABLE.has(field.type) && guessIsRight(field, target, w.value)) {
    // Free text is a multi-line box in the field view.
    const mode: EditMode = field.type !== 'text' ? 'overtype' : j.view === 'field' ? 'lines' : 'insert';
    if (j.guess) {
      const row = ctx0!.store.records.field(j.row.serial, j.row.fieldId)!;
      const at = mode === 'overtype' ? (leastSureAt(field, row) ?? 0) : j.guess.length;
      const plan = planEdit({ v: j.guess, s: at, e: mode === 'overtype' ? Math.min(at + 1, j.guess.length) : at }, target, mode);
      if (plan) ways.push({ way: 'edit', s: cost(plan.keys.length + 2, plan.hunks - 1), keys: plan.keys, mode });
    }
    if (shown && shown.full !== w.text && field.type === 'text') {
      const plan = planEdit({ v: shown.full, s: shown.full.length, e: shown.full.length }, target, mode);
      if (plan) ways.push({ way: 'take-edit', s: cost(plan.keys.length + 2, plan.hunks), keys: plan.keys, mode });
    }
  }
  const best = ways.reduce((a, b) => (b.s < a.s ? b : a));
  if (best.way === 'type') await keyText(page, t, w.text, j.line);
  else if (best.way === 'take') await takeSuggestion(page, t, shown!.source);
  else {
    if (best.way === 'edit') {
      t.edited.reading++;
      await press(page, t, 'F2');
    } else {
      t.edited.suggestion++;
      await takeSuggestion(page, t, shown!.source);
    }
    // Plan from what the box holds now (the page placed the caret or block), pressing as planned.
    const plan = planEdit(await boxState(page, j.input), target, best.mode!);
    if (!plan) throw new Error('bench:review: the box the page opened cannot be edited to the value');
    t.decisions += plan.hunks - 1;
    await pressEdit(page, t, j.input, target, best.mode!, plan.keys);
  }
  await press(page, t, 'Enter');
}

/** Arrow keys from one grid cell to another the short way, as the page moves (a row down or up, then along). */
async function moveInGrid(page: Page, t: Tally, from: number, to: number, cols: number) {
  let at = from;
  while (at !== to) {
    const k = to - at >= cols ? 'ArrowDown' : at - to >= cols ? 'ArrowUp' : to > at ? 'ArrowRight' : 'ArrowLeft';
    await press(page, t, k);
    at += k === 'ArrowDown' ? cols : k === 'ArrowUp' ? -cols : k === 'ArrowRight' ? 1 : -1;
  }
}

/** Wait until the page has settled after a save (focus moved on, no keys kept back), as a person sees it has. */
const settled = (page: Page) => page.waitForFunction('keyHold.n === 0 && keyHold.queue.length === 0', undefined, { timeout: WAIT_MS });

const gridColumns = (page: Page, sel: string) =>
  page.evaluate((s) => {
    const tops = Array.from(document.querySelectorAll(s)).map((e) => (e as HTMLElement).offsetTop);
    return Math.max(1, tops.filter((x) => x === tops[0]).length);
  }, sel);

const activeIndex = (page: Page, sel: string) => page.evaluate((s) => Array.from(document.querySelectorAll(s)).findIndex((e) => e.classList.contains('active')), sel);

/** Field view: one card at a time; a glance and a decision each, then Enter, a value typed, or a chord. */
async function fieldView(ctx: ReviewContext, page: Page, t: Tally): Promise<void> {
  for (;;) {
    await page.waitForSelector('.card .value:focus, .empty', { timeout: WAIT_MS });
    if (await page.locator('.empty').count()) return;
    const info = await page.evaluate(() => {
      const input = document.activeElement as HTMLInputElement;
      const c = input.closest('.card') as HTMLElement;
      const readings = Array.from(c.querySelectorAll('.card-alts .reading')).map((r) => (r as HTMLElement).dataset.text!);
      return { id: c.dataset.id!, serial: c.dataset.serial!, fieldId: c.dataset.fieldId!, guess: input.value, readings, suggests: !!c.querySelector('.card-suggest') };
    });
    const field = ctx.fields.get(info.fieldId)!;
    t.kind = fieldKind(field);
    const w = wanted(field, info.serial);
    const offered = w.text === null ? -1 : info.readings.findIndex((r) => guessIsRight(field, r, w.value));
    t.glances++;
    t.decisions++;
    if (w.text === null) await press(page, t, 'Alt+B');
    else if (guessIsRight(field, info.guess, w.value)) await press(page, t, 'Enter');
    else if (offered >= 0) {
      t.readingsTaken++;
      await press(page, t, READING_KEYS[offered]!);
    } else {
      // The guess is selected on focus: typing replaces it; F2 edits it.
      const line = info.suggests ? `.card[data-id="${info.id}"] .card-suggest` : null;
      await keyValue(page, t, { field, w: { text: w.text, value: w.value }, row: { serial: info.serial, fieldId: info.fieldId }, guess: info.guess, input: `.card[data-id="${info.id}"] .value`, line, view: 'field' });
    }
    const sel = `.card[data-id="${info.id}"]`;
    await page.waitForFunction((s) => !document.querySelector(s) || document.querySelector(s)!.classList.contains('done') || document.querySelector(`${s} .result.bad`), sel, { timeout: WAIT_MS });
    if (await page.locator(`${sel} .result.bad`).count()) {
      // What the paper says is not a valid value (a writer's error): the person marks it illegible.
      t.decisions++;
      await press(page, t, 'Alt+I');
      await page.waitForFunction((s) => !document.querySelector(s) || document.querySelector(s)!.classList.contains('done'), sel, { timeout: WAIT_MS });
    }
  }
}

/** A wrong tile put right: blank on form, the offered reading that is right (one key), else the value typed. */
async function fixTile(page: Page, t: Tally, field: Field, w: { text: string | null; value: unknown }, readings: string[], id: string, serial: string, guess: string) {
  if (w.text === null) return press(page, t, 'Alt+B');
  const offered = readings.findIndex((r) => guessIsRight(field, r, w.value));
  if (offered >= 0) {
    t.readingsTaken++;
    return press(page, t, READING_KEYS[offered]!);
  }
  const line = (await page.locator(`.tile[data-id="${id}"] .tile-suggest`).count()) ? `.tile[data-id="${id}"] .tile-suggest` : null;
  await keyValue(page, t, { field, w: { text: w.text, value: w.value }, row: { serial, fieldId: field.id }, guess, input: `.tile[data-id="${id}"] .tile-input`, line, view: 'group' });
}

/** Group view: glance at every tile; fix the wrong ones (a decision and their keys); confirm the screen. */
async function groupView(ctx: ReviewContext, page: Page, t: Tally): Promise<void> {
  for (;;) {
    await page.waitForSelector('.tile.active, .empty', { timeout: WAIT_MS });
    if (await page.locator('.empty').count()) return;
    const tiles = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.tile')).map((e) => ({
        id: (e as HTMLElement).dataset.id!,
        serial: (e as HTMLElement).dataset.serial!,
        guess: e.querySelector('.tile-value')!.classList.contains('none') ? '' : e.querySelector('.tile-value')!.textContent ?? '',
        readings: Array.from(e.querySelectorAll('.tile-alts .reading')).map((r) => (r as HTMLElement).dataset.text!),
      })),
    );
    const first = tiles[0]!.id;
    const field = ctx.fields.get(ctx.store.records.fieldById(Number(first))!.fieldId)!;
    const cols = await gridColumns(page, '.tile');
    t.kind = fieldKind(field);
    t.screens++;
    for (let i = 0; i < tiles.length; i++) {
      const tile = tiles[i]!;
      const w = wanted(field, tile.serial);
      t.glances++;
      if (w.text !== null && guessIsRight(field, tile.guess, w.value)) continue;
      await settled(page);
      await moveInGrid(page, t, await activeIndex(page, '.tile'), i, cols);
      t.decisions++;
      await fixTile(page, t, field, w, tile.readings, tile.id, tile.serial, tile.guess);
      const sel = `.tile[data-id="${tile.id}"]`;
      await page.waitForFunction((s) => document.querySelector(s)!.classList.contains('done') || document.querySelector(s)!.classList.contains('bad'), sel, { timeout: WAIT_MS });
      if (await page.locator(`${sel}.bad`).count()) {
        t.decisions++;
        await press(page, t, 'Escape');
        await press(page, t, 'Alt+I');
        await page.waitForFunction((s) => document.querySelector(s)!.classList.contains('done'), sel, { timeout: WAIT_MS });
      }
    }
    // One decision and one key confirm the rest of the screen.
    t.decisions++;
    await press(page, t, 'Enter');
    for (;;) {
      await page.waitForFunction((id) => !document.querySelector(`.tile[data-id="${id}"]`) || document.querySelector('.tile.bad:not(.done)'), first, { timeout: WAIT_MS });
      if (!(await page.locator(`.tile[data-id="${first}"]`).count())) break;
      // A tile the confirmation could not save (it changed meanwhile): the person looks again and types it.
      const bad = await page.locator('.tile.bad:not(.done)').first().getAttribute('data-id');
      const i = tiles.findIndex((x) => x.id === bad);
      const w = wanted(field, tiles[i]!.serial);
      await settled(page);
      await moveInGrid(page, t, await activeIndex(page, '.tile'), i, cols);
      t.glances++;
      t.decisions++;
      await fixTile(page, t, field, w, tiles[i]!.readings, bad!, tiles[i]!.serial, tiles[i]!.guess);
      await page.waitForFunction((s) => document.querySelector(s)!.classList.contains('done'), `.tile[data-id="${bad}"]`, { timeout: WAIT_MS });
      if (!(await page.locator('.tile:not(.done)').count())) {
        t.decisions++;
        await press(page, t, 'Enter');
      }
    }
  }
}

/** The character each box of a field holds on the paper ('' for an empty box). */
function truthChars(field: Field, serial: string): string[] {
  const want = getAtPath(truth.get(serial) ?? {}, field.path);
  const n = combCharacters(field, '').length;
  if (want === undefined || want === null) return Array.from({ length: n }, () => '');
  return combCharacters(field, displayValue(field, want));
}

/** Character view: glance at every box; type the right character on the wrong ones; confirm the screen. */
async function charView(ctx: ReviewContext, page: Page, t: Tally): Promise<void> {
  await page.waitForSelector('.ctile.active, .empty', { timeout: WAIT_MS });
  for (let screens = 0; screens < 5000; screens++) {
    if (await page.locator('.empty').count()) return;
    const tiles = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.ctile')).map((e) => ({ key: (e as HTMLElement).dataset.key!, char: e.querySelector('.ctile-char')!.textContent! })),
    );
    const cols = await gridColumns(page, '.ctile');
    t.kind = 'character view';
    t.screens++;
    for (let i = 0; i < tiles.length; i++) {
      const [rowId, box] = tiles[i]!.key.split('.').map(Number) as [number, number];
      const row = ctx.store.records.fieldById(rowId)!;
      const want = truthChars(ctx.fields.get(row.fieldId)!, row.serial)[box] ?? '';
      const shown = tiles[i]!.char === '␣' ? '' : tiles[i]!.char;
      t.glances++;
      if (want === shown) continue;
      await settled(page);
      await moveInGrid(page, t, await activeIndex(page, '.ctile'), i, cols);
      t.decisions++;
      await press(page, t, want === '' ? 'Space' : want);
    }
    t.decisions++;
    const firstKey = tiles[0]!.key;
    await press(page, t, 'Enter');
    await page.waitForFunction((k) => document.querySelector('.empty') || (document.querySelector('.ctile.active') && document.querySelector('.ctile')!.getAttribute('data-key') !== k), firstKey, { timeout: WAIT_MS });
  }
}

type View = 'group' | 'chars' | 'field';

let vocabularyNote = '';
/** The run's review context, for where the page's overtype block starts (leastSureAt, as the server computes it). */
let ctx0: ReviewContext | null = null;
/**
 * The packaged template's suggestion vocabularies in the job copy's template, where the two differ in nothing else
 * (a corpus scanned before templates carried vocabularies: they play no part in reading or validating).
 */
function withPackagedVocabulary(store: JobStore): string {
  const mine = jobTemplate(store);
  const packaged = loadTemplate(mine.id);
  const bare = (x: Template) => JSON.stringify({ ...x, fields: x.fields.map((f) => ({ ...f, vocabulary: undefined })) });
  if (JSON.stringify(mine) === JSON.stringify(packaged)) return "the job's template, with its vocabularies";
  if (bare(mine) !== bare(packaged)) return "the job's template as scanned (it differs from the packaged one, so no vocabularies were added)";
  store.setMeta(TEMPLATE_META, JSON.stringify(packaged));
  return "the packaged template's vocabularies added to the job copy's template (otherwise the same)";
}

async function run(browser: Browser, view: View) {
  const dir = join(mkdtempSync(join(tmpdir(), `review-bench-${view}-`)), 'job');
  cpSync(source.job, dir, { recursive: true });
  const store = JobStore.open(dir);
  vocabularyNote = args['no-vocabulary'] ? 'the job template as scanned (no vocabularies: --no-vocabulary)' : withPackagedVocabulary(store);
  const ctx = reviewContext(store, { today: args.today });
  ctx0 = ctx;
  const atStart = store.review.reviewableFields();
  const forms = new Set(atStart.map((f) => f.serial)).size;
  const queuedByKind: Record<string, number> = {};
  for (const f of atStart) {
    const k = ctx.fields.has(f.fieldId) ? fieldKind(ctx.fields.get(f.fieldId)!) : f.fieldId;
    queuedByKind[k] = (queuedByKind[k] ?? 0) + 1;
  }
  const t: Tally = { glances: 0, decisions: 0, keys: 0, screens: 0, readingsTaken: 0, suggestionsTaken: {}, edited: { reading: 0, suggestion: 0 }, kind: '', keysByKind: {} };
  const t0 = process.cpuUsage();
  const w0 = Date.now();
  // Person one does what they may (character view first, then group view, where asked); two the blind second
  // keyings; three any third decisions (all in field view).
  for (const [i, reviewer] of ['bench.one', 'bench.two', 'bench.three'].entries()) {
    const srv = await startReviewServer({ ctx, reviewer });
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    if (view === 'chars' && i === 0) {
      await page.goto(srv.url + '#chars');
      await charView(ctx, page, t);
      await page.goto('about:blank');
    }
    if (view !== 'field' && i === 0) {
      await page.goto(srv.url);
      await groupView(ctx, page, t);
    }
    await page.goto('about:blank');
    await page.goto(srv.url + '#field');
    await fieldView(ctx, page, t);
    await page.context().close();
    await srv.close();
  }
  const cpu = process.cpuUsage(t0);
  const left = store.review.reviewableFields().length;
  const records = store.statusCounts().records;
  store.close();
  rmSync(join(dir, '..'), { recursive: true, force: true });
  const seconds = t.glances * KLM.glance + t.decisions * KLM.decision + t.keys * KLM.keystroke;
  return {
    view,
    queueAtStart: atStart.length,
    queuedByKind,
    forms,
    left,
    ...t,
    keysPerField: t.keys / Math.max(atStart.length, 1),
    personSecondsPerForm: seconds / Math.max(forms, 1),
    records,
    cpuS: (cpu.user + cpu.system) / 1e6,
    wallS: (Date.now() - w0) / 1000,
  };
}

const browser = await chromium.launch({
  executablePath: args.chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const views = args.views!.split(',').map((v) => v.trim()) as View[];
const results = [];
try {
  for (const view of views) {
    results.push(await run(browser, view));
    process.stderr.write(`bench:review: ${view} view done\n`);
  }
} finally {
  await browser.close();
}
const NAMES: Record<View, string> = { group: 'group', chars: 'chars, then group', field: 'field' };
const lines = [
  `Review bench on ${source.job}: ${source.made}`,
  `KLM: glance ${KLM.glance} s, decision ${KLM.decision} s, keystroke ${KLM.keystroke} s; a tile is one glance; keys/field over the queue at the start; 1366x768`,
  `Suggestions: ${vocabularyNote}; one is taken where it adds at least ${SUGGESTION_WORTH} characters`,
  '',
  '| view | queue | forms | left | screens | glances | decisions | keystrokes | keys/field | person-s/form | readings taken | suggestions taken (job / template) | edited (reading / suggestion) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${NAMES[r.view]} | ${r.queueAtStart} | ${r.forms} | ${r.left} | ${r.screens || '-'} | ${r.glances} | ${r.decisions} | ${r.keys} | ${r.keysPerField.toFixed(2)} | ${r.personSecondsPerForm.toFixed(1)} | ${r.readingsTaken} | ${r.suggestionsTaken.job ?? 0} / ${r.suggestionsTaken.template ?? 0} | ${r.edited.reading} / ${r.edited.suggestion} |`,
  ),
];
for (const r of results) {
  const queued = r.queuedByKind;
  lines.push('', `Keys by kind of field, ${NAMES[r.view]} view (keys | fields queued | keys a field):`);
  for (const [k, n] of Object.entries(r.keysByKind).sort((a, b) => b[1] - a[1])) lines.push(`| ${k} | ${n} | ${queued[k] ?? '-'} | ${queued[k] ? (n / queued[k]!).toFixed(2) : '-'} |`);
}
process.stdout.write(lines.join('\n') + '\n');
mkdirSync(join(args.out!, '..'), { recursive: true });
writeFileSync(args.out!, JSON.stringify({ job: source.job, made: source.made, klm: KLM, results, at: new Date().toISOString() }, null, 2) + '\n');
