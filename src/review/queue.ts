// The review queue: fields needing a person, grouped by form, and the claims (leases) that keep two reviewers off
// the same item. Claiming runs in a BEGIN IMMEDIATE transaction, so two review servers on one job (two processes)
// cannot both take an item.
import type { FieldRow } from '../job/record-store.ts';
import { messageWithoutValues, type Finding } from '../record/findings.ts';
import type { Field } from '../template/schema.ts';
import { fieldKind, fullLabel, type ReviewContext } from './context.ts';
import { allKeyings, keyingStage, machineKeying, MACHINE_KEYER, type Keying, type KeyingStage } from './double-key.ts';
import { displayValue, guessText } from './input.ts';
import { groupOrder, groupShape, type GroupShape } from './group-shape.ts';
import { findingViews, type FindingView } from './finding-view.ts';
import { reviewerDay } from './reviewer-day.ts';
import { leastSureAt, nextReadings } from './readings.ts';
import { offersSuggestions } from './dictionary.ts';

/** single: an ordinary review; first/second/third: a step of double keying. */
export type ItemStage = 'single' | Exclude<KeyingStage, 'wait'>;

/** One item as the page (or the corrections CSV) shows it. */
export interface QueueItem {
  id: number;
  serial: string;
  fieldId: string;
  label: string;
  /** The label with its group, "Obs set 2 - Pulse". */
  groupLabel: string;
  type: Field['type'];
  kind: string;
  path: string;
  version: number;
  stage: ItemStage;
  /** The machine's best guess, as a person would type it; empty for a blind second keying. */
  guess: string;
  /** Plain-English reasons the field needs a person. */
  reasons: string[];
  /** Those of the reasons that are more than the machine's confidence alone (a finding, a value that is not valid):
   * what makes this tile odd among its group. */
  flags: string[];
  cropUrl: string | null;
  /** The field's whole printed row (its label and neighbours), for context. */
  contextUrl: string;
  /** Choice and multi fields: the options, numbered from 1 as the reviewer may type them. */
  options?: { n: number; value: string; label: string }[];
  /** Comb fields: the machine's next readings that are values of the field, best first, one key each (never when
   * keying blind). */
  readings?: string[];
  /** Comb fields: where in `guess` the character the machine was least sure of is (editing the reading starts
   * there); never when keying blind. */
  doubtAt?: number;
  /** Free text and capitals, not keyed blind: the page completes what is typed from the job's dictionary for the
   * field (sent with the screen), and for free text may offer the entry nearest the machine's reading. */
  suggest?: true;
  /** Third decision only: what the two (or more) keyings said. */
  keyed?: string[];
  /** Rule findings on this field, each with every field it names and the recomputed value (never when keying blind). */
  findings?: FindingView[];
  recordStatus: string;
}

export interface QueueFilter {
  kind?: string;
}

interface Eligible {
  row: FieldRow;
  field: Field;
  stage: ItemStage;
}

/** The reasons' messages; keying blind, each finding in its catalogue wording with the values left out. */
function reasonsOf(row: FieldRow, blind: boolean, keep: (code: unknown) => boolean = () => true): string[] {
  const msgs = (row.reasons as Partial<Finding>[])
    .filter((r) => keep(r.code))
    .map((r) => (blind && typeof r.code === 'string' ? (messageWithoutValues(r.code) ?? r.message) : r.message))
    .filter((m): m is string => typeof m === 'string');
  return [...new Set(msgs)];
}

/** The stage of a field for this reviewer, or null when the reviewer may not act on it now. */
export function stageFor(ctx: ReviewContext, row: FieldRow, reviewer: string): ItemStage | null {
  // A decided field back for a finding no one has seen is confirmed once, whoever keyed it.
  if (!ctx.doubleKeyPaths.has(row.path) || row.verifiedBy !== null) return 'single';
  const s = keyingStage(keyingsOf(ctx, row), reviewer);
  return s === 'wait' ? null : s;
}

/** A double-keyed field's keyings, the machine's first where its reading counts as one. */
export function keyingsOf(ctx: ReviewContext, row: FieldRow): Keying[] {
  const field = ctx.fields.get(row.fieldId);
  return allKeyings(field ? machineKeying(field, row) : null, ctx.store.review.keyingsOf(row.serial, row.fieldId));
}

/** Every item this reviewer could take (claimed by others or not), in queue order. */
function eligible(ctx: ReviewContext, reviewer: string, filter: QueueFilter = {}): Eligible[] {
  const out: Eligible[] = [];
  // The queue's rows without their box alternatives (see toItems): this runs over the whole queue for every screen.
  for (const row of ctx.store.review.reviewableFields({ alternatives: false })) {
    const field = ctx.fields.get(row.fieldId);
    if (!field) continue;
    if (filter.kind && fieldKind(field) !== filter.kind) continue;
    const stage = stageFor(ctx, row, reviewer);
    if (stage) out.push({ row, field, stage });
  }
  return out;
}

export function toQueueItem(ctx: ReviewContext, row: FieldRow, field: Field, stage: ItemStage): QueueItem {
  const item: QueueItem = {
    id: row.id,
    serial: row.serial,
    fieldId: row.fieldId,
    label: field.label,
    groupLabel: fullLabel(field),
    type: field.type,
    kind: fieldKind(field),
    path: row.path,
    version: row.version,
    stage,
    // Blind keying: neither the machine's guess nor the first keying is shown.
    guess: stage === 'second' || stage === 'third' ? '' : guessText(field, row.value, row.rawText),
    reasons: reasonsOf(row, stage === 'second'),
    flags: reasonsOf(row, stage === 'second', (code) => code !== 'low-confidence'),
    // Cut on request from the page image (old jobs: the crop file the scan wrote).
    cropUrl: `crop/${row.id}`,
    contextUrl: `crop/${row.id}/context`,
    recordStatus: ctx.store.records.record(row.serial)?.status ?? 'unknown',
  };
  if (field.type === 'choice' || field.type === 'multi') {
    item.options = field.options.map((o, i) => ({ n: i + 1, value: String(o.value), label: o.label }));
  }
  if (stage !== 'second' && stage !== 'third') {
    const views = findingViews(ctx, row);
    if (views.length) item.findings = views;
    const readings = nextReadings(field, row);
    if (readings.length) item.readings = readings.map((r) => r.text);
    const doubt = leastSureAt(field, row);
    if (doubt !== null) item.doubtAt = doubt;
  }
  if (offersSuggestions(field, stage)) item.suggest = true;
  if (stage === 'third') {
    item.keyed = keyingsOf(ctx, row).map((k) => {
      const said = k.action === 'key' ? displayValue(field, k.value) : k.action === 'blank' ? '(blank on form)' : '(illegible)';
      return k.reviewer === MACHINE_KEYER ? `${said} (machine reading)` : said;
    });
  }
  return item;
}

/** The items of a screen, from their whole rows (eligible() reads the queue without the box alternatives). */
function toItems(ctx: ReviewContext, batch: Eligible[]): QueueItem[] {
  return batch.map((e) => toQueueItem(ctx, ctx.store.records.field(e.row.serial, e.row.fieldId) ?? e.row, e.field, e.stage));
}

/**
 * Claim the reviewer's next batch: the items they already hold first, then, without a filter, the rest of the same
 * form (one form at a time); with a filter, the next `limit` items of that kind across forms. The reviewer's other
 * claims are released, so switching filters frees items for others.
 */
export function claimBatch(ctx: ReviewContext, reviewer: string, filter: QueueFilter = {}, limit = 60): QueueItem[] {
  const { store } = ctx;
  return store.inTransaction(() => {
    const at = store.nowIso();
    const expires = new Date(Date.parse(at) + ctx.leaseMs).toISOString();
    const held = new Map(store.review.activeClaims(at).map((c) => [`${c.serial}/${c.fieldId}`, c.reviewer]));
    const key = (e: Eligible) => `${e.row.serial}/${e.row.fieldId}`;
    const free = eligible(ctx, reviewer, filter).filter((e) => {
      const h = held.get(key(e));
      return h === undefined || h === reviewer;
    });
    const mineFirst = [...free.filter((e) => held.get(key(e)) === reviewer), ...free.filter((e) => held.get(key(e)) !== reviewer)];
    let batch: Eligible[];
    if (filter.kind) batch = mineFirst.slice(0, limit);
    else {
      const serial = mineFirst[0]?.row.serial;
      batch = free.filter((e) => e.row.serial === serial).slice(0, limit);
    }
    const keep = new Set(batch.map(key));
    const mineElsewhere = store.review.activeClaims(at).filter((c) => c.reviewer === reviewer && !keep.has(`${c.serial}/${c.fieldId}`));
    store.review.releaseClaims(reviewer, mineElsewhere);
    for (const e of batch) {
      if (!store.review.claimField(e.row.serial, e.row.fieldId, reviewer, at, expires)) {
        throw new Error(`claim race on ${e.row.serial}/${e.row.fieldId} inside an immediate transaction`);
      }
    }
    return toItems(ctx, batch);
  });
}

/**
 * The reviewer's claimed items as they are now, on one form when `serial` is given: a decision re-validates only its
 * own record, so only that form's items can have changed (and a screen of 40 other forms costs nothing to answer).
 */
export function heldItems(ctx: ReviewContext, reviewer: string, serial?: string): QueueItem[] {
  const { store } = ctx;
  const at = store.nowIso();
  const out: QueueItem[] = [];
  for (const c of store.review.activeClaims(at)) {
    if (c.reviewer !== reviewer || (serial !== undefined && c.serial !== serial)) continue;
    const row = store.records.field(c.serial, c.fieldId);
    const field = ctx.fields.get(c.fieldId);
    if (!row || !field || row.status !== 'needs-review') continue;
    const stage = stageFor(ctx, row, reviewer);
    if (stage) out.push(toQueueItem(ctx, row, field, stage));
  }
  return out;
}

export interface Progress {
  /** Fields still needing a person, in the whole job. */
  fieldsLeft: number;
  formsLeft: number;
  /** Items this reviewer could take now (double-keying steps they may not do are left out). */
  forYou: number;
  /** Fields this reviewer decided or keyed today (since local midnight). */
  doneToday: number;
  /** Fields per hour from this reviewer's first decision today to now, idle time included; null until then. */
  ratePerHour: number | null;
  /** Counts per kind of field, for the filter. */
  kinds: Record<string, number>;
}

/**
 * Progress over the whole queue, counted in SQL rather than by reading every queued row: every save answers with
 * it. A reviewer may take every queued field but the double-keyed ones they keyed already (those wait for another
 * person), which is exactly what stageFor says for people (only the machine's own id could be its first keyer).
 */
export function progress(ctx: ReviewContext, reviewer: string): Progress {
  const { byField, forms } = ctx.store.review.reviewableCounts();
  const kinds: Record<string, number> = {};
  let fieldsLeft = 0;
  let known = 0;
  for (const [fieldId, n] of byField) {
    fieldsLeft += n;
    const field = ctx.fields.get(fieldId);
    if (!field) continue;
    const k = fieldKind(field);
    kinds[k] = (kinds[k] ?? 0) + n;
    known += n;
  }
  const day = reviewerDay(ctx.store, reviewer);
  return {
    fieldsLeft,
    formsLeft: forms,
    forYou: known - ctx.store.review.keyedAwaitingOthers(reviewer, [...ctx.doubleKeyPaths]),
    doneToday: day.done,
    ratePerHour: day.ratePerHour,
    kinds,
  };
}

export interface GroupBatch {
  /** The template field shown, or null when nothing can be verified in groups now. */
  fieldId: string | null;
  groupLabel: string;
  /** How many more of this field wait after this screen. */
  more: number;
  items: QueueItem[];
  /** How to lay the tiles out; null with no field. */
  shape: GroupShape | null;
}

/** Most tiles one screen may claim (a wide screen of two-digit fields). */
export const GROUP_LIMIT_MAX = 80;

/**
 * Claim one screen of group verification: the same template field across the job (every "Obs set 2 - Pulse"),
 * sorted by the machine's value so the odd one stands out. The field asked for if any is left, else the one
 * with the most items waiting. Double-keyed steps are left to the field view: a blind keying shows no value.
 * `limit` is what fits the reviewer's screen; 0 claims nothing and only says which field comes next and its shape.
 */
export function claimGroup(ctx: ReviewContext, reviewer: string, fieldId?: string, limit = 24): GroupBatch {
  const { store } = ctx;
  return store.inTransaction((): GroupBatch => {
    const at = store.nowIso();
    const expires = new Date(Date.parse(at) + ctx.leaseMs).toISOString();
    const held = new Map(store.review.activeClaims(at).map((c) => [`${c.serial}/${c.fieldId}`, c.reviewer]));
    const free = eligible(ctx, reviewer).filter((e) => {
      const h = held.get(`${e.row.serial}/${e.row.fieldId}`);
      return e.stage === 'single' && (h === undefined || h === reviewer);
    });
    const byField = new Map<string, Eligible[]>();
    for (const e of free) {
      const list = byField.get(e.row.fieldId);
      if (list) list.push(e);
      else byField.set(e.row.fieldId, [e]);
    }
    const order = ctx.template.fields.map((f) => f.id);
    const chosen =
      fieldId && byField.has(fieldId)
        ? fieldId
        : [...byField.keys()].sort((a, b) => byField.get(b)!.length - byField.get(a)!.length || order.indexOf(a) - order.indexOf(b))[0];
    const mine = store.review.activeClaims(at).filter((c) => c.reviewer === reviewer);
    if (!chosen) {
      store.review.releaseClaims(reviewer, mine);
      return { fieldId: null, groupLabel: '', more: 0, items: [], shape: null };
    }
    const field = ctx.fields.get(chosen)!;
    const byValue = groupOrder(field);
    const all = byField.get(chosen)!.sort((a, b) => byValue(a.row, b.row));
    const batch = all.slice(0, Math.max(0, Math.min(limit, GROUP_LIMIT_MAX)));
    const keep = new Set(batch.map((e) => `${e.row.serial}/${e.row.fieldId}`));
    store.review.releaseClaims(reviewer, mine.filter((c) => !keep.has(`${c.serial}/${c.fieldId}`)));
    for (const e of batch) {
      if (!store.review.claimField(e.row.serial, e.row.fieldId, reviewer, at, expires)) {
        throw new Error(`claim race on ${e.row.serial}/${e.row.fieldId} inside an immediate transaction`);
      }
    }
    return {
      fieldId: chosen,
      groupLabel: fullLabel(field),
      more: all.length - batch.length,
      items: toItems(ctx, batch),
      shape: groupShape(field),
    };
  });
}
