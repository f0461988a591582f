// Renders drawings to a PDF with pdf-lib (one drawing a page).
import { PDFDocument, rgb, type PDFPage } from 'pdf-lib';
import type { Colour, Drawing } from './drawing.ts';

const PT_PER_MM = 72 / 25.4;

function colour(c: Colour) {
  const n = parseInt(c.slice(1), 16);
  return rgb(((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255);
}

export async function createPdf(title: string): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  doc.setTitle(title);
  doc.setCreator('prf-backload');
  doc.setProducer('prf-backload');
  // A fixed date keeps the same forms byte-identical from run to run.
  doc.setCreationDate(new Date(0));
  doc.setModificationDate(new Date(0));
  return doc;
}

export function addDrawingPage(doc: PDFDocument, drawing: Drawing): PDFPage {
  const page = doc.addPage([drawing.widthMm * PT_PER_MM, drawing.heightMm * PT_PER_MM]);
  const H = drawing.heightMm;
  for (const s of drawing.shapes) {
    switch (s.op) {
      case 'rect':
        page.drawRectangle({
          x: s.x * PT_PER_MM,
          y: (H - s.y - s.h) * PT_PER_MM,
          width: s.w * PT_PER_MM,
          height: s.h * PT_PER_MM,
          ...(s.fill ? { color: colour(s.fill) } : {}),
          ...(s.stroke ? { borderColor: colour(s.stroke), borderWidth: (s.lineWidth ?? 0.25) * PT_PER_MM } : {}),
        });
        break;
      case 'line':
        page.drawLine({
          start: { x: s.x1 * PT_PER_MM, y: (H - s.y1) * PT_PER_MM },
          end: { x: s.x2 * PT_PER_MM, y: (H - s.y2) * PT_PER_MM },
          thickness: s.lineWidth * PT_PER_MM,
          color: colour(s.stroke),
        });
        break;
      case 'path':
        if (!s.d) break;
        // drawSvgPath puts the path's origin at (x, y) with y pointing down, as in SVG.
        page.drawSvgPath(s.d, {
          x: 0,
          y: H * PT_PER_MM,
          scale: PT_PER_MM,
          ...(s.fill ? { color: colour(s.fill) } : {}),
          ...(s.stroke ? { borderColor: colour(s.stroke), borderWidth: (s.lineWidth ?? 0.3) * PT_PER_MM } : {}),
        });
        break;
    }
  }
  return page;
}
