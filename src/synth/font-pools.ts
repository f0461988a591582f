// Handwriting fonts, split by family (writer) into three pools that never share a family:
//  - train:      what the box classifier learns from (training/ builds its data from these only);
//  - validation: early stopping and temperature scaling of the classifier, and the corpus the shipped thresholds
//                are calibrated on;
//  - test:       what `synth` writes by default, so `npm run bench`, the fixtures and the tests read hands the
//                model never saw.
// Every face ships in an npm @fontsource package, so nothing is downloaded at run time. Debian's fonts-breip,
// fonts-rufscript, fonts-kristi and fonts-sjfonts may be added to the training pool by the maintainer's training
// tool only; no other Debian handwriting font is used anywhere (the team keeps those for a hold-out).

export type FontPool = 'train' | 'validation' | 'test';
export const FONT_POOLS: readonly FontPool[] = ['train', 'validation', 'test'];

export interface HandwritingFont {
  /** One face: family plus weight where a family has several. */
  id: string;
  /** The family: the unit of the split (two faces of one family are one writer). */
  family: string;
  /** Package path of the face's WOFF file. */
  file: string;
  /** Glyph size correction, where a face's digits or capitals run small or large. */
  scale: number;
  pool: FontPool;
}

function face(pool: FontPool, family: string, weight = 400, scale = 1, id = family): HandwritingFont {
  return { id, family, file: `@fontsource/${family}/files/${family}-latin-${weight}-normal.woff`, scale, pool };
}

export const HANDWRITING_FONTS: readonly HandwritingFont[] = [
  // test: the six hands of the first corpus, and more of different build (print, school, hurried, messy)
  face('test', 'patrick-hand'),
  face('test', 'kalam'),
  face('test', 'kalam', 300, 1, 'kalam-light'),
  face('test', 'architects-daughter'),
  face('test', 'caveat', 500),
  face('test', 'caveat-brush'),
  face('test', 'indie-flower'),
  face('test', 'gochi-hand'),
  face('test', 'schoolbell'),
  face('test', 'handlee'),
  face('test', 'edu-sa-beginner'),
  face('test', 'shadows-into-light'),
  face('test', 'nothing-you-could-do'),
  face('test', 'reenie-beanie'),
  face('test', 'covered-by-your-grace'),
  // validation
  face('validation', 'mynerve'),
  face('validation', 'coming-soon'),
  face('validation', 'sue-ellen-francisco'),
  face('validation', 'delius'),
  face('validation', 'just-another-hand'),
  face('validation', 'edu-qld-beginner'),
  // train
  face('train', 'amatic-sc', 700),
  face('train', 'annie-use-your-telescope'),
  face('train', 'chilanka'),
  face('train', 'comic-neue'),
  face('train', 'crafty-girls'),
  face('train', 'dawning-of-a-new-day'),
  face('train', 'edu-nsw-act-foundation'),
  face('train', 'edu-vic-wa-nt-beginner'),
  face('train', 'fuzzy-bubbles'),
  face('train', 'gaegu'),
  face('train', 'gloria-hallelujah'),
  face('train', 'grape-nuts'),
  face('train', 'homemade-apple'),
  face('train', 'itim'),
  face('train', 'la-belle-aurore'),
  face('train', 'loved-by-the-king'),
  face('train', 'mali'),
  face('train', 'mansalva'),
  face('train', 'neucha'),
  face('train', 'permanent-marker'),
  face('train', 'playpen-sans', 300),
  face('train', 'rock-salt'),
  face('train', 'short-stack'),
  face('train', 'sriracha'),
  face('train', 'swanky-and-moo-moo'),
  face('train', 'the-girl-next-door'),
  face('train', 'waiting-for-the-sunrise'),
  face('train', 'walter-turncoat'),
  face('train', 'zeyada'),
];

export function fontsOfPool(pool: FontPool): HandwritingFont[] {
  return HANDWRITING_FONTS.filter((f) => f.pool === pool);
}

/** The families of a pool, for a benchmark or a model card to name. */
export function familiesOfPool(pool: FontPool): string[] {
  return [...new Set(fontsOfPool(pool).map((f) => f.family))];
}

export function fontById(id: string): HandwritingFont | undefined {
  return HANDWRITING_FONTS.find((f) => f.id === id);
}
