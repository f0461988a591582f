// The export stage's tables: each committed import batch (its manifest hash, formats, settings) and which records
// it holds. A record joins one batch only, and is marked exported in the same transaction.
import { appendAudit } from '../job/audit-log.ts';
import { JobStoreError, SERIAL_ORDER, toJson as json, StageStore } from '../job/store-core.ts';

export interface BatchMeta {
  seq: number;
  createdAt: string;
  formats: string[];
  outDir: string;
  manifestSha256: string;
  settings?: Record<string, unknown>;
}

export interface BatchRow extends BatchMeta {
  id: string;
  recordCount: number;
}

export class BatchStore extends StageStore {
  /** Serials of records ready to export that are in no batch yet, in serial order. */
  readyUnexported(): string[] {
    return this.db
      .prepare(
        `SELECT serial FROM records r WHERE status = 'ready'
         AND NOT EXISTS (SELECT 1 FROM batch_records b WHERE b.serial = r.serial) ORDER BY ${SERIAL_ORDER}`,
      )
      .pluck()
      .all() as string[];
  }

  nextBatchSeq(): number {
    return ((this.db.prepare('SELECT max(seq) AS m FROM batches').get() as { m: number | null }).m ?? 0) + 1;
  }

  /** Record the batch and mark its records exported, in one transaction. Every record must still be 'ready'. */
  commitBatch(batchId: string, serials: string[], meta: BatchMeta): void {
    this.core.inTransaction(() => {
      this.db
        .prepare(
          `INSERT INTO batches(id, seq, created_at, formats, record_count, out_dir, manifest_sha256, settings_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(batchId, meta.seq, meta.createdAt, meta.formats.join(','), serials.length, meta.outDir, meta.manifestSha256, json(meta.settings ?? {}));
      const insMember = this.db.prepare('INSERT INTO batch_records(batch_id, serial) VALUES (?, ?)');
      const mark = this.db.prepare(`UPDATE records SET status = 'exported', updated_at = ? WHERE serial = ? AND status = 'ready'`);
      const at = this.core.nowIso();
      for (const s of serials) {
        if (mark.run(at, s).changes !== 1) throw new JobStoreError(`form ${s} is not ready to export`);
        insMember.run(batchId, s);
        appendAudit(this.db, { at, actor: 'export', serial: s, fieldId: null, action: 'exported', before: { status: 'ready' }, after: { status: 'exported', batch: batchId } });
      }
    });
  }

  /** One batch by id (was JobStore.batch). */
  get(id: string): BatchRow | undefined {
    const r = this.db.prepare('SELECT * FROM batches WHERE id = ?').get(id) as any;
    return r ? toBatch(r) : undefined;
  }

  /** Every batch, in sequence order (was JobStore.batches). */
  all(): BatchRow[] {
    return (this.db.prepare('SELECT * FROM batches ORDER BY seq').all() as any[]).map(toBatch);
  }

  batchRecords(id: string): string[] {
    return this.db
      .prepare(`SELECT serial FROM batch_records WHERE batch_id = ? ORDER BY ${SERIAL_ORDER}`)
      .pluck()
      .all(id) as string[];
  }
}

function toBatch(r: any): BatchRow {
  return {
    id: r.id,
    seq: r.seq,
    createdAt: r.created_at,
    formats: r.formats.split(',').filter(Boolean),
    recordCount: r.record_count,
    outDir: r.out_dir,
    manifestSha256: r.manifest_sha256,
    settings: JSON.parse(r.settings_json),
  };
}
