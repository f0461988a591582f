// One reviewer decision on one field: normalise what was typed, save it through the store (one transaction, with
// audit), and re-validate the record so its status is current at once. Used by the page and by `review apply`.
import { VersionConflictError, type DecisionAction, type KeyingAction } from './review-store.ts';
import type { FieldRow, RecordStatus } from '../job/record-store.ts';
import { acknowledgeFindings } from '../job/finding-acks.ts';
import { validateRecord } from '../job/validate.ts';
import type { ReviewContext } from './context.ts';
import { keyingsMatch, keyingStage, MACHINE_KEYER } from './double-key.ts';
import { keyingsOf } from './queue.ts';
import { parseTyped } from './input.ts';
import { nextReadings } from './readings.ts';

const ORDINAL = ['first', 'second', 'third'];

/**
 * enter: the typed text (the guess left as it is accepts it); blank: nothing on the form; illegible: cannot be read;
 * alternative: one of the machine's next readings the page offered (`text` as it was shown), taken as a correction.
 */
export type ReviewAction = 'enter' | 'blank' | 'illegible' | 'alternative';

export interface DecisionInput {
  serial: string;
  fieldId: string;
  reviewer: string;
  action: ReviewAction;
  text?: string;
  expectedVersion: number;
  note?: string;
}

export type DecisionOutcome =
  | {
      ok: true;
      /** decided: the field is settled; keyed: a double-keying step was saved, the field waits for another person. */
      result: 'decided' | 'keyed' | 'mismatch';
      message: string;
      field: FieldRow;
      recordBefore: RecordStatus;
      recordAfter: RecordStatus;
    }
  | { ok: false; problem: 'invalid' | 'conflict' | 'not-found' | 'not-allowed'; message: string; field?: FieldRow };

export interface DecideOptions {
  /** The page checks the reviewer's lease; the CSV round trip has none. */
  checkClaim?: boolean;
  /** Re-validate the record now (the page); `review apply` re-validates once per record at the end. */
  revalidate?: boolean;
}

function keyedFrom(action: ReviewAction, parsed: { kind: 'value' | 'blank'; value?: unknown }): { action: KeyingAction; value: unknown } {
  if (action === 'illegible') return { action: 'illegible', value: null };
  if (action === 'blank' || parsed.kind === 'blank') return { action: 'blank', value: null };
  return { action: 'key', value: parsed.value };
}

/** Save one decision. Runs in its own immediate transaction, or as a savepoint inside the caller's. */
export function decide(ctx: ReviewContext, d: DecisionInput, opts: DecideOptions = {}): DecisionOutcome {
  const { store } = ctx;
  const revalidate = opts.revalidate ?? true;
  return store.inTransaction((): DecisionOutcome => {
    const row = store.records.field(d.serial, d.fieldId);
    const field = ctx.fields.get(d.fieldId);
    if (!row || !field) return { ok: false, problem: 'not-found', message: `Form ${d.serial} has no field ${d.fieldId}.` };
    const rec = store.records.record(d.serial)!;
    if (rec.status === 'exported') return { ok: false, problem: 'not-allowed', message: `Form ${d.serial} is already exported; it cannot change.` };
    if (row.version !== d.expectedVersion || row.status !== 'needs-review') {
      return {
        ok: false,
        problem: 'conflict',
        message: 'Someone else changed this field since it was shown to you. Its current state is shown now; please check it again.',
        field: row,
      };
    }
    if (opts.checkClaim) {
      const holder = store.review.claimHolder(d.serial, d.fieldId, store.nowIso());
      if (holder !== undefined && holder !== d.reviewer) {
        return { ok: false, problem: 'conflict', message: 'Another reviewer has this field open now.', field: row };
      }
    }
    // A decided field sent back for a finding no one has seen is confirmed by one person, not keyed again.
    const doubleKeyed = ctx.doubleKeyPaths.has(row.path) && row.verifiedBy === null;
    const keyings = doubleKeyed ? keyingsOf(ctx, row) : [];
    const stage = doubleKeyed ? keyingStage(keyings, d.reviewer) : null;
    let parsed: { kind: 'value' | 'blank'; value?: unknown } = { kind: 'blank' };
    let note = d.note;
    if (d.action === 'enter') {
      const p = parseTyped(field, d.text ?? '');
      if (!p.ok) return { ok: false, problem: 'invalid', message: p.message, field: row };
      parsed = p;
    } else if (d.action === 'alternative') {
      // A blind keying is the person's own reading of the paper: the machine's readings are never offered to it.
      if (stage === 'second' || stage === 'third') {
        return { ok: false, problem: 'not-allowed', message: 'This field is keyed blind: type what the form says.', field: row };
      }
      const readings = nextReadings(field, row);
      const i = readings.findIndex((r) => r.text === d.text);
      if (i < 0) return { ok: false, problem: 'invalid', message: 'That reading is not one the machine offers for this field now: type the value.', field: row };
      parsed = { kind: 'value', value: readings[i]!.value };
      note = [`chosen from the machine's alternative readings (the ${ORDINAL[i] ?? `${i + 1}th`} offered)`, d.note].filter(Boolean).join('; ');
    }
    const keyed = keyedFrom(d.action, parsed);

    let result: 'decided' | 'keyed' | 'mismatch' = 'decided';
    let message = 'Saved.';
    if (stage !== null) {
      if (stage === 'wait') {
        return { ok: false, problem: 'not-allowed', message: 'You have keyed this field already: another person must key it.', field: row };
      }
      if (stage === 'first' || stage === 'second') {
        store.review.addKeying({ serial: d.serial, fieldId: d.fieldId, reviewer: d.reviewer, action: keyed.action, value: keyed.value, fieldVersion: row.version, note });
        if (stage === 'first') {
          result = 'keyed';
          message = 'First keying saved. Another person will key this field without seeing it.';
        } else if (!keyingsMatch(keyings[0]!, keyed)) {
          result = 'mismatch';
          message = 'The two keyings differ. A third person will decide.';
        } else {
          note = keyings[0]!.reviewer === MACHINE_KEYER ? 'double-keyed: matches the machine reading' : `double-keyed: matches the keying by ${keyings[0]!.reviewer}`;
        }
      } else {
        const who = [...new Set(keyings.map((k) => (k.reviewer === MACHINE_KEYER ? 'the machine' : k.reviewer)))];
        note = `third decision after the keyings by ${who.join(' and ')} differed`;
      }
    }
    if (result === 'decided') {
      // The reasons on screen (or in the exported CSV row, whose version was checked) were seen by this person.
      acknowledgeFindings(store.db, d.serial, row.reasons, d.reviewer, store.nowIso());
      const action: DecisionAction =
        keyed.action === 'blank' ? 'blank'
        : keyed.action === 'illegible' ? 'illegible'
        : JSON.stringify(keyed.value) === JSON.stringify(row.value) ? 'verify'
        : 'correct';
      try {
        store.review.applyDecision({
          serial: d.serial,
          fieldId: d.fieldId,
          reviewer: d.reviewer,
          action,
          value: action === 'verify' || action === 'correct' ? keyed.value : undefined,
          expectedVersion: d.expectedVersion,
          note,
        });
      } catch (e) {
        if (e instanceof VersionConflictError) {
          return { ok: false, problem: 'conflict', message: 'Someone else changed this field since it was shown to you.', field: store.records.field(d.serial, d.fieldId) };
        }
        throw e;
      }
    }
    store.review.releaseClaims(d.reviewer, [{ serial: d.serial, fieldId: d.fieldId }]);
    if (revalidate && result === 'decided') validateRecord(store, ctx.template, ctx.thresholds, d.serial, ctx.today());
    return {
      ok: true,
      result,
      message,
      field: store.records.field(d.serial, d.fieldId)!,
      recordBefore: rec.status,
      recordAfter: store.records.record(d.serial)!.status,
    };
  });
}
