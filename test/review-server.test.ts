import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { startReviewServer, type ReviewServer } from '../src/review/server.ts';
import { testNhsNumber } from './helpers/job-fixture.ts';
import { buildReviewJob, REVIEW_TODAY, type ReviewJob } from './helpers/browser.ts';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Res> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const json = (srv: ReviewServer, path: string, body: unknown, extra: Record<string, string> = {}) =>
  raw(srv.port, 'POST', `/${srv.token}/${path}`, { 'Content-Type': 'application/json', Origin: srv.origin, ...extra }, JSON.stringify(body));

let job: ReviewJob;
const open: { srv: ReviewServer; store: JobStore }[] = [];

async function serve(reviewer: string, opts: { leaseMs?: number; dir?: string } = {}) {
  const store = JobStore.open(opts.dir ?? job.dir);
  const ctx = reviewContext(store, { today: REVIEW_TODAY, leaseMs: opts.leaseMs });
  const srv = await startReviewServer({ ctx, reviewer });
  open.push({ srv, store });
  return { srv, store };
}

beforeAll(async () => {
  job = await buildReviewJob({ forms: 3, doubtful: ['time.callreceived', 'patient.nhs'] });
});

afterAll(async () => {
  for (const o of open) {
    await o.srv.close();
    o.store.close();
  }
});

describe('review server security', () => {
  it('serves only with the token; every response carries the security headers', async () => {
    const { srv } = await serve('sec.a');
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{40,}\/$/);
    for (const p of ['/', '/app.js', '/app.css', '/favicon.ico', '/api/progress', `/${srv.token.slice(0, -1)}x/app.js`, `/x${srv.token}/`]) {
      const r = await raw(srv.port, 'GET', p);
      expect(r.status, p).toBe(403);
      expect(r.body).not.toContain('<html');
    }
    const ok = await raw(srv.port, 'GET', `/${srv.token}/`);
    expect(ok.status).toBe(200);
    const csp = String(ok.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect(ok.headers['referrer-policy']).toBe('no-referrer');
    expect(ok.headers['cache-control']).toBe('no-store');
    // No inline script: every <script> names a file.
    for (const tag of ok.body.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/src="(app|group|chars|suggest|edit)\.js"/);
    expect(ok.body).not.toMatch(/<script[^>]*>[^<]+<\/script>/);
    expect(ok.body).not.toMatch(/\son\w+=/i);
    const refused = await raw(srv.port, 'GET', '/app.js');
    expect(refused.headers['content-security-policy']).toBe(csp);
    expect(refused.headers['cache-control']).toBe('no-store');
    const js = await raw(srv.port, 'GET', `/${srv.token}/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('refuses another Host (DNS rebinding) even with the token', async () => {
    const { srv } = await serve('sec.b');
    const r = await raw(srv.port, 'GET', `/${srv.token}/`, { Host: `evil.example:${srv.port}` });
    expect(r.status).toBe(403);
  });

  it('refuses state-changing requests not from our own origin', async () => {
    const { srv } = await serve('sec.c');
    const body = JSON.stringify({});
    const post = (h: Record<string, string>) => raw(srv.port, 'POST', `/${srv.token}/api/next`, { 'Content-Type': 'application/json', ...h }, body);
    expect((await post({})).status).toBe(403);
    expect((await post({ Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ Origin: `http://127.0.0.1:${srv.port + 1}` })).status).toBe(403);
    expect((await post({ Referer: 'http://evil.example/x' })).status).toBe(403);
    expect((await post({ Origin: 'null' })).status).toBe(403);
    expect((await post({ Origin: srv.origin })).status).toBe(200);
    expect((await post({ Referer: `${srv.origin}/${srv.token}/` })).status).toBe(200);
    // a form post (not JSON) is refused even from our origin
    const form = await raw(srv.port, 'POST', `/${srv.token}/api/next`, { Origin: srv.origin, 'Content-Type': 'application/x-www-form-urlencoded' }, 'kind=');
    expect(form.status).toBe(415);
    // without the token the origin does not matter
    expect((await raw(srv.port, 'POST', '/api/next', { Origin: srv.origin, 'Content-Type': 'application/json' }, body)).status).toBe(403);
  });

  it('serves images only from the files the job store names; traversal in any spelling is refused', async () => {
    const { srv, store } = await serve('sec.d');
    const f = store.records.field(job.serials[0]!, 'patient.surname')!;
    const crop = await raw(srv.port, 'GET', `/${srv.token}/crop/${f.id}`);
    expect(crop.status).toBe(200);
    expect(crop.headers['content-type']).toBe('image/png');
    const page = await raw(srv.port, 'GET', `/${srv.token}/page/${job.serials[0]}/1`);
    expect(page.status).toBe(200);
    const t = srv.token;
    const attempts = [
      `/${t}/crop/../job.sqlite`,
      `/${t}/../${t}/job.sqlite`,
      `/${t}/crop/..%2fjob.sqlite`,
      `/${t}/crop/%2e%2e/job.sqlite`,
      `/${t}/%2e%2e/%2e%2e/etc/passwd`,
      `/${t}/crop/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd`,
      `/${t}//etc/passwd`,
      `/${t}/crops/${job.serials[0]}/patient.surname.png`,
      `/${t}/page/${job.serials[0]}/1/../../../job.sqlite`,
      `/${t}/job.sqlite`,
      `/${t}/crop/${f.id}x`,
      `/${t}/crop/..\\..\\job.sqlite`,
    ];
    for (const p of attempts) {
      const r = await raw(srv.port, 'GET', p);
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      expect(r.body, p).not.toContain('SQLite format');
      expect(r.body, p).not.toContain('root:');
    }
    // A tampered store naming files outside the job (relative, absolute, or through a symlink) still serves nothing.
    const victim = store.records.field(job.serials[0]!, 'patient.forenames')!;
    symlinkSync('/etc/passwd', join(job.dir, 'crops', 'link.png'));
    // Crops are cut from the page image the store names, or (old jobs) read from the crop file it names: both checked.
    const victimPage = store.pages.pageOfRecord(job.serials[0]!, 1)!;
    for (const bad of ['../../../../etc/passwd', '/etc/passwd', 'crops/link.png', 'job.sqlite']) {
      store.db.prepare('UPDATE fields SET crop_path = ? WHERE id = ?').run(bad, victim.id);
      store.db.prepare('UPDATE pages SET image_path = ? WHERE id = ?').run(bad, victimPage.id);
      for (const url of [`/${t}/crop/${victim.id}`, `/${t}/crop/${victim.id}/context`, `/${t}/page/${job.serials[0]}/1`]) {
        const r = await raw(srv.port, 'GET', url);
        expect(r.status, `${bad} ${url}`).toBe(404);
        expect(r.body).not.toContain('root:');
      }
    }
    store.db.prepare('UPDATE fields SET crop_path = ? WHERE id = ?').run(victim.cropPath, victim.id);
    store.db.prepare('UPDATE pages SET image_path = ? WHERE id = ?').run(victimPage.imagePath, victimPage.id);
  });
});

describe('review API', () => {
  it('two reviewers at once never get the same item', async () => {
    const a = await serve('rev.a');
    const b = await serve('rev.b');
    const ra = JSON.parse((await json(a.srv, 'api/next', {})).body);
    const rb = JSON.parse((await json(b.srv, 'api/next', {})).body);
    const ida = new Set(ra.items.map((i: { id: number }) => i.id));
    expect(ra.items.length).toBeGreaterThan(0);
    expect(rb.items.length).toBeGreaterThan(0);
    for (const i of rb.items) expect(ida.has(i.id)).toBe(false);
    // one form each (grouped by form)
    expect(new Set(ra.items.map((i: { serial: string }) => i.serial)).size).toBe(1);
    expect(ra.items[0].serial).not.toBe(rb.items[0].serial);
    // B cannot decide A's item
    const first = ra.items.find((i: { fieldId: string }) => i.fieldId === 'time.callreceived');
    const r = await json(b.srv, 'api/decide', { serial: first.serial, fieldId: first.fieldId, action: 'enter', text: '11:23', expectedVersion: first.version });
    expect(r.status).toBe(409);
    expect(JSON.parse(r.body).outcome.message).toMatch(/Another reviewer/);
  });

  it('a lease that runs out frees its items for another reviewer', async () => {
    const leaseJob = await buildReviewJob({ forms: 1, doubtful: ['time.clear'] });
    // A lease long enough that b's first request comes inside it on a loaded machine (150 ms did not, once).
    const a = await serve('lease.a', { dir: leaseJob.dir, leaseMs: 1500 });
    const b = await serve('lease.b', { dir: leaseJob.dir });
    const ra = JSON.parse((await json(a.srv, 'api/next', {})).body);
    expect(ra.items.length).toBeGreaterThan(0);
    expect(JSON.parse((await json(b.srv, 'api/next', {})).body).items).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 1700));
    const rb = JSON.parse((await json(b.srv, 'api/next', {})).body);
    expect(rb.items.map((i: { id: number }) => i.id).sort()).toEqual(ra.items.map((i: { id: number }) => i.id).sort());
  });

  it('saves a decision with the audit and re-validates; a stale version gets a clear message; bad input is refused', async () => {
    const own = await buildReviewJob({ forms: 1, doubtful: ['time.callreceived'] });
    const { srv, store } = await serve('rev.c', { dir: own.dir });
    const { items } = JSON.parse((await json(srv, 'api/next', { kind: 'time' })).body);
    expect(items.length).toBeGreaterThan(0);
    const it0 = items[0];
    expect(it0.guess).toBe('11:23');
    const bad = await json(srv, 'api/decide', { serial: it0.serial, fieldId: it0.fieldId, action: 'enter', text: '2561', expectedVersion: it0.version });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body).outcome.message).toMatch(/24-hour/);
    const stale = await json(srv, 'api/decide', { serial: it0.serial, fieldId: it0.fieldId, action: 'enter', text: '1124', expectedVersion: it0.version - 1 });
    expect(stale.status).toBe(409);
    expect(JSON.parse(stale.body).outcome.message).toMatch(/Someone else changed this field/);
    const good = await json(srv, 'api/decide', { serial: it0.serial, fieldId: it0.fieldId, action: 'enter', text: '1124', expectedVersion: it0.version });
    expect(good.status).toBe(200);
    const out = JSON.parse(good.body).outcome;
    expect(out.field.status).toBe('verified');
    expect(out.field.value).toBe('11:24');
    const audit = store.review.auditOf(it0.serial).filter((a) => a.fieldId === it0.fieldId);
    const last = audit.find((a) => a.action === 'review-correct')!;
    expect(last.actor).toBe('rev.c');
    expect(last.before).toMatchObject({ value: '11:23' });
    expect(last.after).toMatchObject({ value: '11:24', status: 'verified' });
    // the record was re-validated at once: a validate entry or status entry follows the decision
    expect(store.records.record(it0.serial)!.status).toBe(out.recordAfter);
    // the audit refuses rewriting
    expect(() => store.db.prepare('UPDATE audit SET actor = ? WHERE id = ?').run('x', last.id)).toThrow(/append-only/);
  });

  it('double keying: a machine reading that passes its checks is the first keying; one person keys blind, a mismatch goes to another', async () => {
    const dkJob = await buildReviewJob({ forms: 2, doubtful: ['patient.nhs'] });
    job.truth = new Map([...job.truth, ...dkJob.truth]);
    const x = await serve('dk.x', { dir: dkJob.dir });
    const y = await serve('dk.y', { dir: dkJob.dir });
    const nhsItems = async (s: ReviewServer) => JSON.parse((await json(s, 'api/next', { kind: 'nhs-number' })).body).items as any[];
    const xi = await nhsItems(x.srv);
    expect(xi.length).toBeGreaterThanOrEqual(2);
    const [p, q] = xi;
    // The machine read a valid NHS number (check digit passes): X keys blind, seeing neither guess nor reading.
    expect(p.stage).toBe('second');
    expect(p.guess).toBe('');
    const truthP = String((job.truth.get(p.serial)!.patient as any).nhsNumber);
    const truthQ = String((job.truth.get(q.serial)!.patient as any).nhsNumber);
    expect(JSON.stringify(p)).not.toContain(truthP);
    let r = JSON.parse((await json(x.srv, 'api/decide', { serial: p.serial, fieldId: p.fieldId, action: 'enter', text: truthP, expectedVersion: p.version })).body);
    expect(r.outcome.result).toBe('decided');
    expect(r.outcome.field).toMatchObject({ status: 'verified', value: truthP, verifiedBy: 'dk.x' });
    expect(x.store.review.auditOf(p.serial).find((a) => a.fieldId === p.fieldId && a.action === 'review-verify')!.note).toBe('double-keyed: matches the machine reading');
    // X keys Q differently from the machine: a mismatch, for a person who keyed neither.
    const wrong = testNhsNumber(777);
    r = JSON.parse((await json(x.srv, 'api/decide', { serial: q.serial, fieldId: q.fieldId, action: 'enter', text: wrong, expectedVersion: q.version })).body);
    expect(r.outcome.result).toBe('mismatch');
    expect((await nhsItems(x.srv)).map((i) => i.id)).not.toContain(q.id);
    await x.srv.close();
    const yq = (await nhsItems(y.srv)).find((i) => i.id === q.id)!;
    expect(yq.stage).toBe('third');
    expect(yq.keyed).toHaveLength(2);
    expect(yq.keyed.filter((k: string) => k.endsWith('(machine reading)'))).toHaveLength(1);
    r = JSON.parse((await json(y.srv, 'api/decide', { serial: q.serial, fieldId: q.fieldId, action: 'enter', text: truthQ, expectedVersion: yq.version })).body);
    expect(r.outcome.field).toMatchObject({ status: 'verified', value: truthQ, verifiedBy: 'dk.y' });
    await y.srv.close();
  });

  it('double keying without a machine reading that passes: two people key it, the second blind', async () => {
    const dkJob = await buildReviewJob({ forms: 1, misreads: { 0: { 'patient.nhs': '99900?0000' } } });
    job.truth = new Map([...job.truth, ...dkJob.truth]);
    const x = await serve('dk.x', { dir: dkJob.dir });
    const y = await serve('dk.y', { dir: dkJob.dir });
    const nhsItems = async (s: ReviewServer) => JSON.parse((await json(s, 'api/next', { kind: 'nhs-number' })).body).items as any[];
    const [p] = await nhsItems(x.srv);
    expect(p.stage).toBe('first');
    const truthP = String((job.truth.get(p.serial)!.patient as any).nhsNumber);
    let r = JSON.parse((await json(x.srv, 'api/decide', { serial: p.serial, fieldId: p.fieldId, action: 'enter', text: truthP, expectedVersion: p.version })).body);
    expect(r.outcome.result).toBe('keyed');
    await x.srv.close();
    const yp = (await nhsItems(y.srv)).find((i) => i.id === p.id)!;
    expect(yp.stage).toBe('second');
    expect(yp.guess).toBe('');
    r = JSON.parse((await json(y.srv, 'api/decide', { serial: p.serial, fieldId: p.fieldId, action: 'enter', text: truthP, expectedVersion: yp.version })).body);
    expect(r.outcome.field).toMatchObject({ status: 'verified', value: truthP, verifiedBy: 'dk.y' });
    const actions = y.store.review.auditOf(p.serial).filter((a) => a.fieldId === p.fieldId).map((a) => `${a.actor}:${a.action}`);
    expect(actions).toContain('dk.x:review-key-key');
    expect(actions).toContain('dk.y:review-correct'); // the machine had no value: the keyed one is a correction
    await y.srv.close();
  });
});
