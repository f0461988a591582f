// The job keeps its downtime window (validate --downtime) in its meta, so that every later validation, by validate,
// the review page or a corrections file, checks incident dates against the same days.
import type { DowntimeWindow } from '../record/downtime.ts';
import { JobStore } from './store.ts';

const DOWNTIME_META = 'downtime_window';

export function jobDowntime(store: JobStore): DowntimeWindow | undefined {
  const json = store.getMeta(DOWNTIME_META);
  return json ? (JSON.parse(json) as DowntimeWindow) : undefined;
}

export function setJobDowntime(store: JobStore, window: DowntimeWindow): void {
  store.setMeta(DOWNTIME_META, JSON.stringify({ from: window.from, to: window.to }));
}

/** validate --downtime: keep the window given (if any) in the job, and say which window the job now holds. */
export function keepJobDowntime(jobDir: string, window?: DowntimeWindow): DowntimeWindow | undefined {
  const store = JobStore.open(jobDir);
  try {
    if (window) setJobDowntime(store, window);
    return jobDowntime(store);
  } finally {
    store.close();
  }
}
