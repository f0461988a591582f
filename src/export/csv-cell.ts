// CSV cells that a spreadsheet opens safely: text that would run as a formula is neutralised with a leading
// apostrophe (OWASP CSV injection guidance), and cells are quoted per RFC 4180.

const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefix text a spreadsheet would treat as a formula with `'`. */
export function neutraliseCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Quote a cell when it holds a comma, quote, CR or LF (or leading/trailing space); double inner quotes. */
export function quoteCell(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One cell from a value: numbers and booleans as written by JavaScript (never neutralised, so a number stays a
 * number), text neutralised then quoted, null/undefined empty.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return quoteCell(neutraliseCell(String(value)));
}

/** A CSV line (no line ending). */
export function csvRow(values: unknown[]): string {
  return values.map(csvCell).join(',');
}

/** A whole CSV text: UTF-8 BOM (so Excel reads accents right), CRLF line ends, trailing CRLF. */
export function csvText(header: string[], rows: unknown[][]): string {
  return '\uFEFF' + [csvRow(header), ...rows.map(csvRow)].map((l) => l + '\r\n').join('');
}
