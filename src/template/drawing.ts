// A drawing is a page as a list of vector shapes in millimetres. The form is drawn once into a drawing; the PDF and
// the raster renderers both consume it, so the printed form and its previews (and synthetic scans) cannot drift.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

export type Colour = string; // #rrggbb

export type Shape =
  | { op: 'rect'; x: number; y: number; w: number; h: number; fill?: Colour; stroke?: Colour; lineWidth?: number }
  | { op: 'line'; x1: number; y1: number; x2: number; y2: number; stroke: Colour; lineWidth: number }
  /**
   * An SVG path in page millimetres (absolute commands). `inset` erodes a filled outline by that many mm (the same
   * letter from a finer pen or a lighter hand); only the raster renderer draws it, the PDF renderer ignores it.
   */
  | { op: 'path'; d: string; fill?: Colour; stroke?: Colour; lineWidth?: number; inset?: number };

export interface Drawing {
  widthMm: number;
  heightMm: number;
  shapes: Shape[];
}

export interface GlyphStyle {
  /** Font size in mm (the em square). */
  size: number;
  /** Horizontal shear, as tan(angle); positive leans right. */
  slant?: number;
  /** Rotation in radians about the glyph's origin. */
  rotate?: number;
}

const require = createRequire(import.meta.url);
const fontCache = new Map<string, fontkit.Font>();

/** Load a font file that ships in an npm package (resolved through node_modules, never downloaded). */
export function loadPackagedFont(packageFile: string): fontkit.Font {
  let font = fontCache.get(packageFile);
  if (!font) {
    font = fontkit.create(readFileSync(require.resolve(packageFile)));
    fontCache.set(packageFile, font);
  }
  return font;
}

export const PRINT_FONT = '@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-400-normal.woff';
export const PRINT_FONT_BOLD = '@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-700-normal.woff';
/**
 * For the printed form serial: plain digits (Atkinson's distinctive zero, good for people, is read as 6 or 8 by
 * OCR), so a page whose QR code is lost can still be identified from its printed serial.
 */
export const SERIAL_FONT = '@fontsource/roboto/files/roboto-latin-500-normal.woff';

/** Width of a text run in mm. */
export function textWidth(font: fontkit.Font, text: string, size: number): number {
  const run = font.layout(text);
  return run.positions.reduce((a, p) => a + p.xAdvance, 0) * (size / font.unitsPerEm);
}

/**
 * The linear part of the glyph transform: font units (y up) to page mm (y down), scaled, sheared by the slant and
 * rotated. [a, b, c, d] as in x' = a*u + c*v, y' = b*u + d*v.
 */
export function glyphMatrix(font: fontkit.Font, style: GlyphStyle): [number, number, number, number] {
  const s = style.size / font.unitsPerEm;
  const shear = style.slant ?? 0;
  const r = style.rotate ?? 0;
  const cos = Math.cos(r);
  const sin = Math.sin(r);
  return [s * cos, s * sin, -s * shear * cos + s * sin, -s * shear * sin - s * cos];
}

/** One glyph as an SVG path in page mm, its origin on the baseline at (x, baseline). */
export function glyphPath(font: fontkit.Font, glyph: fontkit.Glyph, x: number, baseline: number, style: GlyphStyle): string {
  const [a, b, c, d] = glyphMatrix(font, style);
  return glyph.path.transform(a, b, c, d, x, baseline).toSVG();
}

/** A run of text as one path, left-aligned at x on the baseline. */
export function textPath(font: fontkit.Font, text: string, x: number, baseline: number, size: number): string {
  const run = font.layout(text);
  const scale = size / font.unitsPerEm;
  let cx = x;
  const parts: string[] = [];
  run.glyphs.forEach((g, i) => {
    const pos = run.positions[i]!;
    parts.push(glyphPath(font, g, cx + pos.xOffset * scale, baseline - pos.yOffset * scale, { size }));
    cx += pos.xAdvance * scale;
  });
  return parts.join('');
}

/** Text shape; shrinks the size so the text fits maxWidth when given. */
export function text(
  str: string,
  x: number,
  baseline: number,
  size: number,
  opts: { bold?: boolean; serial?: boolean; colour?: Colour; maxWidth?: number } = {},
): Shape {
  const font = loadPackagedFont(opts.serial ? SERIAL_FONT : opts.bold ? PRINT_FONT_BOLD : PRINT_FONT);
  let sz = size;
  if (opts.maxWidth) {
    const w = textWidth(font, str, size);
    if (w > opts.maxWidth) sz = (size * opts.maxWidth) / w;
  }
  return { op: 'path', d: textPath(font, str, x, baseline, sz), fill: opts.colour ?? '#000000' };
}
