// The review server seen from outside, as an attacker on the network or a hostile web page would try it. Adds to
// test/review-server.test.ts: the bind address and other interfaces, the token on every route and method, the CSP on
// every kind of response, and that a refused request changes nothing in the job.
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { startReviewServer, type ReviewServer } from '../src/review/server.ts';
import { buildReviewJob, REVIEW_TODAY, type ReviewJob } from './helpers/browser.ts';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(host: string, port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Res> {
  return new Promise((ok, fail) => {
    const req = request({ host, port, method, path, headers: { Host: `127.0.0.1:${port}`, ...headers }, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

let job: ReviewJob;
let store: JobStore;
let srv: ReviewServer;

beforeAll(async () => {
  job = await buildReviewJob({ forms: 2, doubtful: ['patient.nhs'] });
  store = JobStore.open(job.dir);
  srv = await startReviewServer({ ctx: reviewContext(store, { today: REVIEW_TODAY }), reviewer: 'rel.a' });
}, 120_000);

afterAll(async () => {
  await srv?.close();
  store?.close();
});

/** Every route the page uses, with a real id, as [method, path after the token, body]. */
function routes(): [string, string, string?][] {
  const serial = job.serials[0]!;
  const field = store.records.field(serial, 'patient.surname')!;
  return [
    ['GET', ''],
    ['GET', 'index.html'],
    ['GET', 'app.js'],
    ['GET', 'app.css'],
    ['GET', 'favicon.svg'],
    ['HEAD', 'app.js'],
    ['GET', 'api/progress'],
    ['GET', 'api/recent'],
    ['GET', `api/form/${serial}`],
    ['GET', `crop/${field.id}`],
    ['GET', `page/${serial}/1`],
    ['POST', 'api/next', '{}'],
    ['POST', 'api/decide', JSON.stringify({ serial, fieldId: 'patient.surname', action: 'blank', expectedVersion: field.version })],
  ];
}

function stateOfJob(): string {
  const audit = store.db.prepare('SELECT count(*) AS n, max(id) AS last FROM audit').get();
  const claims = store.db.prepare('SELECT count(*) AS n FROM review_claims').get();
  const fields = store.db.prepare('SELECT sum(version) AS v FROM fields').get();
  return JSON.stringify({ audit, claims, fields });
}

describe('review server, from outside', () => {
  it('listens on 127.0.0.1 only: no other interface of this machine answers', async () => {
    const addr = srv.server.address() as { address: string; family: string; port: number };
    expect(addr.address).toBe('127.0.0.1');
    expect(srv.url.startsWith('http://127.0.0.1:')).toBe(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')
      .map((i) => i!.address);
    for (const ip of others) {
      await expect(send(ip, srv.port, 'GET', `/${srv.token}/`), ip).rejects.toThrow(/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|timeout/);
    }
    // IPv6 loopback is not bound either (only the one address the URL names).
    await expect(send('::1', srv.port, 'GET', `/${srv.token}/`)).rejects.toThrow();
  });

  it('asks for the token on every route and method: none, a wrong one of the same length, or one in the query string', async () => {
    const before = stateOfJob();
    const t = srv.token;
    const wrong = (t[0] === 'A' ? 'B' : 'A') + t.slice(1);
    for (const [method, path, body] of routes()) {
      const headers = { 'Content-Type': 'application/json', Origin: srv.origin };
      for (const p of [`/${path}`, `/${wrong}/${path}`, `/${path}?token=${t}`, `/x/${t}/${path}`, `/${t.toUpperCase()}/${path}`]) {
        const r = await send('127.0.0.1', srv.port, method, p, headers, body);
        expect(r.status, `${method} ${p}`).toBe(403);
        expect(r.body.toString('latin1'), `${method} ${p}`).not.toMatch(/<html|PNG|"items"|"pages"/);
      }
    }
    expect(stateOfJob()).toBe(before);
    // and with the token, each of them works
    for (const [method, path, body] of routes().filter(([m]) => m !== 'POST')) {
      const r = await send('127.0.0.1', srv.port, method, `/${t}/${path}`, {}, body);
      expect(r.status, `${method} ${path}`).toBe(200);
    }
  });

  it('refuses state-changing requests from other origins, and they change nothing', async () => {
    const before = stateOfJob();
    const t = srv.token;
    const foreign: Record<string, string>[] = [
      { Origin: 'http://evil.example' },
      { Origin: `http://127.0.0.1:${srv.port + 1}` },
      { Origin: `https://127.0.0.1:${srv.port}` },
      { Origin: 'null' },
      { Referer: `http://evil.example/${t}/` },
      { Referer: `http://127.0.0.1:${srv.port}.evil.example/` },
      {},
    ];
    for (const [, path, body] of routes().filter(([m]) => m === 'POST')) {
      for (const h of foreign) {
        const r = await send('127.0.0.1', srv.port, 'POST', `/${t}/${path}`, { 'Content-Type': 'application/json', ...h }, body);
        expect(r.status, `${path} ${JSON.stringify(h)}`).toBe(403);
      }
      // A "simple" cross-site form post (no preflight) is refused even when it claims our origin.
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const r = await send('127.0.0.1', srv.port, 'POST', `/${t}/${path}`, { 'Content-Type': type, Origin: srv.origin }, body);
        expect(r.status, `${path} ${type}`).toBe(415);
      }
      // Other methods are not a way round it.
      for (const m of ['PUT', 'DELETE', 'PATCH']) {
        const r = await send('127.0.0.1', srv.port, m, `/${t}/${path}`, { 'Content-Type': 'application/json', Origin: srv.origin }, body);
        // 405 from the server, or 400 from Node's parser for a body it will not take with this method
        expect([400, 405], `${m} ${path}`).toContain(r.status);
      }
    }
    expect(stateOfJob()).toBe(before);
  });

  it('crop and page routes take ids only: ../, %2e%2e%2f, double encoding, backslashes and absolute paths all fail', async () => {
    const t = srv.token;
    const serial = job.serials[0]!;
    const attempts = [
      'crop/../../job.sqlite',
      'crop/..%2f..%2fjob.sqlite',
      'crop/%2e%2e%2f%2e%2e%2fjob.sqlite',
      'crop/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      'crop/%252e%252e%252fjob.sqlite',
      'crop/..%5c..%5cjob.sqlite',
      'crop/%c0%ae%c0%ae%c0%afjob.sqlite',
      'crop//etc/passwd',
      'crop/%2Fetc%2Fpasswd',
      `page/${serial}/..%2f..%2f..%2fjob.sqlite`,
      `page/${serial}/%2e%2e`,
      'page/../../../../etc/passwd',
      `page/${serial}/1%00.png`,
      'app.js/../../job.sqlite',
      '%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      'crop/1;/etc/passwd',
    ];
    for (const a of attempts) {
      const r = await send('127.0.0.1', srv.port, 'GET', `/${t}/${a}`);
      expect(r.status, a).toBeGreaterThanOrEqual(400);
      expect(r.status, a).toBeLessThan(500);
      expect(r.body.toString('latin1'), a).not.toMatch(/SQLite format|root:|\x89PNG/);
    }
    // An absolute URL in the request line is no way round it either.
    const abs = await send('127.0.0.1', srv.port, 'GET', `http://127.0.0.1:${srv.port}/${t}/crop/..%2f..%2fjob.sqlite`);
    expect(abs.status).toBeGreaterThanOrEqual(400);
  });

  it('sends a strict Content-Security-Policy on every kind of response', async () => {
    const t = srv.token;
    const field = store.records.field(job.serials[0]!, 'patient.surname')!;
    const kinds = [`/${t}/`, `/${t}/app.js`, `/${t}/api/progress`, `/${t}/crop/${field.id}`, '/', `/${t}/nothing-here`, `/${t}/crop/%2e%2e`];
    const policies = new Set<string>();
    for (const p of kinds) {
      const r = await send('127.0.0.1', srv.port, 'GET', p);
      const csp = r.headers['content-security-policy'];
      expect(typeof csp, p).toBe('string');
      policies.add(csp as string);
      expect(r.headers['x-content-type-options'], p).toBe('nosniff');
      expect(r.headers['x-frame-options'], p).toBe('DENY');
    }
    expect(policies.size).toBe(1);
    const directives = new Map(
      [...policies][0]!
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map((d) => [d[0]!, d.slice(1)]),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    for (const d of ['script-src', 'style-src', 'img-src', 'connect-src']) {
      const v = directives.get(d) ?? directives.get('default-src')!;
      // nothing inline, no eval, no other hosts, no data: or blob: scripts
      for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'blob:', 'http:', 'https:']) expect(v, d).not.toContain(bad);
    }
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });
});
