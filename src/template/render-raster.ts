// Renders a drawing to pixels through SVG and sharp (librsvg), at a chosen dpi.
import sharp, { type Sharp } from '../imaging/sharp.ts';
import type { Drawing } from './drawing.ts';

export function drawingToSvg(drawing: Drawing, dpi: number): string {
  const wpx = Math.round((drawing.widthMm / 25.4) * dpi);
  const hpx = Math.round((drawing.heightMm / 25.4) * dpi);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${wpx}" height="${hpx}" viewBox="0 0 ${drawing.widthMm} ${drawing.heightMm}" shape-rendering="geometricPrecision">`,
    `<rect x="0" y="0" width="${drawing.widthMm}" height="${drawing.heightMm}" fill="#ffffff"/>`,
  ];
  for (const [i, s] of drawing.shapes.entries()) {
    switch (s.op) {
      case 'rect':
        out.push(
          `<rect x="${f(s.x)}" y="${f(s.y)}" width="${f(s.w)}" height="${f(s.h)}" fill="${s.fill ?? 'none'}"${s.stroke ? ` stroke="${s.stroke}" stroke-width="${f(s.lineWidth ?? 0.25)}"` : ''}/>`,
        );
        break;
      case 'line':
        out.push(`<line x1="${f(s.x1)}" y1="${f(s.y1)}" x2="${f(s.x2)}" y2="${f(s.y2)}" stroke="${s.stroke}" stroke-width="${f(s.lineWidth)}" stroke-linecap="round"/>`);
        break;
      case 'path':
        if (!s.d) break;
        if (s.inset && s.fill) {
          // Erosion: the outline stroked in paper colour, clipped to the shape's own inside, so nothing outside the
          // letter is touched. A clip, not a mask: librsvg masks cost ~0.4 s each on a page.
          out.push(
            `<clipPath id="inset-${i}"><path d="${s.d}"/></clipPath>`,
            `<path d="${s.d}" fill="${s.fill}"/>`,
            `<path d="${s.d}" fill="none" stroke="#ffffff" stroke-width="${f(2 * s.inset)}" stroke-linejoin="round" clip-path="url(#inset-${i})"/>`,
          );
          break;
        }
        out.push(
          `<path d="${s.d}" fill="${s.fill ?? 'none'}"${s.stroke ? ` stroke="${s.stroke}" stroke-width="${f(s.lineWidth ?? 0.3)}" stroke-linecap="round" stroke-linejoin="round"` : ''}/>`,
        );
        break;
    }
  }
  out.push('</svg>');
  return out.join('\n');
}

function f(n: number): string {
  return Number(n.toFixed(3)).toString();
}

/** The drawing as an 8-bit RGB sharp pipeline at dpi (callers choose the output format). */
export function rasterise(drawing: Drawing, dpi: number): Sharp {
  return sharp(Buffer.from(drawingToSvg(drawing, dpi)), { limitInputPixels: false }).flatten({ background: '#ffffff' });
}

export async function renderPng(drawing: Drawing, dpi: number): Promise<Buffer> {
  return rasterise(drawing, dpi).withMetadata({ density: dpi }).png({ compressionLevel: 6 }).toBuffer();
}
