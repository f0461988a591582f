// Wall-clock times written on the form are Europe/London local times. Twice a year the clock jumps: in spring an hour
// of local times never happens (2023-03-26 01:00-01:59), in autumn an hour happens twice (2023-10-29 01:00-01:59).
// The offsets come from the platform's time-zone data (Intl), never from a hand-made "last Sunday of March" rule.

export const LONDON = 'Europe/London';

export type LocalTimeMapping =
  | { kind: 'exact'; offset: string }
  /** The clocks went forward over this time: it never happened in London on that day. */
  | { kind: 'gap' }
  /** The clocks went back over this time: it happened twice, first at `offsets[0]`, then at `offsets[1]`. */
  | { kind: 'ambiguous'; offsets: [string, string] };

const formatter = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, timeZoneName: 'longOffset' });

/** London's UTC offset in minutes at an instant. */
function offsetMinutesAt(ms: number): number {
  const name = formatter.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')!.value; // "GMT", "GMT+01:00"
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

function offsetText(min: number): string {
  const a = Math.abs(min);
  return `${min < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * Which instants a London wall-clock time on a date stands for. Every offset London used within a day either side is
 * a candidate; a candidate is real when the instant it gives shows that same offset.
 */
export function londonLocalTime(date: string, time: string): LocalTimeMapping {
  const [y, mo, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y!, mo! - 1, d!, hh!, mm!);
  const day = 86_400_000;
  const candidates = [...new Set([offsetMinutesAt(wall - day), offsetMinutesAt(wall), offsetMinutesAt(wall + day)])];
  // Larger offsets first: the earlier instant (e.g. BST before GMT in the autumn repeat) comes first.
  const real = candidates.filter((off) => offsetMinutesAt(wall - off * 60_000) === off).sort((a, b) => b - a);
  if (real.length === 0) return { kind: 'gap' };
  if (real.length === 1) return { kind: 'exact', offset: offsetText(real[0]!) };
  return { kind: 'ambiguous', offsets: [offsetText(real[0]!), offsetText(real[1]!)] };
}

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + n)).toISOString().slice(0, 10);
}

/**
 * The date a form time falls on: the incident date, or the next day when the time is earlier than the call time
 * (an incident that crosses midnight). Export and the time rules both use this, so they agree on the day.
 */
export function dateOfFormTime(incidentDate: string, callTime: string | undefined, time: string): string {
  return callTime && minutes(time) < minutes(callTime) ? addDays(incidentDate, 1) : incidentDate;
}
