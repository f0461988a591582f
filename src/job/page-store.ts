// The scan stage's tables: the source files a job has read and every page of them. A page is saved in one
// transaction with what it starts: its record (created or touched) and its fields, each with an 'ocr' audit entry.
import { PAGE_STATES, SOURCE_STATUSES } from './db-schema.ts';
import { appendAudit } from './audit-log.ts';
import { JobStoreError, toJson, StageStore } from './store-core.ts';

export type SourceStatus = (typeof SOURCE_STATUSES)[number];
export type PageState = (typeof PAGE_STATES)[number];

/** What the reader returned for one field. */
export interface FieldRead {
  fieldId: string;
  type: string;
  path: string;
  rawText: string;
  read: unknown;
  confidence: number | null;
  cropPath?: string;
  /** Comb fields read by the box classifier: each box's alternatives, best first. */
  alternatives?: unknown;
}

export interface SavePageInput {
  sourceId: number;
  pageIndex: number;
  state: PageState;
  reasonCode?: string;
  reason?: string;
  serial?: string;
  pageNo?: number;
  templateId?: string;
  templateVersion?: number;
  /** Pages the form has (from the template); needed for a read page, to create its record. */
  pagesExpected?: number;
  rotation: number;
  residualPx?: number;
  dpi?: number;
  imagePath?: string;
  thumbPath?: string;
  fields?: FieldRead[];
}

export interface SavedPage {
  pageId: number;
  /** The state stored: a read page for an already exported record is stored quarantined. */
  state: PageState;
  reasonCode: string | null;
}

export interface SourceRow {
  id: number;
  path: string;
  sha256: string;
  bytes: number;
  format: string;
  pageCount: number | null;
  status: SourceStatus;
  error: string | null;
  addedAt: string;
}

export interface PageRow {
  id: number;
  sourceId: number;
  pageIndex: number;
  state: PageState;
  reasonCode: string | null;
  reason: string | null;
  serial: string | null;
  pageNo: number | null;
  templateId: string | null;
  templateVersion: number | null;
  rotation: number;
  residualPx: number | null;
  dpi: number | null;
  imagePath: string | null;
  thumbPath: string | null;
  readAt: string;
}

export interface ResumeSource {
  id: number;
  path: string;
  sha256: string;
  /** Page indexes already saved: the scanner skips them. */
  savedPageIndexes: number[];
}

export interface SourcePageRef {
  sha256: string;
  pageIndex: number;
  pageNo: number;
}

export class PageStore extends StageStore {
  // ---- sources

  hasSource(sha256: string): boolean {
    return this.db.prepare('SELECT 1 FROM sources WHERE sha256 = ?').get(sha256) !== undefined;
  }

  source(id: number): SourceRow | undefined {
    const r = this.db.prepare('SELECT * FROM sources WHERE id = ?').get(id) as any;
    return r ? toSource(r) : undefined;
  }

  sources(): SourceRow[] {
    return (this.db.prepare('SELECT * FROM sources ORDER BY id').all() as any[]).map(toSource);
  }

  beginSource(s: { path: string; sha256: string; bytes: number; format: string }): number {
    const info = this.db
      .prepare(`INSERT INTO sources(path, sha256, bytes, format, status, added_at) VALUES (?, ?, ?, ?, 'reading', ?)`)
      .run(s.path, s.sha256, s.bytes, s.format, this.core.nowIso());
    return Number(info.lastInsertRowid);
  }

  finishSource(id: number, pageCount: number): void {
    this.core.inTransaction(() => {
      const saved = (this.db.prepare('SELECT count(*) AS n FROM pages WHERE source_id = ?').get(id) as { n: number }).n;
      if (saved !== pageCount) {
        throw new JobStoreError(`source ${id}: ${saved} pages saved but the file has ${pageCount}`);
      }
      const info = this.db
        .prepare(`UPDATE sources SET status = 'done', page_count = ?, error = NULL WHERE id = ?`)
        .run(pageCount, id);
      if (info.changes !== 1) throw new JobStoreError(`no source ${id}`);
    });
  }

  failSource(id: number, error: string): void {
    const info = this.db.prepare(`UPDATE sources SET status = 'failed', error = ? WHERE id = ?`).run(error, id);
    if (info.changes !== 1) throw new JobStoreError(`no source ${id}`);
  }

  /** Sources a crash left in 'reading', with the pages already saved, so the scanner can skip them. */
  resumeInfo(): ResumeSource[] {
    const srcs = this.db.prepare(`SELECT id, path, sha256 FROM sources WHERE status = 'reading' ORDER BY id`).all() as {
      id: number;
      path: string;
      sha256: string;
    }[];
    const idx = this.db.prepare('SELECT page_index FROM pages WHERE source_id = ? ORDER BY page_index').pluck();
    return srcs.map((s) => ({ ...s, savedPageIndexes: idx.all(s.id) as number[] }));
  }

  // ---- pages

  hasPage(serial: string, pageNo: number): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM pages WHERE serial = ? AND page_no = ? AND state = 'read'`).get(serial, pageNo) !==
      undefined
    );
  }

  /** One transaction: the page row, its record (created or touched) and its fields, each with an 'ocr' audit entry. */
  savePage(p: SavePageInput): SavedPage {
    return this.core.inTransaction((): SavedPage => {
      const at = this.core.nowIso();
      let state = p.state;
      let reasonCode = p.reasonCode ?? null;
      let reason = p.reason ?? null;
      if (state === 'read') {
        if (p.serial === undefined || p.pageNo === undefined || p.templateId === undefined || p.templateVersion === undefined) {
          throw new JobStoreError('a read page needs serial, pageNo, templateId and templateVersion');
        }
        if (p.pagesExpected === undefined) throw new JobStoreError('a read page needs pagesExpected');
        const rec = this.db.prepare('SELECT status FROM records WHERE serial = ?').get(p.serial) as { status: string } | undefined;
        if (rec?.status === 'exported') {
          // Never reopen an exported record: the extra page is kept, quarantined, for a person to look at.
          state = 'quarantined';
          reasonCode = 'record-already-exported';
          reason = 'This form was already exported; a late page cannot change it.';
        }
      } else if (!reasonCode) {
        throw new JobStoreError('a quarantined page needs a reason code');
      }
      const info = this.db
        .prepare(
          `INSERT INTO pages(source_id, page_index, state, reason_code, reason, serial, page_no, template_id,
             template_version, rotation, residual_px, dpi, image_path, thumb_path, read_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          p.sourceId,
          p.pageIndex,
          state,
          state === 'read' ? null : reasonCode,
          state === 'read' ? null : reason,
          p.serial ?? null,
          p.pageNo ?? null,
          p.templateId ?? null,
          p.templateVersion ?? null,
          p.rotation,
          p.residualPx ?? null,
          p.dpi ?? null,
          p.imagePath ?? null,
          p.thumbPath ?? null,
          at,
        );
      const pageId = Number(info.lastInsertRowid);
      if (state !== 'read') return { pageId, state, reasonCode };

      const serial = p.serial!;
      // A new page makes the record incomplete again until validate has looked at it.
      this.db
        .prepare(
          `INSERT INTO records(serial, template_id, template_version, pages_expected, status, findings_json, updated_at)
           VALUES (?, ?, ?, ?, 'incomplete', '[]', ?)
           ON CONFLICT(serial) DO UPDATE SET status = 'incomplete', updated_at = excluded.updated_at`,
        )
        .run(serial, p.templateId, p.templateVersion, p.pagesExpected, at);
      const rec = this.db.prepare('SELECT template_id, template_version FROM records WHERE serial = ?').get(serial) as {
        template_id: string;
        template_version: number;
      };
      if (rec.template_id !== p.templateId || rec.template_version !== p.templateVersion) {
        throw new JobStoreError(`form ${serial}: page template differs from the record's template`);
      }
      const insField = this.db.prepare(
        `INSERT INTO fields(serial, field_id, page_id, type, path, raw_text, read_json, confidence, crop_path, alternatives_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const f of p.fields ?? []) {
        insField.run(serial, f.fieldId, pageId, f.type, f.path, f.rawText, toJson(f.read), f.confidence, f.cropPath ?? null, f.alternatives === undefined ? null : toJson(f.alternatives));
        appendAudit(this.db, { at, actor: 'ocr', serial, fieldId: f.fieldId, action: 'read', before: null, after: { rawText: f.rawText, read: f.read, confidence: f.confidence } });
      }
      return { pageId, state, reasonCode: null };
    });
  }

  pagesOfSource(sourceId: number): PageRow[] {
    return (this.db.prepare('SELECT * FROM pages WHERE source_id = ? ORDER BY page_index').all(sourceId) as any[]).map(toPage);
  }

  /** Every quarantined page, in the order its file was added and its pages run. */
  quarantinedPages(): PageRow[] {
    return (this.db.prepare(`SELECT * FROM pages WHERE state = 'quarantined' ORDER BY source_id, page_index`).all() as any[]).map(toPage);
  }

  pagesOfRecord(serial: string): PageRow[] {
    return (this.db.prepare(`SELECT * FROM pages WHERE serial = ? ORDER BY page_no, id`).all(serial) as any[]).map(toPage);
  }

  /** The read page image of a form page, if any. */
  pageOfRecord(serial: string, pageNo: number): PageRow | undefined {
    const r = this.db.prepare(`SELECT * FROM pages WHERE serial = ? AND page_no = ? AND state = 'read'`).get(serial, pageNo) as any;
    return r ? toPage(r) : undefined;
  }

  /** Which scanned pages a record came from: source file hash and page index. */
  recordSourcePages(serial: string): SourcePageRef[] {
    return this.db
      .prepare(
        `SELECT s.sha256 AS sha256, p.page_index AS pageIndex, p.page_no AS pageNo FROM pages p
         JOIN sources s ON s.id = p.source_id WHERE p.serial = ? AND p.state = 'read' ORDER BY p.page_no`,
      )
      .all(serial) as SourcePageRef[];
  }
}

function toSource(r: any): SourceRow {
  return {
    id: r.id,
    path: r.path,
    sha256: r.sha256,
    bytes: r.bytes,
    format: r.format,
    pageCount: r.page_count,
    status: r.status,
    error: r.error,
    addedAt: r.added_at,
  };
}

function toPage(r: any): PageRow {
  return {
    id: r.id,
    sourceId: r.source_id,
    pageIndex: r.page_index,
    state: r.state,
    reasonCode: r.reason_code,
    reason: r.reason,
    serial: r.serial,
    pageNo: r.page_no,
    templateId: r.template_id,
    templateVersion: r.template_version,
    rotation: r.rotation,
    residualPx: r.residual_px,
    dpi: r.dpi,
    imagePath: r.image_path,
    thumbPath: r.thumb_path,
    readAt: r.read_at,
  };
}
