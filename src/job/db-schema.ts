// The job store's SQLite schema. CHECK constraints and triggers carry the promises the design makes
// (every page in exactly one state, one read page per form page, an append-only audit, a record in one batch),
// so a bug elsewhere fails loudly instead of corrupting the job.
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';

export const SCHEMA_VERSION = 1;

export const SOURCE_STATUSES = ['reading', 'done', 'failed'] as const;
export const PAGE_STATES = ['read', 'quarantined'] as const;
export const RECORD_STATUSES = ['incomplete', 'needs-review', 'blocked', 'ready', 'exported'] as const;
export const FIELD_STATUSES = ['unchecked', 'accepted', 'needs-review', 'verified', 'blank'] as const;

const list = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');
const isHex64 = (col: string) => `(length(${col}) = 64 AND ${col} NOT GLOB '*[^0-9a-f]*')`;
const jsonOrNull = (col: string) => `(${col} IS NULL OR json_valid(${col}))`;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS sources (
  id         INTEGER PRIMARY KEY,
  path       TEXT NOT NULL,
  sha256     TEXT NOT NULL UNIQUE CHECK ${isHex64('sha256')},
  bytes      INTEGER NOT NULL CHECK (bytes >= 0),
  format     TEXT NOT NULL,
  page_count INTEGER CHECK (page_count IS NULL OR page_count >= 0),
  status     TEXT NOT NULL CHECK (status IN (${list(SOURCE_STATUSES)})),
  error      TEXT,
  added_at   TEXT NOT NULL,
  CHECK (status <> 'done' OR page_count IS NOT NULL),
  CHECK (status <> 'failed' OR error IS NOT NULL)
) STRICT;
CREATE INDEX IF NOT EXISTS sources_status ON sources(status);

CREATE TABLE IF NOT EXISTS pages (
  id               INTEGER PRIMARY KEY,
  source_id        INTEGER NOT NULL REFERENCES sources(id),
  page_index       INTEGER NOT NULL CHECK (page_index >= 0),
  state            TEXT NOT NULL CHECK (state IN (${list(PAGE_STATES)})),
  reason_code      TEXT,
  reason           TEXT,
  serial           TEXT,
  page_no          INTEGER CHECK (page_no IS NULL OR page_no >= 1),
  template_id      TEXT,
  template_version INTEGER,
  rotation         REAL NOT NULL DEFAULT 0,
  residual_px      REAL,
  dpi              REAL CHECK (dpi IS NULL OR dpi > 0),
  image_path       TEXT,
  thumb_path       TEXT,
  read_at          TEXT NOT NULL,
  UNIQUE (source_id, page_index),
  -- a quarantined page always says why; a read page always says which form page it is, and has no reason
  CHECK (state <> 'quarantined' OR reason_code IS NOT NULL),
  CHECK (state <> 'read' OR (serial IS NOT NULL AND page_no IS NOT NULL AND template_id IS NOT NULL
                             AND template_version IS NOT NULL AND reason_code IS NULL))
) STRICT;
-- one read page per form page: a second copy of the same page must be quarantined
CREATE UNIQUE INDEX IF NOT EXISTS pages_one_read_per_form_page ON pages(serial, page_no) WHERE state = 'read';
CREATE INDEX IF NOT EXISTS pages_state ON pages(state, reason_code);
CREATE INDEX IF NOT EXISTS pages_serial ON pages(serial);

CREATE TABLE IF NOT EXISTS records (
  serial           TEXT PRIMARY KEY NOT NULL
                   CHECK (length(serial) BETWEEN 1 AND 9 AND serial NOT GLOB '*[^0-9]*'),
  template_id      TEXT NOT NULL,
  template_version INTEGER NOT NULL CHECK (template_version >= 1),
  pages_expected   INTEGER NOT NULL CHECK (pages_expected >= 1),
  status           TEXT NOT NULL CHECK (status IN (${list(RECORD_STATUSES)})),
  findings_json    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(findings_json)),
  updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS records_status ON records(status);

CREATE TABLE IF NOT EXISTS fields (
  id           INTEGER PRIMARY KEY,
  serial       TEXT NOT NULL REFERENCES records(serial),
  field_id     TEXT NOT NULL,
  page_id      INTEGER NOT NULL REFERENCES pages(id),
  type         TEXT NOT NULL,
  path         TEXT NOT NULL,
  raw_text     TEXT NOT NULL,
  read_json    TEXT NOT NULL CHECK (json_valid(read_json)),
  confidence   REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 100)),
  value_json   TEXT CHECK ${jsonOrNull('value_json')},
  status       TEXT NOT NULL DEFAULT 'unchecked' CHECK (status IN (${list(FIELD_STATUSES)})),
  reasons_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reasons_json)),
  crop_path    TEXT,
  -- comb fields: each box's alternatives from the box classifier, [[{char, p}, ...], ...] (NULL for other readers)
  alternatives_json TEXT CHECK ${jsonOrNull('alternatives_json')},
  verified_by  TEXT,
  verified_at  TEXT,
  version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
  UNIQUE (serial, field_id),
  CHECK (status <> 'blank' OR value_json IS NULL),
  CHECK (status <> 'verified' OR (verified_by IS NOT NULL AND verified_at IS NOT NULL))
) STRICT;
CREATE INDEX IF NOT EXISTS fields_status ON fields(status);
CREATE INDEX IF NOT EXISTS fields_page ON fields(page_id);
-- review: every save answers with the queue's counts; this covers them, so they never read the fields' rows
CREATE INDEX IF NOT EXISTS fields_queue ON fields(status, field_id, serial, path, verified_by);

CREATE TABLE IF NOT EXISTS audit (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL CHECK (length(actor) > 0),
  serial      TEXT NOT NULL,
  field_id    TEXT,
  action      TEXT NOT NULL,
  before_json TEXT CHECK ${jsonOrNull('before_json')},
  after_json  TEXT CHECK ${jsonOrNull('after_json')},
  note        TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS audit_serial ON audit(serial, id);
-- review: a reviewer's day (done today, the rate) from their own entries, not a scan of the whole audit
CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor, at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only: DELETE refused'); END;

CREATE TABLE IF NOT EXISTS batches (
  id              TEXT PRIMARY KEY NOT NULL,
  seq             INTEGER NOT NULL UNIQUE CHECK (seq >= 1),
  created_at      TEXT NOT NULL,
  formats         TEXT NOT NULL,
  record_count    INTEGER NOT NULL CHECK (record_count >= 0),
  out_dir         TEXT NOT NULL,
  manifest_sha256 TEXT NOT NULL CHECK ${isHex64('manifest_sha256')},
  -- what else shaped the files (tool version, options), so a reissue can rebuild them byte for byte
  settings_json   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings_json))
) STRICT;

CREATE TABLE IF NOT EXISTS batch_records (
  batch_id TEXT NOT NULL REFERENCES batches(id),
  serial   TEXT NOT NULL UNIQUE REFERENCES records(serial),
  PRIMARY KEY (batch_id, serial)
) STRICT;

-- an exported record stays exported: it is in a batch that may already be loaded into the ePR
CREATE TRIGGER IF NOT EXISTS records_exported_final BEFORE UPDATE OF status ON records
  WHEN OLD.status = 'exported' AND NEW.status <> 'exported'
  BEGIN SELECT RAISE(ABORT, 'record already exported: status cannot change'); END;
CREATE TRIGGER IF NOT EXISTS fields_of_exported_frozen BEFORE UPDATE ON fields
  WHEN (SELECT status FROM records WHERE serial = OLD.serial) = 'exported'
  BEGIN SELECT RAISE(ABORT, 'record already exported: fields cannot change'); END;
-- batches are history: never rewritten or removed
CREATE TRIGGER IF NOT EXISTS batch_records_no_delete BEFORE DELETE ON batch_records
  BEGIN SELECT RAISE(ABORT, 'batch membership is permanent'); END;
CREATE TRIGGER IF NOT EXISTS batches_no_delete BEFORE DELETE ON batches
  BEGIN SELECT RAISE(ABORT, 'batches are permanent'); END;

-- review: a lease per field a reviewer has on screen, so two reviewers never get the same item at once.
-- Leases expire (a closed browser frees its items); they are bookkeeping, not history, so they may be deleted.
CREATE TABLE IF NOT EXISTS review_claims (
  serial     TEXT NOT NULL,
  field_id   TEXT NOT NULL,
  reviewer   TEXT NOT NULL CHECK (length(reviewer) > 0),
  claimed_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (serial, field_id),
  FOREIGN KEY (serial, field_id) REFERENCES fields(serial, field_id)
) STRICT;
CREATE INDEX IF NOT EXISTS review_claims_reviewer ON review_claims(reviewer, expires_at);

-- review: independent keyings of a double-keyed field (NHS number, date of birth). Append-only, like the audit:
-- a field is decided when two keyings by different people match, or by a third person after a mismatch.
CREATE TABLE IF NOT EXISTS review_keyings (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  at            TEXT NOT NULL,
  serial        TEXT NOT NULL,
  field_id      TEXT NOT NULL,
  reviewer      TEXT NOT NULL CHECK (length(reviewer) > 0),
  action        TEXT NOT NULL CHECK (action IN ('key', 'blank', 'illegible')),
  value_json    TEXT CHECK ${jsonOrNull('value_json')},
  field_version INTEGER NOT NULL,
  FOREIGN KEY (serial, field_id) REFERENCES fields(serial, field_id)
) STRICT;
CREATE INDEX IF NOT EXISTS review_keyings_field ON review_keyings(serial, field_id, id);
CREATE TRIGGER IF NOT EXISTS review_keyings_no_update BEFORE UPDATE ON review_keyings
  BEGIN SELECT RAISE(ABORT, 'keyings are append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS review_keyings_no_delete BEFORE DELETE ON review_keyings
  BEGIN SELECT RAISE(ABORT, 'keyings are append-only: DELETE refused'); END;

-- review: the rule findings a person has seen, each as it was (code, fields and message, so a finding whose
-- recomputed value changes is a new one). A finding settles only once seen: one that a correction creates goes
-- back to a person even when every field it names is verified. Append-only.
CREATE TABLE IF NOT EXISTS finding_acks (
  serial      TEXT NOT NULL REFERENCES records(serial),
  finding_key TEXT NOT NULL,
  reviewer    TEXT NOT NULL CHECK (length(reviewer) > 0),
  at          TEXT NOT NULL,
  PRIMARY KEY (serial, finding_key)
) STRICT;
CREATE TRIGGER IF NOT EXISTS finding_acks_no_update BEFORE UPDATE ON finding_acks
  BEGIN SELECT RAISE(ABORT, 'finding acknowledgements are append-only: UPDATE refused'); END;

-- review: comb boxes a reviewer checked in the character view, each as the character it holds (empty: nothing in
-- the box), at the field's version. A field is decided, through the ordinary decision, once one reviewer has
-- checked every box of it at its current version; checks of an older version count for nothing. Bookkeeping.
CREATE TABLE IF NOT EXISTS char_checks (
  serial        TEXT NOT NULL,
  field_id      TEXT NOT NULL,
  box           INTEGER NOT NULL CHECK (box >= 0),
  reviewer      TEXT NOT NULL CHECK (length(reviewer) > 0),
  field_version INTEGER NOT NULL,
  char          TEXT NOT NULL CHECK (length(char) <= 1),
  at            TEXT NOT NULL,
  PRIMARY KEY (serial, field_id, box, reviewer),
  FOREIGN KEY (serial, field_id) REFERENCES fields(serial, field_id)
) STRICT;

-- validate: the trust's CAD incident log, imported with \`validate --cad\` (each import replaces the last). Reference
-- data, never patient data: a form's incident number, date, call sign and call-received time that agree with one
-- CAD incident are evidence that they were read right. The file's line is kept for messages.
CREATE TABLE IF NOT EXISTS cad_incidents (
  incident_number TEXT PRIMARY KEY,
  incident_date   TEXT,
  call_received   TEXT,
  call_sign       TEXT,
  line            INTEGER NOT NULL
) STRICT;

-- validate: the trust's staff list, imported with \`validate --roster\` (each import replaces the last). Reference
-- data about staff, never about patients: a staff number on the list, and the HCPC number and name the list gives
-- for it, are evidence that a form's staff fields were read right. The file's line is kept for messages.
CREATE TABLE IF NOT EXISTS staff_roster (
  staff_number TEXT PRIMARY KEY CHECK (length(staff_number) > 0 AND staff_number NOT GLOB '*[^0-9]*'),
  name         TEXT,
  hcpc_number  TEXT,
  line         INTEGER NOT NULL
) STRICT;
`;

/** Columns added after the first release, each with its ALTER TABLE, so a job made before them still opens. */
const ADDED_COLUMNS: { table: string; column: string; ddl: string }[] = [
  { table: 'fields', column: 'alternatives_json', ddl: `ALTER TABLE fields ADD COLUMN alternatives_json TEXT CHECK ${jsonOrNull('alternatives_json')}` },
  // The CAD incident's location postcode, the site the patient was taken to and the vehicle: evidence for the form's,
  // never a finding.
  { table: 'cad_incidents', column: 'postcode', ddl: 'ALTER TABLE cad_incidents ADD COLUMN postcode TEXT' },
  { table: 'cad_incidents', column: 'destination', ddl: 'ALTER TABLE cad_incidents ADD COLUMN destination TEXT' },
  { table: 'cad_incidents', column: 'fleet_number', ddl: 'ALTER TABLE cad_incidents ADD COLUMN fleet_number TEXT' },
];

/**
 * Names this code's schema (its tables and added columns), kept in meta once applied, so a job already on it opens
 * without a write: a reader (status, audit) beside a running scan then never needs the write lock.
 */
export const SCHEMA_FINGERPRINT = createHash('sha256')
  .update(SCHEMA_SQL)
  .update(JSON.stringify(ADDED_COLUMNS))
  .digest('hex')
  .slice(0, 16);

export function applySchema(db: Database): void {
  db.exec(SCHEMA_SQL);
  for (const c of ADDED_COLUMNS) {
    const cols = db.prepare(`PRAGMA table_info(${c.table})`).all() as { name: string }[];
    if (!cols.some((x) => x.name === c.column)) db.exec(c.ddl);
  }
}
