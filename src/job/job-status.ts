// The job's account of itself, across every stage's tables: how many sources, pages (by state and quarantine
// reason) and records there are, and whether they reconcile (every page in exactly one state, every finished
// source complete, every read page in a record, every exported record in a batch).
import type { Database } from 'better-sqlite3';
import { PAGE_STATES, RECORD_STATUSES, SOURCE_STATUSES } from './db-schema.ts';
import type { PageState, SourceStatus } from './page-store.ts';

type RecordStatus = (typeof RECORD_STATUSES)[number];

export interface StatusCounts {
  sources: Record<SourceStatus, number>;
  pages: Record<PageState, number> & { total: number };
  quarantined: Record<string, number>;
  records: Record<RecordStatus, number>;
  /** True when every page is in exactly one state and every finished source has all its pages. */
  reconciles: boolean;
  /** Plain-English reasons when it does not reconcile (ids and counts only). */
  problems: string[];
}

const zeroes = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export function statusCounts(db: Database): StatusCounts {
  const sources = zeroes(SOURCE_STATUSES);
  for (const r of db.prepare('SELECT status, count(*) AS n FROM sources GROUP BY status').all() as any[]) {
    sources[r.status as SourceStatus] = r.n;
  }
  const pages = { ...zeroes(PAGE_STATES), total: 0 };
  for (const r of db.prepare('SELECT state, count(*) AS n FROM pages GROUP BY state').all() as any[]) {
    pages[r.state as PageState] = r.n;
  }
  pages.total = (db.prepare('SELECT count(*) AS n FROM pages').get() as { n: number }).n;
  const quarantined: Record<string, number> = {};
  for (const r of db
    .prepare(`SELECT reason_code, count(*) AS n FROM pages WHERE state = 'quarantined' GROUP BY reason_code ORDER BY reason_code`)
    .all() as any[]) {
    quarantined[r.reason_code] = r.n;
  }
  const records = zeroes(RECORD_STATUSES);
  for (const r of db.prepare('SELECT status, count(*) AS n FROM records GROUP BY status').all() as any[]) {
    records[r.status as RecordStatus] = r.n;
  }

  const problems: string[] = [];
  if (pages.read + pages.quarantined !== pages.total) {
    problems.push(`${pages.total - pages.read - pages.quarantined} pages are in no known state`);
  }
  const short = db
    .prepare(
      `SELECT s.id, s.page_count, count(p.id) AS n, coalesce(max(p.page_index), -1) AS hi FROM sources s
       LEFT JOIN pages p ON p.source_id = s.id WHERE s.status = 'done' GROUP BY s.id
       HAVING n <> s.page_count OR hi <> s.page_count - 1`,
    )
    .all() as { id: number; page_count: number; n: number }[];
  for (const s of short) problems.push(`source ${s.id}: ${s.n} pages stored, file has ${s.page_count}`);
  const orphans = (
    db
      .prepare(`SELECT count(*) AS n FROM pages p WHERE p.state = 'read' AND NOT EXISTS (SELECT 1 FROM records r WHERE r.serial = p.serial)`)
      .get() as { n: number }
  ).n;
  if (orphans) problems.push(`${orphans} read pages belong to no record`);
  const unbatched = (
    db
      .prepare(`SELECT count(*) AS n FROM records r WHERE r.status = 'exported' AND NOT EXISTS (SELECT 1 FROM batch_records b WHERE b.serial = r.serial)`)
      .get() as { n: number }
  ).n;
  if (unbatched) problems.push(`${unbatched} exported records are in no batch`);
  return { sources, pages, quarantined, records, reconciles: problems.length === 0, problems };
}

