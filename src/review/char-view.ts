// The character view: every comb box in the queue read as the same character, side by side across the job (all the
// boxes read "7" together), so a 1 among 7s is seen at once. A screen claims the fields whose boxes it shows. What
// the reviewer checks is kept per box; a field is decided, through the ordinary decision (audit, keyings, findings
// re-run), only once this reviewer has checked every one of its boxes at its current version. Until then it stays
// in the queue, and the other views show it as before.
import type { FieldRow } from '../job/record-store.ts';
import { combBoxes, combCharacters, isComb } from '../template/geometry.ts';
import type { Field } from '../template/schema.ts';
import { charChecksOf, saveCharCheck, type CharCheck } from './char-checks.ts';
import { fullLabel, type ReviewContext } from './context.ts';
import { decide, type DecisionOutcome } from './decide.ts';
import { displayValue } from './input.ts';
import { stageFor } from './queue.ts';

/** Most box tiles one screen may claim. */
export const CHAR_LIMIT_MAX = 150;

export interface CharTile {
  /** `${field row id}.${box}` */
  key: string;
  fieldRowId: number;
  serial: string;
  fieldId: string;
  box: number;
  /** Boxes in the field; this is box `box + 1` of them. */
  boxes: number;
  char: string;
  version: number;
  groupLabel: string;
  cropUrl: string;
  /** The box classifier's probability for this character, when it gave one. */
  p: number | null;
}

export interface CharScreen {
  /** The character shown ('' for empty boxes, '?' for boxes the machine could not read), or null when none wait. */
  char: string | null;
  /** Boxes of this character after this screen. */
  more: number;
  /** How many boxes wait, per character, for the page to say what is left. */
  waiting: Record<string, number>;
  tiles: CharTile[];
}

/** The reasons a field may be settled box by box: only the machine's doubt about its characters. */
const CHAR_VIEW_REASONS = new Set(['low-confidence']);

/** The character in each box, from the machine's value where it has one (what confirming keeps), else its reading. */
export function boxChars(field: Field, row: Pick<FieldRow, 'value' | 'rawText'>): string[] {
  const n = combBoxes(field).length;
  if (row.value !== null && row.value !== undefined) return combCharacters(field, displayValue(field, row.value));
  return Array.from({ length: n }, (_, i) => (row.rawText[i] ?? ' ').trim());
}

/** The text a person would type for these box characters, for the ordinary decision path; null when all are empty. */
export function textFromChars(field: Field, chars: readonly string[]): string | null {
  if (chars.every((c) => c === '')) return null;
  if (field.type === 'capitals') return chars.map((c) => c || ' ').join('').trim().replace(/ +/g, ' ');
  if (field.type === 'decimal') {
    const int = chars.slice(0, field.intDigits).join('');
    const frac = chars.slice(field.intDigits).join('');
    return frac ? `${int || '0'}.${frac}` : int;
  }
  return chars.join('');
}

/** Can this field be checked box by box by this reviewer? Comb, one person's decision, no rule finding on it. */
function charEligible(ctx: ReviewContext, row: FieldRow, field: Field, reviewer: string): boolean {
  if (!isComb(field) || ctx.doubleKeyPaths.has(row.path)) return false;
  if (stageFor(ctx, row, reviewer) !== 'single') return false;
  return row.reasons.every((r) => CHAR_VIEW_REASONS.has(String((r as { code?: unknown }).code)));
}

function probabilityOf(row: FieldRow, box: number, char: string): number | null {
  const alts = Array.isArray(row.alternatives) ? (row.alternatives[box] as { char: string; p: number }[] | undefined) : undefined;
  const hit = alts?.find((a) => a.char === char);
  return hit ? hit.p : null;
}

/**
 * Claim one screen of the character view: the boxes read as `char` (or, without one, the character with the most
 * boxes waiting, empty boxes last), least sure first, that this reviewer has not checked at the field's version.
 */
export function claimChars(ctx: ReviewContext, reviewer: string, char?: string, limit = 60): CharScreen {
  const { store } = ctx;
  return store.inTransaction((): CharScreen => {
    const at = store.nowIso();
    const expires = new Date(Date.parse(at) + ctx.leaseMs).toISOString();
    const held = new Map(store.review.activeClaims(at).map((c) => [`${c.serial}/${c.fieldId}`, c.reviewer]));
    const checks = charChecksOf(store.db, reviewer);
    const byChar = new Map<string, CharTile[]>();
    for (const row of store.review.reviewableFields()) {
      const field = ctx.fields.get(row.fieldId);
      const key = `${row.serial}/${row.fieldId}`;
      const h = held.get(key);
      if (!field || (h !== undefined && h !== reviewer) || !charEligible(ctx, row, field, reviewer)) continue;
      const seen = checks.get(key);
      const chars = boxChars(field, row);
      chars.forEach((c, box) => {
        const done = seen?.get(box);
        if (done && done.version === row.version) return;
        const tile: CharTile = {
          key: `${row.id}.${box}`,
          fieldRowId: row.id,
          serial: row.serial,
          fieldId: row.fieldId,
          box,
          boxes: chars.length,
          char: c,
          version: row.version,
          groupLabel: fullLabel(field),
          cropUrl: `crop/${row.id}/box/${box}`,
          p: probabilityOf(row, box, c),
        };
        const list = byChar.get(c);
        if (list) list.push(tile);
        else byChar.set(c, [tile]);
      });
    }
    const waiting = Object.fromEntries([...byChar].map(([c, l]) => [c, l.length]));
    const chosen =
      char !== undefined && byChar.has(char)
        ? char
        : [...byChar.keys()].sort((a, b) => Number(a === '') - Number(b === '') || byChar.get(b)!.length - byChar.get(a)!.length || a.localeCompare(b))[0];
    const mine = store.review.activeClaims(at).filter((c) => c.reviewer === reviewer);
    if (chosen === undefined) {
      store.review.releaseClaims(reviewer, mine);
      return { char: null, more: 0, waiting, tiles: [] };
    }
    const all = byChar.get(chosen)!.sort((a, b) => (a.p ?? 0) - (b.p ?? 0) || a.fieldRowId - b.fieldRowId || a.box - b.box);
    const tiles = all.slice(0, Math.max(0, Math.min(limit, CHAR_LIMIT_MAX)));
    const keep = new Set(tiles.map((t) => `${t.serial}/${t.fieldId}`));
    store.review.releaseClaims(reviewer, mine.filter((c) => !keep.has(`${c.serial}/${c.fieldId}`)));
    for (const k of keep) {
      const [serial, fieldId] = k.split('/') as [string, string];
      if (held.get(k) !== reviewer && !store.review.claimField(serial, fieldId, reviewer, at, expires)) {
        throw new Error(`claim race on ${k} inside an immediate transaction`);
      }
    }
    return { char: chosen, more: all.length - tiles.length, waiting, tiles };
  });
}

export interface CharFieldResult {
  serial: string;
  fieldId: string;
  /** decided: every box checked and the field saved; waiting: boxes left to check; refused: not saved (why in message). */
  result: 'decided' | 'waiting' | 'refused';
  boxesLeft: number;
  message: string;
  outcome?: DecisionOutcome;
}

/**
 * Save a screen's box checks (the characters as the reviewer left or typed them), then decide every field whose
 * boxes this reviewer has now all checked, with the text those boxes spell, through `decide`.
 */
export function checkChars(ctx: ReviewContext, reviewer: string, given: readonly CharCheck[]): CharFieldResult[] {
  const { store } = ctx;
  return store.inTransaction((): CharFieldResult[] => {
    const at = store.nowIso();
    const results: CharFieldResult[] = [];
    const touched = new Map<string, FieldRow>();
    const refused = new Set<string>();
    for (const c of given) {
      const key = `${c.serial}/${c.fieldId}`;
      const row = store.records.field(c.serial, c.fieldId);
      const field = ctx.fields.get(c.fieldId);
      const holder = store.review.claimHolder(c.serial, c.fieldId, at);
      let problem: string | null = null;
      if (!row || !field || !isComb(field) || c.box < 0 || c.box >= combBoxes(field).length) problem = `Form ${c.serial} has no such box.`;
      else if (row.version !== c.version || row.status !== 'needs-review') problem = 'Someone else changed this field since it was shown to you.';
      else if (holder !== undefined && holder !== reviewer) problem = 'Another reviewer has this field open now.';
      else if (!charEligible(ctx, row, field, reviewer)) problem = 'This field is checked in the group or field view.';
      else if (c.char.length > 1 || /\s/.test(c.char)) problem = 'One character a box.';
      if (problem) {
        if (!refused.has(key)) results.push({ serial: c.serial, fieldId: c.fieldId, result: 'refused', boxesLeft: 0, message: problem });
        refused.add(key);
        continue;
      }
      saveCharCheck(store.db, { ...c, char: field!.type === 'capitals' ? c.char.toUpperCase() : c.char }, reviewer, at);
      touched.set(key, row!);
    }
    const checks = charChecksOf(store.db, reviewer);
    for (const [key, row] of touched) {
      if (refused.has(key)) continue;
      const field = ctx.fields.get(row.fieldId)!;
      const n = combBoxes(field).length;
      const seen = checks.get(key)!;
      const chars = Array.from({ length: n }, (_, i) => seen.get(i));
      const left = chars.filter((x) => !x || x.version !== row.version).length;
      if (left > 0) {
        results.push({ serial: row.serial, fieldId: row.fieldId, result: 'waiting', boxesLeft: left, message: `${left} box(es) of this field still to check.` });
        continue;
      }
      const text = textFromChars(field, chars.map((x) => x!.char));
      const outcome = decide(
        ctx,
        {
          serial: row.serial,
          fieldId: row.fieldId,
          reviewer,
          action: text === null ? 'blank' : 'enter',
          text: text ?? undefined,
          expectedVersion: row.version,
          note: 'character view: every box checked',
        },
        { checkClaim: true },
      );
      results.push({
        serial: row.serial,
        fieldId: row.fieldId,
        result: outcome.ok ? 'decided' : 'refused',
        boxesLeft: 0,
        message: outcome.ok ? outcome.message : `${outcome.message} Open it in the field view (Alt+F) to decide it.`,
        outcome,
      });
    }
    return results;
  });
}
