// The review web server: 127.0.0.1 only, a random token as the first path segment of every URL (static files
// included), POSTs only from our own origin, images only the files the job store names, and headers that keep the
// page from running anything but its own script. It never logs values: counts and ids only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { ReviewContext } from './context.ts';
import { CropCache, fieldCrop, IMAGE_TYPES, jobFile } from './crops.ts';
import { decide, type ReviewAction } from './decide.ts';
import { JobLockedError, withStoreLock } from '../job/job-lock.ts';
import { displayValue } from './input.ts';
import { claimBatch, claimGroup, heldItems, progress } from './queue.ts';
import { checkChars, claimChars } from './char-view.ts';
import { startOfLocalDay } from './reviewer-day.ts';
import { screenDictionaries } from './dictionary.ts';
import type { CharCheck } from './char-checks.ts';

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const STATIC: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  'group.js': { file: 'group.js', type: 'text/javascript; charset=utf-8' },
  'chars.js': { file: 'chars.js', type: 'text/javascript; charset=utf-8' },
  'suggest.js': { file: 'suggest.js', type: 'text/javascript; charset=utf-8' },
  'edit.js': { file: 'edit.js', type: 'text/javascript; charset=utf-8' },
  'app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  'favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

const MAX_BODY = 64 * 1024;
/** The audit note of a value typed with one or more of the page's suggestions accepted (then confirmed). */
export const SUGGESTED_NOTE = 'keyed with a suggestion accepted (values keyed in this job or the template list)';
/** The audit note of a value keyed by editing the machine's reading in the box (F2), not typed afresh. */
export const EDITED_NOTE = "keyed by editing the machine's reading";
// Path segments our routes use: no dots-only segments, no percent-encoding, no backslashes.
const SAFE_PATH = /^\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]*)*$/;

export interface ReviewServerOptions {
  ctx: ReviewContext;
  reviewer: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** For tests; otherwise 32 random bytes. */
  token?: string;
  /** One line per event: ids and counts only. */
  log?: (line: string) => void;
}

export interface ReviewServer {
  url: string;
  origin: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function loadStatic(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const { file } of Object.values(STATIC)) {
    if (!out.has(file)) out.set(file, readFileSync(new URL(`./static/${file}`, import.meta.url)));
  }
  return out;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, data: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(data));
}

function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'send JSON');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request too large');
    chunks.push(c as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new HttpError(400, 'the body is not a JSON object');
}

/** How a typed value was keyed, for its audit note: with a suggestion taken, by editing the reading, or both. */
function keyingNote(suggested: boolean, edited: boolean): { note?: string } {
  const notes = [edited ? EDITED_NOTE : '', suggested ? SUGGESTED_NOTE : ''].filter(Boolean);
  return notes.length ? { note: notes.join('; ') } : {};
}

function parseCharChecks(v: unknown): CharCheck[] {
  if (!Array.isArray(v) || v.length > 500) throw new HttpError(400, 'checks: a list of at most 500 boxes is needed');
  return v.map((c: Record<string, unknown>) => {
    if (!c || typeof c.serial !== 'string' || typeof c.fieldId !== 'string' || !Number.isInteger(c.box) || !Number.isInteger(c.version) || typeof c.char !== 'string') {
      throw new HttpError(400, 'each check needs serial, fieldId, box, version and char');
    }
    return { serial: c.serial, fieldId: c.fieldId, box: c.box as number, version: c.version as number, char: c.char };
  });
}

export async function startReviewServer(o: ReviewServerOptions): Promise<ReviewServer> {
  const { ctx, reviewer } = o;
  const token = o.token ?? randomBytes(32).toString('base64url');
  const log = o.log ?? (() => undefined);
  const files = loadStatic();
  const crops = new CropCache();
  let origins: string[] = [];
  let hosts: string[] = [];

  function sendImage(res: ServerResponse, stored: string | null): void {
    const full = jobFile(ctx.store.dir, stored);
    if (!full) throw new HttpError(404, 'no such image');
    send(res, 200, IMAGE_TYPES[extname(full).toLowerCase()]!, readFileSync(full));
  }

  function recent() {
    const rows = ctx.store.db
      .prepare(
        `SELECT serial, field_id AS fieldId, action, after_json AS afterJson FROM audit
         WHERE actor = ? AND at >= ? AND action LIKE 'review-%' AND field_id IS NOT NULL ORDER BY id DESC LIMIT 12`,
      )
      .all(reviewer, startOfLocalDay(ctx.store.nowIso())) as { serial: string; fieldId: string; action: string; afterJson: string | null }[];
    return rows.map((r) => {
      const field = ctx.fields.get(r.fieldId);
      const after = r.afterJson ? (JSON.parse(r.afterJson) as { value?: unknown }) : {};
      const blind = r.action.startsWith('review-key-');
      const shown =
        r.action.endsWith('blank') ? '(blank on form)'
        : r.action.endsWith('illegible') ? '(illegible)'
        // A keying is not shown back: the page may be seen by the second keyer.
        : blind ? '(keyed)'
        : field ? displayValue(field, after.value) : String(after.value);
      return { serial: r.serial, fieldId: r.fieldId, label: field?.label ?? r.fieldId, shown, recordStatus: ctx.store.records.record(r.serial)?.status ?? '' };
    });
  }

  // Each decision holds the job's lock (not the whole session: other reviewers and an export can run between
  // decisions); while scan, validate, apply or export writes, the decision is refused, unsaved.
  function locked<T>(fn: () => T): T {
    try {
      return withStoreLock(ctx.store, 'review', fn);
    } catch (e) {
      if (e instanceof JobLockedError) throw new HttpError(423, `not saved: ${e.holder.command} is writing to this job; try again in a moment`);
      throw e;
    }
  }

  function formView(serial: string) {
    const rec = ctx.store.records.record(serial);
    if (!rec) throw new HttpError(404, 'no such form');
    const pages = ctx.store
      .pages.pagesOfRecord(serial)
      .filter((p) => p.state === 'read' && p.pageNo !== null && p.imagePath)
      .map((p) => ({ n: p.pageNo!, url: `page/${serial}/${p.pageNo}` }));
    const rows = new Map(ctx.store.records.recordFields(serial).map((f) => [f.fieldId, f]));
    const fields = ctx.template.fields
      .filter((f) => rows.has(f.id))
      .map((f) => ({ fieldId: f.id, label: f.label, page: f.page, zone: f.zone, status: rows.get(f.id)!.status }));
    return { serial, status: rec.status, pageSize: ctx.template.pageSize, pages, fields };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (!hosts.includes(host)) throw new HttpError(403, 'forbidden');
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const segs = pathname.split('/');
    // The token comes first, before anything else is looked at.
    if (segs.length < 2 || !segs[1] || !tokenMatches(segs[1], token)) throw new HttpError(403, 'forbidden');
    if (!SAFE_PATH.test(pathname) || segs.some((s) => s === '.' || s === '..')) throw new HttpError(404, 'not found');
    const rest = segs.slice(2);
    const path = rest.join('/');
    const method = req.method ?? 'GET';

    if (method === 'POST') {
      const origin = req.headers.origin;
      const referer = req.headers.referer;
      const ok = origin !== undefined ? origins.includes(origin) : referer !== undefined && origins.some((x) => referer.startsWith(`${x}/`));
      if (!ok) throw new HttpError(403, 'cross-origin request refused');
      const body = await readJson(req);
      if (path === 'api/next') {
        const kind = typeof body.kind === 'string' && body.kind ? body.kind : undefined;
        const items = claimBatch(ctx, reviewer, { kind });
        const dictionaries = screenDictionaries(ctx, items);
        log(`queue: ${items.length} item(s) claimed, ${Object.keys(dictionaries).length} dictionary(ies)`);
        sendJson(res, 200, { reviewer, items, dictionaries, progress: progress(ctx, reviewer) });
        return;
      }
      if (path === 'api/group') {
        const fieldId = typeof body.fieldId === 'string' && ctx.fields.has(body.fieldId) ? body.fieldId : undefined;
        const limit = Number.isInteger(body.limit) ? (body.limit as number) : undefined;
        const group = claimGroup(ctx, reviewer, fieldId, limit);
        const dictionaries = screenDictionaries(ctx, group.items);
        log(`group: ${group.items.length} item(s) claimed, ${Object.keys(dictionaries).length} dictionary(ies)`);
        sendJson(res, 200, { reviewer, ...group, dictionaries, progress: progress(ctx, reviewer) });
        return;
      }
      if (path === 'api/chars') {
        const char = typeof body.char === 'string' && body.char.length <= 1 ? body.char : undefined;
        const limit = Number.isInteger(body.limit) ? (body.limit as number) : undefined;
        const screen = claimChars(ctx, reviewer, char, limit);
        log(`chars: ${screen.tiles.length} box(es) claimed`);
        sendJson(res, 200, { reviewer, ...screen, progress: progress(ctx, reviewer) });
        return;
      }
      if (path === 'api/chars/check') {
        const checks = parseCharChecks(body.checks);
        const results = locked(() => checkChars(ctx, reviewer, checks));
        log(`chars: ${checks.length} box(es) checked, ${results.filter((r) => r.result === 'decided').length} field(s) decided`);
        sendJson(res, 200, { results, progress: progress(ctx, reviewer) });
        return;
      }
      if (path === 'api/decide') {
        const action = body.action;
        if (typeof body.serial !== 'string' || typeof body.fieldId !== 'string' || typeof body.expectedVersion !== 'number') {
          throw new HttpError(400, 'serial, fieldId and expectedVersion are needed');
        }
        if (action !== 'enter' && action !== 'blank' && action !== 'illegible' && action !== 'alternative') throw new HttpError(400, 'unknown action');
        const input = {
          serial: body.serial,
          fieldId: body.fieldId,
          reviewer,
          action: action as ReviewAction,
          text: typeof body.text === 'string' ? body.text : undefined,
          expectedVersion: body.expectedVersion,
          // How the person keyed it, for the audit trail: a fixed phrase, never the suggestion's text.
          ...(action === 'enter' ? keyingNote(body.suggested === true, body.edited === true) : {}),
        };
        const outcome = locked(() => decide(ctx, input, { checkClaim: true }));
        log(`decision: form ${body.serial} field ${body.fieldId}: ${outcome.ok ? outcome.result : outcome.problem}`);
        const status = outcome.ok ? 200 : outcome.problem === 'conflict' ? 409 : outcome.problem === 'not-found' ? 404 : 422;
        // The saved value as the person would type it (e.g. 1141 typed is shown back as 11:41); never for a keying.
        const field = ctx.fields.get(body.fieldId);
        const shown = outcome.ok && outcome.result === 'decided' && field ? displayValue(field, outcome.field.value) : null;
        // The held items of this form only: the decision re-validated no other record.
        sendJson(res, status, { outcome, shown, items: heldItems(ctx, reviewer, body.serial), progress: progress(ctx, reviewer) });
        return;
      }
      throw new HttpError(404, 'not found');
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');

    const stat = STATIC[path];
    if (stat) {
      send(res, 200, stat.type, files.get(stat.file)!);
      return;
    }
    if (path === 'api/progress') return sendJson(res, 200, progress(ctx, reviewer));
    if (path === 'api/recent') return sendJson(res, 200, { recent: recent() });
    let m = /^api\/form\/(\d{1,9})$/.exec(path);
    if (m) return sendJson(res, 200, formView(m[1]!));
    m = /^crop\/(\d{1,12})(\/context|\/box\/(\d{1,2}))?$/.exec(path);
    if (m) {
      const row = ctx.store.records.fieldById(Number(m[1]));
      const kind = m[3] !== undefined ? Number(m[3]) : m[2] ? 'context' : 'field';
      const png = row ? await fieldCrop(ctx, row, kind, crops) : null;
      if (!png) throw new HttpError(404, 'no such image');
      return send(res, 200, 'image/png', png);
    }
    m = /^page\/(\d{1,9})\/(\d{1,3})$/.exec(path);
    if (m) return sendImage(res, ctx.store.pages.pageOfRecord(m[1]!, Number(m[2]))?.imagePath ?? null);
    throw new HttpError(404, 'not found');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) log(`error: ${(e as Error).name}`);
      if (!res.headersSent) sendJson(res, status, { error: e instanceof HttpError ? e.message : 'internal error' });
      else res.end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as { port: number }).port;
  origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const origin = origins[0]!;
  return {
    url: `${origin}/${token}/`,
    origin,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((ok) => {
        // Free this reviewer's items for others at once rather than when the leases run out.
        if (ctx.store.db.open) ctx.store.review.releaseClaims(reviewer);
        if (!server.listening) return ok();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
