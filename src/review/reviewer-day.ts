// A reviewer's day from the audit: the fields they decided or keyed since local midnight and when they made the
// first of them, so the rate per hour spans their whole day (idle gaps and server restarts included), not the
// life of one review server. Table access over the store's shared connection.
import type { JobStore } from '../job/store.ts';

export interface ReviewerDay {
  /** Local midnight today, as an ISO instant. */
  since: string;
  /** The reviewer's first decision today, or null. */
  first: string | null;
  /** Distinct fields decided or keyed today. */
  done: number;
  /** Fields an hour from the first decision today to now; null until a minute has passed since it. */
  ratePerHour: number | null;
}

export function startOfLocalDay(nowIso: string): string {
  const d = new Date(Date.parse(nowIso));
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

export function reviewerDay(store: JobStore, reviewer: string): ReviewerDay {
  const now = store.nowIso();
  const since = startOfLocalDay(now);
  const row = store.db
    .prepare(
      `SELECT min(at) AS first, count(DISTINCT serial || '/' || field_id) AS n FROM audit
       WHERE actor = ? AND at >= ? AND action LIKE 'review-%' AND field_id IS NOT NULL`,
    )
    .get(reviewer, since) as { first: string | null; n: number };
  const hours = row.first ? (Date.parse(now) - Date.parse(row.first)) / 3_600_000 : 0;
  return { since, first: row.first, done: row.n, ratePerHour: row.n && hours >= 1 / 60 ? Math.round(row.n / hours) : null };
}
