// Defence in depth: export checks each record again, with the same schema and rules validate uses, just before it is
// written. A job store edited by hand, or a bug upstream, must not put a wrong record into a patient's ePR. What the
// re-check refuses is never written; the reason codes go back to the caller (codes only: messages can quote values).
import { PrfRecord } from '../record/schema.ts';
import { checkRecord } from '../record/rules.ts';
import type { FindingCode } from '../record/findings.ts';

/**
 * Codes that stop export even on a record marked ready. Blocking findings always do; these review findings do too,
 * because no person's confirmation can make them right: an NHS number that fails Modulus 11 is nobody's, a clock
 * time in the spring gap never happened. (A postcode a person confirmed stands: a trust may accept a BFPO number or an
 * overseas territory's code for its patient.)
 */
const NEVER_EXPORTED: ReadonlySet<string> = new Set<FindingCode>([
  'nhs-check-digit',
  'nhs-number-length',
  'nhs-number-not-digits',
  'time-in-clock-change-gap',
]);

export type RecheckResult = { ok: true; record: PrfRecord } | { ok: false; reasons: string[]; paths: string[] };

/** Parse and re-check one record read back from the job store. */
export function recheckForExport(raw: unknown): RecheckResult {
  const parsed = PrfRecord.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, reasons: ['schema-invalid'], paths: [...new Set(parsed.error.issues.map((i) => i.path.join('.')))] };
  }
  const record = parsed.data;
  const refused = checkRecord(record).filter((f) => f.severity === 'blocking' || NEVER_EXPORTED.has(f.code));
  if (refused.length) {
    return { ok: false, reasons: [...new Set(refused.map((f) => f.code))].sort(), paths: [...new Set(refused.flatMap((f) => f.paths))].sort() };
  }
  return { ok: true, record };
}
