// Draws one page of a blank form from its template: marks, QR code, headings, labels and boxes.
import { createRequire } from 'node:module';
import type QRCodeModule from 'qrcode';
import { combBoxes, combGroups, LABEL_SIZE_MM } from './geometry.ts';
import { encodePageIdentity, type PageIdentity } from './qr-payload.ts';
import type { Field, Template } from './schema.ts';
import { text, type Drawing, type Shape } from './drawing.ts';
import { QR_QUIET_MODULES } from './qr-geometry.ts';

// qrcode (CommonJS) through require: see imaging/sharp.ts.
const QRCode = createRequire(import.meta.url)('qrcode') as typeof QRCodeModule;

/** Grey for boxes: clearly printed, but lighter than pen so it can be told from writing. */
export const BOX_COLOUR = '#6e6e6e';
const BOX_LINE = 0.25;
const INK = '#000000';

export function drawFormPage(template: Template, serial: string, pageNo: number): Drawing {
  const shapes: Shape[] = [];
  const { widthMm, heightMm } = template.pageSize;
  const pageMeta = template.pages.find((p) => p.number === pageNo);
  if (!pageMeta) throw new Error(`template ${template.id} has no page ${pageNo}`);

  drawRegistrationMarks(template, shapes);
  drawQr(template, { templateId: template.id, templateVersion: template.version, serial, page: pageNo }, shapes);

  shapes.push(text(template.title, 13, 12, 5.2, { bold: true, maxWidth: template.qr.x - 20 }));
  shapes.push(text(`Form ${serial}  /  page ${pageNo} of ${template.pages.length}`, 13, 18, 3, { serial: true }));
  shapes.push(text(`${pageMeta.title}  ·  ${template.id} v${template.version}`, 62, 18, 3, { maxWidth: template.qr.x - 66 }));

  for (const d of template.decorations) {
    if (d.page !== pageNo) continue;
    if (d.kind === 'section') {
      shapes.push({ op: 'rect', ...d.zone, stroke: '#333333', lineWidth: 0.3 });
      shapes.push({ op: 'rect', x: d.zone.x, y: d.zone.y, w: d.zone.w, h: 5, fill: '#e4e4e4' });
      shapes.push(text(d.title, d.zone.x + 1.5, d.zone.y + 3.8, 3.4, { bold: true }));
    } else {
      shapes.push(text(d.text, d.x, d.y, d.size));
    }
  }

  for (const f of template.fields) if (f.page === pageNo) drawField(f, shapes);
  // Footer: the serial again, so a page separated from its QR code can still be matched by a person.
  shapes.push(text(`Form ${serial}  /  page ${pageNo}`, widthMm / 2 - 15, heightMm - 7.5, 2.8, { serial: true, colour: '#333333' }));
  return { widthMm, heightMm, shapes };
}

function drawRegistrationMarks(template: Template, shapes: Shape[]): void {
  const s = template.registration.markSizeMm;
  for (const m of template.registration.marks) {
    shapes.push({ op: 'rect', x: m.x - s / 2, y: m.y - s / 2, w: s, h: s, fill: INK });
  }
}

function drawQr(template: Template, id: PageIdentity, shapes: Shape[]): void {
  const qr = QRCode.create(encodePageIdentity(id), { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = template.qr.w / (n + 2 * QR_QUIET_MODULES);
  const ox = template.qr.x + QR_QUIET_MODULES * cell;
  const oy = template.qr.y + QR_QUIET_MODULES * cell;
  for (let r = 0; r < n; r++) {
    // Merge runs of dark modules so the PDF stays small.
    let c = 0;
    while (c < n) {
      if (!qr.modules.get(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < n && qr.modules.get(r, c)) c++;
      shapes.push({ op: 'rect', x: ox + start * cell, y: oy + r * cell, w: (c - start) * cell + 0.01, h: cell + 0.01, fill: INK });
    }
  }
}

function drawField(f: Field, shapes: Shape[]): void {
  const z = f.zone;
  if (f.type !== 'tick') {
    const label = f.hint ? `${f.label}  (${f.hint})` : f.label;
    shapes.push(text(label, z.x, z.y - 0.9, LABEL_SIZE_MM, { maxWidth: Math.max(z.w, 10) }));
  }
  switch (f.type) {
    case 'digits':
    case 'capitals':
    case 'date':
    case 'time':
    case 'decimal': {
      const boxes = combBoxes(f);
      for (const b of boxes) shapes.push({ op: 'rect', ...b, stroke: BOX_COLOUR, lineWidth: BOX_LINE });
      drawGroupSeparators(f, boxes, shapes);
      break;
    }
    case 'tick':
      shapes.push({ op: 'rect', ...z, stroke: INK, lineWidth: 0.3 });
      shapes.push(text(f.label, z.x + z.w + 1, z.y + z.h - 0.6, LABEL_SIZE_MM));
      break;
    case 'choice':
    case 'multi':
      for (const o of f.options) {
        shapes.push({ op: 'rect', ...o.box, stroke: INK, lineWidth: 0.3 });
        shapes.push(text(o.label, o.box.x + o.box.w + 1, o.box.y + o.box.h - 0.6, LABEL_SIZE_MM));
      }
      break;
    case 'text': {
      shapes.push({ op: 'rect', ...z, stroke: BOX_COLOUR, lineWidth: BOX_LINE });
      const lh = z.h / f.lines;
      for (let i = 1; i <= f.lines; i++) {
        if (i < f.lines) shapes.push({ op: 'line', x1: z.x + 1, y1: z.y + i * lh, x2: z.x + z.w - 1, y2: z.y + i * lh, stroke: '#b4b4b4', lineWidth: 0.15 });
      }
      break;
    }
    case 'signature':
      shapes.push({ op: 'rect', ...z, stroke: BOX_COLOUR, lineWidth: BOX_LINE });
      break;
  }
}

/** Date: dd/mm/yyyy slashes; time: a colon; decimal: the printed decimal point. */
function drawGroupSeparators(f: Field, boxes: { x: number; y: number; w: number; h: number }[], shapes: Shape[]): void {
  const groups = combGroups(f)!;
  let idx = 0;
  for (let g = 0; g < groups.length - 1; g++) {
    idx += groups[g]!;
    const left = boxes[idx - 1]!;
    const right = boxes[idx]!;
    const cx = (left.x + left.w + right.x) / 2;
    const y = left.y;
    const h = left.h;
    if (f.type === 'decimal') {
      shapes.push({ op: 'rect', x: cx - 0.45, y: y + h - 1.6, w: 0.9, h: 0.9, fill: INK });
    } else if (f.type === 'time') {
      shapes.push({ op: 'rect', x: cx - 0.35, y: y + h * 0.3, w: 0.7, h: 0.7, fill: INK });
      shapes.push({ op: 'rect', x: cx - 0.35, y: y + h * 0.62, w: 0.7, h: 0.7, fill: INK });
    } else if (f.type === 'date') {
      shapes.push({ op: 'line', x1: cx + 0.8, y1: y + 1.2, x2: cx - 0.8, y2: y + h - 1.2, stroke: INK, lineWidth: 0.3 });
    }
  }
}
