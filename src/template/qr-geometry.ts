// Where the QR symbol sits inside the template's QR zone: shared by the form drawer and the reader's registration.
// Kept apart from draw-form.ts so registration does not need the drawing code (fontkit, qrcode); layout
// identification still loads it (imaging/layout-match.ts says why).
import type { Template } from './schema.ts';

/** Quiet modules printed around the QR symbol inside the template's QR zone. */
export const QR_QUIET_MODULES = 2;

/** Where the QR symbol of a given version sits on the page, in mm: its top-left, top-right and bottom-left corners. */
export function qrSymbolCorners(template: Template, version: number) {
  const n = 17 + 4 * version;
  const cell = template.qr.w / (n + 2 * QR_QUIET_MODULES);
  const x0 = template.qr.x + QR_QUIET_MODULES * cell;
  const y0 = template.qr.y + QR_QUIET_MODULES * cell;
  return { topLeft: { x: x0, y: y0 }, topRight: { x: x0 + n * cell, y: y0 }, bottomLeft: { x: x0, y: y0 + n * cell } };
}
