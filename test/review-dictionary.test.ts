// The job's dictionary for suggestions while keying: what people settled for the same template field in this job
// (never a value the machine accepted by itself, never another field's or another job's), with the template's
// vocabulary after; never for a blind keying; and a value is only ever settled by a decision on what was sent.
import { describe, it, expect, afterAll } from 'vitest';
import { request } from 'node:http';
import { JobStore } from '../src/job/store.ts';
import { reviewContext, type ReviewContext } from '../src/review/context.ts';
import { decide } from '../src/review/decide.ts';
import { fieldDictionary, mergeDictionary, offersSuggestions, screenDictionaries } from '../src/review/dictionary.ts';
import { claimGroup, toQueueItem } from '../src/review/queue.ts';
import { startReviewServer, SUGGESTED_NOTE, type ReviewServer } from '../src/review/server.ts';
import { loadTemplate } from '../src/template/load.ts';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';

const open: { srv?: ReviewServer; store: JobStore }[] = [];
afterAll(async () => {
  for (const o of open) {
    await o.srv?.close();
    o.store.close();
  }
});

async function job(forms = 4) {
  const j = await buildReviewJob({ forms, doubtful: ['clinical.complaint', 'patient.surname'] });
  const store = JobStore.open(j.dir);
  open.push({ store });
  return { ...j, store, ctx: reviewContext(store, { today: REVIEW_TODAY }) };
}

function settle(ctx: ReviewContext, serial: string, fieldId: string, text: string, reviewer = 'dict.person') {
  const f = ctx.store.records.field(serial, fieldId)!;
  const out = decide(ctx, { serial, fieldId, reviewer, action: 'enter', text, expectedVersion: f.version });
  expect(out.ok).toBe(true);
}

describe('the job dictionary', () => {
  it("holds what people settled for that template field in this job, most often first, then the template's list", async () => {
    const { ctx, serials, store } = await job();
    settle(ctx, serials[0]!, 'clinical.complaint', 'CHEST PAIN');
    settle(ctx, serials[1]!, 'clinical.complaint', 'ASTHMA ATTACK');
    settle(ctx, serials[2]!, 'clinical.complaint', 'ASTHMA ATTACK', 'dict.other');
    settle(ctx, serials[0]!, 'patient.surname', 'SMITH');
    expect(store.review.personValues('clinical.complaint', 10)).toEqual([
      { value: 'ASTHMA ATTACK', n: 2 },
      { value: 'CHEST PAIN', n: 1 },
    ]);
    const dict = fieldDictionary(ctx, 'clinical.complaint');
    expect(dict.slice(0, 2)).toEqual([
      { text: 'ASTHMA ATTACK', n: 2, vocab: false },
      { text: 'CHEST PAIN', n: 1, vocab: true },
    ]);
    // The rest is the template's list in its order, without what the job already has.
    const complaint = ctx.fields.get('clinical.complaint')!;
    const vocabulary = complaint.type === 'text' ? complaint.vocabulary ?? [] : [];
    expect(vocabulary.length).toBeGreaterThan(5);
    expect(dict.slice(2).map((e) => e.text)).toEqual(vocabulary.filter((v) => v !== 'CHEST PAIN'));
    expect(dict.slice(2).every((e) => e.n === 0 && e.vocab)).toBe(true);
    // Another field's values never: the surname's dictionary is the surname only.
    expect(fieldDictionary(ctx, 'patient.surname')).toEqual([{ text: 'SMITH', n: 1, vocab: false }]);
  });

  it('never holds a value the machine accepted by itself, a blank, or a value of another job', async () => {
    const a = await job(3);
    const b = await job(3);
    // The call sign was read sure enough and accepted on every form: no person settled it.
    expect(a.store.records.field(a.serials[0]!, 'incident.callsign')!.status).toBe('accepted');
    expect(fieldDictionary(a.ctx, 'incident.callsign')).toEqual([]);
    settle(a.ctx, a.serials[0]!, 'patient.surname', 'JONES');
    expect(fieldDictionary(a.ctx, 'patient.surname').map((e) => e.text)).toEqual(['JONES']);
    expect(fieldDictionary(b.ctx, 'patient.surname')).toEqual([]);
    // A blank on form is no entry.
    const f = a.store.records.field(a.serials[1]!, 'patient.surname')!;
    expect(decide(a.ctx, { serial: a.serials[1]!, fieldId: 'patient.surname', reviewer: 'dict.person', action: 'blank', expectedVersion: f.version }).ok).toBe(true);
    expect(fieldDictionary(a.ctx, 'patient.surname').map((e) => e.text)).toEqual(['JONES']);
  });

  it('merges case-insensitively and keeps capitals as capitals', () => {
    const template = loadTemplate('standard-prf');
    const surname = template.fields.find((f) => f.id === 'patient.surname')!;
    expect(mergeDictionary(surname, [{ text: 'SMITH', n: 3 }, { text: 'smith ', n: 1 }], ['Smith', 'jones'])).toEqual([
      { text: 'SMITH', n: 3, vocab: true },
      { text: 'JONES', n: 0, vocab: true },
    ]);
  });

  it('is offered for free text and capitals only, and never when keying blind', async () => {
    const { ctx, serials } = await job(1);
    expect(offersSuggestions({ type: 'text' }, 'single')).toBe(true);
    expect(offersSuggestions({ type: 'capitals' }, 'first')).toBe(true);
    expect(offersSuggestions({ type: 'digits' }, 'single')).toBe(false);
    expect(offersSuggestions({ type: 'date' }, 'single')).toBe(false);
    for (const stage of ['second', 'third'] as const) expect(offersSuggestions({ type: 'capitals' }, stage)).toBe(false);
    const row = ctx.store.records.field(serials[0]!, 'patient.surname')!;
    const field = ctx.fields.get('patient.surname')!;
    expect(toQueueItem(ctx, row, field, 'single').suggest).toBe(true);
    expect(toQueueItem(ctx, row, field, 'second').suggest).toBeUndefined();
    expect(screenDictionaries(ctx, [toQueueItem(ctx, row, field, 'second')])).toEqual({});
    expect(Object.keys(screenDictionaries(ctx, [toQueueItem(ctx, row, field, 'single')]))).toEqual(['patient.surname']);
    // A group screen of free text carries its field's dictionary; a screen of digits carries none.
    const group = claimGroup(ctx, 'dict.group', 'clinical.complaint', 10);
    expect(group.items.every((i) => i.suggest)).toBe(true);
  });
});

function post(srv: ReviewServer, path: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((ok, fail) => {
    const data = JSON.stringify(body);
    const req = request(
      { host: '127.0.0.1', port: srv.port, method: 'POST', path: `/${srv.token}/${path}`, headers: { Host: `127.0.0.1:${srv.port}`, 'Content-Type': 'application/json', Origin: srv.origin } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      },
    );
    req.on('error', fail);
    req.end(data);
  });
}

describe('no value is settled from a suggestion alone', () => {
  it('screens carry dictionaries and change nothing; only a decision on the text sent settles, and the log names no value', async () => {
    const { ctx, serials, store } = await job(3);
    settle(ctx, serials[0]!, 'clinical.complaint', 'CENTRAL CHEST PAIN');
    const lines: string[] = [];
    const srv = await startReviewServer({ ctx, reviewer: 'dict.page', log: (l) => lines.push(l) });
    open.push({ srv, store: JobStore.open(store.dir) });
    const fieldsNow = () => JSON.stringify(store.db.prepare('SELECT serial, field_id, value_json, status, version FROM fields ORDER BY id').all());
    const auditNow = () => (store.db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n;
    const [fields0, audit0] = [fieldsNow(), auditNow()];
    const group = await post(srv, 'api/group', { fieldId: 'clinical.complaint', limit: 10 });
    expect(group.status).toBe(200);
    expect(group.body.dictionaries['clinical.complaint'][0]).toEqual({ text: 'CENTRAL CHEST PAIN', n: 1, vocab: false });
    const next = await post(srv, 'api/next', {});
    expect(next.status).toBe(200);
    expect(Object.keys(next.body.dictionaries).sort()).toEqual(next.body.items.filter((i: { suggest?: boolean }) => i.suggest).map((i: { fieldId: string }) => i.fieldId).filter((v: string, i: number, a: string[]) => a.indexOf(v) === i).sort());
    // Showing suggestions settled nothing and wrote no audit.
    expect(fieldsNow()).toBe(fields0);
    expect(auditNow()).toBe(audit0);
    // There is no action that takes a suggestion: a decision saves the text sent, suggested or not.
    const item = group.body.items[0];
    expect((await post(srv, 'api/decide', { serial: item.serial, fieldId: item.fieldId, action: 'suggestion', text: 'CENTRAL CHEST PAIN', expectedVersion: item.version })).status).toBe(400);
    expect(store.records.field(item.serial, item.fieldId)!.status).toBe('needs-review');
    const saved = await post(srv, 'api/decide', { serial: item.serial, fieldId: item.fieldId, action: 'enter', text: 'CENTRAL CHEST PAIN, SWEATY', expectedVersion: item.version, suggested: true });
    expect(saved.status).toBe(200);
    expect(store.records.field(item.serial, item.fieldId)).toMatchObject({ status: 'verified', value: 'CENTRAL CHEST PAIN, SWEATY', verifiedBy: 'dict.page' });
    const audit = store.review.auditOf(item.serial).filter((a) => a.fieldId === item.fieldId && a.actor === 'dict.page');
    expect(audit.map((a) => a.note)).toEqual([SUGGESTED_NOTE]);
    // The suggestion's text is in no log line; counts and ids only.
    expect(lines.some((l) => /CHEST|PAIN|SWEATY/i.test(l))).toBe(false);
    expect(lines.some((l) => /dictionary/.test(l))).toBe(true);
  });
});
