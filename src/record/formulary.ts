// The medicines a UK ambulance crew gives, as a crew writes them in the form's 11 drug-name boxes: the JRCALC
// (Joint Royal Colleges Ambulance Liaison Committee) clinical guidelines' medicine list, with the short forms crews
// use on paper (GTN, TXA). Evidence only: a drug name that reads as one of these, and as nothing else on the list,
// is very unlikely to be a misreading (the names are far apart letter by letter). A name not on the list is not an
// error, but one a letter or two from a name on it (ONDANSETROV, FNTONOX) is far more often that name misread than
// another medicine: a person checks it.
import { distance } from 'fastest-levenshtein';

export const FORMULARY: ReadonlySet<string> = new Set([
  'ADENOSINE',
  'ADRENALINE',
  'AMIODARONE',
  'AMOXICILLIN',
  'ASPIRIN',
  'ATROPINE',
  'BENZYLPEN',
  'BUPIVACAINE',
  'CALCIUM',
  'CEFTRIAXONE',
  'CHLORPHEN',
  'CLOPIDOGREL',
  'CYCLIZINE',
  'DEXAMETH',
  'DIAZEPAM',
  'ENTONOX',
  'FENTANYL',
  'FUROSEMIDE',
  'GLUCAGON',
  'GLUCOGEL',
  'GLUCOSE',
  'GTN',
  'HARTMANNS',
  'HEPARIN',
  'HYDROCORT',
  'IBUPROFEN',
  'IPRATROPIUM',
  'KETAMINE',
  'LIDOCAINE',
  'MAGNESIUM',
  'METOCLOPRAM',
  'MIDAZOLAM',
  'MISOPROSTOL',
  'MORPHINE',
  'NALOXONE',
  'ONDANSETRON',
  'OXYGEN',
  'OXYTOCIN',
  'PARACETAMOL',
  'PREDNISOL',
  'SALBUTAMOL',
  'SALINE',
  'TICAGRELOR',
  'TXA',
]);

/** Whether a drug name as normalised (capitals, trimmed) is a medicine on the list. */
export function isFormularyDrug(name: unknown): boolean {
  return typeof name === 'string' && FORMULARY.has(name);
}

/** Letters a name of this length may differ by from a listed name and still be taken for it misread. */
const nearLimit = (name: string): number => (name.length >= 8 ? 2 : 1);

/**
 * The medicine on the list that a name not on it is nearest to, when it is within a letter (two, for names of 8
 * letters or more): the name as read is most likely that one misread. Undefined for a listed name or a far one.
 */
export function nearFormularyDrug(name: string): string | undefined {
  if (FORMULARY.has(name)) return undefined;
  let best: { drug: string; d: number } | undefined;
  for (const drug of FORMULARY) {
    const d = distance(name, drug);
    if (d <= nearLimit(drug) && (!best || d < best.d)) best = { drug, d };
  }
  return best?.drug;
}
