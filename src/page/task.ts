// The page task and its result: plain, structured-clonable messages, so one page's work can run in a worker
// thread here (or, later, on another machine through a queue) while the job store is written in one place only.
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

/** What the scan's OCR engine did (the scan's counters). */
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
}
