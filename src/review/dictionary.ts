// Suggestions while keying: for a free-text or capitals field, the values people already settled for the same
// template field in this job (most often first) and the short vocabulary the template may carry for it. The page
// completes what a person types from these (static/suggest.js); a suggestion is only text put in the box, which the
// person confirms like anything they typed: nothing here settles a value. The dictionary is computed from the job's
// own decided fields, so it is never another job's and follows a value a person later corrects.
import type { Field } from '../template/schema.ts';
import type { ReviewContext } from './context.ts';
import { displayValue } from './input.ts';
import type { ItemStage } from './queue.ts';

/** At most this many of the job's values a field's dictionary sends (most often settled first). */
export const DICTIONARY_MAX = 400;

export interface DictionaryEntry {
  /** As a person would type it. */
  text: string;
  /** How many fields of this template field people settled with it in this job (0: the template's list only). */
  n: number;
  /** On the template's vocabulary for the field. */
  vocab: boolean;
}

/**
 * Whether a person keying this item is offered suggestions: free text and capitals only, and never when keying
 * blind (a second keying or a third decision is the person's own reading of the paper).
 */
export function offersSuggestions(field: Pick<Field, 'type'>, stage: ItemStage): boolean {
  return (field.type === 'text' || field.type === 'capitals') && stage !== 'second' && stage !== 'third';
}

const key = (t: string) => t.trim().replace(/\s+/g, ' ').toUpperCase();

/** The job's values for the field, most often settled first, then the template's vocabulary not among them. */
export function mergeDictionary(field: Field, settled: { text: string; n: number }[], vocabulary: readonly string[] = []): DictionaryEntry[] {
  const vocab = new Set(vocabulary.map(key));
  const out: DictionaryEntry[] = [];
  const seen = new Set<string>();
  for (const s of settled) {
    const k = key(s.text);
    if (!k || seen.has(k)) continue;
    seen.add(k);
    out.push({ text: s.text, n: s.n, vocab: vocab.has(k) });
  }
  for (const v of vocabulary) {
    const k = key(v);
    if (!k || seen.has(k)) continue;
    seen.add(k);
    out.push({ text: field.type === 'capitals' ? v.toUpperCase() : v, n: 0, vocab: true });
  }
  return out;
}

/** One template field's dictionary in this job. */
export function fieldDictionary(ctx: ReviewContext, fieldId: string): DictionaryEntry[] {
  const field = ctx.fields.get(fieldId);
  if (!field || (field.type !== 'text' && field.type !== 'capitals')) return [];
  const settled = ctx.store.review.personValues(fieldId, DICTIONARY_MAX).map((r) => ({ text: displayValue(field, r.value), n: r.n }));
  return mergeDictionary(field, settled, field.vocabulary);
}

/** The dictionaries a screen's items need, by template field id: only for items offered suggestions. */
export function screenDictionaries(ctx: ReviewContext, items: readonly { fieldId: string; suggest?: boolean }[]): Record<string, DictionaryEntry[]> {
  const out: Record<string, DictionaryEntry[]> = {};
  for (const it of items) if (it.suggest && !(it.fieldId in out)) out[it.fieldId] = fieldDictionary(ctx, it.fieldId);
  return out;
}
