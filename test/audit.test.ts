import { describe, it, expect } from 'vitest';
import { Command } from 'commander';
import { JobStore } from '../src/job/store.ts';
import { registerAuditCommand } from '../src/cli/audit.ts';
import { reviewContext } from '../src/review/context.ts';
import { decide } from '../src/review/decide.ts';
import { recordHistory } from '../src/review/audit-format.ts';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';

async function runAudit(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerAuditCommand(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'prf-backload', 'audit', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe('audit', () => {
  it('shows every value of a record from the OCR read to each person\'s decision, in order', async () => {
    const job = await buildReviewJob({ forms: 2, doubtful: ['time.callreceived'] });
    const serial = job.serials[0]!;
    const store = JobStore.open(job.dir);
    const ctx = reviewContext(store, { today: REVIEW_TODAY });
    const f = store.records.field(serial, 'time.callreceived')!;
    const out1 = decide(ctx, { serial, fieldId: f.fieldId, reviewer: 'dm.audit', action: 'enter', text: '11:24', expectedVersion: f.version });
    expect(out1.ok).toBe(true);
    const h = recordHistory(serial, store.review.auditOf(serial));
    const events = h.fields.find((x) => x.fieldId === 'time.callreceived')!.events;
    expect(events.map((e) => `${e.actor}:${e.action}`)).toEqual(['ocr:read', 'validate:validate', 'dm.audit:review-correct']);
    expect(events.map((e) => e.value)).toEqual(['1123', '11:23', '11:24']);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    store.close();

    // By default: who did what to which field and when, never a value (names, DOBs and postcodes stay off the console).
    const plain = await runAudit(['--job', job.dir, '--record', serial]);
    expect(plain).toContain(`Form ${serial}: audit history`);
    expect(plain).toMatch(/dm\.audit\s+corrected \[verified\]/);
    const rec = job.truth.get(serial)!.patient as { nhsNumber: string; surname: string; postcode: string; dateOfBirth: string };
    for (const secret of ['1123', '11:24', rec.surname, rec.postcode, rec.dateOfBirth, rec.nhsNumber]) expect(plain).not.toContain(secret);
    const plainJson = JSON.stringify(JSON.parse(await runAudit(['--job', job.dir, '--record', serial, '--json'])));
    for (const secret of ['1123', '11:24', rec.surname]) expect(plainJson).not.toContain(secret);

    const text = await runAudit(['--job', job.dir, '--record', serial, '--values']);
    expect(text).toContain(`Form ${serial}: audit history`);
    const block = text.slice(text.indexOf('time.callreceived'));
    const ocr = block.indexOf('read by OCR: "1123"');
    const val = block.indexOf('checked: "11:23"');
    const corr = block.indexOf('dm.audit     corrected: "11:24" [verified]');
    expect(ocr).toBeGreaterThan(-1);
    expect(val).toBeGreaterThan(ocr);
    expect(corr).toBeGreaterThan(val);
    const json = JSON.parse(await runAudit(['--job', job.dir, '--record', serial, '--json', '--values']));
    expect(json.serial).toBe(serial);
    expect(JSON.stringify(json)).toContain('11:24');

    // Without --record: counts per form only, never a value.
    const summary = await runAudit(['--job', job.dir]);
    expect(summary).toMatch(new RegExp(`${serial}\\s+\\d+\\s+1\\s+`));
    const nhs = String((job.truth.get(serial)!.patient as { nhsNumber: string }).nhsNumber);
    for (const secret of [nhs, 'WHITE', '1996', '11:24']) expect(summary).not.toContain(secret);
  });
});
