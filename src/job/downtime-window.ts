// The job keeps its downtime window (validate --downtime) in its meta, so that every later validation, by validate,
// the review page or a corrections file, checks incident dates against the same days.
import type { DowntimeWindow } from '../record/downtime.ts';
import type { JobStore } from './store.ts';

const DOWNTIME_META = 'downtime_window';

export function jobDowntime(store: JobStore): DowntimeWindow | undefined {
  const json = store.getMeta(DOWNTIME_META);
  return json ? (JSON.parse(json) as DowntimeWindow) : undefined;
}

export function setJobDowntime(store: JobStore, window: DowntimeWindow): void {
  store.setMeta(DOWNTIME_META, JSON.stringify({ from: window.from, to: window.to }));
}
