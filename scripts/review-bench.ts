// bench:review: a scripted reviewer clears a job's review queue through the real page in Chromium, keyboard only,
// typing what the ground truth says is on the paper, once in group view and once in field view (each on its own
// copy of the job). It counts glances, decisions and keystrokes and prices them by the keystroke-level model:
// a glance at a crop 1.2 s, a decision 1.35 s, a keystroke 0.28 s (a chord such as Alt+B is one). A tile in a grid
// is one glance; confirming a screen is one decision and one key. Double-keyed steps (blind keying) are done in
// the field view in both runs, by a second scripted person where needed. Prints a table, writes JSON.
//
//   node --import tsx scripts/review-bench.ts --job demo/job --truth fixtures/truth
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { JobStore } from '../src/job/store.ts';
import { getAtPath } from '../src/record/paths.ts';
import { reviewContext, type ReviewContext } from '../src/review/context.ts';
import { displayValue, parseTyped } from '../src/review/input.ts';
import { startReviewServer } from '../src/review/server.ts';
import type { Field } from '../src/template/schema.ts';

const KLM = { glance: 1.2, decision: 1.35, keystroke: 0.28 };

const { values: args } = parseArgs({
  options: {
    job: { type: 'string' },
    truth: { type: 'string', default: 'fixtures/truth' },
    today: { type: 'string' },
    out: { type: 'string', default: 'bench/results/review-bench.json' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
});
if (!args.job) throw new Error('--job DIR is needed');

const truth = new Map<string, Record<string, unknown>>();
for (const f of readdirSync(args.truth!)) {
  if (!f.endsWith('.truth.json')) continue;
  const t = JSON.parse(readFileSync(join(args.truth!, f), 'utf8')) as { serial: string; record: Record<string, unknown> };
  truth.set(t.serial, t.record);
}

interface Tally {
  fields: number;
  glances: number;
  decisions: number;
  keys: number;
  screens: number;
}

/** What the paper says, as the quickest thing to type on the page; null for nothing on the form. */
function wanted(field: Field, serial: string): { text: string | null; value: unknown } {
  const want = getAtPath(truth.get(serial) ?? {}, field.path);
  if (want === undefined || want === null || want === false) return { text: null, value: null };
  let text = displayValue(field, want);
  if (field.type === 'choice') text = String(field.options.findIndex((o) => o.value === want) + 1);
  if (field.type === 'tick' || field.type === 'signature') text = 'y';
  if (field.path.endsWith('nhsNumber')) text = String(want);
  return { text, value: want };
}

function guessIsRight(field: Field, guess: string, value: unknown): boolean {
  const g = parseTyped(field, guess);
  return guess !== '' && g.ok && g.kind === 'value' && JSON.stringify(g.value) === JSON.stringify(value);
}

async function press(page: Page, t: Tally, k: string) {
  await page.keyboard.press(k);
  t.keys++;
}

async function typeText(page: Page, t: Tally, text: string) {
  await page.keyboard.type(text);
  t.keys += text.length;
}

/** Field view: one card at a time; a glance and a decision each, then Enter, a value typed, or a chord. */
async function fieldView(ctx: ReviewContext, page: Page, t: Tally): Promise<void> {
  for (;;) {
    await page.waitForSelector('.card .value:focus, .empty', { timeout: 30_000 });
    if (await page.locator('.empty').count()) return;
    const info = await page.evaluate(() => {
      const input = document.activeElement as HTMLInputElement;
      const c = input.closest('.card') as HTMLElement;
      return { id: c.dataset.id!, serial: c.dataset.serial!, fieldId: c.dataset.fieldId!, guess: input.value };
    });
    const field = ctx.fields.get(info.fieldId)!;
    const w = wanted(field, info.serial);
    t.fields++;
    t.glances++;
    t.decisions++;
    if (w.text === null) await press(page, t, 'Alt+B');
    else if (guessIsRight(field, info.guess, w.value)) await press(page, t, 'Enter');
    else {
      await typeText(page, t, w.text);
      await press(page, t, 'Enter');
    }
    const sel = `.card[data-id="${info.id}"]`;
    await page.waitForFunction((s) => !document.querySelector(s) || document.querySelector(s)!.classList.contains('done') || document.querySelector(`${s} .result.bad`), sel);
    if (await page.locator(`${sel} .result.bad`).count()) {
      // What the paper says is not a valid value (a writer's error): the person marks it illegible.
      t.decisions++;
      await press(page, t, 'Alt+I');
      await page.waitForFunction((s) => !document.querySelector(s) || document.querySelector(s)!.classList.contains('done'), sel);
    }
  }
}

/** Group view: glance at every tile; fix the wrong ones (a decision and their keys); confirm the screen. */
async function groupView(ctx: ReviewContext, page: Page, t: Tally): Promise<void> {
  for (;;) {
    await page.waitForSelector('.tile.active, .empty', { timeout: 30_000 });
    if (await page.locator('.empty').count()) return;
    const tiles = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.tile')).map((e) => ({ id: (e as HTMLElement).dataset.id!, serial: (e as HTMLElement).dataset.serial!, done: e.classList.contains('done') })),
    );
    const first = tiles[0]!.id;
    const fieldId = ctx.store.records.fieldById(Number(first))!.fieldId;
    const field = ctx.fields.get(fieldId)!;
    t.screens++;
    let at = 0;
    for (let i = 0; i < tiles.length; i++) {
      const tile = tiles[i]!;
      const guess = await page.locator(`.tile[data-id="${tile.id}"] .tile-value`).textContent();
      const w = wanted(field, tile.serial);
      t.fields++;
      t.glances++;
      const right = w.text === null ? false : guessIsRight(field, guess === '(nothing read)' ? '' : guess ?? '', w.value);
      if (right) continue;
      // Move to the tile (arrow keys), then fix it.
      while (at < i) {
        await press(page, t, 'ArrowRight');
        at++;
      }
      t.decisions++;
      if (w.text === null) await press(page, t, 'Alt+B');
      else {
        await typeText(page, t, w.text);
        await press(page, t, 'Enter');
      }
      const sel = `.tile[data-id="${tile.id}"]`;
      await page.waitForFunction((s) => document.querySelector(s)!.classList.contains('done') || document.querySelector(s)!.classList.contains('bad'), sel);
      if (await page.locator(`${sel}.bad`).count()) {
        t.decisions++;
        await press(page, t, 'Escape');
        await press(page, t, 'Alt+I');
        await page.waitForFunction((s) => document.querySelector(s)!.classList.contains('done'), sel);
      }
      at = await page.evaluate(() => Array.from(document.querySelectorAll('.tile')).findIndex((e) => e.classList.contains('active')));
    }
    // One decision and one key confirm the rest of the screen.
    t.decisions++;
    await press(page, t, 'Enter');
    await page.waitForFunction((id) => !document.querySelector(`.tile[data-id="${id}"]`), first, { timeout: 60_000 });
  }
}

async function run(browser: Browser, mode: 'group' | 'field') {
  const dir = join(mkdtempSync(join(tmpdir(), `review-bench-${mode}-`)), 'job');
  cpSync(args.job!, dir, { recursive: true });
  const store = JobStore.open(dir);
  const ctx = reviewContext(store, { today: args.today });
  const atStart = store.review.reviewableFields();
  const forms = new Set(atStart.map((f) => f.serial)).size;
  const t: Tally = { fields: 0, glances: 0, decisions: 0, keys: 0, screens: 0 };
  const t0 = process.cpuUsage();
  // Person one does what they may; two the blind second keyings; three any third decisions (all in field view).
  for (const [i, reviewer] of ['bench.one', 'bench.two', 'bench.three'].entries()) {
    const srv = await startReviewServer({ ctx, reviewer });
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    if (mode === 'group' && i === 0) {
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
    mode,
    queueAtStart: atStart.length,
    forms,
    left,
    ...t,
    keysPerField: t.keys / Math.max(t.fields, 1),
    personSecondsPerForm: seconds / Math.max(forms, 1),
    records,
    serverCpuS: (cpu.user + cpu.system) / 1e6,
  };
}

const browser = await chromium.launch({
  executablePath: args.chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const results = [];
try {
  for (const mode of ['group', 'field'] as const) results.push(await run(browser, mode));
} finally {
  await browser.close();
}
const lines = [
  `Review bench on ${args.job} (KLM: glance ${KLM.glance} s, decision ${KLM.decision} s, keystroke ${KLM.keystroke} s)`,
  '',
  '| view | queue | forms | left | screens | glances | decisions | keystrokes | keys/field | person-s/form |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.mode} | ${r.queueAtStart} | ${r.forms} | ${r.left} | ${r.screens || '-'} | ${r.glances} | ${r.decisions} | ${r.keys} | ${r.keysPerField.toFixed(2)} | ${r.personSecondsPerForm.toFixed(1)} |`,
  ),
];
process.stdout.write(lines.join('\n') + '\n');
mkdirSync(join(args.out!, '..'), { recursive: true });
writeFileSync(args.out!, JSON.stringify({ job: args.job, klm: KLM, results, at: new Date().toISOString() }, null, 2) + '\n');
