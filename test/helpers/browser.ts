// Real Chromium (the Debian package) driven by playwright-core, one browser per test file.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Hold every decision's answer back for `ms` after the server gave it. */
export async function slowSaves(page: Page, ms: number) {
  await page.route('**/api/decide', async (route) => {
    const response = await route.fetch();
    await new Promise((r) => setTimeout(r, ms));
    await route.fulfill({ response });
  });
}

export function haveChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

// ---- A small review job without OCR: the standard template's fields read "perfectly" from a truth record, with
// chosen fields read doubtfully (low confidence) or misread, then validated. Crops and page images are tiny PNGs.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { JobStore } from '../../src/job/store.ts';
import type { FieldRead } from '../../src/job/page-store.ts';
import { CALIBRATION_FILE, jobThresholds, rememberTemplate, validateRecord } from '../../src/job/validate.ts';
import { getAtPath } from '../../src/record/paths.ts';
import { loadTemplate } from '../../src/template/load.ts';
import { reviewContext } from '../../src/review/context.ts';
import { startReviewServer, type ReviewServer } from '../../src/review/server.ts';
import type { Field } from '../../src/template/schema.ts';
import { testNhsNumber } from './job-fixture.ts';
import { setJobDowntime } from '../../src/job/downtime-window.ts';
import type { DowntimeWindow } from '../../src/record/downtime.ts';

export const REVIEW_TODAY = '2024-01-01';

/** What a perfect reader would return for a field holding `v` (comb strings, option states). */
export function perfectRead(field: Field, v: unknown): string | string[] {
  const none = v === undefined || v === null;
  switch (field.type) {
    case 'digits':
    case 'capitals':
      return none ? ' '.repeat(field.boxes) : String(v).padEnd(field.boxes).slice(0, Math.max(field.boxes, String(v).length));
    case 'date':
      return none ? ' '.repeat(8) : `${String(v).slice(8, 10)}${String(v).slice(5, 7)}${String(v).slice(0, 4)}`;
    case 'time':
      return none ? '    ' : String(v).replace(':', '');
    case 'decimal': {
      if (none) return ' '.repeat(field.intDigits + field.fracDigits);
      const [i, f = ''] = String(v).split('.');
      return i!.padStart(field.intDigits, ' ') + f.padEnd(field.fracDigits, ' ');
    }
    case 'text':
      return none ? '' : String(v);
    case 'choice':
      return field.options.map((o) => (o.value === v ? 'ticked' : 'empty'));
    case 'multi':
      return field.options.map((o) => (Array.isArray(v) && v.includes(o.value) ? 'ticked' : 'empty'));
    case 'tick':
      return [v === true ? 'ticked' : 'empty'];
    case 'signature':
      return v ? 'x' : '';
  }
}

export interface ReviewJobOptions {
  forms?: number;
  /** Field ids read with low confidence on every form (so they need a person). */
  doubtful?: string[];
  /** Per form index (0-based): field id -> raw reading that replaces the perfect one (confidence stays high). */
  misreads?: Record<number, Record<string, string>>;
  /** Per form index: field id -> the box classifier's alternatives for each box, best first (comb fields). */
  alternatives?: Record<number, Record<string, { char: string; p: number }[][]>>;
  /** The job's downtime window (validate --downtime), in force when the forms are validated. */
  downtime?: DowntimeWindow;
}

export interface ReviewJob {
  dir: string;
  serials: string[];
  /** The truth per serial, as a record object. */
  truth: Map<string, Record<string, unknown>>;
}

const TRUTH_FILE = new URL('../../fixtures/truth/001000.truth.json', import.meta.url);

export async function buildReviewJob(o: ReviewJobOptions = {}): Promise<ReviewJob> {
  const dir = join(mkdtempSync(join(tmpdir(), 'prf-review-')), 'job');
  const template = loadTemplate('standard-prf');
  const store = JobStore.open(dir, { create: true, templateId: template.id, templateVersion: template.version, toolVersion: '0.1.0' });
  const png = await sharp({ create: { width: 60, height: 16, channels: 3, background: '#ffffff' } }).png().toBuffer();
  const pagePng = await sharp({ create: { width: 168, height: 238, channels: 3, background: '#fdfdfd' } }).png().toBuffer();
  const base = JSON.parse(readFileSync(TRUTH_FILE, 'utf8')).record as Record<string, unknown>;
  const doubtful = new Set(o.doubtful ?? []);
  const serials: string[] = [];
  const truth = new Map<string, Record<string, unknown>>();
  try {
    rememberTemplate(store, template);
    if (o.downtime) setJobDowntime(store, o.downtime);
    // A calibrated job: readings at 0.999 are accepted, the 'doubtful' ones (0.5) go to the queue.
    const calibrated = { digits: 0.99, capitals: 0.99, date: 0.99, time: 0.99, decimal: 0.99, choice: 0.75, tick: 0.75, multi: 0.75, signature: 0.6 };
    writeFileSync(
      join(dir, CALIBRATION_FILE),
      JSON.stringify({ templateId: template.id, templateVersion: template.version, targetWrongShare: 0.001, thresholds: calibrated, measuredOn: { fields: 0, forms: 0 }, createdAt: REVIEW_TODAY + 'T00:00:00Z' }),
      { mode: 0o600 },
    );
    const { thresholds } = jobThresholds(dir, template);
    for (let i = 0; i < (o.forms ?? 2); i++) {
      const serial = String(200000 + i);
      const rec = structuredClone(base);
      rec.formSerial = serial;
      (rec.patient as Record<string, unknown>).nhsNumber = testNhsNumber(5000 + i * 13);
      serials.push(serial);
      truth.set(serial, rec);
      const sha = createHash('sha256').update(`review-${serial}`).digest('hex');
      const sourceId = store.pages.beginSource({ path: `scans/${serial}.png`, sha256: sha, bytes: 1, format: 'png' });
      for (const pageNo of [1, 2]) {
        const imagePath = `pages/${serial}-p${pageNo}.png`;
        writeFileSync(join(dir, imagePath), pagePng, { mode: 0o600 });
        const fields: FieldRead[] = template.fields
          .filter((f) => f.page === pageNo)
          .map((f) => {
            const cropPath = `crops/${serial}/${f.id}.png`;
            mkdirSync(dirname(join(dir, cropPath)), { recursive: true, mode: 0o700 });
            writeFileSync(join(dir, cropPath), png, { mode: 0o600 });
            const mis = o.misreads?.[i]?.[f.id];
            const read = mis ?? perfectRead(f, getAtPath(rec, f.path));
            const alternatives = o.alternatives?.[i]?.[f.id];
            return {
              ...(alternatives ? { alternatives } : {}),
              fieldId: f.id,
              type: f.type,
              path: f.path,
              rawText: Array.isArray(read) ? read.join(',') : read,
              read,
              confidence: doubtful.has(f.id) ? 0.5 : 0.999,
              cropPath,
            };
          });
        store.pages.savePage({
          sourceId,
          pageIndex: pageNo - 1,
          state: 'read',
          serial,
          pageNo,
          templateId: template.id,
          templateVersion: template.version,
          pagesExpected: 2,
          rotation: 0,
          dpi: 300,
          imagePath,
          fields,
        });
      }
      store.pages.finishSource(sourceId, 2);
      validateRecord(store, template, thresholds, serial, REVIEW_TODAY);
    }
  } finally {
    store.close();
  }
  return { dir, serials, truth };
}

/**
 * One browser for a test file and the review servers it starts, closed together: `serve` opens a job for a reviewer,
 * `newPage` a fresh context at the given viewport.
 */
export function reviewBrowserSession(viewport: { width: number; height: number }) {
  let browser: Browser | undefined;
  const open: { srv: ReviewServer; store: JobStore }[] = [];
  return {
    async start(): Promise<void> {
      browser = await launchChromium();
    },
    async serve(dir: string, reviewer: string): Promise<{ srv: ReviewServer; store: JobStore }> {
      const store = JobStore.open(dir);
      const srv = await startReviewServer({ ctx: reviewContext(store, { today: REVIEW_TODAY }), reviewer });
      open.push({ srv, store });
      return { srv, store };
    },
    async newPage(): Promise<Page> {
      const ctx = await browser!.newContext({ viewport });
      return ctx.newPage();
    },
    async close(): Promise<void> {
      for (const o of open) {
        await o.srv.close();
        o.store.close();
      }
      await browser?.close();
    },
  };
}

/**
 * A describe block over one review browser session, started before its tests and closed after them. Under CI a
 * missing chromium fails the launch (and so every test) rather than skipping it.
 */
export function describeInChromium(name: string, session: ReturnType<typeof reviewBrowserSession>, body: () => void): void {
  describe.skipIf(!haveChromium() && process.env.CI !== 'true')(name, () => {
    beforeAll(() => session.start(), 60_000);
    afterAll(() => session.close());
    body();
  });
}
