// The downtime a job covers: the first and last day crews wrote on paper. An incident date outside it was misread
// (a 2013 year on a 2023 form reads with high confidence) or belongs to another job, so a person looks at it.
import { isRealIsoDate } from './schema.ts';

export interface DowntimeWindow {
  /** First day, YYYY-MM-DD, inclusive. */
  from: string;
  /** Last day, YYYY-MM-DD, inclusive. */
  to: string;
}

/** Why a downtime window given by a person cannot be used; the message names what to type instead. */
export class DowntimeWindowError extends Error {
  override name = 'DowntimeWindowError';
}

/** "2023-07-10..2023-07-31" (or a single day) to a window; a date that is not real or a reversed window is refused. */
export function parseDowntimeWindow(text: string): DowntimeWindow {
  const parts = text.trim().split('..');
  const [from, to = from] = parts;
  if (parts.length > 2 || !from || !to || ![from, to].every(isRealIsoDate)) {
    throw new DowntimeWindowError(`"${text}" is not a downtime window: give the first and last day as YYYY-MM-DD..YYYY-MM-DD, e.g. 2023-07-10..2023-07-31`);
  }
  if (from > to) throw new DowntimeWindowError(`the downtime window ${text} ends before it starts`);
  return { from, to };
}

export function formatDowntimeWindow(w: DowntimeWindow): string {
  return `${w.from}..${w.to}`;
}
