// Word lists for synthetic patients and places: UK-shaped names, streets, towns of the South Central and South
// Western ambulance areas with real-format outward postcodes, their receiving hospitals' site codes, and GP
// practice code prefixes. Names are common British names, not people; no list entry identifies anyone.
// Names use capitals, hyphen and apostrophe only, so they fit the form's letter boxes.

export const SURNAMES = [
  'SMITH', 'JONES', 'WILLIAMS', 'TAYLOR', 'BROWN', 'DAVIES', 'EVANS', 'WILSON', 'THOMAS', 'JOHNSON',
  'ROBERTS', 'ROBINSON', 'THOMPSON', 'WRIGHT', 'WALKER', 'WHITE', 'EDWARDS', 'HUGHES', 'GREEN', 'HALL',
  'LEWIS', 'HARRIS', 'CLARKE', 'PATEL', 'JACKSON', 'WOOD', 'TURNER', 'MARTIN', 'COOPER', 'HILL',
  'WARD', 'MORRIS', 'MOORE', 'CLARK', 'LEE', 'KING', 'BAKER', 'HARRISON', 'MORGAN', 'ALLEN',
  'JAMES', 'SCOTT', 'PHILLIPS', 'WATSON', 'DAVIS', 'PARKER', 'PRICE', 'BENNETT', 'YOUNG', 'GRIFFITHS',
  'MITCHELL', 'KELLY', 'COOK', 'CARTER', 'RICHARDSON', 'BAILEY', 'COLLINS', 'BELL', 'SHAW', 'MURPHY',
  'MILLER', 'COX', 'RICHARDS', 'KHAN', 'MARSHALL', 'ANDERSON', 'SIMPSON', 'ELLIS', 'ADAMS', 'SINGH',
  'BEGUM', 'WILKINSON', 'FOSTER', 'CHAPMAN', 'POWELL', 'WEBB', 'ROGERS', 'GRAY', 'MASON', 'ALI',
  'HUNT', 'HUSSAIN', 'CAMPBELL', 'MATTHEWS', 'OWEN', 'PALMER', 'HOLMES', 'MILLS', 'BARNES', 'KNIGHT',
  'LLOYD', 'BUTLER', 'RUSSELL', 'BARKER', 'FISHER', 'STEVENS', 'JENKINS', 'DIXON', 'FLETCHER', 'PEARCE',
  'TREGENZA', 'PENROSE', 'NOWAK', 'KOWALSKI', 'OKAFOR', 'MENSAH', 'NGUYEN', 'CHEN', 'RAHMAN', 'DOSANJH',
  "O'BRIEN", "O'NEILL", "O'CONNOR", "D'SOUZA", 'SMITH-JONES', 'LLEWELLYN-DAVIES', 'BURTON-HILL', 'ASHWORTH',
  'MACDONALD', 'MCKENZIE', 'FITZGERALD', 'CHAMBERLAIN', 'WORTHINGTON', 'FAIRWEATHER',
] as const;

export const MALE_FORENAMES = [
  'JOHN', 'DAVID', 'MICHAEL', 'PAUL', 'ANDREW', 'PETER', 'ROBERT', 'JAMES', 'STEPHEN', 'MARK',
  'RICHARD', 'CHRISTOPHER', 'WILLIAM', 'GEORGE', 'THOMAS', 'OLIVER', 'HARRY', 'JACK', 'NOAH', 'LEO',
  'ARTHUR', 'ALFRED', 'KENNETH', 'BRIAN', 'RONALD', 'GARY', 'DEAN', 'LIAM', 'CONNOR', 'KIERAN',
  'MOHAMMED', 'ADAM', 'RAJ', 'TOMASZ', 'PIOTR', 'KWAME', 'DANIEL', 'MATTHEW', 'SAMUEL', 'JOSHUA',
  'TREVOR', 'DEREK', 'GRAHAM', 'NIGEL', 'COLIN', 'BARRY', 'STANLEY', 'ERNEST', 'FREDERICK', 'ALBERT',
] as const;

export const FEMALE_FORENAMES = [
  'MARGARET', 'SUSAN', 'ELIZABETH', 'SARAH', 'EMMA', 'CLAIRE', 'HELEN', 'JULIE', 'KAREN', 'NICOLA',
  'MARY', 'PATRICIA', 'JEAN', 'DOROTHY', 'JOAN', 'BARBARA', 'SHEILA', 'EILEEN', 'BRENDA', 'IRENE',
  'OLIVIA', 'AMELIA', 'ISLA', 'AVA', 'MIA', 'SOPHIE', 'CHLOE', 'JESSICA', 'LUCY', 'GRACE',
  'FATIMA', 'AISHA', 'PRIYA', 'AGNIESZKA', 'ANNA', 'ABENA', 'REBECCA', 'LAURA', 'GEMMA', 'HANNAH',
  'MAUREEN', 'PAULINE', 'SANDRA', 'LINDA', 'CAROL', 'VALERIE', 'EDNA', 'GLADYS', 'MARJORIE', 'ROSE-MARIE',
] as const;

export const STREETS = [
  'HIGH STREET', 'STATION ROAD', 'MILL LANE', 'CHURCH STREET', 'PARK ROAD', 'VICTORIA ROAD', 'MANOR ROAD',
  'THE AVENUE', 'QUEENS ROAD', 'NEW ROAD', 'GROVE ROAD', 'KINGS ROAD', 'ALBERT ROAD', 'CHURCH LANE',
  'WESTERN ROAD', 'LONDON ROAD', 'MEADOW CLOSE', 'ORCHARD WAY', 'BEECH GROVE', 'OAK TREE DRIVE',
  'ELM CLOSE', 'SCHOOL LANE', 'NORTH STREET', 'SOUTH STREET', 'HAWTHORN CRESCENT', 'CHAPEL ROAD',
  'HARBOUR VIEW', 'CLIFF ROAD', 'RECTORY LANE', 'FORE STREET', 'CASTLE STREET', 'WINDMILL HILL',
  'MARINE PARADE', 'COLLEGE ROAD', 'ST MARYS ROAD', 'HOLLY BANK', 'BRAMBLE WAY', 'FERN CLOSE',
  'KESTREL DRIVE', 'PRIORY ROAD',
] as const;

/** A town with its outward postcodes, the receiving hospital site codes nearby, and a GP code prefix. */
export interface Area {
  town: string;
  outward: readonly string[];
  destinations: readonly string[];
  /** Letter and two digits that the area's GP practice codes start with. */
  gpPrefix: string;
}

export const AREAS: readonly Area[] = [
  { town: 'SOUTHAMPTON', outward: ['SO14', 'SO15', 'SO16', 'SO17', 'SO18', 'SO19'], destinations: ['RHM01'], gpPrefix: 'J82' },
  { town: 'PORTSMOUTH', outward: ['PO1', 'PO2', 'PO3', 'PO4', 'PO6'], destinations: ['RHU03'], gpPrefix: 'J82' },
  { town: 'WATERLOOVILLE', outward: ['PO7', 'PO8'], destinations: ['RHU03'], gpPrefix: 'J82' },
  { town: 'WINCHESTER', outward: ['SO22', 'SO23'], destinations: ['RN541'], gpPrefix: 'J82' },
  { town: 'BASINGSTOKE', outward: ['RG21', 'RG22', 'RG24'], destinations: ['RN506'], gpPrefix: 'J82' },
  { town: 'NEWPORT', outward: ['PO30'], destinations: ['R1F01'], gpPrefix: 'J84' },
  { town: 'READING', outward: ['RG1', 'RG2', 'RG30'], destinations: ['RHW01'], gpPrefix: 'K81' },
  { town: 'OXFORD', outward: ['OX1', 'OX3', 'OX4'], destinations: ['RTH08'], gpPrefix: 'K84' },
  { town: 'SALISBURY', outward: ['SP1', 'SP2'], destinations: ['RNZ02'], gpPrefix: 'J83' },
  { town: 'BOURNEMOUTH', outward: ['BH1', 'BH7', 'BH8', 'BH11'], destinations: ['R0D02'], gpPrefix: 'J81' },
  { town: 'POOLE', outward: ['BH12', 'BH14', 'BH15'], destinations: ['R0D01'], gpPrefix: 'J81' },
  { town: 'DORCHESTER', outward: ['DT1', 'DT2'], destinations: ['RBD01'], gpPrefix: 'J81' },
  { town: 'BRISTOL', outward: ['BS1', 'BS2', 'BS5', 'BS7', 'BS10', 'BS16'], destinations: ['RA701', 'RVJ01'], gpPrefix: 'L81' },
  { town: 'BATH', outward: ['BA1', 'BA2'], destinations: ['RD130'], gpPrefix: 'L81' },
  { town: 'SWINDON', outward: ['SN1', 'SN2', 'SN3', 'SN5'], destinations: ['RN325'], gpPrefix: 'J83' },
  { town: 'GLOUCESTER', outward: ['GL1', 'GL2', 'GL4'], destinations: ['RTE03'], gpPrefix: 'L84' },
  { town: 'CHELTENHAM', outward: ['GL50', 'GL51', 'GL52'], destinations: ['RTE01', 'RTE03'], gpPrefix: 'L84' },
  { town: 'TAUNTON', outward: ['TA1', 'TA2'], destinations: ['RBA11'], gpPrefix: 'L85' },
  { town: 'EXETER', outward: ['EX1', 'EX2', 'EX4'], destinations: ['RH801'], gpPrefix: 'L83' },
  { town: 'PLYMOUTH', outward: ['PL1', 'PL4', 'PL5', 'PL6'], destinations: ['RK950'], gpPrefix: 'L83' },
  { town: 'TRURO', outward: ['TR1'], destinations: ['REF12'], gpPrefix: 'L82' },
] as const;

/** Letters allowed in the inward part of a postcode (never C, I, K, M, O, V). */
export const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

/** Call-sign prefixes by area group, e.g. SC123. */
export const CALL_SIGN_PREFIXES = ['SC', 'SW', 'HA', 'DO', 'BR', 'EX'] as const;
