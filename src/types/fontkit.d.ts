// Minimal types for the parts of fontkit this project uses.
declare module 'fontkit' {
  export interface Path {
    toSVG(): string;
    transform(m0: number, m1: number, m2: number, m3: number, m4: number, m5: number): Path;
    readonly bbox: { minX: number; minY: number; maxX: number; maxY: number };
    readonly commands: { command: 'moveTo' | 'lineTo' | 'quadraticCurveTo' | 'bezierCurveTo' | 'closePath'; args: number[] }[];
  }
  export interface Glyph {
    readonly id: number;
    readonly path: Path;
    readonly advanceWidth: number;
  }
  export interface GlyphPosition {
    xAdvance: number;
    yAdvance: number;
    xOffset: number;
    yOffset: number;
  }
  export interface GlyphRun {
    glyphs: Glyph[];
    positions: GlyphPosition[];
  }
  export interface Font {
    readonly unitsPerEm: number;
    readonly capHeight: number;
    readonly ascent: number;
    readonly descent: number;
    layout(text: string): GlyphRun;
    glyphForCodePoint(cp: number): Glyph;
  }
  export function create(buffer: Buffer): Font;
}
