// What every stage's table access shares: the job's one SQLite connection, its one transaction helper and clock
// (JobStore provides them), the store's error, and how JSON columns and serials are read and written.
import type { Database } from 'better-sqlite3';

/** The shared connection a stage's store works over. Nested inTransaction calls become savepoints. */
export interface StoreCore {
  readonly db: Database;
  /** The store's clock (ISO 8601). */
  nowIso(): string;
  inTransaction<T>(fn: () => T): T;
}

/** A stage's table access: over the shared connection, inside whatever transaction the caller holds. */
export abstract class StageStore {
  constructor(protected readonly core: StoreCore) {}

  protected get db(): Database {
    return this.core.db;
  }
}

export class JobStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobStoreError';
  }
}

/** A value as a JSON column (undefined stored as null). */
export const toJson = (v: unknown): string => JSON.stringify(v ?? null);
/** A JSON column back to a value (SQL NULL as null). */
export const fromJson = (s: string | null): unknown => (s === null ? null : JSON.parse(s));
/** A JSON column, SQL NULL for a null value. */
export const toJsonOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

// Serials are digit strings: order them as numbers, then as text for equal numbers with leading zeros.
export const SERIAL_ORDER = 'CAST(serial AS INTEGER), serial';
