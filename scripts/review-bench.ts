// A scripted reviewer: clears a job's review queue through the real page in Chromium, keyboard only, typing what
// the ground truth says is on the paper, and counts the keystrokes per field. It estimates a person's time as
// READ_S seconds to look at a crop plus KEY_S seconds a keystroke (a chord such as Alt+B counts as one keystroke).
// Double-keyed fields are keyed by two scripted reviewers (the second blind), so both keyings are counted.
//
//   node --import tsx scripts/review-bench.ts --job /tmp/rjob --truth fixtures/truth
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { JobStore } from '../src/job/store.ts';
import { getAtPath } from '../src/record/paths.ts';
import { reviewContext } from '../src/review/context.ts';
import { displayValue, parseTyped } from '../src/review/input.ts';
import { startReviewServer } from '../src/review/server.ts';

const READ_S = 1.5;
const KEY_S = 0.25;

const { values: args } = parseArgs({
  options: {
    job: { type: 'string' },
    truth: { type: 'string', default: 'fixtures/truth' },
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

const store = JobStore.open(args.job);
const ctx = reviewContext(store);
const fieldsAtStart = store.reviewableFields();
const formsAtStart = new Set(fieldsAtStart.map((f) => f.serial)).size;
const browser = await chromium.launch({
  executablePath: args.chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

interface Tally {
  fields: number;
  keys: number;
  enters: number;
  typed: number;
  blanks: number;
  illegible: number;
  settled: number;
}
const tally: Tally = { fields: 0, keys: 0, enters: 0, typed: 0, blanks: 0, illegible: 0, settled: 0 };
const perForm = new Map<string, { fields: number; keys: number }>();

async function clearAs(reviewer: string): Promise<void> {
  const srv = await startReviewServer({ ctx, reviewer });
  const page = await (await browser.newContext({ viewport: { width: 1300, height: 900 } })).newPage();
  await page.goto(srv.url);
  for (;;) {
    await page.waitForSelector('.card input.value:focus, .empty', { timeout: 20_000 });
    if (await page.locator('.empty').count()) break;
    const info = await page.evaluate(() => {
      const input = document.activeElement as HTMLInputElement;
      const c = input.closest('.card') as HTMLElement;
      return { id: c.dataset.id!, serial: c.dataset.serial!, fieldId: c.dataset.fieldId!, guess: input.value };
    });
    const field = ctx.fields.get(info.fieldId)!;
    const want = getAtPath(truth.get(info.serial) ?? {}, field.path);
    let keys = 0;
    const press = async (k: string) => {
      await page.keyboard.press(k);
      keys++;
    };
    if (want === undefined || want === null || want === false) {
      await press('Alt+B');
      tally.blanks++;
    } else {
      const g = parseTyped(field, info.guess);
      if (info.guess && g.ok && g.kind === 'value' && JSON.stringify(g.value) === JSON.stringify(want)) {
        await press('Enter');
        tally.enters++;
      } else {
        // Type what the paper says the quickest way the page allows: an option by its number.
        let text = displayValue(field, want);
        if (field.type === 'choice') text = String(field.options.findIndex((o) => o.value === want) + 1);
        if (field.type === 'tick' || field.type === 'signature') text = 'y';
        if (field.path.endsWith('nhsNumber')) text = String(want);
        await page.keyboard.type(text);
        keys += text.length;
        await press('Enter');
        tally.typed++;
      }
    }
    const sel = `.card[data-id="${info.id}"]`;
    await page.waitForFunction(
      (s) => !document.querySelector(s) || document.querySelector(s)!.classList.contains('done') || document.querySelector(`${s} .result.bad`),
      sel,
    );
    if (await page.locator(`${sel} .result.bad`).count()) {
      // What the paper says is not a valid value (a writer's error): the person marks it illegible instead.
      await press('Alt+I');
      tally.illegible++;
      await page.waitForFunction((s) => !document.querySelector(s) || document.querySelector(s)!.classList.contains('done'), sel);
    }
    tally.fields++;
    tally.keys += keys;
    const pf = perForm.get(info.serial) ?? { fields: 0, keys: 0 };
    pf.fields++;
    pf.keys += keys;
    perForm.set(info.serial, pf);
  }
  await page.context().close();
  await srv.close();
}

const t0 = Date.now();
// Reviewer one takes everything it may; reviewer two does the blind second keyings; three any third decisions.
for (const r of ['bench.one', 'bench.two', 'bench.three']) await clearAs(r);
await browser.close();
const left = store.reviewableFields().length;
tally.settled = fieldsAtStart.length - tally.fields;
const counts = store.statusCounts().records;
store.close();

const keysPerField = tally.keys / Math.max(tally.fields, 1);
const secondsPerField = READ_S + KEY_S * keysPerField;
const forms = formsAtStart || 1;
const secondsPerForm = (tally.fields * READ_S + tally.keys * KEY_S) / forms;
process.stdout.write(
  [
    `Queue at start: ${fieldsAtStart.length} field(s) on ${formsAtStart} form(s); left at the end: ${left}.`,
    `Reviewed through the page: ${tally.fields} field decisions/keyings (accepted with Enter ${tally.enters}, typed ${tally.typed}, blank ${tally.blanks}, illegible ${tally.illegible}).`,
    `Keystrokes: ${tally.keys} in all, ${keysPerField.toFixed(2)} per field reviewed.`,
    `Estimate at a person's pace (${READ_S} s to read a crop + ${KEY_S} s a keystroke): ${secondsPerField.toFixed(2)} s per field, ${secondsPerForm.toFixed(0)} s per form.`,
    `Forms now: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `Script wall time: ${((Date.now() - t0) / 1000).toFixed(1)} s.`,
  ].join('\n') + '\n',
);
