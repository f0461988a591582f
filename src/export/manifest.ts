// The batch manifest: what is in the batch, where every record came from, and a sha256 of every file, so a
// receiving ePR team can check the batch arrived whole and trace any record back to its scanned pages.
import { createHash } from 'node:crypto';
import type { SourcePageRef } from '../job/page-store.ts';

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  manifestVersion: 1;
  batchId: string;
  jobId: string;
  createdAt: string;
  template: { id: string; version: number };
  toolVersion: string;
  formats: string[];
  counts: { records: number; bundleEntriesByType: Record<string, number>; ndjsonResourcesByType?: Record<string, number> };
  records: {
    formSerial: string;
    sourcePages: SourcePageRef[];
    /** The scanned pages as one PDF in the batch (scans/<serial>.pdf), attached to the record's DocumentReference. */
    scanPdf?: { path: string; sha256: string; bytes: number; pages: number };
    /** Why the scan could not be attached (a reason code), when it could not. */
    scanNotAttached?: string;
  }[];
  files: ManifestFile[];
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function describeFile(path: string, data: string | Uint8Array): ManifestFile {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return { path, bytes: buf.length, sha256: sha256Hex(buf) };
}

/** The manifest as written: pretty JSON, trailing newline, files sorted by path. */
export function manifestText(m: Manifest): string {
  const sorted = { ...m, files: [...m.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
  return JSON.stringify(sorted, null, 2) + '\n';
}
