// Measurements of a handwriting glyph's outlines, for pen pressure: the face's stroke width, and whether a glyph is
// drawn as overlapping strokes (which must not be eroded). Pure and cached per font.
import type * as fontkit from 'fontkit';

/** A glyph with something to draw (not a space, not a missing glyph). */
export function hasOutline(g: fontkit.Glyph): boolean {
  const b = g.path.bbox;
  return Number.isFinite(b.minX) && b.maxX > b.minX && b.maxY > b.minY;
}

const strokeCache = new WeakMap<fontkit.Font, number>();

/**
 * A face's typical stroke width in font units: twice the area over the perimeter of its outlines (exact for a long
 * thin stroke), median over a few plain letters and digits.
 */
export function strokeWidthUnits(font: fontkit.Font): number {
  let sw = strokeCache.get(font);
  if (sw === undefined) {
    const ws = [...'HLTEI1470']
      .map((ch) => font.glyphForCodePoint(ch.codePointAt(0)!))
      .filter(hasOutline)
      .map((g) => {
        const { area, perimeter } = outlineMeasure(g.path);
        return perimeter > 0 ? (2 * area) / perimeter : 0;
      })
      .filter((v) => v > 0)
      .sort((a, b) => a - b);
    sw = ws.length ? ws[Math.floor(ws.length / 2)]! : font.unitsPerEm * 0.06;
    strokeCache.set(font, sw);
  }
  return sw;
}

/** A glyph's outlines as closed polygons (curves flattened), in font units. */
function contours(path: fontkit.Path): [number, number][][] {
  const out: [number, number][][] = [];
  let cur: [number, number][] = [];
  let x = 0;
  let y = 0;
  const to = (nx: number, ny: number) => {
    cur.push([nx, ny]);
    x = nx;
    y = ny;
  };
  for (const { command, args: a } of path.commands) {
    if (command === 'moveTo') {
      if (cur.length > 2) out.push(cur);
      cur = [];
      to(a[0]!, a[1]!);
    } else if (command === 'lineTo') to(a[0]!, a[1]!);
    else if (command === 'quadraticCurveTo' || command === 'bezierCurveTo') {
      const [x0, y0] = [x, y];
      for (let k = 1; k <= 8; k++) {
        const t = k / 8;
        const u = 1 - t;
        if (command === 'quadraticCurveTo') to(u * u * x0 + 2 * u * t * a[0]! + t * t * a[2]!, u * u * y0 + 2 * u * t * a[1]! + t * t * a[3]!);
        else
          to(
            u * u * u * x0 + 3 * u * u * t * a[0]! + 3 * u * t * t * a[2]! + t * t * t * a[4]!,
            u * u * u * y0 + 3 * u * u * t * a[1]! + 3 * u * t * t * a[3]! + t * t * t * a[5]!,
          );
      }
    }
  }
  if (cur.length > 2) out.push(cur);
  return out;
}

/** Net area (holes subtracted, by winding) and total length of a glyph's outlines. */
function outlineMeasure(path: fontkit.Path): { area: number; perimeter: number } {
  let area = 0;
  let perimeter = 0;
  for (const poly of contours(path)) {
    poly.forEach(([x0, y0], i) => {
      const [x1, y1] = poly[(i + 1) % poly.length]!;
      area += x0 * y1 - x1 * y0;
      perimeter += Math.hypot(x1 - x0, y1 - y0);
    });
  }
  return { area: Math.abs(area) / 2, perimeter };
}

/** Per font, per glyph id (fontkit hands out a new Glyph object on every lookup). */
const overlapCache = new WeakMap<fontkit.Font, Map<number, boolean>>();

/**
 * Whether a glyph is drawn as strokes laid over each other (contours that overlap, filled by winding), as several
 * hand fonts are. Eroding such a glyph by stroking its outlines in paper colour would draw the hidden seams inside
 * it, so only glyphs without overlaps are eroded. Checked on a 24 x 24 grid of winding numbers.
 */
export function hasOverlappingContours(font: fontkit.Font, glyph: fontkit.Glyph): boolean {
  let byId = overlapCache.get(font);
  if (!byId) overlapCache.set(font, (byId = new Map()));
  let v = byId.get(glyph.id);
  if (v === undefined) {
    v = maxWinding(contours(glyph.path), glyph.path.bbox, 24) > 1;
    byId.set(glyph.id, v);
  }
  return v;
}

/**
 * The largest |winding number| on an n x n grid over the box: row by row, the signed crossings of every edge with
 * the row, then a walk along it (rows x edges, not points x edges).
 */
function maxWinding(polys: [number, number][][], b: { minX: number; minY: number; maxX: number; maxY: number }, n: number): number {
  let max = 0;
  for (let j = 0; j < n; j++) {
    const py = b.minY + ((j + 0.5) / n) * (b.maxY - b.minY);
    const crossings: [number, number][] = [];
    for (const poly of polys) {
      for (let k = 0; k < poly.length; k++) {
        const [x0, y0] = poly[k]!;
        const [x1, y1] = poly[(k + 1) % poly.length]!;
        if ((y0 <= py) === (y1 <= py)) continue;
        crossings.push([x0 + ((py - y0) / (y1 - y0)) * (x1 - x0), y1 > y0 ? 1 : -1]);
      }
    }
    crossings.sort((p, q) => p[0] - q[0]);
    let wn = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const px = b.minX + ((i + 0.5) / n) * (b.maxX - b.minX);
      while (c < crossings.length && crossings[c]![0] < px) wn += crossings[c++]![1];
      if (Math.abs(wn) > max) max = Math.abs(wn);
    }
  }
  return max;
}
