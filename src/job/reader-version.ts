// A job is read by one reader: the box classifier's model version is recorded in the job at its first scan, and a
// later scan with another model is refused, so no job mixes fields read by two models (their confidences mean
// different things, and one calibration holds for one model).
import type { JobStore } from './store.ts';

export const MODEL_VERSION_META = 'box_model_version';

export class ReaderMismatchError extends Error {
  override name = 'ReaderMismatchError';
}

/** Record the model version in a new job; refuse a job whose pages were read by another model (or by tesseract). */
export function claimReaderVersion(store: JobStore, jobDir: string, modelVersion: string): void {
  const recorded = store.getMeta(MODEL_VERSION_META);
  if (recorded === modelVersion) return;
  const readPages = store.statusCounts().pages.read;
  if (recorded !== undefined || readPages > 0) {
    const by = recorded === undefined ? 'an earlier reader (tesseract for the comb boxes)' : `box model ${recorded}`;
    throw new ReaderMismatchError(
      `${jobDir}: this job's pages were read with ${by}, and this scan uses box model ${modelVersion}. ` +
        'A job is never read by two models: scan these files into a new job (--job), or scan the whole job again into a new one.',
    );
  }
  store.setMeta(MODEL_VERSION_META, modelVersion);
}
