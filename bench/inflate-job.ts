// A large job from a kept one, for benchmarks of what the review server does per request: every record (with its
// fields, audit and keyings) copied `copies` times under serials offset by 10^6 each; the page images are shared.
import type { JobStore } from '../src/job/store.ts';

export function inflateJob(store: JobStore, copies: number): void {
  const db = store.db;
  const cols = (t: string) => (db.prepare(`SELECT name FROM pragma_table_info('${t}')`).all() as { name: string }[]).map((c) => c.name);
  const copy = (t: string, k: number) => {
    const c = cols(t).filter((n) => n !== 'id');
    const sel = c.map((n) => (n === 'serial' ? `printf('%d', CAST(serial AS INTEGER) + ${k * 1_000_000})` : n)).join(', ');
    db.prepare(`INSERT INTO ${t}(${c.join(', ')}) SELECT ${sel} FROM ${t} WHERE CAST(serial AS INTEGER) < 1000000`).run();
  };
  store.inTransaction(() => {
    for (let k = 1; k < copies; k++) for (const t of ['records', 'fields', 'audit', 'review_keyings']) copy(t, k);
  });
}
