// The dropped-out-ink guard: a page where the crew plainly wrote (ticks, a signature) but whose comb boxes read
// nearly all blank has probably lost its thin strokes (faded pen, a fax, a scanner dropping blue ink). Its blank
// fields would otherwise be exported as empty and shown to nobody, so the whole page goes to a person.
import { finding, type Finding } from '../record/findings.ts';
import { COMB_FIELD_TYPES } from '../template/geometry.ts';
import type { Template } from '../template/schema.ts';

/** Ticks and signatures that show a crew filled the page in. */
export const GUARD_MIN_MARKS = 2;
/** Comb fields a page needs for the share to mean anything. */
export const GUARD_MIN_COMBS = 10;
/** Below this share of comb fields with any writing, a marked page is taken to have lost its ink. */
export const GUARD_MAX_WRITTEN_SHARE = 0.1;

export interface GuardRow {
  fieldId: string;
  pageId: number;
  type: string;
  path: string;
  read: unknown;
}

const marked = (read: unknown) => Array.isArray(read) && read.some((s) => s === 'ticked');
const written = (read: unknown) => typeof read === 'string' && read.trim() !== '';

/** One review finding per page that looks to have lost its writing, naming every field of the page. */
export function droppedInkFindings(template: Template, rows: readonly GuardRow[]): Finding[] {
  const pageOf = new Map(template.fields.map((f) => [f.id, f.page]));
  const byPage = new Map<number, GuardRow[]>();
  for (const r of rows) {
    const list = byPage.get(r.pageId) ?? [];
    list.push(r);
    byPage.set(r.pageId, list);
  }
  const out: Finding[] = [];
  for (const list of byPage.values()) {
    const combs = list.filter((r) => COMB_FIELD_TYPES.has(r.type));
    const marks = list.filter((r) => (r.type === 'tick' || r.type === 'choice' || r.type === 'multi' || r.type === 'signature') && marked(r.read)).length;
    const inked = combs.filter((r) => written(r.read)).length;
    if (combs.length < GUARD_MIN_COMBS || marks < GUARD_MIN_MARKS || inked >= GUARD_MAX_WRITTEN_SHARE * combs.length) continue;
    out.push(
      finding(
        'page-comb-ink-missing',
        list.map((r) => r.path),
        { page: pageOf.get(list[0]!.fieldId) ?? '?', marks, written: inked, combs: combs.length },
      ),
    );
  }
  return out;
}
