// The medicines a UK ambulance crew gives, as a crew writes them in the form's 11 drug-name boxes: the JRCALC
// (Joint Royal Colleges Ambulance Liaison Committee) clinical guidelines' medicine list, with the short forms crews
// use on paper (GTN, TXA). Evidence only: a drug name that reads as one of these, and as nothing else on the list,
// is very unlikely to be a misreading (the names are far apart letter by letter). A name not on the list is not an
// error: its box confidence decides, and a person sees it as usual.
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
