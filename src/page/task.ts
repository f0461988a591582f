// The page task and its result: plain, structured-clonable messages, so one page's work can run in a worker
// thread here (or, later, on another machine through a queue) while the job store is written in one place only.
import type { SourceInfo } from '../imaging/decode.ts';
import { ScanInputError, type ScanInputErrorCode } from '../imaging/errors.ts';
import type { FieldRead } from '../job/page-store.ts';
import type { PageIdentity } from '../template/qr-payload.ts';

export interface PageTask {
  /** Where the page is: the scan file (named in messages) and the page's 0-based position in it. */
  file: string;
  pageIndex: number;
  /** The file's sha256 when the scan counted its pages: a file changed since is refused, not read. */
  sha256: string;
  /** Which template reads the page (the worker holds the template itself). */
  template: { id: string; version: number };
}

/** Steps of one page's work, timed inside the worker (decoding the page from its file first). */
export const PAGE_STAGES = ['decode', 'identify', 'register', 'warp', 'read', 'encode'] as const;
export type PageStage = (typeof PAGE_STAGES)[number];

/** What the OCR engine did for this page (summed into the scan's counters). */
export interface EngineCounts {
  jobs: number;
  timeouts: number;
  crashes: number;
  recycled: number;
  retries: number;
}

/** A field as read: what the job store keeps for it, less the crop's name, which the store's writer gives. */
export type PageFieldRead = Omit<FieldRead, 'cropPath'>;

export interface PageResult {
  pageIndex: number;
  state: 'read' | 'quarantined';
  reasonCode?: string;
  reason?: string;
  identity?: Partial<PageIdentity>;
  /** Pages the form has (from the template), for a read page's record. */
  pagesExpected?: number;
  rotation: number;
  residualPx?: number;
  dpi?: number;
  fields?: PageFieldRead[];
  /** The aligned page (read pages), PNG: written and fsynced before the page's transaction commits. */
  pageImage?: Uint8Array;
  /** A small JPEG of what the page was (quarantined pages), so a person can assign it by hand. */
  thumbnail?: Uint8Array;
  /** Busy seconds by step (wall clock), and the worker thread's CPU seconds by step (the box classifier's
   *  inference, which runs on this thread inside the read step, left out of read). */
  seconds: Partial<Record<PageStage, number>>;
  cpuSeconds: Partial<Record<PageStage, number>>;
  /** Inside the recognition engines, by kind of call ("box-classifier", "text:required", "printed-serial"...):
   *  wall seconds, and the engine's CPU seconds (tesseract's own thread; the classifier's on this thread). */
  engineSeconds: Record<string, number>;
  engineCpuSeconds: Record<string, number>;
  engine: EngineCounts;
}

/** What a worker says of a scan file it opened (a plain message): what the file is, or why it is refused. */
export type SourceMessage = { info: SourceInfo } | { error: { code: ScanInputErrorCode; file: string; page?: number; detail?: string } };

export function sourceToMessage(opened: SourceInfo | ScanInputError): SourceMessage {
  if (!(opened instanceof ScanInputError)) return { info: opened };
  const { code, file, page, detail } = opened.toJSON();
  return { error: { code, file, ...(page !== undefined ? { page } : {}), ...(detail !== undefined ? { detail } : {}) } };
}

/** The error as it was made in the worker (its message is built from code, file, page and detail). */
export function sourceFromMessage(m: SourceMessage): SourceInfo | ScanInputError {
  if ('info' in m) return m.info;
  const { code, file, page, detail } = m.error;
  return new ScanInputError(code, file, { ...(page !== undefined ? { page } : {}), ...(detail !== undefined ? { detail } : {}) });
}
